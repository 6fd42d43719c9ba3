// Programs through the parser and then the QPU engine (hal/qpu/, through
// tests/harness/qpu.ts): every job the parser writes is one the engine takes,
// changed programs included, and the counts, keyed in Qiskit's order from the
// job's QOP_CREG records, are the programs' answers: Bell, teleportation
// (its ifs at work), the ripple-carry adder, the QFT of a basis state.
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import { newQpu, type Qpu } from "../harness/qpu";
import { decodeJob } from "../../tools/lib/qpu-job";
import { formatCounts, registersOf } from "../harness/qasm-counts";
import { rng } from "../harness/qpu-circuits";

let qasm: QasmParser;
let qpu: Qpu;
beforeAll(async () => { [qasm, qpu] = await Promise.all([qasmParser(), newQpu()]); }, 120_000);

const V2 = `OPENQASM 2.0;\ninclude "qelib1.inc";\n`;
const V3 = `OPENQASM 3.0;\ninclude "stdgates.inc";\n`;

/** The program's counts over `shots`, keyed as Qiskit prints them. */
function counts(program: string, shots: number, seed = 7n): Record<string, number> {
  const job = qasm.job(program);
  const r = qpu.run(job, shots, seed);
  if (r.code < 0) throw new Error(r.reason);
  return formatCounts(registersOf(decodeJob(job)), r.counts);
}

// Within 5 standard deviations of a binomial's mean: with the fixed seeds the
// runs are deterministic; the bound says how far chance could have taken them.
function near(n: number, shots: number, p: number): void {
  expect(Math.abs(n - shots * p)).toBeLessThanOrEqual(5 * Math.sqrt(shots * p * (1 - p)) + 1);
}

describe("parsed programs on the QPU engine", () => {
  it("Bell in both versions: 00 and 11, half each", () => {
    for (const program of [`${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`, `${V3}qubit[2] q;\nbit[2] c;\nh q[0];\nctrl @ x q[0], q[1];\nc = measure q;\n`]) {
      const c = counts(program, 4000);
      expect(Object.keys(c).sort()).toEqual(["00", "11"]);
      near(c["00"], 4000, 0.5);
    }
  });

  it("teleportation: whatever c0 and c1 read, the ifs leave q[2] in u3(0.3,0.2,0.1)|0⟩", () => {
    const c = counts(`${V2}qreg q[3];\ncreg c0[1];\ncreg c1[1];\ncreg c2[1];\nu3(0.3,0.2,0.1) q[0];\nh q[1];\ncx q[1],q[2];\nbarrier q;\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> c0[0];\nmeasure q[1] -> c1[0];\nif(c0==1) z q[2];\nif(c1==1) x q[2];\nmeasure q[2] -> c2[0];\n`, 20_000);
    const p1 = Math.sin(0.15) ** 2;
    for (const ab of ["0 0", "0 1", "1 0", "1 1"]) {
      const zero = c[`0 ${ab}`] ?? 0, one = c[`1 ${ab}`] ?? 0;
      near(zero + one, 20_000, 0.25);
      near(one, zero + one, p1);
    }
  });

  it("the ripple-carry adder: 0001 + 1111 = 10000, every shot", () => {
    const c = counts(`${V2}gate majority a,b,c { cx c,b; cx c,a; ccx a,b,c; }\ngate unmaj a,b,c { ccx a,b,c; cx c,a; cx a,b; }\nqreg cin[1];\nqreg a[4];\nqreg b[4];\nqreg cout[1];\ncreg ans[5];\nx a[0];\nx b;\nmajority cin[0],b[0],a[0];\nmajority a[0],b[1],a[1];\nmajority a[1],b[2],a[2];\nmajority a[2],b[3],a[3];\ncx a[3],cout[0];\nunmaj a[2],b[3],a[3];\nunmaj a[1],b[2],a[2];\nunmaj a[0],b[1],a[1];\nunmaj cin[0],b[0],a[0];\nmeasure b[0] -> ans[0];\nmeasure b[1] -> ans[1];\nmeasure b[2] -> ans[2];\nmeasure b[3] -> ans[3];\nmeasure cout[0] -> ans[4];\n`, 100);
    expect(c).toEqual({ "10000": 100 });
  });

  it("the QFT of a basis state then its inverse with inv @: the basis state back, every shot", () => {
    const qft = `gate qft4 a, b, c, d { h a; cp(pi/2) b, a; h b; cp(pi/4) c, a; cp(pi/2) c, b; h c; cp(pi/8) d, a; cp(pi/4) d, b; cp(pi/2) d, c; h d; }\n`;
    expect(counts(`${V3}${qft}qubit[4] q;\nbit[4] c;\nx q[0];\nx q[2];\nqft4 q[0], q[1], q[2], q[3];\ninv @ qft4 q[0], q[1], q[2], q[3];\nc = measure q;\n`, 200)).toEqual({ "0101": 200 });
  });

  it("every job of 1500 changed programs that parse is taken by the engine", () => {
    const seeds = [
      `${V2}gate g(t) a, b { rx(t) a; cu1(t/2) a, b; }\nqreg q[3];\ncreg c[3];\nh q;\ng(0.4) q[0], q[2];\nccx q[0], q[1], q[2];\nc3x q[0], q[1], q[2], q[0];\nbarrier q;\nmeasure q -> c;\nif (c == 3) x q[1];\nreset q[0];\n`,
      `${V3}qubit[3] q;\nbit[3] c;\ngate g(θ) a, b { ctrl @ ry(θ) a, b; inv @ t b; gphase(θ); }\nnegctrl(2) @ h q[0], q[1], q[2];\npow(3) @ g(0.2) q[2], q[0];\nc = measure q;\nif (c[1] == 1) { cswap q[0], q[1], q[2]; }\n`,
    ];
    const next = rng(11);
    const pick = (k: number) => Math.floor(next() * k);
    let taken = 0;
    for (let n = 0; n < 1500; n++) {
      // Statement-level changes (a line dropped, repeated or moved, an index or angle changed), a few at a time.
      const lines = seeds[n % 2].split("\n");
      for (let k = 1 + pick(3); k > 0; k--) {
        const i = 3 + pick(lines.length - 3);
        switch (pick(4)) {
          case 0: lines.splice(i, 1); break;
          case 1: lines.splice(pick(lines.length), 0, lines[i]); break;
          case 2: lines[i] = lines[i].replace(/\[(\d)\]/, () => `[${pick(3)}]`); break;
          default: lines[i] = lines[i].replace(/\d\.\d/, () => `${pick(9)}.${pick(9)}`);
        }
      }
      const s = lines.join("\n");
      const r = qasm.parse(s);
      if (!r.ok) continue;
      const run = qpu.run(r.job, 4, BigInt(n));
      expect(run.code, `${run.reason}\n${s}`).toBeGreaterThanOrEqual(0);
      taken++;
    }
    expect(taken).toBeGreaterThan(300);
  });
});
