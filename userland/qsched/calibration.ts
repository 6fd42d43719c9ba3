// The QPU's calibration as the scheduler keeps it (docs/quantum.md): the
// whole device's table as the image gave it (hal/qpu/calibration-format.ts),
// unpacked into per-qubit and per-pair figures for placement and virtual
// time, and cut down to the k qubits a job gets, in the job's order, for
// QPU_CMD_CALIBRATE. Without a table the QPU is ideal: every pair coupled,
// no noise, and nominal durations (IDEAL_*) so that virtual time still moves.
import {
  QCAL_MAGIC, QCAL_VERSION, QCAL_HEADER_BYTES, QCAL_HDR_MAGIC, QCAL_HDR_VERSION, QCAL_HDR_QUBITS, QCAL_HDR_GATES,
  QCAL_HDR_BYTES, QCAL_QUBIT_BYTES, QCAL_Q_T1, QCAL_Q_T2, QCAL_Q_P10, QCAL_Q_P01, QCAL_Q_READOUT_NS, QCAL_GATE_BYTES,
  QCAL_G_KIND, QCAL_G_Q0, QCAL_G_Q1, QCAL_G_ERROR, QCAL_G_LENGTH_NS, QCAL_GATE_SX, QCAL_GATE_X, QCAL_GATE_CX,
  QCAL_GATE_RESET, QCAL_NONE, QCAL_MAX_QUBITS, QCAL_MAX_GATES,
} from "../../hal/qpu/calibration-format";

// Nominal durations of the ideal QPU: IBM's ibmq_manila, qubit 0 (hal/qpu/calibrations/manila.toml):
// sx 35.56 ns, cx (0,1) 277.3 ns, readout 5351 ns, reset 5515 ns.
const IDEAL_1Q_NS: f64 = 35.55555555555556;
const IDEAL_CX_NS: f64 = 277.3333333333333;
const IDEAL_READOUT_NS: f64 = 5351.11111111111;
const IDEAL_RESET_NS: f64 = 5514.666666666666;

const MAXQ = QCAL_MAX_QUBITS;
export const MAX_QUBITS_ = QCAL_MAX_QUBITS;
const logical = new StaticArray<i32>(MAXQ);
export const MAX_TABLE = QCAL_HEADER_BYTES + QCAL_MAX_QUBITS * QCAL_QUBIT_BYTES + QCAL_MAX_GATES * QCAL_GATE_BYTES;

/** Qubit records of the table (0: ideal). */
export let calQubits = 0;
/** Physical qubits the scheduler places jobs on: the calibrated ones (at most the QPU's allowance), or the allowance. */
export let devQubits = 0;
/** Coupled (directed) pairs. */
export let pairCount = 0;
/** The table as given, for TAG_QS_CALIBRATION. */
export const table = new StaticArray<u8>(MAX_TABLE);
export let tableBytes = 0;

export const t1 = new StaticArray<f64>(MAXQ);
export const t2 = new StaticArray<f64>(MAXQ);
export const readoutNs = new StaticArray<f64>(MAXQ);
/** Readout fidelity: 1 − (P(1|0) + P(0|1)) / 2. */
export const readoutFid = new StaticArray<f64>(MAXQ);
export const sxErr = new StaticArray<f64>(MAXQ);
export const sxNs = new StaticArray<f64>(MAXQ);
export const xErr = new StaticArray<f64>(MAXQ);
export const xNs = new StaticArray<f64>(MAXQ);
export const resetNs = new StaticArray<f64>(MAXQ);
/** Pair (a, b) → its gate row + 1 (0: not coupled). */
const pairRow = new StaticArray<i16>(MAXQ * MAXQ);
const cxErrs = new StaticArray<f64>(QCAL_MAX_GATES);
const cxLens = new StaticArray<f64>(QCAL_MAX_GATES);

@inline function f64At(off: i32): f64 { return load<f64>(changetype<usize>(table) + <usize>off); }
@inline function u32At(off: i32): u32 { return load<u32>(changetype<usize>(table) + <usize>off); }

