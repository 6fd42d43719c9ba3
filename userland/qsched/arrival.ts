// Arrivals in virtual time (docs/quantum.md: Arrivals and recalibration). A
// job may name its arrival (TAG_QS_SUBMIT's w4): it starts no earlier, and
// the clock passes the QPU's idle time up to it. The scheduler's "now" is the
// clock, or, when every queued job arrives later, the earliest arrival: only
// jobs that have arrived by then may run or share the run. An admin's hold
// (TAG_QS_HOLD) keeps any run from starting after a virtual time, so a client
// that submits arrivals in order can let the scheduler go exactly as far as
// the jobs it has told it of, whatever the host's timing.
import { QS_JOB_QUEUED } from "../lib";
import * as J from "./jobs";

/** No run starts after this virtual time (0: no hold). */
export let hold: i64 = 0;

export function setHold(t: i64): void { hold = t; }

/** The virtual time the next run would start at: the clock, or the earliest queued arrival if later; -1 with nothing queued. */
export function now(): i64 {
  let first: i64 = -1;
  for (let i = 0; i < J.queue.length; i++) {
    const j = unchecked(J.queue[i]);
    if (j.state != QS_JOB_QUEUED) continue;
    if (first < 0 || j.submitV < first) first = j.submitV;
  }
  return first < 0 ? -1 : max(J.clock, first);
}

/** May a run start at virtual time t (the hold allows it)? */
export function allowed(t: i64): bool { return t >= 0 && (hold == 0 || t <= hold); }

/** Has queued job j arrived by t? */
@inline export function arrived(j: J.Job, t: i64): bool { return j.submitV <= t; }

/** A job's submit time: its arrival if it names one, else the clock. */
export function arrivalOf(arrival: i64): i64 { return arrival > 0 ? arrival : J.clock; }
