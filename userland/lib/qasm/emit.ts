// The job writer: appends instructions to the caller's buffer in the QPU's
// job format (job-format.ts), applying the modifiers in force (ctrl @ adds
// controls, inv @ inverts each instruction and reverse() turns the order
// around, if adds a QOP_IF before each instruction) and writes the header last.
import { E_ARG, E_NOSPACE } from "../../../kernel/abi";
import {
  QJOB_MAGIC, QJOB_VERSION, QJOB_HEADER_WORDS, QJOB_MAX_BYTES, QJOB_MAX_CONTROLS,
  QJOB_HDR_MAGIC, QJOB_HDR_VERSION, QJOB_HDR_QUBITS, QJOB_HDR_CLBITS, QJOB_HDR_COUNT, QJOB_HDR_BYTES,
  QJOB_HDR_RESERVED0, QJOB_HDR_RESERVED1, QOP_WORDS_SHIFT, QOP_MASK,
  QOP_U, QOP_U_WORDS, QOP_CX, QOP_CX_WORDS, QOP_MEASURE, QOP_MEASURE_WORDS, QOP_RESET, QOP_RESET_WORDS,
  QOP_BARRIER, QOP_BARRIER_WORDS, QOP_IF, QOP_IF_WORDS, QOP_GPHASE, QOP_GPHASE_WORDS, QOP_MCU, QOP_MCU_WORDS,
  QOP_CREG, QOP_CREG_WORDS,
} from "../../../hal/qpu/job-format";
import { fail, site, failed } from "./errors";

let out: usize = 0;
let cap: usize = 0; // bytes the job may take
let w: usize = 0; // bytes written, header included
let count: u32 = 0;

/** Checking a gate body: nothing is written. */
export let dry = false;
export function setDry(on: bool): bool { const was = dry; dry = on; return was; }

// ctrl @: the controls in force, outermost first.
const controls = new StaticArray<i32>(QJOB_MAX_CONTROLS + 1);
let nControls = 0;
// inv @: each instruction written is the inverse of the one asked for.
let inverted = false;
// if (c == n): each instruction is preceded by a QOP_IF.
let conditional = false;
let condStart: u32 = 0;
let condWidth: u32 = 0;
let condValue: u64 = 0;
let condWritten = false; // a measure in this statement wrote the tested bits

// Scratch for one MCU's matrix: (re, im) × m00, m01, m10, m11.
const m = new StaticArray<f64>(8);

export function begin(buf: usize, bytes: i32): bool {
  out = buf;
  cap = <usize>min(<u32>max(bytes, 0), <u32>QJOB_MAX_BYTES);
  w = <usize>QJOB_HEADER_WORDS * 4;
  count = 0;
  nControls = 0;
  inverted = false;
  conditional = false;
  dry = false;
  if (cap < w) { fail(0, E_NOSPACE, "the output buffer of " + bytes.toString() + " bytes is smaller than a job's header"); return false; }
  return true;
}

/** Instructions written so far. */
export function written(): u32 { return count; }

/** Writes the header; the job's length in bytes. */
export function finish(qubits: i32, clbits: i32): i32 {
  word(QJOB_HDR_MAGIC, QJOB_MAGIC);
  word(QJOB_HDR_VERSION, QJOB_VERSION);
  word(QJOB_HDR_QUBITS, <u32>qubits);
  word(QJOB_HDR_CLBITS, <u32>clbits);
  word(QJOB_HDR_COUNT, count);
  word(QJOB_HDR_BYTES, <u32>w);
  word(QJOB_HDR_RESERVED0, 0);
  word(QJOB_HDR_RESERVED1, 0);
  return <i32>w;
}

@inline function word(i: i32, v: u32): void { store<u32>(out + <usize>i * 4, v); }

/** Room for `words` more words, or an error naming the buffer. */
function room(words: i32): bool {
  if (failed) return false;
  if (w + <usize>words * 4 <= cap) return true;
  const limit = cap == <usize>QJOB_MAX_BYTES ? " (QJOB_MAX_BYTES)" : "";
  fail(site, E_NOSPACE, "the job does not fit in " + cap.toString() + " bytes" + limit + ": the output buffer is full");
  return false;
}

@inline function put(v: u32): void { store<u32>(out + w, v); w += 4; }
@inline function putF(v: f64): void { store<f64>(out + w, v); w += 8; }
@inline function head(op: u32, words: i32): void { put(op | (<u32>words << QOP_WORDS_SHIFT)); count++; }

function finite(a: f64, b: f64, c: f64): bool {
  if (isFinite(a) && isFinite(b) && isFinite(c)) return true;
  fail(site, E_ARG, "a gate parameter is not a finite number");
  return false;
}

