// The QPU engine's entry points, what the QPU device's registers will drive:
// the job and calibration are written into buffers the engine hands out (the
// device's DMA target), a run checks the job whole, compiles and runs it, and
// leaves its counts as results entries (abi/qpu.ts) at qpuResults(). Every
// refusal answers an error code and keeps its reason (qpuReason*), never a trap.
import { OK, E_NOMEM, E_UNSUPPORTED } from "../../kernel/abi";
import {
  QPU_MAX_QUBITS, QPU_DEFAULT_QUBITS, QJOB_MAX_BYTES, QJOB_HDR_QUBITS, QPU_MAX_SHOTS, QRUN_NO_FUSION, QRUN_SCALAR,
  QRUN_PER_SHOT, QRUN_UNSEEDED, QRUN_MEMORY, QERR_UNSEEDED, QERR_ALLOWANCE, QERR_SIZE, QERR_SHOTS, QERR_MEMORY, QERR_CAL_TABLE,
} from "./job-format";
import { QCAL_MAX_QUBITS, QCAL_MAX_GATES, QCAL_HEADER_BYTES, QCAL_QUBIT_BYTES, QCAL_GATE_BYTES } from "./calibration-format";
import { Region, reserve } from "./region";
import { checkJob, word } from "./check";
import { compile } from "./compile";
import { calibrate, decalibrate } from "./noise";
import { runShots } from "./run";
import * as refusal from "./refusal";
import * as rng from "./rng";
import * as state from "./state";
import * as sample from "./sample";

const CAL_MAX_BYTES = QCAL_HEADER_BYTES + QCAL_MAX_QUBITS * QCAL_QUBIT_BYTES + QCAL_MAX_GATES * QCAL_GATE_BYTES;
const jobArea = new Region();
const calArea = new Region();
let allowed: u32 = QPU_DEFAULT_QUBITS;

/** The qubits this QPU allows (the image's manifest; QPU_DEFAULT_QUBITS until set). */
export function qpuAllow(n: i32): i32 {
  refusal.clearRefusal();
  if (n < 1 || n > QPU_MAX_QUBITS) return refusal.refuse(QERR_ALLOWANCE, -1, n, QPU_MAX_QUBITS);
  allowed = n;
  return OK;
}

/** Where to write a job of `bytes` bytes; 0 if no job is that long or memory ran out. */
export function qpuJobBuffer(bytes: i32): usize {
  if (bytes < 0 || bytes > QJOB_MAX_BYTES || !reserve(jobArea, <usize>bytes)) return 0;
  return jobArea.at;
}

/** Where to write a calibration table of `bytes` bytes; 0 if no table is that long or memory ran out. */
export function qpuCalibrationBuffer(bytes: i32): usize {
  if (bytes < 0 || bytes > CAL_MAX_BYTES || !reserve(calArea, <usize>bytes)) return 0;
  return calArea.at;
}

/** Reads the calibration table written to the buffer (`bytes` long); 0 bytes: an ideal QPU, noiseless and all-to-all. */
export function qpuCalibrate(bytes: i32): i32 {
  refusal.clearRefusal();
  if (bytes == 0) {
    decalibrate();
    return OK;
  }
  if (bytes < 0 || <usize>bytes > calArea.bytes) {
    decalibrate();
    return refusal.refuse(QERR_CAL_TABLE, -1, bytes, 0);
  }
  return calibrate(calArea.at, bytes);
}

/**
 * Runs the job written to the job buffer (`bytes` long) for `shots` shots
 * from `seed`: the number of results entries, or an error code with the
 * reason kept. 0 shots runs the circuit once and keeps its state (qpuState).
 * QRUN_UNSEEDED draws from the host's random bytes instead of the seed;
 * QRUN_MEMORY keeps each shot's outcome in shot order (the result count is
 * then the shots, QRES_SHOT_BYTES each at qpuResults()).
 */
export function qpuRun(bytes: i32, shots: i32, seed: i64, flags: i32): i32 {
  refusal.clearRefusal();
  if (bytes < 0 || <usize>bytes > jobArea.bytes) return refusal.refuse(QERR_SIZE, -1, bytes, QJOB_MAX_BYTES);
  if (shots < 0 || shots > QPU_MAX_SHOTS) return refusal.refuse(QERR_SHOTS, -1, shots, QPU_MAX_SHOTS);
  const unseeded = (flags & QRUN_UNSEEDED) != 0, perShotReadout = (flags & QRUN_MEMORY) != 0;
  if (unseeded && !rng.canDrawUnseeded()) return refusal.refuse(QERR_UNSEEDED, -1, 0, 0, E_UNSUPPORTED);
  const job = jobArea.at;
  let r = checkJob(job, bytes, allowed);
  if (r != OK) return r;
  r = compile(job, (flags & QRUN_NO_FUSION) == 0);
  if (r != OK) return r;
  const n = <i32>word(job, QJOB_HDR_QUBITS);
  if (!state.allocate(n)) return refusal.refuse(QERR_MEMORY, -1, n, 0, E_NOMEM);
  if (unseeded) rng.unseed();
  else rng.seed(<u64>seed);
  const perShot = perShotReadout || (flags & QRUN_PER_SHOT) != 0;
  if (!runShots(<u32>shots, perShot, (flags & QRUN_SCALAR) != 0)) return refusal.refuse(QERR_MEMORY, -1, n, 0, E_NOMEM);
  resultsAt = perShotReadout ? sample.outcomes : sample.results;
  if (shots == 0) return 0;
  return perShotReadout ? shots : sample.count(<u32>shots);
}

let resultsAt: usize = 0;
/** The last run's results: counts entries, or with QRUN_MEMORY each shot's outcome. */
export function qpuResults(): usize { return resultsAt; }
/** The amplitudes a run left (after 0 shots: the circuit's final state), 16 bytes each. */
export function qpuState(): usize { return state.base; }
export function qpuStateQubits(): i32 { return state.qubits; }
export function qpuReason(): i32 { return refusal.reason; }
export function qpuReasonAt(): i32 { return refusal.at; }
export function qpuReasonA(): i64 { return refusal.first; }
export function qpuReasonB(): i64 { return refusal.second; }
