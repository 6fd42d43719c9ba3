// The statements of OpenQASM 2.0 and of OpenQASM 3's gate subset, read by
// recursive descent and run at once: declarations fill the register tables,
// definitions the gate table, and every operation is written to the job
// (emit.ts) as it is read. A gate call is expanded by reading its body again
// with the call's values bound, down to U, CX and gphase.
import { E_ARG, E_NOSPACE, E_UNSUPPORTED } from "../../../kernel/abi";
import { QJOB_MAX_NAME_BYTES } from "../../../hal/qpu/job-format";
import * as errors from "./errors";
import { fail } from "./errors";
import * as lex from "./lexer";
import {
  T_EOF, T_ID, T_INT, T_REAL, T_STRING, T_SEMI, T_COMMA, T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET,
  T_LBRACE, T_RBRACE, T_ARROW, T_EQEQ, T_EQ, T_AT,
} from "./lexer";
import {
  K_OPENQASM, K_INCLUDE, K_QREG, K_CREG, K_GATE, K_OPAQUE, K_MEASURE, K_RESET, K_BARRIER, K_IF, K_U, K_CX,
  K_QUBIT, K_BIT, K_GPHASE, K_CTRL, K_NEGCTRL, K_INV, K_POW, K_ELSE, K_UNSUPPORTED,
} from "./keywords";
import { expression } from "./expr";
import * as gates from "./gates";
import { GATE_U, GATE_CX, GATE_GPHASE } from "./gates";
import * as frames from "./frames";
import * as emit from "./emit";
import { qregs, cregs, Registers, name } from "./registers";
import { qelib1Text, stdgatesText } from "./libraries";
import * as tasks from "./tasks";

const MAX_OPERANDS = 64;
const MAX_MODIFIERS = 1024;
export const MAX_POW = 1 << 16;
/** Expansion steps (tasks run) one program may take, or more while it writes at least one instruction in STEPS_PER_INSTRUCTION. */
export const MAX_STEPS: u32 = 1 << 22;
const STEPS_PER_INSTRUCTION: u32 = 32;
let steps: u32 = 0;

// The top level's operands of one statement: register and index (-1: all of it).
const opReg = new StaticArray<i32>(MAX_OPERANDS);
const opIdx = new StaticArray<i32>(MAX_OPERANDS);
const opAt = new StaticArray<usize>(MAX_OPERANDS);

// Modifiers of the calls being expanded, a stack: kind and argument.
const M_CTRL = 1;
const M_NEGCTRL = 2;
const M_INV = 3;
const M_POW = 4;
const modKind = new StaticArray<i32>(MAX_MODIFIERS);
const modArg = new StaticArray<i32>(MAX_MODIFIERS);
let modTop = 0;

let defining = -1; // the gate whose body is being checked
let qelib1 = false;
let stdgates = false;
// Each library's definitions as the first include left them (gates.save()).
let keptQelib1: StaticArray<u8> | null = null;
let keptStdgates: StaticArray<u8> | null = null;

export function reset(): void {
  steps = 0;
  modTop = 0;
  tasks.reset();
  defining = -1;
  qelib1 = false;
  stdgates = false;
}

export function program(base: usize, len: i32): void {
  lex.setVersion3(false);
  lex.setSource(base, base + <usize>len);
  lex.next();
  version();
  while (!errors.failed && lex.kind != T_EOF) statement(false);
}

function version(): void {
  if (errors.failed) return;
  if (lex.kind != T_ID || lex.keyword != K_OPENQASM) { fail(lex.start, E_ARG, "expected 'OPENQASM 2.0;' or 'OPENQASM 3.0;' first"); return; }
  lex.next();
  const at = lex.start;
  if (lex.kind != T_INT && lex.kind != T_REAL) { fail(at, E_ARG, "expected a version number after 'OPENQASM'"); return; }
  const v = lex.real;
  if (v == 2) lex.setVersion3(false);
  else if (v >= 3 && v < 4) lex.setVersion3(true);
  else { fail(at, E_UNSUPPORTED, "OpenQASM " + lex.text() + " is not supported: expected 2.0 or 3"); return; }
  lex.next();
  semicolon("expected ';' after the version");
}

// --- helpers ----------------------------------------------------------------

function semicolon(what: string): bool { return expect(T_SEMI, what); }

function expect(k: i32, what: string): bool {
  if (errors.failed) return false;
  if (lex.kind != k) { fail(lex.start, E_ARG, what); return false; }
  lex.next();
  return true;
}

function version3Only(): void {
  fail(lex.start, E_ARG, "'" + lex.text() + "' is OpenQASM 3: this program declares OPENQASM 2.0");
}

