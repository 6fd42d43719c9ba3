// Running jobs (docs/quantum.md: Jobs, Batching and multiprogramming): one
// run of the device per turn of the timer, never inside a client's call. The
// first queued job that can be placed now runs, with the jobs that may share
// its run; their counts, virtual times and owners' books when it ends.
import {
  sys, log, errorName, OK, E_STATE, E_NOSPACE, TAG_QS_DONE, QS_RESULT_ENTRIES, QS_JOB_QUEUED, QS_JOB_RUNNING,
  QS_JOB_DONE, QS_JOB_FAILED, QS_MIX_BATCH, QS_MIX_MULTI, QS_WHY_DEVICE, QS_WHY_RESULTS, QS_WHY_GONE, QS_WHY_NONE,
} from "../lib";
import { QRES_ENTRY_BYTES } from "../../hal/qpu/job-format";
import { lineHandled } from "../drivers/framework";
import * as cal from "./calibration";
import * as profile from "./profile";
import * as placement from "./placement";
import * as device from "./device";
import * as A from "./allocs";
import * as J from "./jobs";
import * as combine from "./combine";
import { find } from "./clients";
import { Job } from "./jobs";
import { policy, mix, lossPpm, qpuReady, wake } from "./state";
import * as arrival from "./arrival";
import * as recal from "./recalibrate";
import { setRunning } from "./timeline";
import * as harvest from "./harvest";

const avail = new StaticArray<bool>(cal.MAX_QUBITS_);
/** The run on the QPU waits for the device's line (a device that answers at once never leaves it set). */
let waiting = false;
/** The run on the QPU is an entropy harvest (harvest.ts), not a user job's. */
let harvesting = false;
/** Where the next turn of the timer goes on looking for a job to run (after a turn that spent SCAN_WORK). */
let resumeAt = 0;
/** Search work (placement.work) one turn of the timer may spend looking for a job that can run. */
const SCAN_WORK: i64 = 4000000;

/** Parts of one shared run at most, and classical bits of a shared run (2^12 outcomes fit QS_RESULT_ENTRIES). */
const MAX_PARTS = 4;
const MAX_SHARED_CLBITS = 12;
/** The jobs of the run on the QPU now (several when batched or multiprogrammed). */
const group = new Array<Job>();
const shared = new StaticArray<u8>(device.JOB_MAX);
const sharedPlace = new StaticArray<i32>(32);
const counts = new StaticArray<u8>(QS_RESULT_ENTRIES * QRES_ENTRY_BYTES);
const marg = new StaticArray<u8>(QS_RESULT_ENTRIES * QRES_ENTRY_BYTES);
let sharedBytes = 0;

/** Run the first queued job that can be placed now (one run per timer), if the QPU is free. */
export function runNext(): void {
  if (waiting || !qpuReady()) return;
  if (J.queue.length == 0) { idle(); return; }
  const cap = device.ready();
  if (cap < 0) return; // no QPU (yet): the jobs wait
  // The run starts at the virtual time `at`: only jobs arrived by then take part, and not past a hold.
  at = arrival.now();
  if (!arrival.allowed(at)) { resumeAt = 0; return; } // TAG_QS_HOLD wakes the timer when the hold moves
  if (recal.due(at)) { resumeAt = 0; wake(); return; } // queued jobs re-estimated (some may have failed): look again
  let spent: i64 = 0;
  for (let i = resumeAt; i < J.queue.length; i++) {
    // Searching many waiting jobs is paid over several turns of the timer, in queue order.
    if (spent > SCAN_WORK) { resumeAt = i; wake(); return; }
    const j = unchecked(J.queue[i]);
    if (j.state != QS_JOB_QUEUED || !arrival.arrived(j, at)) continue;
    const a: A.Alloc | null = j.alloc == 0 ? null : A.byId(j.alloc);
    const code = changetype<usize>(j.code);
    profile.analyse(code, j.code.byteLength);
    A.usable(avail, a);
    const found = placement.search(code, j.code.byteLength, j.shots, avail, j.mapAny, policy);
    spent += placement.work;
    if (!found) continue; // it waits for qubits
    resumeAt = 0;
    place(j);
    gather(j, i);
    start(cap); // its end arms the timer for the next run
    return;
  }
  // Nothing can run now: the timer sleeps until a submission, a release, a client going away or a QPU attached wakes it.
  resumeAt = 0;
  idle();
}

/** No user job can run: the QPU harvests entropy if the pool wants it (harvest.ts). */
function idle(): void {
  const cap = device.ready();
  if (cap < 0) return;
  if (harvest.start(cap)) { waiting = true; harvesting = true; }
}

/** The virtual time the run being gathered starts at. */
let at: i64 = 0;

/** j runs on the placement just searched. */
function place(j: Job): void {
  j.policy = policy;
  for (let i = 0; i < j.qubits; i++) unchecked(j.place[i] = unchecked(placement.best[i]));
  j.placed = true;
  j.qOff = 0; j.cOff = 0; j.batch = 0;
  estimate(j);
}

