// The parser's refusals: each one line, "LINE:COLUMN: what was expected",
// with the error code for its kind (E_ARG a wrong program, E_UNSUPPORTED a
// feature refused, E_NOSPACE a limit, named), for mistakes, refusals between
// the two versions, and every limit.
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import * as abi from "../../kernel/abi";

let qasm: QasmParser;
beforeAll(async () => { qasm = await qasmParser(); });

const V2 = `OPENQASM 2.0;\ninclude "qelib1.inc";\n`;
const V3 = `OPENQASM 3.0;\ninclude "stdgates.inc";\n`;
const chain = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? "gate g0 a { x a; }" : `gate g${i} a { g${i - 1} a; }`)).join("\n");
const { E_ARG, E_UNSUPPORTED, E_NOSPACE } = abi;

function refusal(text: string, cap?: number): [number, string] {
  const r = qasm.parse(text, cap);
  if (r.ok) throw new Error(`parsed: ${text}`);
  return [r.code, r.error];
}

// [program, error code, the whole message]
const MISTAKES: Array<[string, number, string]> = [
  [`${V2}qreg q[2];\nh q[0] x q[1];\n`, E_ARG, "4:8: expected ';' after the gate's operands"],
  [`${V2}qreg q[1];\nh q[0]`, E_ARG, "4:7: expected ';' after the gate's operands"],
  [`${V2}qreg q[2];\nfoo q[0];\n`, E_ARG, "4:1: unknown gate 'foo'"],
  [`OPENQASM 2.0;\nqreg q[2];\nh q[0];\n`, E_ARG, `3:1: unknown gate 'h' (include "qelib1.inc"?)`],
  [`${V2}qreg q[5];\nh q[7];\n`, E_ARG, "4:5: qubit index 7 out of range for q[5]"],
  [`${V2}qreg q[1];\ncreg c[2];\nmeasure q[0] -> c[2];\n`, E_ARG, "5:19: bit index 2 out of range for c[2]"],
  [`${V2}qreg q[2];\ncx q[0];\n`, E_ARG, "4:1: gate 'cx' takes 2 qubits, got 1"],
  [`${V2}qreg q[2];\nrx(1, 2) q[0];\n`, E_ARG, "4:1: gate 'rx' takes 1 parameter, got 2"],
  [`${V2}qreg q[1];\nU(1, 2) q[0];\n`, E_ARG, "4:1: gate 'U' takes 3 parameters, got 2"],
  [`${V2}gate g a {\n  h a;\n  g a;\n}\n`, E_ARG, "5:3: recursive gate definition 'g'"],
  [`${V2}gate h a { x a; }\n`, E_ARG, "3:6: gate 'h' is already defined"],
  [`${V2}gate U a { x a; }\n`, E_ARG, "3:6: 'U' is a reserved word: it cannot name a gate"],
  [`${V2}gate g a { measure a -> c; }\n`, E_ARG, "3:12: 'measure' is not allowed in a gate body"],
  [`${V2}gate g(t) a { rx(s) a; }\n`, E_ARG, "3:18: unknown parameter 's' in an expression"],
  [`${V2}gate g a { cx a, a; }\n`, E_ARG, "3:18: qubit 'a' is used twice in one gate call"],
  [`${V2}gate g a { h b; }\n`, E_ARG, "3:14: unknown qubit 'b' in the body of gate 'g'"],
  [`${V2}gate g a { h a[0]; }\n`, E_ARG, "3:15: a gate's qubit arguments are single qubits: no index"],
  [`${V2}gate g(t, t) a { h a; }\n`, E_ARG, "3:11: 't' is declared twice"],
  [`${V2}gate g a { h a;\n`, E_ARG, "4:1: expected '}' to close the body of gate 'g'"],
  [`${V2}qreg q[2];\ncx q[0], q[0];\n`, E_ARG, "4:10: qubit q[0] is used twice in one gate call"],
  [`${V2}qreg a[2];\nqreg b[3];\ncx a, b;\n`, E_ARG, "5:7: registers of different sizes in one statement: a[2] and b[3]"],
  [`${V2}qreg q[1];\nh r[0];\n`, E_ARG, "4:3: unknown quantum register 'r'"],
  [`${V2}qreg q[1];\ncreg c[1];\nh c;\n`, E_ARG, "5:3: 'c' holds classical bits: expected qubits"],
  [`${V2}qreg q[2];\nqreg q[1];\n`, E_ARG, "4:6: 'q' is already declared"],
  [`${V2}qreg q[0];\n`, E_ARG, "3:6: register 'q' has no qubits: its size must be at least 1"],
  [`${V2}qreg q[2];\ncreg c[3];\nmeasure q -> c;\n`, E_ARG, "5:9: measure: 2 qubits into 3 bits: the two sides must match"],
  [`${V2}qreg q[1];\ncreg c[1];\nmeasure q => c;\n`, E_ARG, "5:11: expected '->' after the measured qubits"],
  [`${V2}qreg q[1];\ncreg c[2];\nif (c == 4) x q[0];\n`, E_ARG, "5:10: value 4 does not fit in 2 bits"],
  [`${V2}qreg q[1];\ncreg c[2];\nif (c = 1) x q[0];\n`, E_ARG, "5:7: expected '==' after the register"],
  [`${V2}qreg q[2];\ncreg c[2];\nif (c == 0) measure q -> c;\n`, E_ARG, "5:1: the if's body measures into the bits it tests, and would test them again changed"],
  [`${V2}qreg q[1];\ncreg c[1];\nif (c == 0) barrier q;\n`, E_ARG, "5:13: expected a gate, measure or reset after 'if (...)', found 'barrier'"],
  [`${V2}qreg q[1];\nrx(1/0) q[0];\n`, E_ARG, "4:1: a gate parameter is not a finite number"],
  [`${V2}qreg q[1];\nrx(foo) q[0];\n`, E_ARG, "4:4: unknown identifier 'foo' in an expression"],
  [`${V2}qreg q[1];\nrx(1 q[0];\n`, E_ARG, "4:6: expected ',' or ')' after the gate's parameter"],
  [`${V2}qreg q[1];\nrx(*) q[0];\n`, E_ARG, "4:4: expected an expression, found '*'"],
  [`${V2}qreg q[1];\nrx(sin 1) q[0];\n`, E_ARG, "4:8: expected '(' after the function's name"],
  [`${V2}qreg q[1];\nh q[0];;\n`, E_ARG, "4:8: expected a statement, found ';'"],
  [`${V2}qreg q[1];\nh q[0];\n  $\n`, E_ARG, "5:3: expected a statement, found '$'"],
  [`${V2}qreg q[1];\nh q[0]; // fine\n/* never closed\n`, E_ARG, "5:1: unterminated comment: expected '*/'"],
  [`${V2}include "qelib1.inc;\n`, E_ARG, "3:9: unterminated string: expected '\"'"],
  [`qreg q[1];\n`, E_ARG, "1:1: expected 'OPENQASM 2.0;' or 'OPENQASM 3.0;' first"],
  [`OPENQASM 2.0\nqreg q[1];\n`, E_ARG, "2:1: expected ';' after the version"],
  [`${V2}OPENQASM 2.0;\n`, E_ARG, "3:1: 'OPENQASM' comes once, as the first statement"],
  [`${V2}creg c[1];\n`, E_ARG, "4:1: the program declares no qubits"],
  [`${V2}qreg π[1];\n`, E_ARG, "3:6: expected the register's name"],
  [`${V3}qubit[2] θ;\nh θ[0];\nx θ[2];\n`, E_ARG, "5:5: qubit index 2 out of range for θ[2]"],
];

