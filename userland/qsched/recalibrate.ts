// Recalibration (docs/quantum.md: Arrivals and recalibration): an admin gives
// the scheduler a new calibration table of the same device, to take effect at
// a virtual time (TAG_QS_RECALIBRATE). Pending tables wait in time order;
// before a run starts at or after a table's time the scheduler takes it (the
// placements, durations and success estimates of everything from then on use
// it), the device gets it cut down to each run's qubits at the run's
// QPU_CMD_CALIBRATE, and every queued job is re-estimated where it would run;
// a queued job that no placement can run any more ends QS_JOB_FAILED with
// the reason (under coherence-aware: its shot no longer fits any qubit's
// window). A table whose time the clock has passed is taken when the next
// one comes, so only tables of the virtual future wait.
import { log, OK, E_ARG, E_STATE, E_NOSPACE, QS_RECAL_PENDING, QS_JOB_QUEUED, QS_WHY_COHERENCE, QS_WHY_NOMAP, QS_POL_COHERENCE } from "../lib";
import { QCAL_HEADER_BYTES, QCAL_HDR_QUBITS } from "../../hal/qpu/calibration-format";
import * as cal from "./calibration";
import * as harvest from "./harvest";
import * as device from "./device";
import * as profile from "./profile";
import * as placement from "./placement";
import * as A from "./allocs";
import * as J from "./jobs";
import { policy } from "./state";
import { estimate, fail } from "./run";

const tables = new Array<ArrayBuffer>();
const times = new Array<i64>();
export let applied = 0;
const saved = new StaticArray<u8>(cal.MAX_TABLE);
const avail = new StaticArray<bool>(cal.MAX_QUBITS_);

export function pending(): i32 { return tables.length; }

/**
 * Check the table at `src` (`bytes` long) and keep it for virtual time `at`;
 * OK or E_ARG (it does not hold together, another qubit count, a time before
 * a pending one's), E_NOSPACE, E_STATE (the QPU is ideal).
 */
export function add(src: usize, bytes: i32, at: i64): i32 {
  if (cal.calQubits == 0) return E_STATE;
  // Tables already due are taken now, as the next run would (it starts at the clock or later).
  due(J.clock);
  if (at < 0 || (times.length > 0 && at < times[times.length - 1])) return E_ARG;
  if (tables.length >= QS_RECAL_PENDING) return E_NOSPACE;
  if (bytes < QCAL_HEADER_BYTES || bytes > cal.MAX_TABLE || <i32>load<u32>(src + QCAL_HDR_QUBITS) != cal.calQubits) return E_ARG;
  // The calibration's own checks, on the table in place, then the current one back.
  const allow = cal.devQubits, oldBytes = cal.tableBytes;
  memory.copy(changetype<usize>(saved), changetype<usize>(cal.table), oldBytes);
  memory.copy(changetype<usize>(cal.table), src, bytes);
  const ok = cal.load_(bytes, allow);
  memory.copy(changetype<usize>(cal.table), changetype<usize>(saved), oldBytes);
  cal.load_(oldBytes, allow);
  if (!ok) return E_ARG;
  const t = new ArrayBuffer(bytes);
  memory.copy(changetype<usize>(t), src, bytes);
  tables.push(t);
  times.push(at);
  return OK;
}

/** Take every pending table due at virtual time t (the last one wins); true if one was taken. */
export function due(t: i64): bool {
  let taken = -1;
  while (tables.length > 0 && times[0] <= t) {
    const b = tables.shift();
    times.shift();
    memory.copy(changetype<usize>(cal.table), changetype<usize>(b), b.byteLength);
    taken = b.byteLength;
  }
  if (taken < 0) return false;
  const allow = cal.devQubits;
  if (!cal.load_(taken, allow)) log("recalibration: the table no longer holds together");
  device.recalibrated();
  harvest.recalibrated();
  applied++;
  reestimate();
  return true;
}

/** Every queued job's estimates on the new figures, where it would run now; one that cannot run any more fails. */
function reestimate(): void {
  for (let i = J.queue.length - 1; i >= 0; i--) {
    const j = unchecked(J.queue[i]);
    if (j.state != QS_JOB_QUEUED) continue;
    const a: A.Alloc | null = j.alloc == 0 ? null : A.byId(j.alloc);
    const code = changetype<usize>(j.code);
    profile.analyse(code, j.code.byteLength);
    A.all(avail, a);
    if (!placement.search(code, j.code.byteLength, j.shots, avail, j.mapAny, policy)) {
      const why = policy == QS_POL_COHERENCE && placement.tooLong ? QS_WHY_COHERENCE : QS_WHY_NOMAP;
      fail(j, E_STATE, why, "after a recalibration no qubits of this QPU can run it");
      continue;
    }
    A.usable(avail, a);
    if (!placement.search(code, j.code.byteLength, j.shots, avail, j.mapAny, policy)) {
      A.all(avail, a);
      placement.search(code, j.code.byteLength, j.shots, avail, j.mapAny, policy);
    }
    estimate(j);
  }
}
