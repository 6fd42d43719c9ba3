// Hostile jobs and runs: each rule of the job format broken on its own is
// refused whole with E_ARG and a one-line reason naming what is wrong, before
// anything runs; mutated jobs never trap.
import { beforeAll, describe, expect, it } from "vitest";
import { newQpu, type Qpu } from "../harness/qpu";
import { randomUnitaryCircuit, rng } from "../harness/qpu-circuits";
import { encodeJob, type Job } from "../../tools/lib/qpu-job";
import * as f from "../../hal/qpu/job-format";
import * as abi from "../../kernel/abi";

let qpu: Qpu;
beforeAll(async () => { qpu = await newQpu(); }, 120_000);

const ok: Job = {
  qubits: 3, clbits: 2,
  instructions: [
    { op: "creg", start: 0, width: 2, name: "c" },
    { op: "u", q: 0, theta: 1, phi: 2, lambda: 3 }, { op: "cx", c: 0, t: 1 },
    { op: "measure", q: 0, clbit: 0 }, { op: "if", start: 0, width: 1, value: 1n }, { op: "reset", q: 2 },
  ],
};

/** The job's bytes with word `w` set to `v`. */
function poke(job: Job | Uint8Array, w: number, v: number): Uint8Array {
  const b = job instanceof Uint8Array ? job.slice() : encodeJob(job);
  new DataView(b.buffer).setUint32(w * 4, v >>> 0, true);
  return b;
}

function refused(job: Job | Uint8Array, text: string | RegExp, code = abi.E_ARG): void {
  const r = qpu.run(job, 10);
  expect(r.code).toBe(code);
  expect(r.reason).toMatch(text);
}

const H = f.QJOB_HEADER_WORDS;
// Words of `ok`: creg at H (5 words: name "c" is one word), u at H+5, cx at H+13, measure at H+16, if at H+19, reset at H+24.

describe("the header", () => {
  it("accepts the well-formed job", () => { expect(qpu.run(ok, 10).code).toBeGreaterThan(0); });
  it("refuses a job shorter than its header, not a whole number of words, or too long", () => {
    refused(new Uint8Array(28), "the job is 28 bytes");
    refused(encodeJob(ok).slice(0, 37), "the job is 37 bytes");
    expect(qpu.ex.qpuJobBuffer(f.QJOB_MAX_BYTES + 4)).toBe(0);
  });
  it("refuses bad magic, version, byte count and reserved words", () => {
    refused(poke(ok, f.QJOB_HDR_MAGIC, 0x12345678), "not a QPU job");
    refused(poke(ok, f.QJOB_HDR_VERSION, 2), "job format version 2; this QPU reads version 1");
    refused(poke(ok, f.QJOB_HDR_BYTES, 4000), /header says 4000 bytes but the job is \d+/);
    refused(poke(ok, f.QJOB_HDR_RESERVED1, 1), "header word 7 is reserved");
  });
  it("refuses 0 qubits, more than the QPU allows (naming the memory) and more than 64 classical bits", () => {
    refused(poke(ok, f.QJOB_HDR_QUBITS, 0), "0 qubits: a job uses 1 to 26");
    refused(poke(ok, f.QJOB_HDR_QUBITS, 21), "21 qubits need 32 MiB of amplitudes; this QPU allows 20");
    expect(qpu.ex.qpuAllow(26)).toBe(abi.OK);
    refused(poke(ok, f.QJOB_HDR_QUBITS, 27), "27 qubits need 2 GiB of amplitudes; this QPU allows 26");
    refused(poke(ok, f.QJOB_HDR_QUBITS, 0xffffffff), "4294967295 qubits need");
    expect(qpu.ex.qpuAllow(27)).toBe(abi.E_ARG);
    expect(qpu.reason()).toBe("27 qubits: a QPU allows 1 to 26");
    expect(qpu.ex.qpuAllow(20)).toBe(abi.OK);
    refused(poke(ok, f.QJOB_HDR_CLBITS, 65), "65 classical bits: at most 64");
  });
  it("refuses an instruction count that lies either way", () => {
    refused(poke(ok, f.QJOB_HDR_COUNT, 7), "instruction 6 runs past the end");
    refused(poke(ok, f.QJOB_HDR_COUNT, 5), "instruction 4: an if is followed by a gate, measure or reset, not op 0");
    refused(poke(ok, f.QJOB_HDR_COUNT, 4), "7 words follow the last of the 4 instructions");
    refused(poke(ok, f.QJOB_HDR_COUNT, 0xffffffff), "instruction 6 runs past the end");
  });
});