// Refusals between the versions, and the features refused.
const REFUSED: Array<[string, number, string]> = [
  [`${V2}opaque magic a;\n`, E_UNSUPPORTED, "3:1: opaque gates are not supported: the QPU has no definition to run"],
  [`${V2}include "other.inc";\n`, E_UNSUPPORTED, `3:9: cannot include "other.inc": the libraries are "qelib1.inc" (OpenQASM 2.0) and "stdgates.inc" (OpenQASM 3)`],
  [`OPENQASM 2.0;\ninclude "stdgates.inc";\n`, E_ARG, `2:9: "stdgates.inc" is OpenQASM 3's library: an OPENQASM 2.0 program includes "qelib1.inc"`],
  [`OPENQASM 3.0;\ninclude "qelib1.inc";\n`, E_ARG, `2:9: "qelib1.inc" is OpenQASM 2.0's library: an OPENQASM 3 program includes "stdgates.inc"`],
  [`${V2}include "qelib1.inc";\n`, E_ARG, `3:9: "qelib1.inc" is already included`],
  [`OPENQASM 4.0;\n`, E_UNSUPPORTED, "1:10: OpenQASM 4.0 is not supported: expected 2.0 or 3"],
  [`${V2}qubit[2] q;\n`, E_ARG, "3:1: 'qubit' is OpenQASM 3: this program declares OPENQASM 2.0"],
  [`${V2}bit c;\n`, E_ARG, "3:1: 'bit' is OpenQASM 3: this program declares OPENQASM 2.0"],
  [`${V2}qreg q[2];\nctrl @ x q[0], q[1];\n`, E_ARG, "4:1: 'ctrl' is OpenQASM 3: this program declares OPENQASM 2.0"],
  [`${V2}qreg q[2];\ncreg c[1];\nif (c == 1) inv @ x q[0];\n`, E_ARG, "5:13: 'inv' is OpenQASM 3: this program declares OPENQASM 2.0"],
  [`${V2}qreg q[2];\ncreg c[2];\nc = measure q;\n`, E_ARG, "5:1: 'c = measure' is OpenQASM 3: an OPENQASM 2.0 program writes 'measure q -> c;'"],
  [`${V2}qreg q[1];\nrx(2**3) q[0];\n`, E_ARG, "4:6: expected an expression, found '*'"],
  [`${V2}qreg θ[1];\n`, E_ARG, "3:6: expected the register's name"],
  [`${V2}qreg q[1];\nrx(tau) q[0];\n`, E_ARG, "4:4: unknown identifier 'tau' in an expression"],
  [`${V2}qreg q[1];\ncreg c[1];\nif (c[0] == 1) x q[0];\n`, E_ARG, "5:6: OpenQASM 2.0's if tests a whole register: expected '=='"],
  [`${V3}qubit q;\nrx(2^3) q;\n`, E_ARG, "4:5: '^' is not a power in OpenQASM 3: expected '**'"],
  [`OPENQASM 3.0;\nqubit[2] q;\nCX q[0], q[1];\n`, E_ARG, `3:1: unknown gate 'CX' (include "stdgates.inc"?)`],
  [`${V3}qubit q;\nfor i in [0:2] { x q; }\n`, E_UNSUPPORTED, "4:1: 'for' is not supported: expected a declaration, gate, measure, reset, barrier or if"],
  [`${V3}qubit q;\nfloat x = 1;\n`, E_UNSUPPORTED, "4:1: 'float' is not supported: expected a declaration, gate, measure, reset, barrier or if"],
  [`${V3}qubit q;\npow(0.5) @ x q;\n`, E_UNSUPPORTED, "4:1: pow(k) @ takes a whole k from -65536 to 65536"],
  [`${V3}qubit[2] q;\nctrl(9) @ x q[0], q[1];\n`, E_ARG, "4:6: expected the number of controls, 1 to 8"],
  [`${V3}qubit[2] q;\nctrl x q[0], q[1];\n`, E_ARG, "4:6: expected '@' after the modifier"],
  [`${V3}qubit q;\nbit c;\nmeasure q;\n`, E_ARG, "5:10: expected '->' after the measured qubits"],
];