// --- the modifiers in force ------------------------------------------------

export function pushControl(q: i32): bool {
  if (nControls >= QJOB_MAX_CONTROLS) {
    fail(site, E_NOSPACE, "more than " + QJOB_MAX_CONTROLS.toString() + " controls on one gate (QJOB_MAX_CONTROLS)");
    return false;
  }
  unchecked(controls[nControls++] = q);
  return true;
}
export function popControls(n: i32): void { nControls = max(0, nControls - n); }
export function toggleInverse(): void { inverted = !inverted; }

export function beginIf(start: u32, width: u32, value: u64): void {
  conditional = true; condStart = start; condWidth = width; condValue = value; condWritten = false;
}
export function endIf(): void { conditional = false; }

/** An instruction's worth of QOP_IF prefix, when one is due: its words. */
function condWords(): i32 { return conditional ? QOP_IF_WORDS : 0; }

function condition(): bool {
  if (!conditional) return true;
  if (condWritten) {
    fail(site, E_ARG, "the if's body measures into the bits it tests, and would test them again changed");
    return false;
  }
  head(QOP_IF, QOP_IF_WORDS);
  put(condStart);
  put(condWidth);
  put(<u32>condValue);
  put(<u32>(condValue >> 32));
  return true;
}

function isControl(q: i32): bool {
  for (let i = 0; i < nControls; i++) if (unchecked(controls[i]) == q) return true;
  return false;
}

function targetFree(q: i32): bool {
  if (!isControl(q)) return true;
  fail(site, E_ARG, "a control qubit is also the gate's target");
  return false;
}

// --- instructions ----------------------------------------------------------

/** OpenQASM's U(θ, φ, λ) on q. */
export function u(q: i32, theta: f64, phi: f64, lambda: f64): void {
  if (dry || !finite(theta, phi, lambda) || !targetFree(q)) return;
  if (inverted) { const t = phi; phi = -lambda; lambda = -t; theta = -theta; }
  if (nControls > 0) { uMatrix(theta, phi, lambda); mcu(nControls, -1, q); return; }
  if (!room(condWords() + QOP_U_WORDS) || !condition()) return;
  head(QOP_U, QOP_U_WORDS);
  put(<u32>q);
  putF(theta);
  putF(phi);
  putF(lambda);
}

/** CNOT c → t; under ctrl @ an MCU of X with c as one more control. */
export function cx(c: i32, t: i32): void {
  if (dry || !targetFree(t)) return;
  if (nControls > 0) {
    if (isControl(c)) { fail(site, E_ARG, "a control qubit is used twice"); return; }
    xMatrix();
    mcu(nControls, c, t);
    return;
  }
  cnot(c, t);
}

function cnot(c: i32, t: i32): void {
  if (!room(condWords() + QOP_CX_WORDS) || !condition()) return;
  head(QOP_CX, QOP_CX_WORDS);
  put(<u32>c);
  put(<u32>t);
}

/** e^{iθ}; under ctrl @ a phase diag(1, e^{iθ}) on the last control, controlled by the others. */
export function gphase(theta: f64): void {
  if (dry || !finite(theta, 0, 0)) return;
  if (inverted) theta = -theta;
  if (nControls == 0) {
    if (!room(condWords() + QOP_GPHASE_WORDS) || !condition()) return;
    head(QOP_GPHASE, QOP_GPHASE_WORDS);
    putF(theta);
    return;
  }
  setM(1, 0, 0, 0, 0, 0, Math.cos(theta), Math.sin(theta));
  mcu(nControls - 1, -1, unchecked(controls[nControls - 1]));
}

// The matrix in m (any inverse already applied); the controls: the first k in
// force, and `extra` (≥ 0) one more.
function mcu(k: i32, extra: i32, t: i32): void {
  const n = k + (extra >= 0 ? 1 : 0);
  if (n > QJOB_MAX_CONTROLS) {
    fail(site, E_NOSPACE, "more than " + QJOB_MAX_CONTROLS.toString() + " controls on one gate (QJOB_MAX_CONTROLS)");
    return;
  }
  // One control and an X: the CNOT the engine runs fastest.
  if (n == 1 && isX()) { cnot(extra >= 0 ? extra : unchecked(controls[0]), t); return; }
  if (!room(condWords() + QOP_MCU_WORDS + n) || !condition()) return;
  head(QOP_MCU, QOP_MCU_WORDS + n);
  put(<u32>n);
  for (let i = 0; i < k; i++) put(<u32>unchecked(controls[i]));
  if (extra >= 0) put(<u32>extra);
  put(<u32>t);
  for (let i = 0; i < 8; i++) putF(unchecked(m[i]));
}

