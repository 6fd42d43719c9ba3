// The QPU as an entropy source (docs/entropy.md: Fed sources). While no
// user job can run, the scheduler puts idle qubits in |+⟩ (an h each) and
// measures them in an unseeded run with per-shot readout (QRUN_UNSEEDED |
// QRUN_MEMORY: the measurements drawn from the host's random source, each
// shot's bits in order), and feeds the bits to the memory service's pool
// (TAG_ENTROPY_FEED, which needs `memory:call+control`) with the min-entropy
// per bit the calibration's readout errors allow. The pool tests them as it
// tests its other sources.
//
// A harvest never delays or reorders a user job in virtual time: it starts
// only when none can run, and a job submitted meanwhile runs when its run
// ends (at most RUN_MAX_BITS: a few milliseconds of host time). Its QPU time is kept apart (harvestNs): the virtual clock,
// the jobs' times and the workload's figures never see it. It stops when the
// pool is full (asked again after the next user run) and when the pool keeps
// the bits out HARVEST_TRIES feeds in a row (asked again after a
// recalibration); a scheduler without the right stops at the first refusal.
import {
  sys, capByName, reply, log, errorName, OK, E_BUSY, LEASE_READ, TAG_ENTROPY_FEED, QS_HARVEST_OFF,
  QS_HARVEST_ON, QS_HARVEST_FULL, QS_HARVEST_KEPT_OUT, QS_HARVEST_REFUSED, QS_HARVEST_TRIES,
} from "../lib";
import {
  QJOB_MAGIC, QJOB_VERSION, QJOB_HEADER_WORDS, QJOB_HDR_MAGIC, QJOB_HDR_VERSION, QJOB_HDR_QUBITS, QJOB_HDR_CLBITS,
  QJOB_HDR_COUNT, QJOB_HDR_BYTES, QOP_WORDS_SHIFT, QOP_U, QOP_U_WORDS, QOP_MEASURE, QOP_MEASURE_WORDS, QRUN_UNSEEDED,
  QRUN_MEMORY, QRES_SHOT_BYTES,
} from "../../hal/qpu/job-format";
import * as cal from "./calibration";
import * as A from "./allocs";
import * as device from "./device";
import * as profile from "./profile";
import { durationOf } from "./jobs";

/** Qubits one harvest measures at most: 2^8 amplitudes keep a run to a few milliseconds of host time. */
const QUBITS = 8;
/** Bits of the first harvest, before the pool has said what it wants: one health-test window (binary). */
const FIRST_BITS = 1024;
/**
 * Bits of one run at most, so a job submitted during a harvest waits little:
 * the engine under Node on kolkata's noise took 3.5 ms for 2048 bits on 8
 * qubits, 6.9 ms for 4096 and 13.8 ms for 8192 (medians of 7, shared cores).
 */
const RUN_MAX_BITS = 2048;
const HARVEST_TRIES = QS_HARVEST_TRIES;
/** Host time between tries while the memory service is busy, and how many tries. */
const BUSY_RETRY_NS: i64 = 10_000_000;
const BUSY_TRIES = 100;

const JOB_BYTES = (QJOB_HEADER_WORDS + QUBITS * (QOP_U_WORDS + QOP_MEASURE_WORDS)) << 2;
const job = new StaticArray<u8>(JOB_BYTES);
const place = new StaticArray<i32>(QUBITS);
const avail = new StaticArray<bool>(cal.MAX_QUBITS_);
const shotsOut = new StaticArray<u8>(RUN_MAX_BITS * QRES_SHOT_BYTES); // k = 1 at worst: a shot per bit
const bits = new StaticArray<u8>(RUN_MAX_BITS >> 3);

let memoryCap = -2; // -2: not looked up yet; -1: none granted
let stopped = false; // refused for good (no right, no pool)
let want: i64 = -1; // bits the pool would take (-1: ask by feeding)
let outRuns = 0;
let busyTries = 0;
let k = 0; // qubits of the run on the device
let shots = 0;
let ppm = 0; // min-entropy per bit the run's qubits allow

/** QPU time of every harvest (virtual ns), runs and bits fed: kept apart from the jobs' clock. */
export let harvestNs: i64 = 0;
export let runs = 0;
export let bitsFed: i64 = 0;

/** Start a harvest on the idle qubits if the pool wants bits; true when a run is on the device (its line ends it). */
export function start(cap: i32): bool {
  if (!wanted()) return false;
  A.usable(avail, null);
  k = 0;
  for (let p = 0; p < cal.devQubits && k < QUBITS; p++) if (unchecked(avail[p])) { unchecked(place[k] = p); k++; }
  if (k == 0) return false;
  const asked = want < 0 ? <i64>FIRST_BITS : min<i64>(want, RUN_MAX_BITS);
  shots = <i32>max<i64>(min<i64>((asked + k - 1) / k, RUN_MAX_BITS / k), 1); // shots × k ≤ RUN_MAX_BITS
  ppm = minEntropyPpm();
  const bytes = build();
  if (device.calibrate(cap, place, k) != OK) return false;
  profile.analyse(changetype<usize>(job), bytes);
  profile.evaluate(changetype<usize>(job), bytes, place);
  harvestNs += durationOf(shots, profile.shotNs);
  const s = device.run(cap, changetype<usize>(job), bytes, shots, 0, QRUN_UNSEEDED | QRUN_MEMORY);
  if (device.isBusy(s)) return true;
  ended(s);
  return false;
}

