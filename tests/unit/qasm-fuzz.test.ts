// The parser against hostile text: seeded random bytes, random token
// sequences and mutations of valid programs (both versions), thousands of
// each. Every one must end in a job that keeps every rule of the format
// (tests/harness/qasm-job-check.ts) or in a one-line "LINE:COL: message"
// error with a known code and a place inside the text, never a trap; and a
// refusal leaves nothing behind: the next parse of a valid program gives the
// same bytes as before, and the module's memory stops growing.
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import { decodeJob } from "../../tools/lib/qpu-job";
import { jobFault } from "../harness/qasm-job-check";
import { rng } from "../harness/qpu-circuits";
import * as abi from "../../kernel/abi";

let qasm: QasmParser;
beforeAll(async () => { qasm = await qasmParser(); });

const SEEDS: string[] = [
  `OPENQASM 2.0;\ninclude "qelib1.inc";\ngate post q { }\nqreg q[3];\ncreg c0[1];\ncreg c1[1];\nu3(0.3,0.2,0.1) q[0];\nh q[1];\ncx q[1],q[2];\nbarrier q;\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> c0[0];\nmeasure q[1] -> c1[0];\nif(c0==1) z q[2];\nif(c1==1) x q[2];\npost q[2];\n`,
  `OPENQASM 2.0;\ninclude "qelib1.inc";\ngate majority a,b,c { cx c,b; cx c,a; ccx a,b,c; }\ngate g(t, s) a, b { rx(t*2^2 - sin(s)) a; crz(-pi/(s+1)) a, b; }\nqreg a[4];\nqreg b[4];\ncreg ans[4];\nx a[0];\nx b;\nmajority a[0],b[1],a[1];\ng(0.5, ln(2)) a[1], b[2];\nc4x a[0], a[1], a[2], a[3], b[0];\nmeasure b -> ans;\nreset a;\n`,
  `OPENQASM 3.0;\ninclude "stdgates.inc";\n/* block\ncomment */\nqubit[4] q;\nqubit r;\nbit[4] c;\nbit d;\ngate g(θ) a, b { ctrl @ rx(θ) a, b; inv @ s b; gphase(θ/2); }\nctrl(2) @ x q[0], q[1], q[2];\nnegctrl @ inv @ g(π/3) q[3], r, q[0];\npow(-2) @ sx q;\nc = measure q;\nd[0] = measure r;\nif (c[2] == 1) { x q[1]; reset r; }\nif (c == 5) cu(1, 2, 3, 4) q[0], q[1];\nbarrier;\n`,
];

const TOKENS = [
  "OPENQASM", "2.0", "3", ";", "include", "\"qelib1.inc\"", "\"stdgates.inc\"", "qreg", "creg", "qubit", "bit", "q", "c", "r", "[", "]", "0", "1", "2",
  "26", "27", "64", "65", "4294967296", "18446744073709551616", "gate", "opaque", "g", "a", "b", "{", "}", "(", ")", ",", "->", "=", "==", "measure", "reset",
  "barrier", "if", "U", "CX", "h", "cx", "ccx", "c4x", "rx", "u3", "pi", "π", "θ", "+", "-", "*", "/", "^", "**", "@", "ctrl", "negctrl", "inv", "pow",
  "gphase", "sin", "ln", "sqrt", "1e308", "1e-400", "0.5", ".5", "1_0", "//", "/*", "*/", "\n", " ", "\"", "$", "\u0000", "\uffff",
];

type Outcome = "job" | "error";

function check(text: string | Uint8Array): Outcome {
  const r = qasm.parse(text);
  if (r.ok) {
    const job = decodeJob(r.job);
    expect(jobFault(job, r.job), typeof text === "string" ? text : "bytes").toBeNull();
    return "job";
  }
  expect([abi.E_ARG, abi.E_UNSUPPORTED, abi.E_NOSPACE]).toContain(r.code);
  expect(r.error).toMatch(/^\d+:\d+: \S/);
  expect(r.error).not.toContain("\n");
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const lines = bytes.reduce((n, b) => n + (b === 10 ? 1 : 0), 1);
  expect(r.line).toBeGreaterThanOrEqual(1);
  expect(r.line).toBeLessThanOrEqual(lines);
  expect(r.column).toBeGreaterThanOrEqual(1);
  return "error";
}

function mutate(text: string, next: () => number): string {
  const pick = (n: number) => Math.floor(next() * n);
  let s = text;
  for (let k = 1 + pick(4); k > 0; k--) {
    const at = pick(s.length + 1);
    switch (pick(6)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + pick(8)); break; // delete
      case 1: s = s.slice(0, at) + TOKENS[pick(TOKENS.length)] + s.slice(at); break; // insert a token
      case 2: s = s.slice(0, at) + String.fromCharCode(pick(128)) + s.slice(at + 1); break; // replace a character
      case 3: { const from = pick(s.length), n = pick(40); s = s.slice(0, at) + s.slice(from, from + n) + s.slice(at); break; } // copy a piece
      case 4: { const lines = s.split("\n"); const i = pick(lines.length); lines.splice(pick(lines.length), 0, lines[i]); s = lines.join("\n"); break; } // repeat a line
      default: { const digits = s.replace(/\d+/, () => String(pick(100))); s = pick(2) ? digits : s.slice(0, at); } // change a number, or cut
    }
  }
  return s;
}

describe("the parser on hostile input", () => {

  it("the seed programs parse", () => {
    for (const s of SEEDS) expect(check(s)).toBe("job");
  });

  it("5000 random byte strings: each a job or a placed error", () => {
    const next = rng(1);
    for (let n = 0; n < 5000; n++) {
      const len = Math.floor(next() * 200);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(next() * 256);
      // Half start like a program, so the statements are reached.
      const prefix = new TextEncoder().encode(n % 2 ? "OPENQASM 2.0;\n" : "OPENQASM 3;\n");
      check(n % 4 < 2 ? bytes : new Uint8Array([...prefix, ...bytes]));
    }
  });

  it("5000 random token sequences", () => {
    const next = rng(2);
    const outcomes = { job: 0, error: 0 };
    for (let n = 0; n < 5000; n++) {
      const head = n % 2 ? `OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\n` : `OPENQASM 3;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[3] c;\n`;
      const words = Array.from({ length: 1 + Math.floor(next() * 30) }, () => TOKENS[Math.floor(next() * TOKENS.length)]);
      outcomes[check(head + words.join(" "))]++;
    }
    expect(outcomes.error).toBeGreaterThan(0);
  });

  it("6000 mutations of valid programs in both versions, some of them still jobs", () => {
    const next = rng(3);
    const outcomes = { job: 0, error: 0 };
    for (let n = 0; n < 6000; n++) outcomes[check(mutate(SEEDS[n % SEEDS.length], next))]++;
    expect(outcomes.job).toBeGreaterThan(100);
    expect(outcomes.error).toBeGreaterThan(300);
  });

  it("leaves nothing behind: after thousands of refusals the same program gives the same bytes, and memory stops growing", () => {
    const before = SEEDS.map((s) => qasm.job(s));
    const next = rng(4);
    for (let n = 0; n < 2000; n++) check(mutate(SEEDS[n % SEEDS.length], next));
    const pages = qasm.raw.memory.buffer.byteLength;
    for (let n = 0; n < 3000; n++) check(mutate(SEEDS[n % SEEDS.length], next));
    expect(qasm.raw.memory.buffer.byteLength).toBe(pages);
    expect(SEEDS.map((s) => qasm.job(s))).toEqual(before);
  });
});
