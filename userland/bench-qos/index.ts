// bench-qos: the scheduler's workload benchmark (docs/quantum.md: Workload
// benchmark). The same seeded workload (workload.ts) runs under each policy
// without and with multiprogramming, one run after another in one boot, each
// starting at the virtual clock the last one ended at (times are relative to
// the run's start). A run submits its arrivals and drift steps in order and
// holds the scheduler at the last one submitted (TAG_QS_HOLD), so every
// decision sees exactly the jobs that have arrived by then, under either host
// and whatever the host's timing. A job that ran on qubits whose coherence
// window its shot outlasts gave nothing of use: it runs again, arriving when
// that run ended. Each run prints a `#qos` line of integers (virtual ns, ppm,
// µJ) that `quark bench` reads.
import {
  sys, capByName, conWrite, log, errorName, OK, NOTE_TIMER, LEASE_READ, LEASE_WRITE, TAG_QS_SUBMIT, TAG_QS_STATUS, TAG_QS_LAYOUT,
  TAG_QS_POLICY, TAG_QS_HOLD, TAG_QS_RECALIBRATE, TAG_QS_CALIBRATION, TAG_QS_INFO, QS_SUBMIT_MAP, QS_OF_JOB, QS_JOB_DONE,
  QS_JOB_QUEUED, QS_JOB_RUNNING, QS_POL_FIFO, QS_POL_LAST, qsPolicyName, qsMixName, QS_MIX_MULTI, QS_RESET_NS,
} from "../lib";
import * as W from "./workload";

const JOBS = 300;
const SEED: u64 = 0x51c0de;
const DRIFT_SEED: u64 = 0xd71f7;
/** Unfinished jobs at most (QS_CLIENT_QUEUE is 128; reruns join them). */
const QUEUE_MAX = 120;
/** Jobs the backlog keeps queued: enough that the QPU never waits and a run finds partners, few enough that each run's search for them stays short. */
const BACKLOG = 32;
/** Jobs of a backlog run: the workload's first (each shared run simulates all its parts' qubits at once, which the emulator pays for). */
const BACKLOG_JOBS = 100;
const MAX_RUNS_OF_A_JOB = 4;
// Every policy the protocol defines, in order: a policy added there is in the workload too.
const POLICY_COUNT = QS_POL_LAST - QS_POL_FIFO + 1;

let qs = -1, run = 0, polls = 0;
let base: i64 = 0; // the virtual clock at the run's start
let nextJob = 0, nextDrift = 1, lastEvent: i64 = 0;
let qubits = 0;
const baseTable = new StaticArray<u8>(W.table.length);
let baseBytes = 0;

// Per job of the workload: its scheduler id now, runs, and its figures.
const id = new StaticArray<i64>(JOBS);
const runs = new StaticArray<i32>(JOBS);
const ended = new StaticArray<bool>(JOBS);
const start = new StaticArray<i64>(JOBS);
const finish = new StaticArray<i64>(JOBS);
const esp = new StaticArray<i64>(JOBS);
const energy = new StaticArray<i64>(JOBS);
const busyQ = new StaticArray<f64>(JOBS);
const failed = new StaticArray<bool>(JOBS);
/** Each job's arrival (virtual ns): the workload's in the Poisson runs, the clock it was submitted at in the backlog. */
const arrived = new StaticArray<i64>(JOBS);
/** Estimated success of every run of the workload's jobs, useless ones included, and how many runs. */
let espRuns: f64 = 0, jobRuns = 0;
let outstanding = 0, reruns = 0, useless = 0;
/** Jobs of this run: JOBS, or BACKLOG_JOBS in a backlog run. */
let count = JOBS;
/** Distinct runs of the device (a shared run's jobs start together): start → end. */
const runEnd = new Map<i64, i64>();
const place = new StaticArray<u8>(32);

/** Runs 0..7: the Poisson workload, runs 8..15: the backlog; even runs alone, odd ones with multiprogramming. */
function policyOf(r: i32): i32 { return QS_POL_FIFO + (r >> 1) % POLICY_COUNT; }

