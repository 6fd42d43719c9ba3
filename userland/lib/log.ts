// Logging through the log service: the text goes to it in a read-only lease,
// and it stamps the line with the time and the caller's name.
import * as sys from "./sys";
import { LEASE_READ } from "../../kernel/abi";
import { TAG_LOG_WRITE } from "./proto/index";
import { capByName } from "./caps";
import { writeStr } from "./fmt";

const MAX = 1024;
const buf = new StaticArray<u8>(MAX);
let logSlot = -1;

/** The log capability's slot, or < 0 if this service holds none (yet: init gets its own once log runs). */
export function logCap(): i32 {
  if (logSlot < 0) logSlot = capByName("log");
  return logSlot;
}

/** Log a line; returns 0 or an error (E_BADSLOT if the manifest grants no "log"). */
export function log(msg: string): i32 {
  const slot = logCap();
  if (slot < 0) return slot;
  const p = changetype<usize>(buf);
  const n = <i32>(writeStr(p, msg, MAX) - p);
  sys.lease(0, p, n, LEASE_READ);
  return sys.call(slot, TAG_LOG_WRITE, 0, 0, 0, 0, 0, 0);
}