/** The ideal QPU of `allow` qubits. */
export function setIdeal(allow: i32): void {
  calQubits = 0; tableBytes = 0; pairCount = 0;
  devQubits = min(allow, MAXQ);
  for (let q = 0; q < MAXQ; q++) {
    unchecked(t1[q] = Infinity); unchecked(t2[q] = Infinity); unchecked(readoutNs[q] = IDEAL_READOUT_NS);
    unchecked(readoutFid[q] = 1.0); unchecked(sxErr[q] = 0); unchecked(sxNs[q] = IDEAL_1Q_NS);
    unchecked(xErr[q] = 0); unchecked(xNs[q] = IDEAL_1Q_NS); unchecked(resetNs[q] = IDEAL_RESET_NS);
  }
  for (let i = 0; i < MAXQ * MAXQ; i++) unchecked(pairRow[i] = 0);
}

/**
 * Take the table in `table[0..bytes)`; false (and ideal) when its header or
 * records do not hold together. The device checks it again when it reads it.
 */
export function load_(bytes: i32, allow: i32): bool {
  setIdeal(allow);
  if (bytes < QCAL_HEADER_BYTES || bytes > MAX_TABLE) return false;
  const n = <i32>u32At(QCAL_HDR_QUBITS), g = <i32>u32At(QCAL_HDR_GATES);
  if (u32At(QCAL_HDR_MAGIC) != QCAL_MAGIC || u32At(QCAL_HDR_VERSION) != QCAL_VERSION || n < 1 || n > MAXQ ||
    g < 0 || g > QCAL_MAX_GATES || <i32>u32At(QCAL_HDR_BYTES) != bytes ||
    bytes != QCAL_HEADER_BYTES + n * QCAL_QUBIT_BYTES + g * QCAL_GATE_BYTES) return false;
  for (let q = 0; q < n; q++) {
    const at = QCAL_HEADER_BYTES + q * QCAL_QUBIT_BYTES;
    const a = f64At(at + QCAL_Q_T1), b = f64At(at + QCAL_Q_T2), p10 = f64At(at + QCAL_Q_P10), p01 = f64At(at + QCAL_Q_P01);
    const ro = f64At(at + QCAL_Q_READOUT_NS);
    if (!(a > 0) || !(b > 0) || !(p10 >= 0 && p10 <= 1) || !(p01 >= 0 && p01 <= 1) || !(ro >= 0 && isFinite(ro))) { setIdeal(allow); return false; }
    unchecked(t1[q] = a); unchecked(t2[q] = min(b, 2 * a)); unchecked(readoutNs[q] = ro);
    unchecked(readoutFid[q] = 1 - (p10 + p01) / 2);
    // No figure for a gate: no error and the ideal length (the engine runs it noiselessly too).
    unchecked(resetNs[q] = ro);
  }
  const first = QCAL_HEADER_BYTES + n * QCAL_QUBIT_BYTES;
  for (let k = 0; k < g; k++) {
    const at = first + k * QCAL_GATE_BYTES;
    const kind = <i32>u32At(at + QCAL_G_KIND), a = <i32>u32At(at + QCAL_G_Q0), b = <i32>u32At(at + QCAL_G_Q1);
    const e = f64At(at + QCAL_G_ERROR), len = f64At(at + QCAL_G_LENGTH_NS);
    if (a >= n || !(e >= 0 && e <= 1) || !(len >= 0 && isFinite(len))) { setIdeal(allow); return false; }
    if (kind == QCAL_GATE_CX) {
      if (b >= n || b == a) { setIdeal(allow); return false; }
      unchecked(cxErrs[k] = e); unchecked(cxLens[k] = len);
      if (unchecked(pairRow[a * MAXQ + b]) == 0) pairCount++;
      unchecked(pairRow[a * MAXQ + b] = <i16>(k + 1));
    } else if (kind == QCAL_GATE_SX) { unchecked(sxErr[a] = e); unchecked(sxNs[a] = len); }
    else if (kind == QCAL_GATE_X) { unchecked(xErr[a] = e); unchecked(xNs[a] = len); }
    else if (kind == QCAL_GATE_RESET) unchecked(resetNs[a] = len);
  }
  calQubits = n;
  tableBytes = bytes;
  devQubits = min(n, allow);
  return true;
}