export function quark_start(pid: i32, restarts: i32): i32 {
  qs = capByName("qsched");
  if (qs < 0) return qs;
  sys.timer_set(sys.time());
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 { return OK; }

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_TIMER) == 0) return OK;
  if (qubits == 0) {
    if (sys.call(qs, TAG_QS_INFO, 0, 0, 0, 0, 0, 0) != OK || sys.reply_word(0) == 0) {
      if (++polls < 5000) sys.timer_set(sys.time() + 1000000);
      else log("qos: no QPU");
      return OK;
    }
    if (!readCalibration()) return OK;
    W.make(JOBS, SEED);
    begin();
    return OK;
  }
  tick();
  return OK;
}

function readCalibration(): bool {
  sys.lease(0, changetype<usize>(baseTable), baseTable.length, LEASE_WRITE);
  const r = sys.call(qs, TAG_QS_CALIBRATION, 0, 0, 0, 0, 0, 0);
  if (r != OK || sys.reply_word(3) == 0) { log("qos: the QPU has no calibration to drift (" + errorName(r) + ")"); return false; }
  qubits = <i32>sys.reply_word(0);
  baseBytes = <i32>sys.reply_word(3);
  return true;
}

/** Start run `run`: its policy and mixing, the clock it starts at, the drift from the device's own table. */
function begin(): void {
  const pol = policyOf(run), mix = (run & 1) != 0 ? QS_MIX_MULTI : 0;
  if (sys.call(qs, TAG_QS_POLICY, pol, mix, -1, 0, 0, 0) != OK) { log("qos: the policy was refused (needs qsched:call+control)"); return; }
  sys.call(qs, TAG_QS_HOLD, 1, 0, 0, 0, 0, 0);
  base = sys.reply_word(2);
  W.driftStart(changetype<usize>(baseTable), baseBytes, DRIFT_SEED);
  if (!recalibrate(base)) return;
  count = run >= 2 * POLICY_COUNT ? BACKLOG_JOBS : JOBS;
  nextJob = 0; nextDrift = 1; lastEvent = base; outstanding = 0; reruns = 0; useless = 0; espRuns = 0; jobRuns = 0;
  for (let i = 0; i < JOBS; i++) {
    unchecked(id[i] = 0); unchecked(runs[i] = 0); unchecked(ended[i] = false); unchecked(failed[i] = false);
    unchecked(energy[i] = 0); unchecked(busyQ[i] = 0);
  }
  runEnd.clear();
  window(base);
}

function recalibrate(at: i64): bool {
  sys.lease(0, changetype<usize>(W.table), W.tableBytes(), LEASE_READ);
  const r = sys.call(qs, TAG_QS_RECALIBRATE, at, 0, 0, 0, 0, 0);
  if (r != OK) { log("qos: recalibration refused: " + errorName(r)); return false; }
  return true;
}

/**
 * Submit what has arrived by the virtual clock, then hold the scheduler: in
 * the Poisson workload every event (job or drift step) up to the clock and
 * the next one after it, held at the last; in the backlog, jobs (arriving at
 * the clock) until QS_CLIENT_QUEUE is nearly full and drift steps up to the
 * clock, held at the clock. Runs go on between stalls only as far as the
 * hold lets them, so every run starts knowing every job arrived by then.
 */
function window(clock: i64): void {
  const backlog = run >= 2 * POLICY_COUNT;
  let ahead = false; // an event after the clock went in: the hold is there
  while (true) {
    const tDrift = base + <i64>nextDrift * W.DRIFT_NS;
    const tJob = nextJob >= count ? i64.MAX_VALUE : backlog ? clock : base + W.arrival[nextJob];
    if (tDrift <= tJob && tDrift <= clock) {
      W.driftStep();
      if (!recalibrate(tDrift)) return;
      lastEvent = tDrift; nextDrift++;
      continue;
    }
    if (nextJob >= count || outstanding >= QUEUE_MAX) break;
    if (backlog && outstanding >= BACKLOG) break;
    if (backlog) { if (!submit(nextJob, tJob)) return; lastEvent = tJob; nextJob++; continue; }
    if (ahead) break;
    if (tDrift <= tJob) {
      W.driftStep();
      if (!recalibrate(tDrift)) return;
      lastEvent = tDrift; nextDrift++;
    } else {
      if (!submit(nextJob, tJob)) return;
      lastEvent = tJob; nextJob++;
    }
    ahead = lastEvent > clock;
  }
  sys.call(qs, TAG_QS_HOLD, max(max(lastEvent, clock), 1), 0, 0, 0, 0, 0);
  sys.timer_set(sys.time());
}

