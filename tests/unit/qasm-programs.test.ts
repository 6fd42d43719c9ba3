// What a program becomes: the job's header and instructions for
// declarations, broadcasting over registers, measure, reset, barrier and if,
// in OpenQASM 2.0 and 3, the OpenQASM 2.0 paper's example programs, and the
// counts' keys in Qiskit's order from the job's QOP_CREG records.
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import { decodeJob, type Instruction, type Job } from "../../tools/lib/qpu-job";
import * as f from "../../hal/qpu/job-format";
import { State } from "../harness/qasm-sim";
import { countKey, formatCounts, registersOf } from "../harness/qasm-counts";

let qasm: QasmParser;
beforeAll(async () => { qasm = await qasmParser(); });

const V2 = `OPENQASM 2.0;\ninclude "qelib1.inc";\n`;
const V3 = `OPENQASM 3.0;\ninclude "stdgates.inc";\n`;
const job = (text: string): Job => decodeJob(qasm.job(text));
const ops = (text: string): Instruction[] => job(text).instructions.filter((i) => i.op !== "creg");
const kinds = (text: string): string => ops(text).map((i) => i.op).join(" ");
const H0 = { op: "u", theta: Math.PI / 2, phi: 0, lambda: Math.PI };

describe("the job", () => {
  it("has the header: magic, version, qubits, clbits, count and length", () => {
    const bytes = qasm.job(`${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`);
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect([...w.slice(0, 8)]).toEqual([f.QJOB_MAGIC, f.QJOB_VERSION, 2, 2, 5, bytes.length, 0, 0]);
    expect(job(`${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`).instructions).toEqual([
      { op: "creg", start: 0, width: 2, name: "c" },
      { ...H0, q: 0 },
      { op: "cx", c: 0, t: 1 },
      { op: "measure", q: 0, clbit: 0 },
      { op: "measure", q: 1, clbit: 1 },
    ]);
  });

  it("numbers several registers' qubits and bits in declaration order, with a QOP_CREG for each classical register", () => {
    const j = job(`${V2}qreg a[2];\ncreg c[2];\nqreg b[3];\ncreg long_name_d[3];\nmeasure b[2] -> long_name_d[0];\nmeasure a[1] -> c[1];\n`);
    expect([j.qubits, j.clbits]).toEqual([5, 5]);
    expect(j.instructions).toEqual([
      { op: "creg", start: 0, width: 2, name: "c" },
      { op: "creg", start: 2, width: 3, name: "long_name_d" },
      { op: "measure", q: 4, clbit: 2 },
      { op: "measure", q: 1, clbit: 1 },
    ]);
  });

  it("broadcasts a gate over whole registers, and a single qubit against a register", () => {
    expect(ops(`${V2}qreg a[3];\nh a;\n`)).toEqual([0, 1, 2].map((q) => ({ ...H0, q })));
    expect(ops(`${V2}qreg a[2];\nqreg b[2];\ncx a, b;\n`)).toEqual([{ op: "cx", c: 0, t: 2 }, { op: "cx", c: 1, t: 3 }]);
    expect(ops(`${V2}qreg a[2];\nqreg b[3];\ncx a[1], b;\n`)).toEqual([2, 3, 4].map((t) => ({ op: "cx", c: 1, t })));
    expect(ops(`${V2}qreg a[2];\nqreg b[2];\nCX b, a[0];\n`)).toEqual([{ op: "cx", c: 2, t: 0 }, { op: "cx", c: 3, t: 0 }]);
  });

  it("measures and resets whole registers bit by bit, and writes a barrier once with each qubit once", () => {
    expect(ops(`${V2}qreg q[3];\ncreg c[3];\nmeasure q -> c;\nreset q;\nreset q[1];\n`)).toEqual([
      ...[0, 1, 2].map((q) => ({ op: "measure", q, clbit: q })),
      ...[0, 1, 2, 1].map((q) => ({ op: "reset", q })),
    ]);
    expect(ops(`${V2}qreg q[3];\nqreg r[2];\nbarrier q[2], r, q[2], q[0];\n`)).toEqual([{ op: "barrier", qubits: [2, 3, 4, 0] }]);
    expect(ops(`${V3}qubit[3] q;\nbarrier;\n`)).toEqual([{ op: "barrier", qubits: [0, 1, 2] }]);
  });

  it("puts a QOP_IF before every instruction an if runs: a gate's whole expansion, each step of a broadcast", () => {
    const cond = { op: "if", start: 2, width: 3, value: 5n };
    expect(ops(`${V2}qreg q[2];\ncreg a[2];\ncreg c[3];\nif (c == 5) cx q[0], q[1];\n`)).toEqual([cond, { op: "cx", c: 0, t: 1 }]);
    expect(kinds(`${V2}qreg q[2];\ncreg a[2];\ncreg c[3];\nif (c == 5) swap q[0], q[1];\n`)).toBe("if cx if cx if cx");
    expect(ops(`${V2}qreg q[2];\ncreg a[2];\ncreg c[3];\nif(c==5) h q;\n`)).toEqual([cond, { ...H0, q: 0 }, cond, { ...H0, q: 1 }]);
    expect(ops(`${V2}qreg q[2];\ncreg c[2];\nif (c == 3) measure q[0] -> c[1];\nif (c == 0) reset q;\n`)).toEqual([
      { op: "if", start: 0, width: 2, value: 3n }, { op: "measure", q: 0, clbit: 1 },
      { op: "if", start: 0, width: 2, value: 0n }, { op: "reset", q: 0 },
      { op: "if", start: 0, width: 2, value: 0n }, { op: "reset", q: 1 },
    ]);
  });

  it("compares a 64-bit register with a 64-bit value, in two words", () => {
    expect(ops(`${V2}qreg q[1];\ncreg c[64];\nif (c == 18446744073709551615) x q[0];\n`)[0]).toEqual({ op: "if", start: 0, width: 64, value: (1n << 64n) - 1n });
  });

  it("keeps each QOP_IF in front of its instruction when inv @ turns a body around", () => {
    const list = ops(`${V3}qubit[2] q;\nbit c;\ngate g a, b { h a; cx a, b; t b; }\nif (c == 1) inv @ g q[0], q[1];\n`);
    expect(list.map((i) => i.op).join(" ")).toBe("if u if cx if u");
    expect(list[1]).toMatchObject({ op: "u", q: 1, theta: -0, phi: -Math.PI / 4 });
    expect(list[5]).toMatchObject({ op: "u", q: 0, theta: -Math.PI / 2 });
  });
});

