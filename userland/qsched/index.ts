// qsched: the quantum scheduler (docs/quantum.md). It is the QPU's driver
// (manifest driver = "qpu": the device manager attaches each QPU to it
// through the driver framework) and the only service that touches the
// device; clients reach it with a capability (caps = ["qsched:call"]) and
// use abi/protocols/qsched.ts: allocations within their manifest's qubits
// quota, jobs written in OpenQASM, their status in virtual time, results.
//
// This file holds the entries: the device manager's calls (driver
// framework), the registry's events (a client that goes away loses its
// allocations and jobs), the timer (calibration, then runs: run.ts) and the
// clients' calls (requests.ts).
import {
  sys, arg, registry, log, OK, E_PERM, E_NOSYS, CSPACE_SLOTS, NOTE_STOP, DRV_BADGE, DRV_DEVICES, TAG_DRV_ATTACH,
  TAG_DRV_DETACH, TAG_REG_EVENT, endsInstance, QS_CLIENTS,
} from "../lib";
import { QPU_DEFAULT_QUBITS } from "../../hal/qpu/job-format";
import { driverStart, driverHandle, driverDone, driverNotify, lineHandled } from "../drivers/framework";
import * as cal from "./calibration";
import * as device from "./device";
import * as A from "./allocs";
import * as J from "./jobs";
import { clients, drop, who, PEER_LABEL } from "./clients";
import { loadCalibration } from "./source";
import { calPending, setCalPending, wake } from "./state";
import { runNext, lineFired, lost } from "./run";
import { sweep, gone } from "./gone";
import { clientCall } from "./requests";

let subscribed = false;

export function quark_start(pid: i32, restarts: i32): i32 {
  if (restarts > 0) {
    // The endpoints the previous instance kept: its clients' rows are gone with it.
    for (let n = 0; n < CSPACE_SLOTS; n++) {
      let found = false;
      for (let r = 0; r < QS_CLIENTS; r++) { const s = sys.cap_find(PEER_LABEL + r); if (s >= 0) { sys.cap_delete(s); found = true; } }
      if (!found) break;
    }
  }
  cal.setIdeal(QPU_DEFAULT_QUBITS);
  const r = driverStart(restarts);
  wake(); // the registry (init) cannot answer while it starts us: subscribe from the timer
  return r;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  let r: i32;
  if (badge == DRV_BADGE) r = driverCall(tag);
  else if (tag == TAG_REG_EVENT) r = badge == 0 ? serviceEvent(<i32>arg(0), <i32>arg(1), arg(5)) : E_PERM;
  else r = clientCall(badge, tag);
  driverDone();
  return r;
}

function driverCall(tag: i32): i32 {
  const r = driverHandle(DRV_BADGE, tag);
  if (r == 1) return E_NOSYS; // no I/O through the device manager: clients use this protocol
  if (tag == TAG_DRV_ATTACH && r == OK) { device.forget(); setCalPending(true); wake(); log("QPU " + device.deviceId().toString() + " attached"); }
  if (tag == TAG_DRV_DETACH && r == OK) { device.forget(); lost(); }
  return r;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  const rows = driverNotify(bits);
  if (rows != 0) lineRows(rows);
  if (!subscribed && registry.subscribe("*") == OK) subscribed = true;
  if (calPending && device.row() >= 0) {
    const cap = device.ready();
    if (cap >= 0 && loadCalibration(cap, device.allowance())) setCalPending(false);
    else sys.timer_set(sys.time() + 1000000);
  }
  if (!subscribed) sys.timer_set(sys.time() + 1000000);
  runNext();
  return OK;
}

/** The QPU's line (each command raises it): cleared and armed again, then the run that waited for it. */
function lineRows(rows: i32): void {
  for (let r = 0; r < DRV_DEVICES; r++) if ((rows & (1 << r)) != 0) lineHandled(r);
  lineFired();
}

// ------------------------------------------------------------ clients going away

/**
 * A service went away (the registry's event, from init): its allocations and
 * jobs go with it. An event lost to a full queue (w5: missed) may have been a
 * client's end: the clients init's books say are down are swept up then.
 */
function serviceEvent(index: i32, kind: i32, missed: i64): i32 {
  if (missed > 0) sweep("after " + missed.toString() + " lost service events");
  if (!endsInstance(kind)) return OK;
  for (let r = 0; r < QS_CLIENTS; r++) { const c = unchecked(clients[r]); if (c != null && c.index == index) { gone(r, "went away"); break; } }
  return OK;
}

