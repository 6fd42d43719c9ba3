// The noise model, exactly as Qiskit Aer's NoiseModel.from_backend builds it
// (qiskit_aer/noise/device/models.py: basic_device_gate_errors,
// _device_depolarizing_error, _device_thermal_relaxation_error,
// _truncate_t2_value; qiskit_aer/noise/errors/standard_errors.py:
// thermal_relaxation_error, depolarizing_error; basic_device_readout_errors),
// at Aer's default temperature 0 (no excited-state population):
// - after each calibrated gate, a depolarizing error then thermal relaxation
//   on each of its qubits for the gate's length, T2 clamped to 2·T1; the
//   depolarizing parameter is chosen so that the composition's average gate
//   infidelity is the calibrated gate error (depolarizing() below);
// - a measurement's classical bit flips by the 2×2 assignment matrix
//   (prob_meas1_prep0, prob_meas0_prep1); idle qubits are unaffected.
// The engine samples these channels per shot (quantum trajectories): a Pauli
// with its probability, and the relaxation's Kraus operators with the
// probabilities the state gives them (docs/qpu.md).
import { OK } from "../../kernel/abi";
import {
  QCAL_MAGIC, QCAL_VERSION, QCAL_HEADER_BYTES, QCAL_HDR_MAGIC, QCAL_HDR_VERSION, QCAL_HDR_QUBITS, QCAL_HDR_GATES,
  QCAL_HDR_BYTES, QCAL_HDR_RESERVED0, QCAL_HDR_RESERVED1, QCAL_HDR_RESERVED2, QCAL_QUBIT_BYTES, QCAL_Q_T1, QCAL_Q_T2,
  QCAL_Q_P10, QCAL_Q_P01, QCAL_Q_READOUT_NS, QCAL_GATE_BYTES, QCAL_G_KIND, QCAL_G_Q0, QCAL_G_Q1, QCAL_G_RESERVED,
  QCAL_G_ERROR, QCAL_G_LENGTH_NS, QCAL_GATE_ID, QCAL_GATE_RESET, QCAL_GATE_CX, QCAL_NONE, QCAL_MAX_QUBITS, QCAL_MAX_GATES,
} from "./calibration-format";
import { QERR_CAL_TABLE, QERR_CAL_QUBIT, QERR_CAL_GATE, QERR_MEMORY } from "./job-format";
import { refuse } from "./refusal";
import { Region, reserve } from "./region";
import { uniform, next } from "./rng";
import * as state from "./state";
import { applyGate } from "./kernels";
import { K_SWAP, K_ANTI } from "./program";

// A noise record, one per calibrated gate (byte offsets).
export const NR_QUBITS = 0; // i32: 1 or 2
export const NR_Q0 = 4;
export const NR_Q1 = 8;
export const NR_DEPOLARIZING = 16; // f64: the depolarizing parameter p
export const NR_GAMMA0 = 24; // f64: 1 − e^{−length/T1} of the first qubit
export const NR_ZFLIP0 = 32; // f64: the probability of the extra phase flip that brings its coherence to e^{−length/T2}
export const NR_GAMMA1 = 40;
export const NR_ZFLIP1 = 48;
export const NR_BYTES = 64;

const KINDS = QCAL_GATE_RESET + 1;
const derived = new Region();
let records: usize = 0; // NR_BYTES each
let oneIndex: usize = 0; // i16 per (kind, qubit): a record, or -1
let cxIndex: usize = 0; // i16 per (control, target): a record, or -1 (not coupled)
let readout: usize = 0; // f64 pairs per qubit: P(1|0), P(0|1)
export let calibrated = false;
export let calQubits: i32 = 0;

export function decalibrate(): void { calibrated = false; calQubits = 0; }

@inline export function oneRecord(kind: i32, q: i32): i32 { return load<i16>(oneIndex + (<usize>(kind * QCAL_MAX_QUBITS + q) << 1)); }
@inline export function cxRecord(c: i32, t: i32): i32 { return load<i16>(cxIndex + (<usize>(c * QCAL_MAX_QUBITS + t) << 1)); }
@inline export function recordAt(r: i32): usize { return records + (<usize>r * NR_BYTES); }