/** The current token's bytes equal the ASCII `s`. */
function tokenIs(at: usize, n: i32, s: string): bool {
  if (n != s.length) return false;
  for (let i = 0; i < n; i++) if (<i32>load<u8>(at + <usize>i) != s.charCodeAt(i)) return false;
  return true;
}

function plural(n: i32, what: string): string { return n.toString() + " " + what + (n == 1 ? "" : "s"); }

// --- statements -----------------------------------------------------------

function statement(body: bool): void {
  if (errors.expanding == 0 && !body) errors.setSite(lex.start);
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a statement, found '" + lex.text() + "'"); return; }
  const w = lex.keyword;
  if (body && topLevelOnly(w)) { fail(lex.start, E_ARG, "'" + lex.text() + "' is not allowed in a gate body"); return; }
  if (!lex.v3 && (w == K_QUBIT || w == K_BIT || (w >= K_CTRL && w <= K_POW))) { version3Only(); return; }
  switch (w) {
    case K_INCLUDE: include(); return;
    case K_QREG: case K_CREG: declare(w == K_QREG, false); return;
    case K_QUBIT: case K_BIT: declare(w == K_QUBIT, true); return;
    case K_GATE: definition(); return;
    case K_OPAQUE: fail(lex.start, E_UNSUPPORTED, "opaque gates are not supported: the QPU has no definition to run"); return;
    case K_MEASURE: measureArrow(); return;
    case K_RESET: resetStatement(); return;
    case K_BARRIER: barrier(body); return;
    case K_IF: ifStatement(); return;
    case K_OPENQASM: fail(lex.start, E_ARG, "'OPENQASM' comes once, as the first statement"); return;
    case K_ELSE: case K_UNSUPPORTED:
      fail(lex.start, E_UNSUPPORTED, "'" + lex.text() + "' is not supported: expected a declaration, gate, measure, reset, barrier or if");
      return;
  }
  if (!body && w == 0 && cregs.find(lex.hash, lex.start, lex.len) >= 0) {
    if (lex.v3) measureAssign();
    else fail(lex.start, E_ARG, "'" + lex.text() + " = measure' is OpenQASM 3: an OPENQASM 2.0 program writes 'measure q -> " + lex.text() + ";'");
    return;
  }
  call(body);
}

function topLevelOnly(w: i32): bool {
  return w == K_INCLUDE || w == K_QREG || w == K_CREG || w == K_QUBIT || w == K_BIT || w == K_GATE || w == K_OPAQUE ||
    w == K_MEASURE || w == K_RESET || w == K_IF;
}

function include(): void {
  const at = lex.start;
  lex.next();
  if (lex.kind != T_STRING) { fail(lex.start, E_ARG, "expected a file name in double quotes after 'include'"); return; }
  const nameAt = lex.start + 1, n = lex.len - 2;
  const isQelib = tokenIs(nameAt, n, "qelib1.inc"), isStd = tokenIs(nameAt, n, "stdgates.inc");
  if (!isQelib && !isStd) {
    fail(lex.start, E_UNSUPPORTED, "cannot include " + lex.text() + ": the libraries are \"qelib1.inc\" (OpenQASM 2.0) and \"stdgates.inc\" (OpenQASM 3)");
    return;
  }
  if (isQelib == lex.v3) {
    fail(lex.start, E_ARG, isQelib ? "\"qelib1.inc\" is OpenQASM 2.0's library: an OPENQASM 3 program includes \"stdgates.inc\""
      : "\"stdgates.inc\" is OpenQASM 3's library: an OPENQASM 2.0 program includes \"qelib1.inc\"");
    return;
  }
  if (isQelib ? qelib1 : stdgates) { fail(lex.start, E_ARG, lex.text() + " is already included"); return; }
  lex.next();
  if (lex.kind != T_SEMI) { fail(lex.start, E_ARG, "expected ';' after the file name"); return; }
  if (isQelib) qelib1 = true; else stdgates = true;
  // Included before any definition of the program's: the kept tables, if a program did so before.
  const first = gates.count == 0;
  const kept = isQelib ? keptQelib1 : keptStdgates;
  if (first && kept !== null) { gates.restore(kept); lex.next(); return; }
  const text = isQelib ? qelib1Text() : stdgatesText();
  const p = lex.savePos(), end = lex.saveEnd();
  // An error in the library would be ours: it is reported at the include.
  errors.setSite(at);
  errors.enter();
  lex.setSource(changetype<usize>(text), changetype<usize>(text) + <usize>text.byteLength);
  lex.next();
  while (!errors.failed && lex.kind != T_EOF) statement(false);
  errors.leave();
  if (first && !errors.failed) {
    if (isQelib) keptQelib1 = gates.save(); else keptStdgates = gates.save();
  }
  lex.setSource(p, end);
  lex.next();
}

