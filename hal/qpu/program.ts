// The compiled program a run executes: fixed-size operations in a region, each
// a gate (a 2×2 matrix on a target, applied where the control mask's qubits
// are 1), a measurement, a reset, a global phase or a noise point, optionally
// under a classical condition. compile.ts writes it from a checked job.
import { Region, reserve } from "./region";
import { copy, re, im } from "./matrix";

export const P_GATE = 1;
export const P_MEASURE = 2;
export const P_RESET = 3;
export const P_PHASE = 4; // global phase e^{iθ}, θ in the matrix's first real
export const P_NOISE = 5; // the noise record (noise.ts) in TARGET, after a calibrated gate

// Kernels a gate's matrix allows (kernels.ts): the general one, or a cheaper one for its shape.
export const K_GENERAL = 0;
export const K_DIAGONAL = 1;
export const K_ANTI = 2; // anti-diagonal
export const K_SWAP = 3; // exactly X: the pair's amplitudes exchanged

// Byte offsets in an operation.
export const OP_KIND = 0;
export const OP_KERNEL = 4;
export const OP_TARGET = 8;
export const OP_CONTROLS = 12; // mask of control qubits
export const OP_CLBIT = 16;
export const OP_CONDITIONAL = 20; // 1: runs only if (classical bits & COND_MASK) == COND_VALUE
export const OP_COND_MASK = 24;
export const OP_COND_VALUE = 32;
export const OP_MATRIX = 48;
export const OP_BYTES = 112;

const ops = new Region();
export let count: i32 = 0;
let failed = false;

// The condition the next emitted operations carry (an IF's, for one instruction).
export let conditional = false;
export let condMask: u64 = 0;
export let condValue: u64 = 0;

export function setCondition(start: u32, width: u32, value: u64): void {
  conditional = true;
  condMask = (width == 64 ? ~<u64>0 : (<u64>1 << width) - 1) << start;
  condValue = value << start;
}
export function clearCondition(): void { conditional = false; }
/** Sets whether the condition applies again (fusion emits products made before it without it). */
export function holdCondition(on: bool): void { conditional = on; }

export function start(): void {
  count = 0;
  failed = false;
  conditional = false;
}

/** False if some operation found no memory (the run is then refused). */
export function complete(): bool { return !failed; }

@inline export function opAt(i: i32): usize { return ops.at + <usize>i * OP_BYTES; }

/** A new operation of `kind` with the current condition; 0 when memory ran out. */
function emit(kind: i32): usize {
  if (!reserve(ops, <usize>(count + 1) * OP_BYTES, true)) { failed = true; return 0; }
  const op = opAt(count++);
  memory.fill(op, 0, OP_BYTES);
  store<i32>(op, kind, OP_KIND);
  store<i32>(op, conditional ? 1 : 0, OP_CONDITIONAL);
  store<u64>(op, condMask, OP_COND_MASK);
  store<u64>(op, condValue, OP_COND_VALUE);
  return op;
}

function kernelOf(m: usize): i32 {
  const offDiagonal = re(m, 1) == 0 && im(m, 1) == 0 && re(m, 2) == 0 && im(m, 2) == 0;
  if (offDiagonal) return K_DIAGONAL;
  if (re(m, 0) != 0 || im(m, 0) != 0 || re(m, 3) != 0 || im(m, 3) != 0) return K_GENERAL;
  return re(m, 1) == 1 && im(m, 1) == 0 && re(m, 2) == 1 && im(m, 2) == 0 ? K_SWAP : K_ANTI;
}

export function emitGate(target: u32, controls: u32, m: usize, general: bool): void {
  const op = emit(P_GATE);
  if (op == 0) return;
  store<i32>(op, target, OP_TARGET);
  store<u32>(op, controls, OP_CONTROLS);
  copy(op + OP_MATRIX, m);
  store<i32>(op, general ? K_GENERAL : kernelOf(m), OP_KERNEL);
}

export function emitMeasure(q: u32, clbit: u32): void {
  const op = emit(P_MEASURE);
  if (op == 0) return;
  store<i32>(op, q, OP_TARGET);
  store<i32>(op, clbit, OP_CLBIT);
}

export function emitReset(q: u32): void {
  const op = emit(P_RESET);
  if (op != 0) store<i32>(op, q, OP_TARGET);
}

export function emitPhase(theta: f64): void {
  const op = emit(P_PHASE);
  if (op != 0) store<f64>(op, theta, OP_MATRIX);
}

export function emitNoise(record: i32): void {
  const op = emit(P_NOISE);
  if (op != 0) store<i32>(op, record, OP_TARGET);
}
