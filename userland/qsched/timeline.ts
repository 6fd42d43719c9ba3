// The admin's calls on virtual time (docs/quantum.md: Arrivals and
// recalibration): TAG_QS_HOLD (no run starts after a virtual time) and
// TAG_QS_RECALIBRATE (a new calibration table from a virtual time on). Both
// need the admin right and are logged as the policy's changes are.
import { sys, reply, log, OK, E_ARG, E_PERM, E_NOSPACE, E_STATE, QS_WHY_ADMIN, QS_WHY_NONE, QS_WHY_FULL } from "../lib";
import * as cal from "./calibration";
import * as J from "./jobs";
import * as arrival from "./arrival";
import * as recal from "./recalibrate";
import { Client, refuse, who } from "./clients";
import { qpuReady, wake } from "./state";

const incoming = new StaticArray<u8>(cal.MAX_TABLE);
let running = false;

/** Tell the hold whether a run is on the QPU now (run.ts). */
export function setRunning(v: bool): void { running = v; }

function notAdmin(c: Client, what: string): i32 {
  log("audit: " + who(c) + " may not " + what + ": its grant lacks the admin right (qsched:call+control)");
  return refuse(c, QS_WHY_ADMIN, what + " needs the admin right (qsched:call+control)", E_PERM);
}

export function holdCall(c: Client, t: i64): i32 {
  if (t < -1) return refuse(c, QS_WHY_NONE, "", E_ARG);
  if (t != -1) {
    if (!c.admin) return notAdmin(c, "hold the scheduler");
    arrival.setHold(t);
    wake();
  }
  const next = arrival.now();
  const more = running || (next >= 0 && qpuReady() && arrival.allowed(next));
  reply(arrival.hold, more ? 1 : 0, J.clock, J.queue.length, recal.pending());
  return OK;
}

export function recalibrateCall(c: Client, at: i64): i32 {
  if (!c.admin) return notAdmin(c, "recalibrate the QPU");
  if (!qpuReady()) return E_STATE;
  const len = sys.lease_len(0);
  if (len < 0) return len;
  if (len > incoming.length) return refuse(c, QS_WHY_NONE, "", E_ARG);
  const got = sys.lease_read(0, 0, changetype<usize>(incoming), len);
  if (got < 0) return got;
  const when = at == 0 ? J.clock : at;
  const r = recal.add(changetype<usize>(incoming), got, when);
  if (r == E_NOSPACE) return refuse(c, QS_WHY_FULL, "recalibrations pending: QS_RECAL_PENDING", r);
  if (r != OK) return refuse(c, QS_WHY_NONE, "", r);
  log("audit: " + who(c) + " recalibrated the QPU from virtual time " + when.toString() + " ns (" + recal.pending().toString() + " pending)");
  wake();
  reply(recal.pending(), when);
  return OK;
}
