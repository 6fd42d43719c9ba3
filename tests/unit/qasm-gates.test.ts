// The gate libraries' expansions against their matrices, run on an
// independent statevector simulator (tests/harness/qasm-sim.ts): every gate
// of qelib1.inc up to a global phase (OpenQASM 2.0 fixes none), every gate
// of stdgates.inc exactly, the modifiers ctrl @, negctrl @, inv @ and pow(k) @
// exactly, and user definitions with parameters.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import { decodeJob } from "../../tools/lib/qpu-job";
import {
  type M, U, X, Y, Z, H, P, SX, SWAP, controlled, dagger, distance, expi, identity, kron, matmul, phaseDistance,
  rotation, scale, unitaryOf,
} from "../harness/qasm-sim";

let qasm: QasmParser;
beforeAll(async () => { qasm = await qasmParser(); });

const TOL = 1e-9;

/** The gates a library text of userland/lib/qasm/libraries.ts defines, sorted. */
function defined(library: "QELIB1" | "STDGATES"): string[] {
  const src = readFileSync(new URL("../../userland/lib/qasm/libraries.ts", import.meta.url), "utf8");
  const text = new RegExp(`const ${library} = \`([^\`]*)\``).exec(src)?.[1] ?? "";
  return [...text.matchAll(/^gate (\w+)/gm)].map((m) => m[1]).sort();
}
const tested = (table: Array<[string, number, M]>): string[] => [...new Set(table.map(([s]) => s.replace(/\(.*/, "")))].sort();
const [a, b, g, d] = [0.3, -1.1, 2.5, 0.7];

/** The unitary a program's job applies to its first k qubits (q[0] most significant). */
function unitary(program: string, k: number): M {
  const job = decodeJob(qasm.job(program));
  return unitaryOf(job, Array.from({ length: k }, (_, i) => i));
}

const operands = (k: number) => Array.from({ length: k }, (_, i) => `q[${i}]`).join(", ");

function qasm2(gate: string, k: number): M {
  return unitary(`OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[${k}];\n${gate} ${operands(k)};\n`, k);
}

function qasm3(gate: string, k: number): M {
  return unitary(`OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[${k}] q;\n${gate} ${operands(k)};\n`, k);
}

// Every gate of Qiskit's qelib1.inc, as called, its qubit count and its matrix.
const QELIB1: Array<[string, number, M]> = [
  [`u3(${a},${b},${g})`, 1, U(a, b, g)],
  [`u2(${a},${b})`, 1, U(Math.PI / 2, a, b)],
  [`u1(${a})`, 1, P(a)],
  ["cx", 2, controlled(X)],
  ["id", 1, identity(2)],
  [`u0(${a})`, 1, identity(2)],
  [`u(${a},${b},${g})`, 1, U(a, b, g)],
  [`p(${a})`, 1, P(a)],
  ["x", 1, X], ["y", 1, Y], ["z", 1, Z], ["h", 1, H],
  ["s", 1, P(Math.PI / 2)], ["sdg", 1, P(-Math.PI / 2)], ["t", 1, P(Math.PI / 4)], ["tdg", 1, P(-Math.PI / 4)],
  [`rx(${a})`, 1, rotation(X, a)], [`ry(${a})`, 1, rotation(Y, a)], [`rz(${a})`, 1, rotation(Z, a)],
  ["sx", 1, SX], ["sxdg", 1, dagger(SX)],
  ["cz", 2, controlled(Z)], ["cy", 2, controlled(Y)], ["swap", 2, SWAP], ["ch", 2, controlled(H)],
  ["ccx", 3, controlled(X, 2)], ["cswap", 3, controlled(SWAP)],
  [`crx(${a})`, 2, controlled(rotation(X, a))], [`cry(${b})`, 2, controlled(rotation(Y, b))], [`crz(${g})`, 2, controlled(rotation(Z, g))],
  [`cu1(${a})`, 2, controlled(P(a))], [`cp(${b})`, 2, controlled(P(b))],
  [`cu3(${a},${b},${g})`, 2, controlled(U(a, b, g))],
  ["csx", 2, controlled(SX)],
  [`cu(${a},${b},${g},${d})`, 2, controlled(scale(U(a, b, g), expi(d)))],
  [`rxx(${a})`, 2, rotation(kron(X, X), a)], [`rzz(${b})`, 2, rotation(kron(Z, Z), b)],
  ["c3x", 4, controlled(X, 3)],
  ["c3sqrtx", 4, controlled(SX, 3)],
  ["c4x", 5, controlled(X, 4)],
];

describe("qelib1.inc: each gate's expansion equals its matrix up to a global phase", () => {
  it.each(QELIB1)("%s", (gate, k, m) => {
    expect(phaseDistance(qasm2(gate, k), m)).toBeLessThan(TOL);
  });


  // rccx and rc3x are Toffolis up to relative phases: the same permutation, each entry of modulus 1.
  it.each([["rccx", 3, controlled(X, 2)], ["rc3x", 4, controlled(X, 3)]] as Array<[string, number, M]>)("%s is its Toffoli up to relative phases", (gate, k, m) => {
    const u = qasm2(gate, k);
    u.forEach((row, i) => row.forEach((x, j) => expect(Math.hypot(x[0], x[1])).toBeCloseTo(Math.hypot(m[i][j][0], m[i][j][1]), 9)));
  });

  it("tests every gate the library defines, which are those of Qiskit's qelib1.inc", () => {
    expect(tested([...QELIB1, ["rccx", 3, X], ["rc3x", 4, X]])).toEqual(defined("QELIB1"));
    expect(defined("QELIB1")).toEqual([
      "c3sqrtx", "c3x", "c4x", "ccx", "ch", "cp", "crx", "cry", "crz", "cswap", "csx", "cu", "cu1", "cu3", "cx", "cy", "cz",
      "h", "id", "p", "rc3x", "rccx", "rx", "rxx", "ry", "rz", "rzz", "s", "sdg", "swap", "sx", "sxdg", "t", "tdg",
      "u", "u0", "u1", "u2", "u3", "x", "y", "z",
    ]);
  });
});

// Every gate of OpenQASM 3's stdgates.inc with its exact matrix.
const STDGATES: Array<[string, number, M]> = [
  [`p(${a})`, 1, P(a)], ["x", 1, X], ["y", 1, Y], ["z", 1, Z], ["h", 1, H],
  ["s", 1, P(Math.PI / 2)], ["sdg", 1, P(-Math.PI / 2)], ["t", 1, P(Math.PI / 4)], ["tdg", 1, P(-Math.PI / 4)], ["sx", 1, SX],
  [`rx(${a})`, 1, rotation(X, a)], [`ry(${b})`, 1, rotation(Y, b)], [`rz(${g})`, 1, rotation(Z, g)],
  ["cx", 2, controlled(X)], ["cy", 2, controlled(Y)], ["cz", 2, controlled(Z)], [`cp(${a})`, 2, controlled(P(a))],
  [`crx(${a})`, 2, controlled(rotation(X, a))], [`cry(${b})`, 2, controlled(rotation(Y, b))], [`crz(${g})`, 2, controlled(rotation(Z, g))],
  ["ch", 2, controlled(H)], ["swap", 2, SWAP], ["ccx", 3, controlled(X, 2)], ["cswap", 3, controlled(SWAP)],
  [`cu(${a},${b},${g},${d})`, 2, controlled(scale(U(a, b, g), expi(d)))],
  ["CX", 2, controlled(X)], [`phase(${a})`, 1, P(a)], [`cphase(${b})`, 2, controlled(P(b))], ["id", 1, identity(2)],
  [`u1(${a})`, 1, P(a)], [`u2(${a},${b})`, 1, U(Math.PI / 2, a, b)], [`u3(${a},${b},${g})`, 1, U(a, b, g)],
];

describe("stdgates.inc: each gate's expansion equals its matrix exactly, global phase included", () => {
  it.each(STDGATES)("%s", (gate, k, m) => {
    expect(distance(qasm3(gate, k), m)).toBeLessThan(TOL);
  });

  it("tests every gate the library defines, which are those of the published stdgates.inc", () => {
    expect(tested(STDGATES)).toEqual(defined("STDGATES"));
    expect(defined("STDGATES")).toEqual([
      "CX", "ccx", "ch", "cp", "cphase", "crx", "cry", "crz", "cswap", "cu", "cx", "cy", "cz", "h", "id", "p", "phase",
      "rx", "ry", "rz", "s", "sdg", "swap", "sx", "t", "tdg", "u1", "u2", "u3", "x", "y", "z",
    ]);
  });
});

const ONE_QUBIT = STDGATES.filter(([, k]) => k === 1);

describe("OpenQASM 3 modifiers, exactly", () => {
  it.each(ONE_QUBIT)("ctrl @ %s is the controlled matrix", (gate, _k, m) => {
    expect(distance(qasm3(`ctrl @ ${gate}`, 2), controlled(m))).toBeLessThan(TOL);
  });

  it.each(ONE_QUBIT)("inv @ %s is the adjoint", (gate, _k, m) => {
    expect(distance(qasm3(`inv @ ${gate}`, 1), dagger(m))).toBeLessThan(TOL);
  });

  it.each(STDGATES.filter(([, k]) => k > 1))("ctrl @ %s and inv @ %s", (gate, k, m) => {
    expect(distance(qasm3(`ctrl @ ${gate}`, k + 1), controlled(m))).toBeLessThan(TOL);
    expect(distance(qasm3(`inv @ ${gate}`, k), dagger(m))).toBeLessThan(TOL);
  });

  it("ctrl(n) @, stacked ctrl @, and a controlled gphase (a phase on the control)", () => {
    expect(distance(qasm3("ctrl(3) @ x", 4), controlled(X, 3))).toBeLessThan(TOL);
    expect(distance(qasm3("ctrl @ ctrl(2) @ h", 4), controlled(H, 3))).toBeLessThan(TOL);
    expect(distance(qasm3(`ctrl @ gphase(${a})`, 1), P(a))).toBeLessThan(TOL);
    expect(distance(qasm3(`ctrl(2) @ gphase(${a})`, 2), controlled(P(a)))).toBeLessThan(TOL);
    expect(distance(unitary(`OPENQASM 3;\nqubit q;\ngphase(${a});\n`, 1), scale(identity(2), expi(a)))).toBeLessThan(TOL);
    expect(distance(unitary(`OPENQASM 3;\nqubit[2] q;\nctrl @ U(${a}, ${b}, ${g}) q[0], q[1];\n`, 2), controlled(U(a, b, g)))).toBeLessThan(TOL);
  });

  it("negctrl @ acts when the control is |0⟩", () => {
    const open = (m: M): M => { const x = kron(X, identity(m.length)); return matmul(x, matmul(controlled(m), x)); };
    expect(distance(qasm3("negctrl @ x", 2), open(X))).toBeLessThan(TOL);
    expect(distance(qasm3(`negctrl @ ctrl @ rz(${a})`, 3), matmul(kron(X, identity(4)), matmul(controlled(rotation(Z, a), 2), kron(X, identity(4)))))).toBeLessThan(TOL);
  });

  it("inv @ turns a whole body around; pow(k) @ repeats it, inverted for k < 0", () => {
    const body = `gate g(t) a, b { h a; cx a, b; rz(t) b; ry(t/3) a; s b; }\n`;
    const gm = unitary(`OPENQASM 3.0;\ninclude "stdgates.inc";\n${body}qubit[2] q;\ng(${a}) q[0], q[1];\n`, 2);
    const run = (mods: string) => unitary(`OPENQASM 3.0;\ninclude "stdgates.inc";\n${body}qubit[2] q;\n${mods} g(${a}) q[0], q[1];\n`, 2);
    expect(distance(run("inv @"), dagger(gm))).toBeLessThan(TOL);
    expect(distance(run("inv @ inv @"), gm)).toBeLessThan(TOL);
    expect(distance(run("pow(2) @"), matmul(gm, gm))).toBeLessThan(TOL);
    expect(distance(run("pow(-3) @"), dagger(matmul(gm, matmul(gm, gm))))).toBeLessThan(TOL);
    expect(distance(run("pow(0) @"), identity(4))).toBeLessThan(TOL);
    const controlledInverse = unitary(`OPENQASM 3.0;\ninclude "stdgates.inc";\n${body}qubit[3] q;\nctrl @ inv @ g(${a}) q[0], q[1], q[2];\n`, 3);
    expect(distance(controlledInverse, controlled(dagger(gm)))).toBeLessThan(TOL);
  });
});

describe("user gate definitions", () => {
  it("bind parameters and qubits, in OpenQASM 2.0", () => {
    const u = unitary(`OPENQASM 2.0;\ninclude "qelib1.inc";\ngate my(th, ph) x, y { rx(th) x; cx x, y; rz(ph*2 - th^2) y; }\nqreg q[2];\nmy(${a}, ${b}) q[1], q[0];\n`, 2);
    // q[1] is the gate's x: in the matrix's order (q[0], q[1]) the gate's arguments are swapped.
    const m = matmul(kron(identity(2), rotation(Z, b * 2 - a * a)), matmul(controlled(X), kron(rotation(X, a), identity(2))));
    expect(phaseDistance(u, matmul(SWAP, matmul(m, SWAP)))).toBeLessThan(TOL);
  });

  it("call one another and use every expression form", () => {
    const u = unitary(`OPENQASM 2.0;\ninclude "qelib1.inc";\ngate inner(t) a { U(t, -t, sqrt(t*t)) a; }\ngate outer(s) a { inner(-(s + 1) / 2) a; inner(sin(s) * cos(s) + tan(s) - exp(s) + ln(s)) a; }\nqreg q[1];\nouter(pi/4) q[0];\n`, 1);
    const s = Math.PI / 4, t1 = -(s + 1) / 2, t2 = Math.sin(s) * Math.cos(s) + Math.tan(s) - Math.exp(s) + Math.log(s);
    expect(distance(u, matmul(U(t2, -t2, Math.abs(t2)), U(t1, -t1, Math.abs(t1))))).toBeLessThan(TOL);
  });

  it("in OpenQASM 3 with Greek names, ** and the constants", () => {
    const u = unitary(`OPENQASM 3;\ngate r(θ, φ) a { U(θ, φ, π) a; }\nqubit q;\nr(τ/8 + 2**-1, euler - 2) q;\n`, 1);
    expect(distance(u, U(Math.PI / 4 + 0.5, Math.E - 2, Math.PI))).toBeLessThan(TOL);
  });
});