/** qreg q[n]; creg c[n]; and OpenQASM 3's qubit[n] q; qubit q; bit[n] c; bit c; */
function declare(quantum: bool, v3: bool): void {
  lex.next();
  let size: u64 = 1;
  if (v3 && lex.kind == T_LBRACKET) { lex.next(); size = sizeLiteral(); if (!expect(T_RBRACKET, "expected ']' after the size")) return; }
  if (lex.kind != T_ID || lex.keyword != 0) { fail(lex.start, E_ARG, "expected the register's name"); return; }
  const at = lex.start, n = lex.len, h = lex.hash;
  if (qregs.find(h, at, n) >= 0 || cregs.find(h, at, n) >= 0) { fail(at, E_ARG, "'" + lex.text() + "' is already declared"); return; }
  if (!quantum && n > QJOB_MAX_NAME_BYTES) {
    fail(at, E_NOSPACE, "a register name longer than " + QJOB_MAX_NAME_BYTES.toString() + " bytes (QJOB_MAX_NAME_BYTES)");
    return;
  }
  lex.next();
  if (!v3) {
    if (!expect(T_LBRACKET, "expected '[' and the register's size after its name")) return;
    size = sizeLiteral();
    if (!expect(T_RBRACKET, "expected ']' after the size")) return;
  }
  if (errors.failed || !semicolon("expected ';' after the declaration")) return;
  const regs = quantum ? qregs : cregs;
  const r = regs.add(h, at, n, size);
  if (r >= 0 && !quantum) emit.creg(unchecked(regs.first[r]), unchecked(regs.size[r]), at, n);
}

function sizeLiteral(): u64 {
  if (errors.failed) return 0;
  if (lex.kind != T_INT) { fail(lex.start, E_ARG, "expected the register's size, a whole number"); return 0; }
  const v = lex.intFits ? lex.int : U64.MAX_VALUE;
  lex.next();
  return v;
}

// --- operands at the top level -----------------------------------------------

/** Reads `q` or `q[i]` of `regs` into operand slot i. */
function operand(regs: Registers, i: i32): bool {
  if (errors.failed) return false;
  if (i >= MAX_OPERANDS) { fail(lex.start, E_NOSPACE, "more than " + MAX_OPERANDS.toString() + " operands in one statement"); return false; }
  const what = regs.quantum ? "qubit" : "bit";
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a " + what + " or a register of them"); return false; }
  const r = regs.find(lex.hash, lex.start, lex.len);
  if (r < 0) {
    const other = regs.quantum ? cregs : qregs;
    const msg = other.find(lex.hash, lex.start, lex.len) >= 0
      ? "'" + lex.text() + "' holds " + (regs.quantum ? "classical bits" : "qubits") + ": expected " + what + "s"
      : "unknown " + (regs.quantum ? "quantum" : "classical") + " register '" + lex.text() + "'";
    fail(lex.start, E_ARG, msg);
    return false;
  }
  unchecked(opAt[i] = lex.start);
  unchecked(opReg[i] = r);
  unchecked(opIdx[i] = -1);
  lex.next();
  if (lex.kind == T_LBRACKET) unchecked(opIdx[i] = index(regs, r));
  return !errors.failed;
}

function index(regs: Registers, r: i32): i32 {
  lex.next();
  const at = lex.start;
  if (lex.kind != T_INT) { fail(at, E_ARG, "expected an index, a whole number"); return -1; }
  const v = lex.int, fits = lex.intFits;
  lex.next();
  if (!expect(T_RBRACKET, "expected ']' after the index")) return -1;
  if (!fits || v >= <u64>unchecked(regs.size[r])) {
    fail(at, E_ARG, (regs.quantum ? "qubit" : "bit") + " index " + (fits ? v.toString() : "beyond 2^64") + " out of range for " + regs.describe(r));
    return -1;
  }
  return <i32>v;
}

/** The job index of operand i at broadcast step b. */
function flat(regs: Registers, i: i32, b: i32): i32 {
  const r = unchecked(opReg[i]), x = unchecked(opIdx[i]);
  return unchecked(regs.first[r]) + (x < 0 ? b : x);
}