/** Reads the calibration table at `table` (`len` bytes); OK, or a refusal, the QPU then uncalibrated. */
export function calibrate(table: usize, len: u32): i32 {
  decalibrate();
  if (len < <u32>QCAL_HEADER_BYTES || load<u32>(table, QCAL_HDR_MAGIC) != QCAL_MAGIC || load<u32>(table, QCAL_HDR_VERSION) != QCAL_VERSION ||
    load<u32>(table, QCAL_HDR_BYTES) != len || (load<u32>(table, QCAL_HDR_RESERVED0) | load<u32>(table, QCAL_HDR_RESERVED1) | load<u32>(table, QCAL_HDR_RESERVED2)) != 0) {
    return refuse(QERR_CAL_TABLE, -1, len, 0);
  }
  const nq = load<u32>(table, QCAL_HDR_QUBITS);
  const ng = load<u32>(table, QCAL_HDR_GATES);
  if (nq == 0 || nq > <u32>QCAL_MAX_QUBITS || ng > <u32>QCAL_MAX_GATES || <u64>QCAL_HEADER_BYTES + <u64>nq * QCAL_QUBIT_BYTES + <u64>ng * QCAL_GATE_BYTES != len) {
    return refuse(QERR_CAL_TABLE, -1, len, 0);
  }
  const indexBytes = <usize>(KINDS + QCAL_MAX_QUBITS) * QCAL_MAX_QUBITS * 2;
  if (!reserve(derived, <usize>ng * NR_BYTES + indexBytes + <usize>QCAL_MAX_QUBITS * 16)) return refuse(QERR_MEMORY, -1, 0, 0);
  records = derived.at;
  oneIndex = records + <usize>ng * NR_BYTES;
  cxIndex = oneIndex + <usize>KINDS * QCAL_MAX_QUBITS * 2;
  readout = oneIndex + indexBytes;
  memory.fill(oneIndex, 0xff, indexBytes); // every index -1
  const qs = table + QCAL_HEADER_BYTES;
  for (let q: u32 = 0; q < nq; q++) if (!qubitOk(qs + <usize>q * QCAL_QUBIT_BYTES, q)) return refuse(QERR_CAL_QUBIT, -1, q, 0);
  const gs = qs + <usize>nq * QCAL_QUBIT_BYTES;
  for (let g: u32 = 0; g < ng; g++) if (!gateOk(gs + <usize>g * QCAL_GATE_BYTES, g, nq, qs)) return refuse(QERR_CAL_GATE, -1, g, 0);
  calQubits = nq;
  calibrated = true;
  return OK;
}

@inline function probability(p: f64): bool { return p >= 0 && p <= 1; }

function qubitOk(rec: usize, q: u32): bool {
  const t1 = load<f64>(rec, QCAL_Q_T1), t2 = load<f64>(rec, QCAL_Q_T2);
  const p10 = load<f64>(rec, QCAL_Q_P10), p01 = load<f64>(rec, QCAL_Q_P01), ro = load<f64>(rec, QCAL_Q_READOUT_NS);
  // NaN fails every comparison, so a NaN figure is refused here too.
  if (!(t1 > 0) || !(t2 > 0) || !probability(p10) || !probability(p01) || !(ro >= 0) || !isFinite<f64>(ro)) return false;
  store<f64>(readout + (<usize>q << 4), p10);
  store<f64>(readout + (<usize>q << 4), p01, 8);
  return true;
}

function gateOk(rec: usize, g: u32, nq: u32, qs: usize): bool {
  const kind = load<u32>(rec, QCAL_G_KIND), q0 = load<u32>(rec, QCAL_G_Q0), q1 = load<u32>(rec, QCAL_G_Q1);
  const err = load<f64>(rec, QCAL_G_ERROR), len = load<f64>(rec, QCAL_G_LENGTH_NS);
  if (kind < <u32>QCAL_GATE_ID || kind > <u32>QCAL_GATE_RESET || q0 >= nq || load<u32>(rec, QCAL_G_RESERVED) != 0) return false;
  if (!probability(err) || !(len >= 0) || !isFinite<f64>(len)) return false;
  const two = kind == QCAL_GATE_CX;
  if (two ? q1 >= nq || q1 == q0 : q1 != QCAL_NONE) return false;
  const slot = two ? cxIndex + (<usize>(q0 * QCAL_MAX_QUBITS + q1) << 1) : oneIndex + (<usize>(kind * QCAL_MAX_QUBITS + q0) << 1);
  if (load<i16>(slot) != -1) return false;
  store<i16>(slot, <i16>g);
  fillRecord(recordAt(g), two ? 2 : 1, q0, q1, err, len, qs);
  return true;
}

function fillRecord(r: usize, n: i32, q0: u32, q1: u32, err: f64, len: f64, qs: usize): void {
  store<i32>(r, n, NR_QUBITS);
  store<i32>(r, q0, NR_Q0);
  store<i32>(r, n == 2 ? q1 : 0, NR_Q1);
  const a = qs + <usize>q0 * QCAL_QUBIT_BYTES;
  let fid = relax(r + NR_GAMMA0, len, load<f64>(a, QCAL_Q_T1), load<f64>(a, QCAL_Q_T2));
  if (n == 2) {
    const b = qs + <usize>q1 * QCAL_QUBIT_BYTES;
    fid *= relax(r + NR_GAMMA1, len, load<f64>(b, QCAL_Q_T1), load<f64>(b, QCAL_Q_T2));
  }
  store<f64>(r, depolarizing(n, err, len == 0 ? 1 : averageFidelity(n, fid)), NR_DEPOLARIZING);
}

/**
 * Thermal relaxation on one qubit for `len` ns (Aer's thermal_relaxation_error
 * at zero excited population, T2 clamped to 2·T1 by _truncate_t2_value): the
 * amplitude damping γ = 1 − e^{−len/T1} and the phase-flip probability that
 * brings the coherence to e^{−len/T2}, stored at `at`; answers the channel's
 * process fidelity (2 − γ + 2e^{−len/T2}) / 4.
 */