/**
 * The run's jobs: j, and with batching the queued copies of its program
 * (same text, shots, allocation and flags), or with multiprogramming queued
 * jobs of the same shots placed on qubits j does not use, each admitted only
 * if its estimated success probability there is within the loss bound of its
 * probability alone (docs/quantum.md: Batching and multiprogramming).
 */
function gather(j: Job, first: i32): void {
  group.length = 0;
  group.push(j);
  if (mix == 0) return;
  let qUsed = j.qubits, cUsed = j.clbits;
  if ((mix & QS_MIX_BATCH) != 0) {
    for (let i = first + 1; i < J.queue.length && group.length < MAX_PARTS; i++) {
      const q = unchecked(J.queue[i]);
      if (q.state != QS_JOB_QUEUED || q.shots != j.shots || q.alloc != j.alloc || q.mapAny != j.mapAny) continue;
      if (!arrival.arrived(q, at)) continue;
      if (cUsed + q.clbits > MAX_SHARED_CLBITS || !sameCode(q, j)) continue;
      for (let k = 0; k < j.qubits; k++) unchecked(q.place[k] = unchecked(j.place[k]));
      q.placed = true; q.policy = policy; q.qOff = 0; q.cOff = <u32>cUsed;
      q.estNs = j.estNs; q.estPpm = j.estPpm; q.energy = j.energy;
      cUsed += q.clbits;
      group.push(q);
    }
    if (group.length > 1) return;
  }
  if ((mix & QS_MIX_MULTI) == 0 || j.alloc != 0) return;
  const keep = Math.log(1 - <f64>lossPpm / 1e6);
  for (let i = first + 1; i < J.queue.length && group.length < MAX_PARTS; i++) {
    const q = unchecked(J.queue[i]);
    if (q.state != QS_JOB_QUEUED || q.shots != j.shots || q.alloc != 0 || !arrival.arrived(q, at)) continue;
    if (qUsed + q.qubits > cal.devQubits || cUsed + q.clbits > MAX_SHARED_CLBITS) continue;
    const code = changetype<usize>(q.code);
    profile.analyse(code, q.code.byteLength);
    A.usable(avail, null);
    if (!placement.search(code, q.code.byteLength, q.shots, avail, q.mapAny, policy)) continue;
    const alone = placement.bestLogP;
    A.usable(avail, null);
    for (let g = 0; g < group.length; g++) {
      const p = unchecked(group[g]);
      for (let k = 0; k < p.qubits; k++) unchecked(avail[unchecked(p.place[k])] = false);
    }
    if (!placement.search(code, q.code.byteLength, q.shots, avail, q.mapAny, policy)) continue;
    if (placement.bestLogP < alone + keep) continue; // it would lose more than the bound beside the others
    place(q);
    q.qOff = <u32>qUsed; q.cOff = <u32>cUsed;
    qUsed += q.qubits; cUsed += q.clbits;
    group.push(q);
  }
}

function sameCode(a: Job, b: Job): bool {
  const n = a.code.byteLength;
  return n == b.code.byteLength && memory.compare(changetype<usize>(a.code), changetype<usize>(b.code), n) == 0;
}

/** Run the group: one job as it is, several as one shared job on their qubits together. */
function start(cap: i32): void {
  const j = unchecked(group[0]);
  let code = changetype<usize>(j.code), bytes = j.code.byteLength, k = j.qubits;
  for (let i = 0; i < j.qubits; i++) unchecked(sharedPlace[i] = unchecked(j.place[i]));
  if (group.length > 1) {
    const batch = (mix & QS_MIX_BATCH) != 0 && unchecked(group[1]).qOff == 0;
    combine.begin(changetype<usize>(shared), shared.length);
    for (let g = 0; g < group.length; g++) {
      const p = unchecked(group[g]);
      combine.part(changetype<usize>(p.code), p.code.byteLength, p.qOff, p.cOff, batch && g > 0);
      p.batch = j.id;
      if (!batch) for (let i = 0; i < p.qubits; i++) unchecked(sharedPlace[<i32>p.qOff + i] = unchecked(p.place[i]));
      k = max(k, <i32>p.qOff + p.qubits);
    }
    sharedBytes = combine.finish();
    if (sharedBytes == 0) { group.length = 1; j.batch = 0; k = j.qubits; }
    else { code = changetype<usize>(shared); bytes = sharedBytes; }
  }
  const c = device.calibrate(cap, sharedPlace, k);
  if (c != OK) { for (let g = group.length - 1; g >= 0; g--) fromDevice(unchecked(group[g]), cap, c); group.length = 0; return; }
  for (let g = 0; g < group.length; g++) unchecked(group[g]).state = QS_JOB_RUNNING;
  // The run's length in virtual time: its one-shot schedule on its qubits, every shot.
  profile.analyse(code, bytes);
  profile.evaluate(code, bytes, sharedPlace);
  runNs = J.durationOf(j.shots, profile.shotNs);
  const s = device.run(cap, code, bytes, j.shots, j.seed);
  if (device.isBusy(s)) { waiting = true; setRunning(true); return; }
  completed(cap, s);
}
let runNs: i64 = 0;