/** How many times a statement over operands [0, n) runs: the size of its whole registers, which must agree. */
function broadcast(regs: Registers, n: i32): i32 {
  let times = 1, whole = -1;
  for (let i = 0; i < n; i++) {
    if (unchecked(opIdx[i]) >= 0) continue;
    const size = unchecked(regs.size[unchecked(opReg[i])]);
    if (whole < 0) { whole = i; times = size; }
    else if (size != times) {
      fail(unchecked(opAt[i]), E_ARG, "registers of different sizes in one statement: " + regs.describe(unchecked(opReg[whole])) + " and " + regs.describe(unchecked(opReg[i])));
      return 0;
    }
  }
  return times;
}

/** The name of job qubit q as the program writes it: "q[3]". */
function qubitName(q: i32): string {
  for (let r = 0; r < qregs.count; r++) {
    const f = unchecked(qregs.first[r]);
    if (q >= f && q < f + unchecked(qregs.size[r])) return qregs.label(r) + "[" + (q - f).toString() + "]";
  }
  return q.toString();
}

// --- measure, reset, barrier, if ---------------------------------------------

function measureArrow(): void {
  lex.next();
  if (!operand(qregs, 0)) return;
  if (!expect(T_ARROW, "expected '->' after the measured qubits")) return;
  if (!operand(cregs, 1) || !semicolon("expected ';' after the measurement")) return;
  measureAll();
}

/** OpenQASM 3: c = measure q; c[i] = measure q[j]; */
function measureAssign(): void {
  if (!operand(cregs, 1)) return;
  if (!expect(T_EQ, "expected '=' after the bits")) return;
  if (lex.kind != T_ID || lex.keyword != K_MEASURE) { fail(lex.start, E_ARG, "expected 'measure' after '='"); return; }
  lex.next();
  if (!operand(qregs, 0) || !semicolon("expected ';' after the measurement")) return;
  measureAll();
}

function measureAll(): void {
  const qWhole = unchecked(opIdx[0]) < 0, cWhole = unchecked(opIdx[1]) < 0;
  const qn = qWhole ? unchecked(qregs.size[unchecked(opReg[0])]) : 1;
  const cn = cWhole ? unchecked(cregs.size[unchecked(opReg[1])]) : 1;
  if (qn != cn) {
    fail(unchecked(opAt[0]), E_ARG, "measure: " + plural(qn, "qubit") + " into " + plural(cn, "bit") + ": the two sides must match");
    return;
  }
  for (let b = 0; b < qn; b++) emit.measure(unchecked(qregs.first[unchecked(opReg[0])]) + (qWhole ? b : unchecked(opIdx[0])), flatBit(b));
}

function flatBit(b: i32): i32 { return flat(cregs, 1, b); }

function resetStatement(): void {
  lex.next();
  if (!operand(qregs, 0) || !semicolon("expected ';' after the reset's qubits")) return;
  const n = broadcast(qregs, 1);
  for (let b = 0; b < n; b++) emit.reset(flat(qregs, 0, b));
}

/** barrier a, b, ...; the qubits once each (OpenQASM 3: `barrier;` is every qubit). */
function barrier(body: bool): void {
  lex.next();
  const from = frames.qTop;
  if (lex.kind == T_SEMI && lex.v3 && !body) {
    for (let q = 0; q < qregs.total; q++) frames.pushQubit(q, lex.start);
  }
  while (!errors.failed && lex.kind != T_SEMI) {
    if (frames.qTop > from && !expect(T_COMMA, "expected ',' or ';' after the barrier's operand")) break;
    if (body) addOnce(from, bodyQubit());
    else if (operand(qregs, 0)) {
      const n = unchecked(opIdx[0]) < 0 ? unchecked(qregs.size[unchecked(opReg[0])]) : 1;
      for (let b = 0; b < n; b++) addOnce(from, flat(qregs, 0, b));
    }
  }
  if (!errors.failed && frames.qTop == from) fail(lex.start, E_ARG, "expected the barrier's qubits");
  if (semicolon("expected ';' after the barrier's operands")) emit.barrier(frames.qargs, from, frames.qTop - from);
  frames.setTops(frames.vTop, from);
}

function addOnce(from: i32, q: i32): void {
  if (q < 0) return;
  for (let i = from; i < frames.qTop; i++) if (frames.qubit(i) == q) return;
  frames.pushQubit(q, lex.start);
}

