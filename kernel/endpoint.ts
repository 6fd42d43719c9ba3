// Endpoints: every process has one, and a bounded queue of asynchronous
// messages waiting for delivery to its quark_handle. Synchronous calls never
// queue: they run the server's handler at once (see ipc.ts).
import { MAX_PROCS, QUEUE_DEPTH, MSG_WORDS } from "./abi";
import { lookupAny, remove } from "./cspace";
import { table } from "./table";

const Q = MAX_PROCS * QUEUE_DEPTH;
const qBadge = table<i32>(Q);
const qTag = table<i32>(Q);
const qCap = table<i32>(Q); // slot in the receiver of a transferred capability, or -1
const qWords = table<i64>(Q * MSG_WORDS);
const qHead = table<i32>(MAX_PROCS);
export const qCount = table<i32>(MAX_PROCS);
// How many sends may wait for each process (the manifest's queue_depth), at most QUEUE_DEPTH.
export const qLimit = table<i32>(MAX_PROCS);

export function queuesInit(): void { for (let p = 0; p < MAX_PROCS; p++) unchecked(qLimit[p] = QUEUE_DEPTH); }

/** Index of the queue entry to fill for `pid`; the caller checked qCount < QUEUE_DEPTH. */
export function enqueue(pid: i32, badge: i32, tag: i32, cap: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): void {
  const n = unchecked(qCount[pid]);
  const e = pid * QUEUE_DEPTH + (unchecked(qHead[pid]) + n) % QUEUE_DEPTH;
  unchecked(qBadge[e] = badge);
  unchecked(qTag[e] = tag);
  unchecked(qCap[e] = cap);
  const w = e * MSG_WORDS;
  unchecked(qWords[w] = w0); unchecked(qWords[w + 1] = w1); unchecked(qWords[w + 2] = w2);
  unchecked(qWords[w + 3] = w3); unchecked(qWords[w + 4] = w4); unchecked(qWords[w + 5] = w5);
  unchecked(qCount[pid] = n + 1);
}

/** The entry at the head of `pid`'s queue (caller checked qCount > 0). */
@inline export function head(pid: i32): i32 { return pid * QUEUE_DEPTH + unchecked(qHead[pid]); }
@inline export function entryBadge(e: i32): i32 { return unchecked(qBadge[e]); }
@inline export function entryTag(e: i32): i32 { return unchecked(qTag[e]); }
@inline export function entryCap(e: i32): i32 { return unchecked(qCap[e]); }
@inline export function entryWord(e: i32, i: i32): i64 { return unchecked(qWords[e * MSG_WORDS + i]); }

export function dequeue(pid: i32): void {
  unchecked(qHead[pid] = (unchecked(qHead[pid]) + 1) % QUEUE_DEPTH);
  unchecked(qCount[pid] = unchecked(qCount[pid]) - 1);
}

/**
 * Drop every queued message; returns how many. A capability sent with a
 * dropped message was already copied into `pid`'s space: delete it, since no
 * handler will ever be told its slot.
 */
export function drain(pid: i32): i32 {
  const n = unchecked(qCount[pid]);
  for (let i = 0; i < n; i++) {
    const cap = unchecked(qCap[pid * QUEUE_DEPTH + (unchecked(qHead[pid]) + i) % QUEUE_DEPTH]);
    if (cap >= 0) {
      const g = lookupAny(pid, cap);
      if (g >= 0) remove(g);
    }
  }
  unchecked(qCount[pid] = 0);
  unchecked(qHead[pid] = 0);
  return n;
}
