// The QPU as its driver sees it (docs/qpu.md: The QPU device): the device
// the device manager attached (driver framework, row `row`), bound for DMA,
// and three windows of kernel-managed memory the device reads and writes:
// the job, the calibration cut down to a job's qubits, and the counts.
import {
  sys, OK, E_STATE, VM_READ, VM_WRITE, DEV_TYPE_QPU, DRV_DEVICES, QPU_QUBITS, QPU_JOB_ADDR, QPU_JOB_LEN, QPU_SHOTS,
  QPU_SEED_LO, QPU_SEED_HI, QPU_FLAGS, QPU_RES_ADDR, QPU_RES_LEN, QPU_CAL_ADDR, QPU_CAL_LEN, QPU_CMD, QPU_CMD_RUN,
  QPU_CMD_CALIBRATE, QPU_STATUS, QPU_BUSY, QPU_RESULTS, QPU_REASON, QPU_REASON_AT, QPU_REASON_A, QPU_REASON_B,
  QS_RESULT_ENTRIES,
} from "../lib";
import { QRES_ENTRY_BYTES } from "../../hal/qpu/job-format";
import { dId, dType, dCap } from "../drivers/framework";
import * as cal from "./calibration";

const PAGE = 4096;
/** Longest compiled job the scheduler takes (bytes). */
export const JOB_MAX = 256 * 1024;
const JOB_AT: u32 = 0x40000000;
const CAL_AT: u32 = 0x40100000;
const RES_AT: u32 = 0x40200000;
const CAL_PAGES = (cal.MAX_TABLE + PAGE - 1) / PAGE;
const RES_BYTES = QS_RESULT_ENTRIES * QRES_ENTRY_BYTES;

let mapped = false;
let boundId = 0; // the device id bound for DMA (0: none)
let calKey = ""; // the placement the device is calibrated for now
const calBuf = new StaticArray<u8>(cal.MAX_TABLE);

/** The attached QPU's row in the framework's table, or -1. */
export function row(): i32 {
  for (let r = 0; r < DRV_DEVICES; r++) if (unchecked(dId[r]) != 0 && unchecked(dType[r]) == DEV_TYPE_QPU) return r;
  return -1;
}

export function deviceId(): i32 { const r = row(); return r < 0 ? 0 : unchecked(dId[r]); }

/** The QPU's allowance (QPU_QUBITS), or 0 with none attached. */
export function allowance(): i32 {
  const r = row();
  if (r < 0) return 0;
  const n = <i32>sys.dev_read(unchecked(dCap[r]), QPU_QUBITS);
  return n > 0 ? n : 0;
}

/** Map the windows once and bind the attached QPU for DMA (again after a new attach); its capability or an error. */
export function ready(): i32 {
  const r = row();
  if (r < 0) return E_STATE;
  const cap = unchecked(dCap[r]);
  if (!mapped) {
    let m = sys.vm_map(JOB_AT, JOB_MAX / PAGE, VM_READ | VM_WRITE);
    if (m == OK) m = sys.vm_map(CAL_AT, CAL_PAGES, VM_READ | VM_WRITE);
    if (m == OK) m = sys.vm_map(RES_AT, (RES_BYTES + PAGE - 1) / PAGE, VM_READ | VM_WRITE);
    if (m != OK) return m;
    mapped = true;
  }
  if (boundId != unchecked(dId[r])) {
    const b = sys.dma_bind(cap, 1);
    if (b < 0) return b;
    boundId = unchecked(dId[r]);
    calKey = "-";
  }
  return cap;
}

/** The device forgot what it had (detached, or attached anew). */
export function forget(): void { boundId = 0; calKey = "-"; }

/** The calibration changed (a recalibration): the next run calibrates the device again, whatever its qubits. */
export function recalibrated(): void { calKey = "-"; }

/** Calibrate the QPU for logical i on place[i]; OK or the device's error. Skipped when it already is. */
export function calibrate(cap: i32, place: StaticArray<i32>, k: i32): i32 {
  let key = "";
  for (let i = 0; i < k; i++) key += unchecked(place[i]).toString() + ",";
  if (cal.calQubits == 0) key = "ideal";
  if (key == calKey) return OK;
  const n = cal.restrict(place, k, changetype<usize>(calBuf));
  if (n > 0 && sys.vm_write(CAL_AT, <i32>changetype<usize>(calBuf), n) != n) return E_STATE;
  sys.dev_write(cap, QPU_CAL_ADDR, <i32>CAL_AT);
  sys.dev_write(cap, QPU_CAL_LEN, n);
  const w = sys.dev_write(cap, QPU_CMD, QPU_CMD_CALIBRATE);
  if (w < 0) return w;
  const s = <i32>sys.dev_read(cap, QPU_STATUS);
  if (s != OK) { calKey = "-"; return s; }
  calKey = key;
  return OK;
}

/** Start a run of the job at `job` (bytes long); the status now: outcomes, QPU_BUSY (the line says when), or an error. */
export function run(cap: i32, job: usize, bytes: i32, shots: i32, seed: i64, flags: i32 = 0): i32 {
  if (bytes > JOB_MAX) return E_STATE;
  if (sys.vm_write(JOB_AT, <i32>job, bytes) != bytes) return E_STATE;
  sys.dev_write(cap, QPU_JOB_ADDR, <i32>JOB_AT); sys.dev_write(cap, QPU_JOB_LEN, bytes);
  sys.dev_write(cap, QPU_SHOTS, shots);
  sys.dev_write(cap, QPU_SEED_LO, <i32>seed); sys.dev_write(cap, QPU_SEED_HI, <i32>(seed >>> 32));
  sys.dev_write(cap, QPU_FLAGS, flags);
  sys.dev_write(cap, QPU_RES_ADDR, <i32>RES_AT); sys.dev_write(cap, QPU_RES_LEN, RES_BYTES);
  const w = sys.dev_write(cap, QPU_CMD, QPU_CMD_RUN);
  if (w < 0) return w;
  return status(cap);
}

export function status(cap: i32): i32 { return <i32>sys.dev_read(cap, QPU_STATUS); }
export function isBusy(s: i32): bool { return s == QPU_BUSY; }
export function outcomesAll(cap: i32): i32 { return <i32>sys.dev_read(cap, QPU_RESULTS); }

/** The device's reason for its last refusal: QPU_REASON, _AT, _A, _B. */
export function reason(cap: i32, i: i32): i32 {
  const r = i == 0 ? QPU_REASON : i == 1 ? QPU_REASON_AT : i == 2 ? QPU_REASON_A : QPU_REASON_B;
  return <i32>sys.dev_read(cap, r);
}

/** Copy `n` results entries the device wrote into `out`. */
export function readResults(out: usize, n: i32): bool {
  const bytes = n * QRES_ENTRY_BYTES;
  return sys.vm_read(RES_AT, <i32>out, bytes) == bytes;
}

/** Copy `bytes` of per-shot outcomes (QRUN_MEMORY) the device wrote into `out`. */
export function readShots(out: usize, bytes: i32): bool {
  return bytes >= 0 && bytes <= RES_BYTES && sys.vm_read(RES_AT, <i32>out, bytes) == bytes;
}