function ifStatement(): void {
  lex.next();
  if (!expect(T_LPAREN, "expected '(' after 'if'")) return;
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a classical register after 'if ('"); return; }
  const r = cregs.find(lex.hash, lex.start, lex.len);
  if (r < 0) { fail(lex.start, E_ARG, "unknown classical register '" + lex.text() + "'"); return; }
  lex.next();
  let start = <u32>unchecked(cregs.first[r]);
  let width = <u32>unchecked(cregs.size[r]);
  if (lex.kind == T_LBRACKET) {
    if (!lex.v3) { fail(lex.start, E_ARG, "OpenQASM 2.0's if tests a whole register: expected '=='"); return; }
    const i = index(cregs, r);
    if (i < 0) return;
    start += <u32>i;
    width = 1;
  }
  if (!expect(T_EQEQ, "expected '==' after the register")) return;
  if (lex.kind != T_INT) { fail(lex.start, E_ARG, "expected a whole number to compare the register with"); return; }
  const v = lex.int;
  if (!lex.intFits || (width < 64 && v >> width != 0)) {
    fail(lex.start, E_ARG, "value " + lex.text() + " does not fit in " + plural(<i32>width, "bit"));
    return;
  }
  lex.next();
  if (!expect(T_RPAREN, "expected ')' after the value")) return;
  emit.beginIf(start, width, v);
  if (lex.v3 && lex.kind == T_LBRACE) {
    lex.next();
    while (!errors.failed && lex.kind != T_RBRACE && lex.kind != T_EOF) conditional();
    expect(T_RBRACE, "expected '}' to end the if's block");
  } else conditional();
  emit.endIf();
}

/** The operation an if runs: a gate, measure or reset. */
function conditional(): void {
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a gate, measure or reset after 'if (...)'"); return; }
  const w = lex.keyword;
  if (w == K_MEASURE) measureArrow();
  else if (w == K_RESET) resetStatement();
  else if (lex.v3 && w == 0 && cregs.find(lex.hash, lex.start, lex.len) >= 0) measureAssign();
  else if (w != 0 && w != K_U && w != K_CX && w != K_GPHASE && !(w >= K_CTRL && w <= K_POW)) {
    fail(lex.start, E_ARG, "expected a gate, measure or reset after 'if (...)', found '" + lex.text() + "'");
  } else {
    if (!lex.v3 && (w >= K_CTRL && w <= K_POW)) { version3Only(); return; }
    call(false);
  }
}

// --- gate definitions ----------------------------------------------------------

function definition(): void {
  lex.next();
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected the gate's name after 'gate'"); return; }
  const w = lex.keyword;
  if (w != 0 && !(w == K_CX && lex.v3)) { fail(lex.start, E_ARG, "'" + lex.text() + "' is a reserved word: it cannot name a gate"); return; }
  if (gates.find(lex.hash, lex.start, lex.len) >= 0) { fail(lex.start, E_ARG, "gate '" + lex.text() + "' is already defined"); return; }
  const g = gates.open(lex.hash, lex.start, lex.len);
  if (g < 0) return;
  lex.next();
  if (lex.kind == T_LPAREN) {
    lex.next();
    if (lex.kind != T_RPAREN) names(g, true);
    if (!expect(T_RPAREN, "expected ',' or ')' after the gate's parameter")) { gates.drop(g); return; }
  }
  if (lex.kind != T_ID) fail(lex.start, E_ARG, "expected the gate's qubit arguments");
  else names(g, false);
  if (!expect(T_LBRACE, "expected '{' to open the gate's body")) { gates.drop(g); return; }
  checkBody(g);
  if (errors.failed) { gates.drop(g); return; }
  gates.publish(g);
}

/** Parameter or qubit names, separated by commas. */
function names(g: i32, param: bool): void {
  const limit = param ? gates.MAX_GATE_PARAMS : gates.MAX_GATE_QUBITS;
  while (!errors.failed) {
    if (lex.kind != T_ID || lex.keyword != 0) { fail(lex.start, E_ARG, param ? "expected a parameter name" : "expected a qubit name"); return; }
    const from = param ? 0 : unchecked(gates.params[g]);
    const n = param ? unchecked(gates.params[g]) : unchecked(gates.qubits[g]);
    if (gates.nameIndex(g, from, n, lex.hash, lex.start, lex.len) >= 0) { fail(lex.start, E_ARG, "'" + lex.text() + "' is declared twice"); return; }
    if (n >= limit) { fail(lex.start, E_NOSPACE, "a gate with more than " + limit.toString() + (param ? " parameters" : " qubits")); return; }
    if (!gates.addName(lex.hash, lex.start, lex.len)) return;
    if (param) unchecked(gates.params[g] = n + 1); else unchecked(gates.qubits[g] = n + 1);
    lex.next();
    if (lex.kind != T_COMMA) return;
    lex.next();
  }
}