/** The device's answer to the group's run: its outcomes, shared out, or its refusal. */
function completed(cap: i32, s: i32): void {
  waiting = false;
  setRunning(false);
  const row = device.row();
  if (row >= 0) lineHandled(row);
  const n = group.length;
  if (s >= 0 && s <= QS_RESULT_ENTRIES && !device.readResults(changetype<usize>(counts), s)) s = E_STATE;
  const startV = max(J.clock, maxSubmit());
  for (let g = 0; g < n; g++) {
    const j = unchecked(group[g]);
    if (s < 0) { fromDevice(j, cap, s); continue; }
    if (s > QS_RESULT_ENTRIES) { fail(j, E_NOSPACE, QS_WHY_RESULTS, s.toString() + " distinct outcomes: results keep " + QS_RESULT_ENTRIES.toString()); continue; }
    let m = s, from = changetype<usize>(counts);
    if (n > 1) { m = combine.marginal(from, s, j.cOff, <u32>j.clbits, changetype<usize>(marg)); from = changetype<usize>(marg); }
    j.results = new ArrayBuffer(m * QRES_ENTRY_BYTES);
    memory.copy(changetype<usize>(j.results), from, <usize>(m * QRES_ENTRY_BYTES));
    J.poolBytes += j.results.byteLength;
    J.ranAt(j, startV, runNs);
    end(j, QS_JOB_DONE, m, QS_WHY_NONE, "");
  }
  if (s >= 0) J.advance(startV + runNs);
  group.length = 0;
  harvest.afterUserRun();
}

function maxSubmit(): i64 {
  let t: i64 = 0;
  for (let g = 0; g < group.length; g++) t = max(t, unchecked(group[g]).submitV);
  return t;
}

function fromDevice(j: Job, cap: i32, code: i32): void {
  if (code == E_NOSPACE) { fail(j, code, QS_WHY_RESULTS, device.outcomesAll(cap).toString() + " distinct outcomes: results keep " + QS_RESULT_ENTRIES.toString()); return; }
  for (let i = 0; i < 4; i++) j.devReason[i] = device.reason(cap, i);
  fail(j, code, QS_WHY_DEVICE, "the QPU refused it: " + errorName(code) + ", reason " + j.devReason[0].toString() +
    " at instruction " + j.devReason[1].toString() + " (" + j.devReason[2].toString() + ", " + j.devReason[3].toString() + ")");
}

export function fail(j: Job, code: i32, why: i32, text: string): void {
  j.startV = J.clock; j.endV = J.clock;
  end(j, QS_JOB_FAILED, code, why, text);
}

/** j ended: its owner's books, the allocation's, a TAG_QS_DONE if one is owed; the next job. */
export function end(j: Job, state: i32, outcome: i32, why: i32, text: string): void {
  j.outcome = outcome; j.why = why; j.whyText = text;
  J.finish(j, state);
  const c = find(j.owner);
  if (c != null) {
    c.unfinished--;
    if (j.wanted && c.ep >= 0) sys.send(c.ep, TAG_QS_DONE, j.id, state, outcome, j.endV, 0, 0);
  }
  j.wanted = false;
  if (j.alloc != 0) { const a = A.byId(j.alloc); if (a != null) a.jobs--; }
  wake();
}


/** The estimates of the placement just searched. */
export function estimate(j: Job): void {
  j.estNs = J.durationOf(j.shots, placement.bestShotNs);
  j.estPpm = <i32>Math.round(Math.exp(placement.bestLogP) * 1e6);
  j.energy = placement.bestEnergy;
}


/** The device's line: the run it waited for ended (or one from before this start did). */
export function lineFired(): void {
  if (!waiting) return;
  const cap = device.ready();
  if (cap < 0) return;
  const s = device.status(cap);
  if (device.isBusy(s)) return;
  if (harvesting) { harvestEnded(s); return; }
  completed(cap, s);
}

function harvestEnded(s: i32): void {
  waiting = false;
  harvesting = false;
  const row = device.row();
  if (row >= 0) lineHandled(row);
  harvest.ended(s);
  wake(); // a job submitted meanwhile runs now; else the next harvest, if the pool wants one
}

/** The QPU went: the jobs of the run on it fail; queued ones wait for the next QPU. */
export function lost(): void {
  if (!waiting) return;
  waiting = false;
  if (harvesting) { harvesting = false; return; }
  setRunning(false);
  for (let g = group.length - 1; g >= 0; g--) fail(unchecked(group[g]), E_STATE, QS_WHY_GONE, "the QPU was detached while it ran");
  group.length = 0;
}
