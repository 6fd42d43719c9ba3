// Notifications and timers. Each process has one notification word: bits
// raised by signal capabilities, interrupts and the kernel's timer, delivered
// to its quark_notify when it is not running. Each process has a timer
// (NOTE_TIMER) and a tick (NOTE_TICK), one deadline each, multiplexed onto the
// HAL's single comparator. A tick is for monitoring: when only ticks are
// pending, nothing is left to do, and the machine may stop.
import { MAX_PROCS, NOTE_TIMER, NOTE_TICK, PS_RUNNING } from "./abi";
import { pState } from "./proc";
import { armTimer, nowNs } from "./clock";
import { markReady } from "./sched";
import { table } from "./table";

export const notePending = table<i32>(MAX_PROCS);
const timerAt = table<i64>(MAX_PROCS);
const tickAt = table<i64>(MAX_PROCS);
let earliest: i64 = 0; // of timers and ticks
let timersPending = false;

export function raiseBits(pid: i32, bits: i32): void {
  unchecked(notePending[pid] = unchecked(notePending[pid]) | bits);
  if (unchecked(pState[pid]) == PS_RUNNING) markReady(pid);
}

export function setTimer(pid: i32, deadline: i64): void {
  unchecked(timerAt[pid] = deadline < 0 ? 0 : deadline);
  rearm();
}

export function setTick(pid: i32, deadline: i64): void {
  unchecked(tickAt[pid] = deadline < 0 ? 0 : deadline);
  rearm();
}

export function clearNotes(pid: i32): void {
  unchecked(notePending[pid] = 0);
  unchecked(timerAt[pid] = 0);
  unchecked(tickAt[pid] = 0);
}

function rearm(): void {
  let e: i64 = 0;
  let timers = false;
  for (let p = 0; p < MAX_PROCS; p++) {
    const t = unchecked(timerAt[p]);
    if (t > 0) { timers = true; if (e == 0 || t < e) e = t; }
    const k = unchecked(tickAt[p]);
    if (k > 0 && (e == 0 || k < e)) e = k;
  }
  earliest = e;
  timersPending = timers;
  armTimer(e);
}

/** On a timer interrupt: raise NOTE_TIMER for every deadline passed. */
export function expireTimers(): void {
  const now = nowNs();
  for (let p = 0; p < MAX_PROCS; p++) {
    const t = unchecked(timerAt[p]);
    if (t > 0 && t <= now) { unchecked(timerAt[p] = 0); raiseBits(p, NOTE_TIMER); }
    const k = unchecked(tickAt[p]);
    if (k > 0 && k <= now) { unchecked(tickAt[p] = 0); raiseBits(p, NOTE_TICK); }
  }
  rearm();
}

/** The earliest pending deadline of a timer or a tick, or 0 for none. */
export function nextDeadline(): i64 { return earliest; }

/** Is a timer (not just a tick) pending? */
export function timerPending(): bool { return timersPending; }