describe("the libraries", () => {
  it("give the same job whether included first (their tables kept from the last program) or after the program's own gates", () => {
    const body = `qreg q[3];\nh q[0];\nccx q[0], q[1], q[2];\nmine q[2];\ncu3(0.1, 0.2, 0.3) q[1], q[0];\n`;
    const first = qasm.job(`${V2}gate mine a { U(0.5, 0, 0) a; }\n${body}`);
    expect(qasm.job(`${V2}gate mine a { U(0.5, 0, 0) a; }\n${body}`)).toEqual(first);
    expect(qasm.job(`OPENQASM 2.0;\ngate mine a { U(0.5, 0, 0) a; }\ninclude "qelib1.inc";\n${body}`)).toEqual(first);
    // A program of the other version in between leaves each library's tables as they were.
    qasm.job(`${V3}qubit q;\nx q;\n`);
    expect(qasm.job(`${V2}gate mine a { U(0.5, 0, 0) a; }\n${body}`)).toEqual(first);
    expect(kinds(`${V3}qubit[2] q;\nh q[0];\ncx q[0], q[1];\n`)).toBe("u cx");
  });

  it("refuse a program's gate of a library gate's name whichever way the library came in", () => {
    for (let i = 0; i < 2; i++) expect(qasm.parse(`${V2}gate h a { x a; }\n`)).toMatchObject({ ok: false, error: "3:6: gate 'h' is already defined" });
  });
});