// The body is read once now, with nothing written, so that a mistake in it
// is reported where it is, and a call later cannot fail in it but for limits.
function checkBody(g: i32): void {
  unchecked(gates.bodyStart[g] = lex.start);
  const vb = frames.vTop, qb = frames.qTop;
  const np = unchecked(gates.params[g]), nq = unchecked(gates.qubits[g]);
  for (let i = 0; i < np; i++) frames.pushVal(0, lex.start);
  for (let i = 0; i < nq; i++) frames.pushQubit(i, lex.start);
  const wasDry = emit.setDry(true);
  const pg = frames.gate, pv = frames.vBase, pq = frames.qBase;
  defining = g;
  if (frames.enter(g, vb, qb, lex.start)) {
    while (!errors.failed && lex.kind != T_RBRACE && lex.kind != T_EOF) statement(true);
    frames.restore(pg, pv, pq);
  }
  defining = -1;
  emit.setDry(wasDry);
  frames.setTops(vb, qb);
  unchecked(gates.bodyEnd[g] = lex.start);
  if (lex.kind == T_RBRACE) lex.next();
  else fail(lex.start, E_ARG, "expected '}' to close the body of gate '" + gates.label(g) + "'");
}

// --- calls ---------------------------------------------------------------

/** A qubit argument inside a gate body: its job index (or, checking a definition, its position). */
function bodyQubit(): i32 {
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a qubit argument of the gate"); return -1; }
  const g = frames.gate;
  const i = gates.nameIndex(g, unchecked(gates.params[g]), unchecked(gates.qubits[g]), lex.hash, lex.start, lex.len);
  if (i < 0) { fail(lex.start, E_ARG, "unknown qubit '" + lex.text() + "' in the body of gate '" + gates.label(g) + "'"); return -1; }
  lex.next();
  if (lex.kind == T_LBRACKET) { fail(lex.start, E_ARG, "a gate's qubit arguments are single qubits: no index"); return -1; }
  return frames.qubit(frames.qBase + i);
}

/**
 * [modifiers @] name[(params)] qubits; At the top level the call runs at
 * once, over each step of its broadcast; in a gate body being expanded it
 * becomes tasks (tasks.ts), so gates nested in gates cost
 * stack entries, never Wasm frames.
 */
function call(body: bool): void {
  const mFrom = modTop, vFrom = frames.vTop, qFrom = frames.qTop;
  const controls = modifiers();
  if (errors.failed) return;
  const nameAt = lex.start;
  const g = gateOf();
  if (g == -1) return;
  lex.next();
  let np = 0;
  if (lex.kind == T_LPAREN) {
    lex.next();
    while (!errors.failed && lex.kind != T_RPAREN) {
      if (np > 0 && !expect(T_COMMA, "expected ',' or ')' after the gate's parameter")) break;
      const v = expression();
      if (frames.pushVal(v, lex.start)) np++;
    }
    expect(T_RPAREN, "expected ')' after the gate's parameters");
  }
  let nq = 0;
  while (!errors.failed && lex.kind != T_SEMI && lex.kind != T_EOF) {
    if (nq > 0) { if (lex.kind != T_COMMA) break; lex.next(); }
    if (!body) { if (operand(qregs, nq)) nq++; continue; }
    const at = lex.start, n = lex.len;
    const q = bodyQubit();
    if (q < 0) break;
    for (let i = qFrom; i < frames.qTop; i++) {
      if (frames.qubit(i) == q) { fail(at, E_ARG, "qubit '" + name(at, n) + "' is used twice in one gate call"); break; }
    }
    if (frames.pushQubit(q, at)) nq++;
  }
  if (!errors.failed && lex.kind != T_SEMI) fail(lex.start, E_ARG, "expected ';' after the gate's operands");
  if (errors.failed || !arity(g, nameAt, np, nq, controls)) return;
  // The lexer stands on the ';': expansions read bodies, then this text resumes after it.
  const p = lex.savePos(), end = lex.saveEnd();
  if (body && !emit.dry) {
    tasks.callEnd(mFrom, vFrom, qFrom, p, end);
    tasks.apply(mFrom, modTop, g, vFrom, qFrom);
    return;
  }
  if (!body) runBroadcast(mFrom, g, vFrom, nq);
  modTop = mFrom;
  frames.setTops(vFrom, qFrom);
  lex.setSource(p, end);
  lex.next();
}