function submit(i: i32, at: i64): bool {
  const text = String.UTF8.encode(W.program[i]);
  sys.lease(0, changetype<usize>(text), text.byteLength, LEASE_READ);
  const r = sys.call(qs, TAG_QS_SUBMIT, W.shots[i], <i64>i + 1, 0, QS_SUBMIT_MAP, at, 0);
  if (unchecked(runs[i]) == 0) unchecked(arrived[i] = at);
  if (r != OK) {
    // Refused (no placement can run it, e.g. under coherence-aware on a drifted device): it counts as failed.
    unchecked(ended[i] = true); unchecked(failed[i] = true);
    unchecked(start[i] = at); unchecked(finish[i] = at); unchecked(esp[i] = 0);
    return true;
  }
  unchecked(id[i] = sys.reply_word(0));
  unchecked(runs[i] = unchecked(runs[i]) + 1);
  outstanding++;
  return true;
}

/** Poll until the scheduler has done what the hold lets it; then read the ended jobs and go on. */
function tick(): void {
  if (sys.call(qs, TAG_QS_HOLD, -1, 0, 0, 0, 0, 0) != OK) { log("qos: hold refused"); return; }
  if (sys.reply_word(1) != 0) { sys.timer_set(sys.time() + 100000); return; }
  sys.call(qs, TAG_QS_HOLD, 1, 0, 0, 0, 0, 0); // nothing starts while reruns go in
  const clock = sys.reply_word(2);
  collect();
  if (outstanding == 0 && nextJob >= count) { report(); return; }
  window(clock);
}

function collect(): void {
  for (let i = 0; i < nextJob; i++) {
    if (unchecked(ended[i])) continue;
    const j = unchecked(id[i]);
    if (sys.call(qs, TAG_QS_STATUS, j, 0, 0, 0, 0, 0) != OK) { log("qos: status of " + j.toString() + " refused"); continue; }
    const state = <i32>sys.reply_word(0);
    if (state == QS_JOB_QUEUED || state == QS_JOB_RUNNING) continue;
    outstanding--;
    const s = sys.reply_word(3), e = sys.reply_word(4);
    if (state != QS_JOB_DONE) { unchecked(ended[i] = true); unchecked(failed[i] = true); unchecked(start[i] = s); unchecked(finish[i] = e); continue; }
    sys.lease(0, changetype<usize>(place), place.length, LEASE_WRITE);
    if (sys.call(qs, TAG_QS_LAYOUT, QS_OF_JOB, j, 0, 0, 0, 0) != OK) { log("qos: layout of " + j.toString() + " refused"); continue; }
    const k = <i32>sys.reply_word(0), ppm = sys.reply_word(1), ns = sys.reply_word(2);
    unchecked(energy[i] = unchecked(energy[i]) + sys.reply_word(3));
    unchecked(busyQ[i] = unchecked(busyQ[i]) + <f64>k * <f64>(e - s));
    if (!runEnd.has(s) || runEnd.get(s) < e) runEnd.set(s, e);
    unchecked(start[i] = s); unchecked(finish[i] = e); unchecked(esp[i] = ppm);
    espRuns += <f64>ppm; jobRuns++;
    // One shot's schedule against the shortest window of its qubits when it ran.
    const shot = <f64>ns / <f64>W.shots[i] - <f64>QS_RESET_NS;
    const step = <i32>((s - base) / W.DRIFT_NS);
    let win = Infinity;
    for (let q = 0; q < k; q++) win = min(win, W.windows[min(step, W.windows.length / 128 - 1) * 128 + <i32>unchecked(place[q])]);
    if (shot > win) {
      useless++;
      if (unchecked(runs[i]) < MAX_RUNS_OF_A_JOB) { reruns++; submit(i, e); continue; }
      unchecked(failed[i] = true);
    }
    unchecked(ended[i] = true);
  }
}

