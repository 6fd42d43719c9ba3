// Whether a client is gone, by init's books: a server that keeps state per
// client (handles, allocations, jobs) and may have missed the registry's
// news of a client's end checks it here, with one rule for every server
// (the device manager's sweep, the quantum scheduler's). A client is alive
// while its service runs or is paused: a paused service keeps its pid, its
// capabilities and what it holds, and svc resume lets it go on where it
// stopped. A restarted client keeps its pid and its capabilities, so neither
// is proof of life: an end since its first call is.
import * as sys from "./sys";
import { OK, EV_CRASHED, EV_EXITED, EV_STOPPED, EV_KILLED, EV_GAVE_UP, SVC_RUNNING, SVC_PAUSED } from "../../kernel/abi";
import { TAG_INIT_EVENTS } from "./proto/init";

/** Whether an event of this kind (EV_*) ends a service's instance: what it held as a client is gone with it. */
export function endsInstance(kind: i32): bool {
  return kind == EV_CRASHED || kind == EV_EXITED || kind == EV_STOPPED || kind == EV_KILLED || kind == EV_GAVE_UP;
}

/** Whether a service in this state (SVC_*, TAG_INIT_STATUS's first word) may still be a client: running or paused. */
export function aliveState(state: i32): bool { return state == SVC_RUNNING || state == SVC_PAUSED; }

/** Whether service `index` crashed, exited, stopped or was killed at or after `since` (ns), by init's events (newest first) through `init`. */
export function endedSince(init: i32, index: i32, since: i64): bool {
  for (let k = 0; k < 64 && sys.call(init, TAG_INIT_EVENTS, index, k, 0, 0, 0, 0) == OK; k++) {
    const kind = <i32>sys.reply_word(0);
    if (sys.reply_word(1) < since) return false;
    if (endsInstance(kind)) return true;
  }
  return false;
}

/**
 * Whether the client that is service `index` at init, in `state` (its
 * TAG_INIT_STATUS), first seen at `since` (ns), is gone: its service is down
 * or on its way down, or its instance ended since.
 */
export function clientGone(init: i32, index: i32, state: i32, since: i64): bool {
  return !aliveState(state) || endedSince(init, index, since);
}
