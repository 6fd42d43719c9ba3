// Clients that went away (docs/quantum.md: Clients): their allocations are
// freed, their unfinished jobs fail, their ended ones belong to nobody. The
// registry's events say so; when one was lost (a full queue) or the client
// table is full, init's books are swept for clients that are down.
import {
  sys, log, capByName, clientGone, OK, E_STATE, QS_CLIENTS, QS_JOB_RUNNING, QS_WHY_GONE, TAG_INIT_STATUS,
} from "../lib";
import * as A from "./allocs";
import * as J from "./jobs";
import { clients, drop, who } from "./clients";
import { fail } from "./run";
import { wake } from "./state";

/** Forget every client init's books say is gone (lib/ended.ts: neither running nor paused, or ended since its first call here); how many. */
export function sweep(why: string): i32 {
  const init = capByName("init");
  if (init < 0) return 0;
  let n = 0;
  for (let r = 0; r < QS_CLIENTS; r++) {
    const c = unchecked(clients[r]);
    if (c == null || c.index < 0 || sys.call(init, TAG_INIT_STATUS, c.index, 0, 0, 0, 0, 0) != OK) continue;
    if (!clientGone(init, c.index, <i32>sys.reply_word(0), c.since)) continue;
    gone(r, "was found gone in a sweep " + why);
    n++;
  }
  return n;
}

/** Client row r went away: its allocations are freed, its unfinished jobs fail, its ended ones belong to nobody. */
export function gone(r: i32, how: string): void {
  const c = unchecked(clients[r])!;
  let freed = 0, ended = 0;
  for (let i = 0; i < A.allocs.length; i++) {
    const a = unchecked(A.allocs[i]);
    if (a != null && a.owner == c.pid) { freed += a.k; A.release(a); }
  }
  for (let i = J.queue.length - 1; i >= 0; i--) {
    const j = unchecked(J.queue[i]);
    if (j.owner != c.pid || j.state == QS_JOB_RUNNING) continue;
    j.wanted = false;
    fail(j, E_STATE, QS_WHY_GONE, "its owner went away");
    ended++;
  }
  for (let i = 0; i < J.order.length; i++) { const j = unchecked(J.order[i]); if (j.owner == c.pid && j.state != QS_JOB_RUNNING) j.owner = 0; }
  log(who(c) + " " + how + ": " + freed.toString() + " qubits freed, " + ended.toString() + " unfinished jobs ended");
  drop(r);
  wake();
}