/** The run's figures, then the next run. */
function report(): void {
  const waits = new Array<i64>();
  let sumWait: f64 = 0, sumEsp: f64 = 0, sumEnergy: f64 = 0, busyQubitNs: f64 = 0, first: i64 = i64.MAX_VALUE, last: i64 = 0;
  let nFailed = 0, digest: u64 = 0xcbf29ce484222325;
  for (let i = 0; i < count; i++) {
    const a = unchecked(arrived[i]);
    const w = unchecked(start[i]) - a;
    // A job that never gave a result (refused, failed, or too many useless runs) has no waiting time.
    if (!unchecked(failed[i])) { waits.push(w); sumWait += <f64>w; }
    sumEsp += <f64>unchecked(esp[i]);
    sumEnergy += <f64>unchecked(energy[i]);
    busyQubitNs += unchecked(busyQ[i]);
    if (unchecked(failed[i])) nFailed++;
    first = min(first, a); last = max(last, unchecked(finish[i]));
    digest = (digest ^ <u64>w) * 0x100000001b3;
    digest = (digest ^ <u64>unchecked(esp[i])) * 0x100000001b3;
  }
  waits.sort((x: i64, y: i64): i32 => x < y ? -1 : x > y ? 1 : 0);
  const p95 = waits.length == 0 ? 0 : waits[max(0, <i32>Math.ceil(0.95 * <f64>waits.length) - 1)];
  let busy: i64 = 0;
  const starts = runEnd.keys();
  for (let r = 0; r < starts.length; r++) busy += runEnd.get(starts[r]) - starts[r];
  const span = last - first;
  const n = <f64>count;
  line("#qos arrivals=" + (run >= 2 * POLICY_COUNT ? "backlog" : "poisson") + " policy=" + qsPolicyName(policyOf(run)) +
    " mix=" + qsMixName((run & 1) != 0 ? QS_MIX_MULTI : 0) +
    " jobs=" + count.toString() + " failed=" + nFailed.toString() + " reruns=" + reruns.toString() + " useless=" + useless.toString() +
    " device_runs=" + starts.length.toString() +
    " wait_mean_ns=" + (<i64>Math.round(sumWait / <f64>max(1, waits.length))).toString() + " wait_p95_ns=" + p95.toString() +
    " esp_ppm=" + (<i64>Math.round(espRuns / <f64>max(1, jobRuns))).toString() +
    " esp_kept_ppm=" + (<i64>Math.round(sumEsp / n)).toString() +
    " util_ppm=" + (<i64>Math.round(busyQubitNs / (<f64>qubits * <f64>span) * 1e6)).toString() +
    " energy_uj=" + (<i64>Math.round(sumEnergy / n)).toString() +
    " makespan_ns=" + span.toString() + " busy_ns=" + busy.toString() +
    " throughput_mhz=" + (<i64>Math.round(n / (<f64>span / 1e9) * 1e6)).toString() +
    " capacity_mhz=" + (<i64>Math.round(n / (<f64>busy / 1e9) * 1e6)).toString() +
    " digest=" + digest.toString(16));
  run++;
  if (run < 4 * POLICY_COUNT) { begin(); return; }
  sys.call(qs, TAG_QS_HOLD, 0, 0, 0, 0, 0, 0);
  line("#qos done");
}

function line(s: string): void {
  const b = String.UTF8.encode(s + "\n");
  const w = conWrite(changetype<usize>(b), b.byteLength);
  if (w < 0) log("qos: the console driver refused a line (" + errorName(w) + "): " + s);
}
