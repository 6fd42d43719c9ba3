// Running a compiled program: every shot from |0…0⟩ through every operation
// (measurements sample the state and collapse it, a condition reads the
// classical bits so far, noise is sampled per shot; the operations before the
// first of those are run once and their state copied into each shot), or, when every
// measurement is terminal and there is no noise, the state once and all shots
// sampled from it.
import * as prog from "./program";
import * as state from "./state";
import * as sample from "./sample";
import { applyGate, applyScalar } from "./kernels";
import { applyNoise, readoutOf, calibrated } from "./noise";
import { uniform } from "./rng";
import { Region, reserve } from "./region";
import { terminal } from "./compile";

let clbits: u64 = 0;
let scalar = false;
const pairArea = new Region(); // (qubit, clbit) of each terminal measurement
const prefixArea = new Region(); // the state after the operations every shot shares

/** Runs `shots` shots (0: the state once, no counts); false if memory ran out. */
export function runShots(shots: u32, perShot: bool, useScalar: bool): bool {
  scalar = useScalar;
  if (!sample.reserveShots(shots)) return false;
  if (shots > 0 && terminal && !perShot) return sampled(shots);
  // The operations before the first that draws a random number or reads a
  // classical bit give every shot the same state: computed once and copied
  // into each shot when there is memory for the copy (the same bits either way).
  const first = deterministicPrefix();
  const cached = shots > 1 && first > 0 && reserve(prefixArea, <usize>16 << state.qubits);
  if (cached) {
    state.zero();
    for (let i = 0; i < first; i++) execute(prog.opAt(i), true);
    memory.copy(prefixArea.at, state.base, <usize>16 << state.qubits);
  }
  for (let s: u32 = 0; s < max<u32>(shots, 1); s++) {
    clbits = 0;
    let i = 0;
    if (cached) {
      memory.copy(state.base, prefixArea.at, <usize>16 << state.qubits);
      i = first;
    } else state.zero();
    for (; i < prog.count; i++) execute(prog.opAt(i), true);
    if (shots > 0) sample.recordShot(s, clbits);
  }
  return true;
}

/** The index of the first operation that is a measurement, reset or noise point, or carries a condition. */
function deterministicPrefix(): i32 {
  for (let i = 0; i < prog.count; i++) {
    const op = prog.opAt(i);
    const kind = load<i32>(op, prog.OP_KIND);
    if (load<i32>(op, prog.OP_CONDITIONAL) != 0 || (kind != prog.P_GATE && kind != prog.P_PHASE)) return i;
  }
  return prog.count;
}

function sampled(shots: u32): bool {
  state.zero();
  let measures = 0;
  for (let i = 0; i < prog.count; i++) if (load<i32>(prog.opAt(i), prog.OP_KIND) == prog.P_MEASURE) measures++;
  if (!reserve(pairArea, <usize>max(measures, 1) << 3)) return false;
  let j = 0;
  for (let i = 0; i < prog.count; i++) {
    const op = prog.opAt(i);
    if (load<i32>(op, prog.OP_KIND) != prog.P_MEASURE) execute(op, false);
    else {
      store<u32>(pairArea.at + (<usize>j << 3), load<u32>(op, prog.OP_TARGET));
      store<u32>(pairArea.at + (<usize>j << 3), load<u32>(op, prog.OP_CLBIT), 4);
      j++;
    }
  }
  sample.sampleIndices(shots);
  sample.indicesToOutcomes(shots, pairArea.at, measures);
  return true;
}

function execute(op: usize, measure: bool): void {
  if (load<i32>(op, prog.OP_CONDITIONAL) != 0 && (clbits & load<u64>(op, prog.OP_COND_MASK)) != load<u64>(op, prog.OP_COND_VALUE)) return;
  const kind = load<i32>(op, prog.OP_KIND);
  const q = load<i32>(op, prog.OP_TARGET);
  if (kind == prog.P_GATE) {
    const controls = load<u32>(op, prog.OP_CONTROLS);
    if (scalar) applyScalar(state.base, state.qubits, q, controls, op + prog.OP_MATRIX);
    else applyGate(state.base, state.qubits, q, controls, op + prog.OP_MATRIX, load<i32>(op, prog.OP_KERNEL));
  } else if (kind == prog.P_MEASURE) {
    if (measure) measureInto(q, load<i32>(op, prog.OP_CLBIT));
  } else if (kind == prog.P_RESET) reset(q);
  else if (kind == prog.P_PHASE) state.globalPhase(load<f64>(op, prog.OP_MATRIX));
  else applyNoise(q);
}

/** Samples qubit q, collapses the state onto the outcome, records it (through the readout error) in clbit c. */
function measureInto(q: i32, c: i32): void {
  const p1 = state.probabilityOne(q);
  const bit = uniform() < p1 ? 1 : 0;
  state.collapse(q, bit, 1 / Math.sqrt(bit != 0 ? p1 : 1 - p1));
  const seen = calibrated ? readoutOf(q, bit) : bit;
  clbits = (clbits & ~(<u64>1 << c)) | (<u64>seen << c);
}

/** Reset: measure q and, on 1, bring the amplitudes back onto 0. */
function reset(q: i32): void {
  const p1 = state.probabilityOne(q);
  if (uniform() < p1) state.lower(q, 1 / Math.sqrt(p1));
  else state.collapse(q, 0, 1 / Math.sqrt(1 - p1));
}