export function measure(q: i32, c: i32): void {
  if (dry || !room(condWords() + QOP_MEASURE_WORDS) || !condition()) return;
  head(QOP_MEASURE, QOP_MEASURE_WORDS);
  put(<u32>q);
  put(<u32>c);
  if (conditional && <u32>c >= condStart && <u32>c - condStart < condWidth) condWritten = true;
}

export function reset(q: i32): void {
  if (dry || !room(condWords() + QOP_RESET_WORDS) || !condition()) return;
  head(QOP_RESET, QOP_RESET_WORDS);
  put(<u32>q);
}

/** A barrier on `n` qubits at `qs` (and the controls in force); never conditional: it changes nothing. */
export function barrier(qs: StaticArray<i32>, from: i32, n: i32): void {
  if (dry || n + nControls == 0 || !room(QOP_BARRIER_WORDS + n + nControls)) return;
  head(QOP_BARRIER, QOP_BARRIER_WORDS + n + nControls);
  put(<u32>(n + nControls));
  for (let i = 0; i < nControls; i++) put(<u32>unchecked(controls[i]));
  for (let i = 0; i < n; i++) put(<u32>qs[from + i]);
}

/** A classical register's bits and name, for printing counts. */
export function creg(first: i32, width: i32, name: usize, bytes: i32): void {
  const pad = (bytes + 3) >> 2;
  if (dry || !room(QOP_CREG_WORDS + pad)) return;
  head(QOP_CREG, QOP_CREG_WORDS + pad);
  put(<u32>first);
  put(<u32>width);
  put(<u32>bytes);
  store<u32>(out + w + <usize>(pad - 1) * 4, 0);
  memory.copy(out + w, name, <usize>bytes);
  w += <usize>pad * 4;
}

// --- matrices --------------------------------------------------------------

function setM(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64): void {
  unchecked(m[0] = a); unchecked(m[1] = b); unchecked(m[2] = c); unchecked(m[3] = d);
  unchecked(m[4] = e); unchecked(m[5] = f); unchecked(m[6] = g); unchecked(m[7] = h);
}

/** U(θ, φ, λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]. */
function uMatrix(theta: f64, phi: f64, lambda: f64): void {
  const c = Math.cos(theta / 2), s = Math.sin(theta / 2);
  setM(c, 0,
    -Math.cos(lambda) * s, -Math.sin(lambda) * s,
    Math.cos(phi) * s, Math.sin(phi) * s,
    Math.cos(phi + lambda) * c, Math.sin(phi + lambda) * c);
}

function xMatrix(): void { setM(0, 0, 1, 0, 1, 0, 0, 0); }

// X to within rounding (U(π, 0, π)'s cos π/2 is 6e-17, not 0).
function isX(): bool {
  const e = 1e-15;
  return Math.abs(unchecked(m[0])) < e && Math.abs(unchecked(m[1])) < e && Math.abs(unchecked(m[2]) - 1) < e && Math.abs(unchecked(m[3])) < e &&
    Math.abs(unchecked(m[4]) - 1) < e && Math.abs(unchecked(m[5])) < e && Math.abs(unchecked(m[6])) < e && Math.abs(unchecked(m[7])) < e;
}

// --- inv @: turning a stretch of instructions around -------------------------

/** Where the next instruction will go: the start of a stretch for reverse(). */
export function mark(): usize { return w; }

/**
 * Reverses the order of the instructions written since `from` in place. Every
 * word of the stretch is reversed, which leaves each instruction reversed in
 * its new place with its first word last; walking back from the end, each
 * first word gives its length and the instruction is turned back. A QOP_IF
 * stays in front of the instruction it guards: the two are turned as one.
 */
export function reverse(from: usize): void {
  if (dry || failed || w - from <= 4) return;
  reverseWords(out + from, out + w);
  let e = out + w;
  const s = out + from;
  while (e > s) {
    const first = load<u32>(e - 4);
    let words = <usize>(first >> QOP_WORDS_SHIFT);
    if ((first & QOP_MASK) == QOP_IF) {
      const guarded = load<u32>(e - 4 - words * 4);
      words += <usize>(guarded >> QOP_WORDS_SHIFT);
    }
    reverseWords(e - words * 4, e);
    e -= words * 4;
  }
}

function reverseWords(a: usize, b: usize): void {
  b -= 4;
  while (a < b) {
    const t = load<u32>(a);
    store<u32>(a, load<u32>(b));
    store<u32>(b, t);
    a += 4;
    b -= 4;
  }
}
