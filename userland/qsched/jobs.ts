// Jobs: their records (QS_JOBS, an ended one reused oldest first), the queue
// of unfinished ones in submission order, and the virtual clock
// (docs/quantum.md: Virtual time). A job's duration is its shots times its
// one-shot schedule on its qubits plus QS_RESET_NS; jobs run one after
// another in virtual time, so the clock is the end of the last job run, and
// a queued job's start and end are projected from the jobs ahead of it.
import {
  QS_JOBS, QS_QUEUE, QS_JOB_QUEUED, QS_JOB_DONE, QS_WHY_NONE, QS_RESET_NS, QS_POL_FIFO,
} from "../lib";

export class Job {
  id: i32 = 0;
  owner: i32 = 0; // pid (0: its owner went away)
  state: i32 = QS_JOB_QUEUED;
  shots: i32 = 0;
  seed: i64 = 0;
  alloc: i32 = 0; // allocation id (0: none)
  mapAny: bool = false;
  qubits: i32 = 0;
  clbits: i32 = 0;
  code: ArrayBuffer = new ArrayBuffer(0); // the compiled job
  submitV: i64 = 0;
  startV: i64 = -1;
  endV: i64 = -1;
  estNs: i64 = 0; // estimated duration, all shots
  estPpm: i32 = 0;
  energy: i64 = 0; // µJ
  policy: i32 = QS_POL_FIFO;
  place: StaticArray<i32> = new StaticArray<i32>(32);
  placed: bool = false;
  outcome: i32 = 0; // outcomes when done, the error code when failed
  results: ArrayBuffer = new ArrayBuffer(0);
  why: i32 = QS_WHY_NONE;
  whyText: string = "";
  devReason: StaticArray<i32> = new StaticArray<i32>(4);
  wanted: bool = false; // a TAG_QS_DONE is owed to its owner
  batch: i32 = 0; // the id of the job whose run it shared (0: it ran alone)
  qOff: u32 = 0; // its qubits' and classical bits' offsets in a shared run
  cOff: u32 = 0;

  ended(): bool { return this.state >= QS_JOB_DONE; }
  bytes(): i32 { return this.code.byteLength + this.results.byteLength; }
}

export const records = new StaticArray<Job | null>(QS_JOBS);
/** Unfinished jobs, in submission order. */
export const queue = new Array<Job>();
/** Every record, by id (TAG_QS_JOBS). */
export const order = new Array<Job>();
export let clock: i64 = 0; // virtual ns: the end of the last job run
export let ran: i64 = 0; // jobs run
export let poolBytes = 0;
let nextId = 1;

export function byId(id: i64): Job | null {
  if (id <= 0 || id > 0x7fffffff) return null;
  for (let r = 0; r < QS_JOBS; r++) { const j = unchecked(records[r]); if (j != null && j.id == <i32>id) return j; }
  return null;
}

/**
 * A record for a new job: a free one, else the ended job with the lowest id
 * (its results go). -1 when every record holds an unfinished job.
 */
export function freeRecord(): i32 {
  let oldest = -1, oldestId = 0x7fffffff;
  for (let r = 0; r < QS_JOBS; r++) {
    const j = unchecked(records[r]);
    if (j == null) return r;
    if (j.ended() && j.id < oldestId) { oldest = r; oldestId = j.id; }
  }
  return oldest;
}

/** Drop record r (an ended job), giving its bytes back to the pool. */
export function dropRecord(r: i32): void {
  const j = unchecked(records[r]);
  if (j == null) return;
  poolBytes -= j.bytes();
  const i = order.indexOf(j);
  if (i >= 0) order.splice(i, 1);
  unchecked(records[r] = null);
}

export function queueFull(): bool { return queue.length >= QS_QUEUE; }

export function add(r: i32, j: Job): void {
  j.id = nextId++;
  if (nextId > 0x3fffffff) nextId = 1;
  j.submitV = clock;
  poolBytes += j.bytes();
  unchecked(records[r] = j);
  queue.push(j);
  order.push(j);
}

/** Take j out of the queue (it ended). */
export function unqueue(j: Job): void {
  const i = queue.indexOf(j);
  if (i >= 0) queue.splice(i, 1);
}

/** Its place in the queue: 0 next, -1 ended. */
export function positionOf(j: Job): i32 { return j.ended() ? -1 : queue.indexOf(j); }

/** The duration of `shots` shots of `shotNs` each, in virtual ns. */
export function durationOf(shots: i32, shotNs: f64): i64 {
  return <i64>Math.round(<f64>shots * (shotNs + <f64>QS_RESET_NS));
}

/** The projected start of queued job j: the clock plus the estimates of the jobs ahead of it. */
export function projectedStart(j: Job): i64 {
  let t = clock;
  for (let i = 0; i < queue.length; i++) {
    const q = unchecked(queue[i]);
    if (q === j) break;
    t = max(t, q.submitV) + q.estNs;
  }
  return max(t, j.submitV);
}

/** Record that j ran from `start` for `ns` (virtual). */
export function ranAt(j: Job, start: i64, ns: i64): void {
  j.startV = start;
  j.endV = start + ns;
  ran++;
}

/** The QPU is free again at `t`. */
export function advance(t: i64): void { clock = max(clock, t); }

/** j ended: out of the queue; its program stays with its record (its registers print its results). */
export function finish(j: Job, state: i32): void {
  j.state = state;
  unqueue(j);
}