const chain70 = `${V2}${chain(70)}\nqreg q[1];\ng69 q[0];\n`;
const LIMITS: Array<[string, string, number | undefined, number, string]> = [
  ["qubits past QPU_MAX_QUBITS", `${V2}qreg q[27];\n`, undefined, E_NOSPACE, "3:6: 'q' makes 27 qubits, more than the 26 a job may use (QPU_MAX_QUBITS)"],
  ["qubits past it over two registers", `${V2}qreg q[20];\nqreg r[7];\n`, undefined, E_NOSPACE, "4:6: 'r' makes 27 qubits, more than the 26 a job may use (QPU_MAX_QUBITS)"],
  ["clbits past QJOB_MAX_CLBITS", `${V2}qreg q[1];\ncreg c[65];\n`, undefined, E_NOSPACE, "4:6: 'c' makes 65 bits, more than the 64 a job may use (QJOB_MAX_CLBITS)"],
  ["a register size past 2^64", `${V2}qreg q[99999999999999999999];\n`, undefined, E_NOSPACE, "3:6: 'q' makes 18446744073709551615 qubits, more than the 26 a job may use (QPU_MAX_QUBITS)"],
  ["a register name past QJOB_MAX_NAME_BYTES", `${V2}qreg q[1];\ncreg ${"c".repeat(65)}[1];\n`, undefined, E_NOSPACE, "4:6: a register name longer than 64 bytes (QJOB_MAX_NAME_BYTES)"],
  ["the output buffer", `${V2}qreg q[1];\nh q;\nh q;\n`, 64, E_NOSPACE, "5:1: the job does not fit in 64 bytes: the output buffer is full"],
  ["an output buffer smaller than the header", `${V2}qreg q[1];\n`, 16, E_NOSPACE, "1:1: the output buffer of 16 bytes is smaller than a job's header"],
  ["expansion depth", chain70, undefined, E_NOSPACE, "74:1: gate expansion deeper than 64 levels"],
  ["expression nesting", `${V2}qreg q[1];\nrx(${"(".repeat(70)}1${")".repeat(70)}) q[0];\n`, undefined, E_NOSPACE, "4:68: expression nested deeper than 64 levels"],
  ["unary minus nesting", `${V2}qreg q[1];\nrx(${"-".repeat(100)}1) q[0];\n`, undefined, E_NOSPACE, "4:68: expression nested deeper than 64 levels"],
  ["controls past QJOB_MAX_CONTROLS", `${V3}qubit[10] q;\nctrl(8) @ ctrl @ x q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9];\n`, undefined, E_NOSPACE, "4:1: more than 8 controls on one gate (QJOB_MAX_CONTROLS)"],
  ["expansion steps", `${V3}gate nop a { }\nqubit q;\npow(65536) @ pow(65536) @ nop q;\n`, undefined, E_NOSPACE, "5:1: the expansion takes more than 4194304 steps with little written"],
  ["operands of one statement", `${V2}qreg q[1];\nx ${Array(70).fill("q[0]").join(", ")};\n`, undefined, E_NOSPACE, `4:${3 + 64 * 6}: more than 64 operands in one statement`],
];