/** Whether to harvest now: a memory service granted with the right, and a pool that wants bits. */
function wanted(): bool {
  if (stopped || want == 0 || outRuns >= HARVEST_TRIES) return false;
  if (memoryCap == -2) memoryCap = capByName("memory");
  return memoryCap >= 0;
}

/** min over the run's qubits of −log2 of the likelier reading of |+⟩, in ppm of a bit (rounded down). */
function minEntropyPpm(): i32 {
  let worst: f64 = 0.5;
  for (let i = 0; i < k; i++) worst = max(worst, cal.plusBias(unchecked(place[i])));
  return <i32>Math.floor(-Math.log2(worst) * 1e6);
}

/** h then measure on each of the k qubits: U(π/2, 0, π) and a measurement into classical bit i. */
function build(): i32 {
  const p = changetype<usize>(job);
  let w = QJOB_HEADER_WORDS;
  for (let q = 0; q < k; q++) {
    const at = p + (<usize>w << 2);
    store<u32>(at, QOP_U | (QOP_U_WORDS << QOP_WORDS_SHIFT));
    store<u32>(at, <u32>q, 4);
    store<f64>(at, Math.PI / 2, 8);
    store<f64>(at, 0, 16);
    store<f64>(at, Math.PI, 24);
    w += QOP_U_WORDS;
  }
  for (let q = 0; q < k; q++) {
    const at = p + (<usize>w << 2);
    store<u32>(at, QOP_MEASURE | (QOP_MEASURE_WORDS << QOP_WORDS_SHIFT));
    store<u32>(at, <u32>q, 4);
    store<u32>(at, <u32>q, 8);
    w += QOP_MEASURE_WORDS;
  }
  store<u32>(p + (QJOB_HDR_MAGIC << 2), QJOB_MAGIC);
  store<u32>(p + (QJOB_HDR_VERSION << 2), QJOB_VERSION);
  store<u32>(p + (QJOB_HDR_QUBITS << 2), <u32>k);
  store<u32>(p + (QJOB_HDR_CLBITS << 2), <u32>k);
  store<u32>(p + (QJOB_HDR_COUNT << 2), <u32>(2 * k));
  store<u32>(p + (QJOB_HDR_BYTES << 2), <u32>(w << 2));
  return w << 2;
}

/** The run ended with the device's status `s` (the shots, or an error): its bits go to the pool. */
export function ended(s: i32): void {
  if (s != shots || !device.readShots(changetype<usize>(shotsOut), shots * QRES_SHOT_BYTES)) {
    log("entropy harvest: the QPU refused the run: " + errorName(s));
    stopped = true;
    return;
  }
  runs++;
  const n = pack();
  feed(n);
}

/** The shots' bits in order, shot by shot, qubit 0 first; how many. */
function pack(): i32 {
  const out = changetype<usize>(bits), from = changetype<usize>(shotsOut);
  const n = shots * k;
  memory.fill(out, 0, (n + 7) >> 3);
  let i = 0;
  for (let t = 0; t < shots; t++) {
    const o = load<u64>(from + (<usize>t << 3));
    for (let c = 0; c < k; c++, i++) store<u8>(out + <usize>(i >> 3), load<u8>(out + <usize>(i >> 3)) | <u8>(((o >> <u64>c) & 1) << (<u32>i & 7)));
  }
  memory.fill(from, 0, shots * QRES_SHOT_BYTES); // the bits are the pool's now
  return n;
}

function feed(n: i32): void {
  sys.lease(0, changetype<usize>(bits), (n + 7) >> 3, LEASE_READ);
  const r = sys.call(memoryCap, TAG_ENTROPY_FEED, n, ppm, 0, 0, 0, 0);
  memory.fill(changetype<usize>(bits), 0, (n + 7) >> 3);
  if (r == E_BUSY && ++busyTries <= BUSY_TRIES) { sys.timer_set(sys.time() + BUSY_RETRY_NS); return; }
  busyTries = 0;
  if (r != OK) {
    stopped = true;
    log("entropy harvest: the memory service refused the QPU's bits: " + errorName(r) + " (the scheduler needs memory:call+control); not harvesting");
    return;
  }
  bitsFed += n;
  want = sys.reply_word(1);
  const inPool = sys.reply_word(3) != 0;
  outRuns = inPool ? 0 : outRuns + 1;
  if (outRuns == HARVEST_TRIES) {
    log("entropy harvest: stopped: the pool kept the QPU's bits out " + HARVEST_TRIES.toString() +
      " times in a row (the memory service's log says which test failed); again after a recalibration");
  }
}

/** TAG_QS_HARVEST: what the harvest does now, and what it did (its QPU time apart from the clock). */
export function report(qpuReady: bool): void {
  if (memoryCap == -2) memoryCap = capByName("memory");
  const state = stopped ? QS_HARVEST_REFUSED : memoryCap < 0 || !qpuReady ? QS_HARVEST_OFF
    : outRuns >= HARVEST_TRIES ? QS_HARVEST_KEPT_OUT : want == 0 ? QS_HARVEST_FULL : QS_HARVEST_ON;
  reply(state, runs, bitsFed, harvestNs, ppm, outRuns);
}

/** A user run ended: a full pool may have been drawn since, so the next idle turn asks again. */
export function afterUserRun(): void { if (want == 0) want = -1; }

/** New figures: new min-entropy, perhaps healthier qubits; a source kept out may be tried again. */
export function recalibrated(): void { outRuns = 0; if (want == 0) want = -1; }
