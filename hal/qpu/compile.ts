// A checked job into the program a run executes (program.ts). On an ideal QPU
// consecutive one-qubit gates on a qubit are multiplied into one matrix
// (fusion, as qsim does): a qubit's product is applied before anything else
// touches that qubit, a barrier on it, a condition on it, or the end. On a
// calibrated QPU every gate is translated into the device's basis (basis.ts)
// and each is followed by its noise. Also finds whether every measurement is
// terminal, so that a run can sample all shots from one state.
import { OK } from "../../kernel/abi";
import {
  QJOB_HEADER_WORDS, QJOB_HDR_COUNT, QJOB_HDR_QUBITS, QOP_U, QOP_CX, QOP_MEASURE, QOP_RESET, QOP_BARRIER, QOP_IF,
  QOP_GPHASE, QOP_MCU, QERR_CAL_QUBITS, QERR_MEMORY, QPU_MAX_QUBITS,
} from "./job-format";
import { word, real, opOf, wordsOf } from "./check";
import * as prog from "./program";
import * as mat from "./matrix";
import * as basis from "./basis";
import { calibrated, calQubits } from "./noise";
import { refuse } from "./refusal";

const pending = new StaticArray<f64>(QPU_MAX_QUBITS * 8); // each qubit's product not yet applied
let pendingMask: u32 = 0;
const gate = new StaticArray<f64>(8);
const X = new StaticArray<f64>(8);
X[2] = 1;
X[4] = 1;

let fusion = true;
let phaseSum: f64 = 0;
let measured: u32 = 0; // qubits measured so far
/** Whether the last program's measurements all come after every other operation on their qubits, with no reset or condition. */
export let terminal = true;

@inline function at(a: StaticArray<f64>): usize { return changetype<usize>(a); }
@inline function pendingAt(q: u32): usize { return at(pending) + (<usize>q << 6); }

/** Compiles the checked job at `job`; OK, or a refusal (a calibrated QPU refuses what its basis or coupling cannot run). */
export function compile(job: usize, fuse: bool): i32 {
  prog.start();
  fusion = fuse && !calibrated;
  phaseSum = 0;
  pendingMask = 0;
  measured = 0;
  terminal = !calibrated;
  const n = word(job, QJOB_HDR_QUBITS);
  if (calibrated && n > <u32>calQubits) return refuse(QERR_CAL_QUBITS, -1, n, calQubits);
  const count = word(job, QJOB_HDR_COUNT);
  let pos: u32 = QJOB_HEADER_WORDS;
  for (let i: u32 = 0; i < count; i++) {
    const head = word(job, pos);
    const op = opOf(head);
    const r = op == QOP_IF ? condition(job, pos) : instruction(job, pos, op, i);
    if (op != QOP_IF) prog.clearCondition();
    if (r != OK) return r;
    pos += wordsOf(head);
  }
  flushAll();
  if (phaseSum != 0) prog.emitPhase(phaseSum);
  return prog.complete() ? OK : refuse(QERR_MEMORY, -1, n, 0);
}

function condition(job: usize, pos: u32): i32 {
  terminal = false;
  prog.setCondition(word(job, pos + 1), word(job, pos + 2), <u64>word(job, pos + 3) | (<u64>word(job, pos + 4) << 32));
  return OK;
}

/** Marks the qubits of `mask` as acted on: a gate after a measurement makes the run per shot. */
@inline function touch(mask: u32): void {
  if ((mask & measured) != 0) terminal = false;
}

function instruction(job: usize, pos: u32, op: u32, index: u32): i32 {
  if (op == QOP_U) {
    const q = word(job, pos + 1);
    mat.uMatrix(at(gate), real(job, pos + 2), real(job, pos + 4), real(job, pos + 6));
    return oneQubit(q, index);
  }
  if (op == QOP_MCU) {
    const k = word(job, pos + 1);
    const t = word(job, pos + 2 + k);
    memory.copy(at(gate), job + (<usize>(pos + 3 + k) << 2), 64);
    if (k == 0) return oneQubit(t, index);
    let controls: u32 = 0;
    for (let j: u32 = 0; j < k; j++) controls |= 1 << word(job, pos + 2 + j);
    touch(controls | (1 << t));
    flush(controls | (1 << t));
    if (calibrated) return basis.controlled(job + (<usize>(pos + 2) << 2), k, t, at(gate), index);
    prog.emitGate(t, controls, at(gate), false);
    return OK;
  }
  if (op == QOP_CX) {
    const c = word(job, pos + 1), t = word(job, pos + 2);
    touch((1 << c) | (1 << t));
    flush((1 << c) | (1 << t));
    if (calibrated) return basis.cx(c, t, index);
    prog.emitGate(t, 1 << c, at(X), false);
    return OK;
  }
  if (op == QOP_MEASURE) {
    const q = word(job, pos + 1);
    flush(1 << q);
    measured |= 1 << q;
    prog.emitMeasure(q, word(job, pos + 2));
    return OK;
  }
  if (op == QOP_RESET) {
    const q = word(job, pos + 1);
    terminal = false;
    flush(1 << q);
    prog.emitReset(q);
    if (calibrated) basis.resetNoise(q);
    return OK;
  }
  if (op == QOP_BARRIER) {
    for (let j: u32 = 0; j < word(job, pos + 1); j++) flush(1 << word(job, pos + 2 + j));
    return OK;
  }
  if (op == QOP_GPHASE) return globalPhase(real(job, pos + 1));
  return OK; // QOP_CREG: for the tools printing counts
}

function oneQubit(q: u32, index: u32): i32 {
  touch(1 << q);
  if (calibrated) return basis.oneQubit(q, at(gate), index);
  if (!fusion || prog.conditional) {
    flush(1 << q);
    prog.emitGate(q, 0, at(gate), false);
    return OK;
  }
  const p = pendingAt(q);
  if ((pendingMask & (1 << q)) != 0) mat.mul(p, at(gate), p);
  else mat.copy(p, at(gate));
  pendingMask |= 1 << q;
  return OK;
}

/** A global phase has no effect on counts; on an ideal QPU it is kept (one pass at the end, or in place under a condition or without fusion). */
function globalPhase(theta: f64): i32 {
  if (calibrated) return OK;
  if (!fusion || prog.conditional) prog.emitPhase(theta);
  else phaseSum += theta;
  return OK;
}

/** Applies the pending products of the qubits in `mask`. */
function flush(mask: u32): void {
  let todo = mask & pendingMask;
  if (todo == 0) return;
  // An operation under a condition keeps the condition off the products emitted before it.
  const was = prog.conditional;
  prog.clearCondition();
  while (todo != 0) {
    const q = ctz(todo);
    todo &= todo - 1;
    if (!mat.isIdentity(pendingAt(q))) prog.emitGate(q, 0, pendingAt(q), false);
  }
  pendingMask &= ~mask;
  prog.holdCondition(was);
}

function flushAll(): void { flush(pendingMask); }