describe("mistakes", () => {
  it.each(MISTAKES)("%j", (text, code, message) => {
    expect(refusal(text)).toEqual([code, message]);
  });
});

describe("refusals between OpenQASM 2.0 and 3, and features refused", () => {
  it.each(REFUSED)("%j", (text, code, message) => {
    expect(refusal(text)).toEqual([code, message]);
  });
});

describe("limits, each named", () => {
  it.each(LIMITS)("%s", (_what, text, cap, code, message) => {
    expect(refusal(text, cap)).toEqual([code, message]);
  });

  it("a program longer than QASM_MAX_PROGRAM_BYTES, refused before a byte is read", () => {
    const max = qasm.raw.textRoom();
    expect(max).toBe(1 << 22);
    expect(qasm.raw.parse(max + 1, 1 << 16)).toBe(E_NOSPACE);
    expect(qasm.raw.parse(-1, 1 << 16)).toBe(E_NOSPACE);
  });

  it("expansion at the depth limit still runs: 64 nested gates (the program's 62, then x and u3)", () => {
    const r = qasm.parse(`${V2}${chain(62)}\nqreg q[1];\ng61 q[0];\n`);
    expect(r.ok ? "" : r.error).toBe("");
  });

  it("a gate that doubles at each level fills the buffer and stops, naming it (CX by CX too, past the steps that write little)", () => {
    const cx = Array.from({ length: 24 }, (_, i) => (i === 0 ? "gate e0 a, b { cx a, b; cx b, a; }" : `gate e${i} a, b { e${i - 1} a, b; e${i - 1} b, a; }`)).join("\n");
    expect(refusal(`${V2}${cx}\nqreg q[2];\ne23 q[0], q[1];\n`)).toEqual([E_NOSPACE, "28:1: the job does not fit in 4194304 bytes (QJOB_MAX_BYTES): the output buffer is full"]);
    const levels = Array.from({ length: 40 }, (_, i) => (i === 0 ? "gate d0 a { x a; x a; }" : `gate d${i} a { d${i - 1} a; d${i - 1} a; }`)).join("\n");
    expect(refusal(`${V2}${levels}\nqreg q[1];\nd39 q[0];\n`, 1 << 16)).toEqual([E_NOSPACE, "44:1: the job does not fit in 65536 bytes: the output buffer is full"]);
    expect(refusal(`${V2}${levels}\nqreg q[1];\nd39 q[0];\n`)).toEqual([E_NOSPACE, "44:1: the job does not fit in 4194304 bytes (QJOB_MAX_BYTES): the output buffer is full"]);
  });
});