describe("OpenQASM 3 declarations and statements", () => {
  it("qubit[n], qubit, bit[n], bit, c = measure q and c[i] = measure q[j]", () => {
    const j = job(`${V3}qubit[2] q;\nqubit r;\nbit[2] c;\nbit d;\nc = measure q;\nd[0] = measure r;\nmeasure r -> c[1];\n`);
    expect([j.qubits, j.clbits]).toEqual([3, 3]);
    expect(j.instructions).toEqual([
      { op: "creg", start: 0, width: 2, name: "c" },
      { op: "creg", start: 2, width: 1, name: "d" },
      { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 },
      { op: "measure", q: 2, clbit: 2 }, { op: "measure", q: 2, clbit: 1 },
    ]);
  });

  it("if on one bit, and an if with a block", () => {
    expect(ops(`${V3}qubit[2] q;\nbit[2] c;\nif (c[1] == 1) x q[0];\nif (c == 2) { reset q[1]; c[0] = measure q[1]; }\n`)).toEqual([
      { op: "if", start: 1, width: 1, value: 1n }, { op: "u", q: 0, theta: Math.PI, phi: 0, lambda: Math.PI },
      { op: "if", start: 0, width: 2, value: 2n }, { op: "reset", q: 1 },
      { op: "if", start: 0, width: 2, value: 2n }, { op: "measure", q: 1, clbit: 0 },
    ]);
  });

  it("writes ctrl @ x as a CX, ccx as one MCU of X with two controls, and keeps gphase", () => {
    expect(ops(`${V3}qubit[3] q;\ncx q[0], q[1];\nccx q[0], q[1], q[2];\ngphase(0.5);\n`)).toEqual([
      { op: "cx", c: 0, t: 1 },
      { op: "mcu", controls: [0, 1], t: 2, m: expect.any(Array) },
      { op: "gphase", theta: 0.5 },
    ]);
  });
});

/** Runs a job's unitary part from |0…0⟩ and returns the basis state it ends in (it must end in one). */
function classicalOutcome(j: Job): number {
  const s = new State(j.qubits);
  for (const i of j.instructions) if (i.op !== "measure" && i.op !== "creg") s.run(i);
  const probs = Array.from({ length: 1 << j.qubits }, (_, k) => s.v[2 * k] ** 2 + s.v[2 * k + 1] ** 2);
  const k = probs.findIndex((p) => p > 0.999999);
  expect(k).toBeGreaterThanOrEqual(0);
  return k;
}