function relax(at: usize, len: f64, t1: f64, t2: f64): f64 {
  if (len == 0) {
    store<f64>(at, 0);
    store<f64>(at, 0, 8);
    return 1;
  }
  const t2c = Math.min(t2, 2 * t1);
  const gamma = 1 - Math.exp(-len / t1);
  const coherence = Math.exp(-len / t2c);
  // Amplitude damping alone leaves coherence √(1 − γ); a phase flip with probability z scales it by 1 − 2z.
  const rest = Math.sqrt(1 - gamma);
  const z = rest > 0 ? Math.max(0, Math.min(0.5, (1 - coherence / rest) / 2)) : 0;
  store<f64>(at, gamma);
  store<f64>(at, z, 8);
  return (2 - gamma + 2 * coherence) / 4;
}

/** Average gate fidelity from process fidelity, for n qubits: (d·F_pro + 1) / (d + 1). */
@inline function averageFidelity(n: i32, processFidelity: f64): f64 {
  const d = <f64>(1 << n);
  return (d * processFidelity + 1) / (d + 1);
}

/**
 * Aer's _device_depolarizing_error: the parameter p of an n-qubit depolarizing
 * channel that, composed with a relaxation of average fidelity `relaxFid`,
 * has average gate infidelity `err`: p = d·(err − (1 − F)) / (d·F − 1), the
 * error clipped to d / (d + 1) and p to 4^n / (4^n − 1); 0 when the
 * relaxation alone reaches the error.
 */
export function depolarizing(n: i32, err: f64, relaxFid: f64): f64 {
  const relaxInfid = 1 - relaxFid;
  if (!(err > relaxInfid)) return 0;
  const d = <f64>(1 << n);
  const e = Math.min(err, d / (d + 1));
  const p = (d * (e - relaxInfid)) / (d * relaxFid - 1);
  const dd = d * d;
  return Math.min(p, dd / (dd - 1));
}

/** For the tests: the depolarizing parameter of an n-qubit gate from its figures (qubit b unused when n = 1). */
export function depolarizingFor(n: i32, err: f64, len: f64, t1a: f64, t2a: f64, t1b: f64, t2b: f64): f64 {
  if (len == 0) return depolarizing(n, err, 1);
  let fid = relax(changetype<usize>(scratch), len, t1a, t2a);
  if (n == 2) fid *= relax(changetype<usize>(scratch), len, t1b, t2b);
  return depolarizing(n, err, averageFidelity(n, fid));
}
const scratch = new StaticArray<f64>(2);

// ---------------------------------------------------------------- trajectories

const pauliY = new StaticArray<f64>(8);
pauliY[3] = -1; // m01 = −i
pauliY[5] = 1; // m10 = i

function pauli(q: i32, which: i32): void {
  if (which == 1) applyGate(state.base, state.qubits, q, 0, 0, K_SWAP);
  else if (which == 2) applyGate(state.base, state.qubits, q, 0, changetype<usize>(pauliY), K_ANTI);
  else if (which == 3) state.scaleHalves(q, 1, -1);
}

/** One sample of relaxation on qubit q: the decay with probability γ·P(1), else the no-decay operator; then the phase flip. */
function relaxOnce(q: i32, gamma: f64, z: f64): void {
  if (gamma > 0) {
    const p1 = state.probabilityOne(q);
    if (uniform() < gamma * p1) state.lower(q, 1 / Math.sqrt(p1));
    else {
      const norm = 1 / Math.sqrt(1 - gamma * p1);
      state.scaleHalves(q, norm, Math.sqrt(1 - gamma) * norm);
    }
  }
  if (z > 0 && uniform() < z) state.scaleHalves(q, 1, -1);
}

/** The noise of record r, sampled once: the depolarizing error, then relaxation on each qubit. */
export function applyNoise(r: i32): void {
  const rec = recordAt(r);
  const n = load<i32>(rec, NR_QUBITS);
  const q0 = load<i32>(rec, NR_Q0), q1 = load<i32>(rec, NR_Q1);
  const p = load<f64>(rec, NR_DEPOLARIZING);
  if (p > 0) {
    // Aer's depolarizing_error: each of the 4^n − 1 non-identity Paulis with probability p / 4^n.
    const paulis = n == 2 ? 16 : 4;
    if (uniform() < (p * <f64>(paulis - 1)) / <f64>paulis) {
      const which = 1 + <i32>(next() % <u64>(paulis - 1));
      pauli(q0, which & 3);
      if (n == 2) pauli(q1, which >> 2);
    }
  }
  relaxOnce(q0, load<f64>(rec, NR_GAMMA0), load<f64>(rec, NR_ZFLIP0));
  if (n == 2) relaxOnce(q1, load<f64>(rec, NR_GAMMA1), load<f64>(rec, NR_ZFLIP1));
}

/** The classical bit a measurement of q that gave `bit` records, through the assignment matrix. */
export function readoutOf(q: i32, bit: i32): i32 {
  const flip = load<f64>(readout + (<usize>q << 4) + (bit != 0 ? 8 : 0));
  return flip > 0 && uniform() < flip ? bit ^ 1 : bit;
}
