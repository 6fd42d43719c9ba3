// Whether a client's service has ended since a given time, by init's books: a
// server that keeps state per client (handles, allocations, jobs) and may have
// missed the registry's news of a client's end checks it here. A restarted
// client keeps its pid and its capabilities, so neither is proof of life.
import * as sys from "./sys";
import { OK, EV_CRASHED, EV_EXITED, EV_STOPPED, EV_KILLED, EV_GAVE_UP } from "../../kernel/abi";
import { TAG_INIT_EVENTS } from "./proto/init";

/** Whether service `index` crashed, exited, stopped or was killed at or after `since` (ns), by init's events (newest first) through `init`. */
export function endedSince(init: i32, index: i32, since: i64): bool {
  for (let k = 0; k < 64 && sys.call(init, TAG_INIT_EVENTS, index, k, 0, 0, 0, 0) == OK; k++) {
    const kind = <i32>sys.reply_word(0);
    if (sys.reply_word(1) < since) return false;
    if (kind == EV_CRASHED || kind == EV_EXITED || kind == EV_STOPPED || kind == EV_KILLED || kind == EV_GAVE_UP) return true;
  }
  return false;
}