/** The gate named at the current token, a built-in (GATE_*), or -1 after an error. */
function gateOf(): i32 {
  if (lex.kind != T_ID) { fail(lex.start, E_ARG, "expected a gate's name"); return -1; }
  const w = lex.keyword;
  if (w == K_U) return GATE_U;
  if (w == K_CX && !lex.v3) return GATE_CX;
  if (w == K_GPHASE && lex.v3) return GATE_GPHASE;
  const g = gates.find(lex.hash, lex.start, lex.len);
  if (g >= 0) return g;
  if (defining >= 0 && lex.hash == unchecked(gates.hash[defining]) && lex.len == unchecked(gates.nameLen[defining]) &&
    memory.compare(lex.start, unchecked(gates.name[defining]), <usize>lex.len) == 0) {
    fail(lex.start, E_ARG, "recursive gate definition '" + lex.text() + "'");
  } else {
    fail(lex.start, E_ARG, "unknown gate '" + lex.text() + "'" + (qelib1 || stdgates ? "" : (lex.v3 ? " (include \"stdgates.inc\"?)" : " (include \"qelib1.inc\"?)")));
  }
  return -1;
}

function gateName(g: i32): string {
  if (g == GATE_U) return "U";
  if (g == GATE_CX) return "CX";
  if (g == GATE_GPHASE) return "gphase";
  return gates.label(g);
}

function arity(g: i32, at: usize, np: i32, nq: i32, controls: i32): bool {
  const wantP = g == GATE_U ? 3 : g == GATE_CX ? 0 : g == GATE_GPHASE ? 1 : unchecked(gates.params[g]);
  const wantQ = controls + (g == GATE_U ? 1 : g == GATE_CX ? 2 : g == GATE_GPHASE ? 0 : unchecked(gates.qubits[g]));
  if (np == wantP && nq == wantQ) return true;
  const what = "gate '" + gateName(g) + "'" + (controls > 0 ? " with " + plural(controls, "control") : "");
  if (np != wantP) fail(at, E_ARG, what + " takes " + plural(wantP, "parameter") + ", got " + np.toString());
  else fail(at, E_ARG, what + " takes " + plural(wantQ, "qubit") + ", got " + nq.toString());
  return false;
}

/** ctrl @, ctrl(n) @, negctrl @, inv @, pow(k) @ (OpenQASM 3); the controls they add. */
function modifiers(): i32 {
  let controls = 0;
  while (!errors.failed && lex.kind == T_ID && lex.keyword >= K_CTRL && lex.keyword <= K_POW) {
    const w = lex.keyword, at = lex.start;
    if (modTop >= MAX_MODIFIERS) { fail(at, E_NOSPACE, "more than " + MAX_MODIFIERS.toString() + " modifiers in the calls being expanded"); return 0; }
    lex.next();
    let arg = 1;
    if (w == K_CTRL || w == K_NEGCTRL) {
      if (lex.kind == T_LPAREN) {
        lex.next();
        if (lex.kind != T_INT || !lex.intFits || lex.int < 1 || lex.int > 8) { fail(lex.start, E_ARG, "expected the number of controls, 1 to 8"); return 0; }
        arg = <i32>lex.int;
        lex.next();
        if (!expect(T_RPAREN, "expected ')' after the number of controls")) return 0;
      }
      controls += arg;
    } else if (w == K_POW) {
      if (!expect(T_LPAREN, "expected '(' after 'pow'")) return 0;
      const k = expression();
      if (errors.failed) return 0;
      if (k != Math.floor(k) || Math.abs(k) > <f64>MAX_POW) {
        fail(at, E_UNSUPPORTED, "pow(k) @ takes a whole k from -" + MAX_POW.toString() + " to " + MAX_POW.toString());
        return 0;
      }
      arg = <i32>k;
      if (!expect(T_RPAREN, "expected ')' after the exponent")) return 0;
    }
    if (!expect(T_AT, "expected '@' after the modifier")) return 0;
    unchecked(modKind[modTop] = w == K_CTRL ? M_CTRL : w == K_NEGCTRL ? M_NEGCTRL : w == K_INV ? M_INV : M_POW);
    unchecked(modArg[modTop] = arg);
    modTop++;
  }
  return controls;
}

function runBroadcast(mFrom: i32, g: i32, vb: i32, nq: i32): void {
  const times = broadcast(qregs, nq);
  const qb = frames.qTop;
  for (let b = 0; b < times && !errors.failed; b++) {
    for (let i = 0; i < nq; i++) frames.pushQubit(flat(qregs, i, b), lex.start);
    for (let i = 1; i < nq; i++) {
      for (let j = 0; j < i; j++) {
        if (frames.qubit(qb + i) == frames.qubit(qb + j)) {
          fail(unchecked(opAt[i]), E_ARG, "qubit " + qubitName(frames.qubit(qb + i)) + " is used twice in one gate call");
          return;
        }
      }
    }
    const base = tasks.height();
    tasks.apply(mFrom, modTop, g, vb, qb);
    run(base);
    frames.setTops(frames.vTop, qb);
  }
}