describe("the OpenQASM 2.0 paper's examples", () => {
  it("teleportation, with if and an empty gate", () => {
    const j = job(`// quantum teleportation example
OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c0[1];
creg c1[1];
creg c2[1];
// optional post-rotation for state tomography
gate post q { }
u3(0.3,0.2,0.1) q[0];
h q[1];
cx q[1],q[2];
barrier q;
cx q[0],q[1];
h q[0];
measure q[0] -> c0[0];
measure q[1] -> c1[0];
if(c0==1) z q[2];
if(c1==1) x q[2];
post q[2];
measure q[2] -> c2[0];
`);
    expect(j.instructions.map((i) => i.op).join(" ")).toBe("creg creg creg u u cx barrier cx u measure measure if u if u measure");
    expect(j.instructions[11]).toEqual({ op: "if", start: 0, width: 1, value: 1n });
    expect(j.instructions[13]).toEqual({ op: "if", start: 1, width: 1, value: 1n });
    expect(registersOf(j).map((r) => r.name)).toEqual(["c0", "c1", "c2"]);
  });

  it("the inverse QFT with feed-forward ifs", () => {
    const lines = ["qreg q[4];", "creg c[4];", "h q;", "barrier q;", "h q[0];", "measure q[0] -> c[0];", "if(c==1) u1(pi/2) q[1];", "h q[1];",
      "measure q[1] -> c[1];", "if(c==1) u1(pi/4) q[2];", "if(c==2) u1(pi/2) q[2];", "if(c==3) u1(pi/2+pi/4) q[2];", "h q[2];",
      "measure q[2] -> c[2];", ...[1, 2, 3, 4, 5, 6, 7].map((v) => `if(c==${v}) u1(${v}*pi/8) q[3];`), "h q[3];", "measure q[3] -> c[3];"];
    const j = job(`${V2}${lines.join("\n")}\n`);
    expect(j.instructions.filter((i) => i.op === "if").map((i) => (i as { value: bigint }).value)).toEqual([1n, 1n, 2n, 3n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });

  it("the QFT of |0101⟩", () => {
    const j = job(`${V2}qreg q[4];\ncreg c[4];\nx q[0];\nx q[2];\nbarrier q;\nh q[0];\ncu1(pi/2) q[1],q[0];\nh q[1];\ncu1(pi/4) q[2],q[0];\ncu1(pi/2) q[2],q[1];\nh q[2];\ncu1(pi/8) q[3],q[0];\ncu1(pi/4) q[3],q[1];\ncu1(pi/2) q[3],q[2];\nh q[3];\nmeasure q -> c;\n`);
    const s = new State(4);
    for (const i of j.instructions) if (i.op !== "measure" && i.op !== "creg") s.run(i);
    for (let k = 0; k < 16; k++) expect(s.v[2 * k] ** 2 + s.v[2 * k + 1] ** 2).toBeCloseTo(1 / 16, 12);
  });

  it("Cuccaro's ripple-carry adder: 0001 + 1111 = 10000", () => {
    const j = job(`// quantum ripple-carry adder from Cuccaro et al, quant-ph/0410184
OPENQASM 2.0;
include "qelib1.inc";
gate majority a,b,c
{
  cx c,b;
  cx c,a;
  ccx a,b,c;
}
gate unmaj a,b,c
{
  ccx a,b,c;
  cx c,a;
  cx a,b;
}
qreg cin[1];
qreg a[4];
qreg b[4];
qreg cout[1];
creg ans[5];
// set input states
x a[0]; // a = 0001
x b;    // b = 1111
// add a to b, storing result in b
majority cin[0],b[0],a[0];
majority a[0],b[1],a[1];
majority a[1],b[2],a[2];
majority a[2],b[3],a[3];
cx a[3],cout[0];
unmaj a[2],b[3],a[3];
unmaj a[1],b[2],a[2];
unmaj a[0],b[1],a[1];
unmaj cin[0],b[0],a[0];
measure b[0] -> ans[0];
measure b[1] -> ans[1];
measure b[2] -> ans[2];
measure b[3] -> ans[3];
measure cout[0] -> ans[4];
`);
    const k = classicalOutcome(j);
    const b = (k >> 5) & 15, cout = (k >> 9) & 1, a = (k >> 1) & 15;
    expect([a, b, cout]).toEqual([1, 0, 1]);
  });
});

describe("counts in Qiskit's order", () => {
  it("one register: bit 0 rightmost", () => {
    const regs = registersOf(job(`${V2}qreg q[3];\ncreg c[3];\n`));
    expect(countKey(regs, 0b001n)).toBe("001");
    expect(countKey(regs, 0b110n)).toBe("110");
  });

  it("several registers: separated by a space, the last declared leftmost", () => {
    const regs = registersOf(job(`${V2}qreg q[3];\ncreg c[2];\ncreg d[3];\n`));
    // Bits 0-1 are c, bits 2-4 d: c = 01, d = 100.
    expect(countKey(regs, 0b10001n)).toBe("100 01");
    expect(formatCounts(regs, new Map([[0b10001n, 7], [0n, 3]]))).toEqual({ "100 01": 7, "000 00": 3 });
  });
});