describe("instructions", () => {
  const job = (...instructions: Job["instructions"]): Job => ({ qubits: 3, clbits: 2, instructions });
  it("refuse a length word that lies, is 0 or runs past the end", () => {
    refused(poke(ok, H + 5, f.QOP_U | (9 << f.QOP_WORDS_SHIFT)), "instruction 1: 9 words where its operands need 8");
    refused(poke(ok, H + 5, f.QOP_U), "instruction 1 runs past the end");
    refused(poke(ok, H + 24, f.QOP_RESET | (3 << f.QOP_WORDS_SHIFT)), "instruction 5 runs past the end");
    refused(poke(ok, H + 5, 77 | (8 << f.QOP_WORDS_SHIFT)), "instruction 1: unknown op 77");
  });
  it("refuse qubits and classical bits out of range, and a qubit twice", () => {
    refused(job({ op: "u", q: 3, theta: 0, phi: 0, lambda: 0 }), "instruction 0: qubit 3 is not below the job's 3 qubits");
    refused(job({ op: "cx", c: 1, t: 1 }), "instruction 0: qubit 1 appears twice");
    refused(job({ op: "measure", q: 0, clbit: 2 }), "instruction 0: classical bit 2 is not below the job's 2");
    refused(job({ op: "barrier", qubits: [0, 2, 0] }), "qubit 0 appears twice");
    refused(job({ op: "barrier", qubits: [] }), "a barrier names at least one qubit");
    refused(job({ op: "mcu", controls: [0, 1], t: 1, m: [1, 0, 0, 0, 0, 0, 1, 0] }), "qubit 1 appears twice");
    refused(poke(ok, H + 6, 0x80000000), "qubit 2147483648 is not below");
  });
  it("refuse NaN and infinite angles, non-unitary matrices and too many controls", () => {
    refused(job({ op: "u", q: 0, theta: NaN, phi: 0, lambda: 0 }), "not a finite number");
    refused(job({ op: "gphase", theta: Infinity }), "not a finite number");
    refused(job({ op: "mcu", controls: [], t: 0, m: [1, 0, 0, 0, 0, 0, NaN, 0] }), "not a finite number");
    refused(job({ op: "mcu", controls: [], t: 0, m: [1, 0, 0, 0, 0, 0, 1.001, 0] }), "the matrix is not unitary");
    refused(job({ op: "mcu", controls: [], t: 0, m: [1, 0, 1, 0, 0, 0, 1, 0] }), "the matrix is not unitary");
    const big: Job = { qubits: 12, clbits: 0, instructions: [{ op: "mcu", controls: [1, 2, 3, 4, 5, 6, 7, 8, 9], t: 0, m: [0, 0, 1, 0, 1, 0, 0, 0] }] };
    refused(big, "instruction 0: 9 controls, at most 8");
  });
  it("refuse an if whose bits or value do not fit, or that guards nothing or a barrier", () => {
    refused(job({ op: "if", start: 1, width: 2, value: 0n }, { op: "reset", q: 0 }), "2 classical bits from bit 1 lie outside");
    refused(job({ op: "if", start: 0, width: 0, value: 0n }, { op: "reset", q: 0 }), "0 classical bits from bit 0");
    refused(job({ op: "if", start: 0, width: 2, value: 4n }, { op: "reset", q: 0 }), "the value does not fit in 2 bits");
    refused(job({ op: "reset", q: 0 }, { op: "if", start: 0, width: 1, value: 1n }), "instruction 1: an if is followed by a gate");
    refused(job({ op: "if", start: 0, width: 1, value: 1n }, { op: "barrier", qubits: [0] }), "instruction 1: an if is followed by a gate, measure or reset, not op 5");
    refused(job({ op: "if", start: 0, width: 1, value: 1n }, { op: "if", start: 0, width: 1, value: 1n }, { op: "reset", q: 0 }), "not op 6");
  });
  it("accept an if over all 64 bits", () => {
    const wide: Job = { qubits: 1, clbits: 64, instructions: [{ op: "if", start: 0, width: 64, value: 0xffffffffffffffffn }, { op: "reset", q: 0 }] };
    expect(qpu.run(wide, 1).code).toBe(1);
  });
  it("refuse a register out of range, overlapping another, or with a bad name length", () => {
    refused(job({ op: "creg", start: 0, width: 3, name: "c" }), "3 classical bits from bit 0 lie outside");
    refused(job({ op: "creg", start: 0, width: 1, name: "a" }, { op: "creg", start: 0, width: 2, name: "b" }), "instruction 1: classical bit 0 already belongs");
    refused(job({ op: "creg", start: 0, width: 1, name: "" }), "a register name of 0 bytes (1 to 64)");
    refused(job({ op: "creg", start: 0, width: 1, name: "x".repeat(65) }), "a register name of 65 bytes");
  });
  it("refuse shots beyond the limit and a length beyond the buffer", () => {
    expect(qpu.run(ok, f.QPU_MAX_SHOTS + 1).reason).toBe(`${f.QPU_MAX_SHOTS + 1} shots: a run takes 0 to ${f.QPU_MAX_SHOTS}`);
    expect(qpu.ex.qpuRun(-1, 1, 1n, 0)).toBe(abi.E_ARG);
    expect(qpu.ex.qpuRun(1 << 30, 1, 1n, 0)).toBe(abi.E_ARG);
    expect(qpu.ex.qpuRun(encodeJob(ok).length, -5, 1n, 0)).toBe(abi.E_ARG);
  });
});

describe("mutated jobs", () => {
  it("are run or refused with a reason, never a trap", () => {
    qpu.ex.qpuAllow(8);
    const r = rng(99);
    let refusedCount = 0;
    for (let i = 0; i < 3000; i++) {
      const job = randomUnitaryCircuit(i, 1 + (i % 6), 12);
      job.clbits = 3;
      job.instructions.push({ op: "measure", q: 0, clbit: 2 }, { op: "if", start: 1, width: 2, value: 2n }, { op: "reset", q: 0 });
      const bytes = encodeJob(job);
      const words = bytes.length / 4;
      for (let k = 0; k < 1 + (i % 3); k++) {
        const w = Math.floor(r() * words);
        const v = [0, 1, 0xffffffff, 0x7fffffff, Math.floor(r() * 2 ** 32), Math.floor(r() * 40)][i % 6];
        new DataView(bytes.buffer).setUint32(w * 4, v, true);
      }
      const cut = i % 7 === 0 ? bytes.slice(0, Math.floor(r() * bytes.length)) : bytes;
      const result = qpu.run(cut, 4, BigInt(i));
      if (result.code < 0) {
        refusedCount++;
        expect(result.reason).not.toMatch(/^refusal/);
      }
    }
    expect(refusedCount).toBeGreaterThan(1000);
    qpu.ex.qpuAllow(20);
  });
});
