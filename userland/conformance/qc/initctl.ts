// init's control protocol as the suites use it: find a service by its
// manifest name, and read its status (the runner grants qc "init").
import { sys, capByName, OK, LEASE_READ, TAG_INIT_FIND, TAG_INIT_STATUS } from "../../lib";

let cap = -2; // -2: not looked up yet

/** qc's capability to init, or a negative error if the image grants none. */
export function initCap(): i32 {
  if (cap == -2) cap = capByName("init");
  return cap;
}

/** The index init knows `name` by, or -1. */
export function findService(name: string): i32 {
  const b = String.UTF8.encode(name);
  sys.lease(0, changetype<usize>(b), b.byteLength, LEASE_READ);
  return sys.call(initCap(), TAG_INIT_FIND, 0, 0, 0, 0, 0, 0) == OK ? <i32>sys.reply_word(0) : -1;
}

/** Service i's SVC_* state (the other reply words: pid, restarts, faults, ...), or -1. */
export function serviceStatus(i: i32): i64 {
  return sys.call(initCap(), TAG_INIT_STATUS, i, 0, 0, 0, 0, 0) == OK ? sys.reply_word(0) : -1;
}