/**
 * The probability of the likelier reading when qubit q measures |+⟩, from its
 * readout errors alone: P(1) = (1 − P(0|1) + P(1|0)) / 2, and the larger of
 * P(1) and P(0). 0.5 on an ideal QPU.
 */
export function plusBias(q: i32): f64 {
  if (calQubits == 0 || q < 0 || q >= calQubits) return 0.5;
  const at = QCAL_HEADER_BYTES + q * QCAL_QUBIT_BYTES;
  const p1 = (1 - f64At(at + QCAL_Q_P01) + f64At(at + QCAL_Q_P10)) / 2;
  return max(p1, 1 - p1);
}

/** Is the directed pair (a, b) coupled? The ideal QPU couples every pair. */
@inline export function coupled(a: i32, b: i32): bool {
  return calQubits == 0 ? a != b : unchecked(pairRow[a * MAXQ + b]) != 0;
}

/** Either direction coupled (a two-qubit gate could use the pair). */
@inline export function linked(a: i32, b: i32): bool { return coupled(a, b) || coupled(b, a); }

export function cxErr(a: i32, b: i32): f64 {
  if (calQubits == 0) return 0;
  const r = <i32>unchecked(pairRow[a * MAXQ + b]);
  return r == 0 ? 1.0 : unchecked(cxErrs[r - 1]);
}

export function cxNs(a: i32, b: i32): f64 {
  if (calQubits == 0) return IDEAL_CX_NS;
  const r = <i32>unchecked(pairRow[a * MAXQ + b]);
  return r == 0 ? IDEAL_CX_NS : unchecked(cxLens[r - 1]);
}

/**
 * The table restricted to the physical qubits place[0..k) (logical i on
 * place[i]), written at `out`: their qubit records in that order, and the
 * gate records whose qubits are all among them, renumbered. Its length; 0
 * for the ideal QPU (QPU_CMD_CALIBRATE with 0 bytes: ideal).
 */
export function restrict(place: StaticArray<i32>, k: i32, out: usize): i32 {
  if (calQubits == 0) return 0;
  for (let q = 0; q < MAXQ; q++) unchecked(logical[q] = -1);
  for (let i = 0; i < k; i++) unchecked(logical[unchecked(place[i])] = i);
  const src = changetype<usize>(table);
  for (let i = 0; i < k; i++) {
    memory.copy(out + <usize>(QCAL_HEADER_BYTES + i * QCAL_QUBIT_BYTES),
      src + <usize>(QCAL_HEADER_BYTES + unchecked(place[i]) * QCAL_QUBIT_BYTES), QCAL_QUBIT_BYTES);
  }
  const g = <i32>u32At(QCAL_HDR_GATES);
  const first = QCAL_HEADER_BYTES + calQubits * QCAL_QUBIT_BYTES;
  let at = out + <usize>(QCAL_HEADER_BYTES + k * QCAL_QUBIT_BYTES), kept = 0;
  for (let j = 0; j < g; j++) {
    const from = first + j * QCAL_GATE_BYTES;
    const a = <i32>u32At(from + QCAL_G_Q0), b = <i32>u32At(from + QCAL_G_Q1);
    const la = unchecked(logical[a]);
    if (la < 0) continue;
    let lb: i32 = QCAL_NONE;
    if (<u32>b != QCAL_NONE) { if (b >= MAXQ || unchecked(logical[b]) < 0) continue; lb = unchecked(logical[b]); }
    memory.copy(at, src + <usize>from, QCAL_GATE_BYTES);
    store<u32>(at + QCAL_G_Q0, <u32>la);
    store<u32>(at + QCAL_G_Q1, <u32>lb);
    at += QCAL_GATE_BYTES;
    kept++;
  }
  const bytes = QCAL_HEADER_BYTES + k * QCAL_QUBIT_BYTES + kept * QCAL_GATE_BYTES;
  memory.copy(out, src, QCAL_HEADER_BYTES);
  store<u32>(out + QCAL_HDR_QUBITS, <u32>k);
  store<u32>(out + QCAL_HDR_GATES, <u32>kept);
  store<u32>(out + QCAL_HDR_BYTES, <u32>bytes);
  return bytes;
}