// --- expansion: the task stack's driver ------------------------------------------

/** Runs the tasks above `base` until none is left (or an error stops them). */
function run(base: i32): void {
  while (!errors.failed && tasks.height() > base) {
    // Gates that write nothing (an empty body under pow) would otherwise run
    // without bound; a program that writes is bounded by the job's size.
    if (++steps > MAX_STEPS && steps > STEPS_PER_INSTRUCTION * emit.written()) {
      fail(errors.site, E_NOSPACE, "the expansion takes more than " + MAX_STEPS.toString() + " steps with little written");
      break;
    }
    const t = tasks.pop();
    switch (tasks.kind(t)) {
      case tasks.APPLY: applyModifier(tasks.m(t), tasks.mEnd(t), tasks.g(t), tasks.vb(t), tasks.qb(t)); break;
      case tasks.REPEAT: repeat(t); break;
      case tasks.AFTER_CTRL: afterControls(tasks.n(t), tasks.m(t) != 0, tasks.qb(t)); break;
      case tasks.AFTER_INV: emit.toggleInverse(); emit.reverse(tasks.p(t)); break;
      case tasks.BODY_STEP: bodyStep(); break;
      case tasks.BODY_END: frames.restore(tasks.g(t), tasks.vb(t), tasks.qb(t)); errors.leave(); break;
      case tasks.CALL_END:
        modTop = tasks.m(t);
        frames.setTops(tasks.vb(t), tasks.qb(t));
        lex.setSource(tasks.p(t), tasks.end(t));
        lex.next();
        break;
    }
  }
  if (errors.failed) tasks.cut(base);
}

/** Modifier m of a call (or, at mEnd, the gate itself) on qubits from qb, controls first. */
function applyModifier(m: i32, mEnd: i32, g: i32, vb: i32, qb: i32): void {
  if (m == mEnd) { expand(g, vb, qb); return; }
  const k = unchecked(modKind[m]), a = unchecked(modArg[m]);
  if (k == M_CTRL || k == M_NEGCTRL) {
    for (let i = 0; i < a; i++) {
      // negctrl: X before and after, so the control acts on |0⟩.
      if (k == M_NEGCTRL) emit.u(frames.qubit(qb + i), Math.PI, 0, Math.PI);
      emit.pushControl(frames.qubit(qb + i));
    }
    tasks.afterControls(a, k == M_NEGCTRL, qb);
    tasks.apply(m + 1, mEnd, g, vb, qb + a);
    return;
  }
  if (k == M_INV || (k == M_POW && a < 0)) {
    emit.toggleInverse();
    tasks.afterInverse(emit.mark());
  }
  tasks.repeat(m, mEnd, g, vb, qb, k == M_POW ? (a < 0 ? -a : a) : 1);
}

/** One more round of a pow (or the one of an inv): the modifiers after m again. */
function repeat(t: i32): void {
  const left = tasks.n(t);
  if (left <= 0) return;
  const m = tasks.m(t), mEnd = tasks.mEnd(t), g = tasks.g(t), vb = tasks.vb(t), qb = tasks.qb(t);
  tasks.repeat(m, mEnd, g, vb, qb, left - 1);
  tasks.apply(m + 1, mEnd, g, vb, qb);
}

function afterControls(a: i32, negative: bool, qb: i32): void {
  emit.popControls(a);
  if (negative) for (let i = a - 1; i >= 0; i--) emit.u(frames.qubit(qb + i), Math.PI, 0, Math.PI);
}

/** Gate g with its values in place: a built-in is written, a definition's body read. */
function expand(g: i32, vb: i32, qb: i32): void {
  if (g == GATE_U) { emit.u(frames.qubit(qb), frames.val(vb), frames.val(vb + 1), frames.val(vb + 2)); return; }
  if (g == GATE_CX) { emit.cx(frames.qubit(qb), frames.qubit(qb + 1)); return; }
  if (g == GATE_GPHASE) { emit.gphase(frames.val(vb)); return; }
  const pg = frames.gate, pv = frames.vBase, pq = frames.qBase;
  if (!frames.enter(g, vb, qb, errors.site)) return;
  errors.enter();
  tasks.bodyEnd(pg, pv, pq);
  lex.setSource(unchecked(gates.bodyStart[g]), unchecked(gates.bodyEnd[g]));
  lex.next();
  tasks.bodyStep();
}

/** The next statement of the body being read, if any. */
function bodyStep(): void {
  if (lex.kind == T_EOF) return;
  tasks.bodyStep();
  statement(true);
}
