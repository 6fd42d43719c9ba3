// qsched: the quantum scheduler (docs/quantum.md). It is the QPU's driver
// (manifest driver = "qpu": the device manager attaches each QPU to it
// through the driver framework) and the only service that touches the
// device; clients reach it with a capability (caps = ["qsched:call"]) and
// use abi/protocols/qsched.ts: allocations within their manifest's qubits
// quota, jobs written in OpenQASM, their status in virtual time, results.
//
// Jobs run one at a time from the timer, never inside a client's call: each
// SUBMIT arms the timer, each timer runs the next job that can be placed and
// arms it again while jobs wait, so the machine serves other calls between
// jobs.
import {
  sys, arg, reply, keepCap, capByName, registry, log, errorName, OK, E_ARG, E_PERM, E_STATE, E_BADSLOT, E_BUSY,
  E_NOSPACE, E_QUOTA, E_UNSUPPORTED, E_NOSYS, K_ENDPOINT, CSPACE_SLOTS, NOTE_STOP, NOTE_TIMER, DRV_BADGE, DRV_DEVICES,
  TAG_DRV_ATTACH, TAG_DRV_DETACH, TAG_REG_EVENT, TAG_REG_INFO, EV_CRASHED, EV_EXITED, EV_STOPPED, EV_KILLED, EV_GAVE_UP,
  TAG_QS_ALLOC, TAG_QS_RELEASE, TAG_QS_SUBMIT, TAG_QS_STATUS, TAG_QS_CANCEL, TAG_QS_WAIT, TAG_QS_DONE, TAG_QS_RESULTS,
  TAG_QS_JOBS, TAG_QS_POLICY, TAG_QS_CALIBRATION, TAG_QS_REASON, TAG_QS_LAYOUT, TAG_QS_INFO,
  QS_SUBMIT_MAP, QS_OF_JOB, QS_OF_ALLOC, QS_RES_ENTRIES, QS_RES_TEXT, QS_LIST_ALL, QS_LIST_MINE, QS_LOSS_DEFAULT_PPM,
  QS_CLIENTS, QS_CLIENT_QUEUE, QS_SOURCE_MAX, QS_POOL_BYTES, QS_RESULT_ENTRIES, QS_JOB_QUEUED, QS_JOB_RUNNING,
  QS_JOB_DONE, QS_JOB_FAILED, QS_JOB_CANCELLED, QS_POL_FIFO, QS_POL_ERROR, QS_POL_COHERENCE, QS_POL_ENERGY, QS_MIX_BATCH,
  QS_MIX_MULTI, QS_WHY_PARSE, QS_WHY_QUOTA, QS_WHY_UNCOUPLED, QS_WHY_NOMAP, QS_WHY_COHERENCE, QS_WHY_TOO_BIG,
  QS_WHY_DEVICE, QS_WHY_RESULTS, QS_WHY_GONE, QS_WHY_CANCELLED, QS_WHY_FULL, QS_WHY_ADMIN, QS_WHY_NONE,
} from "../lib";
import { QRES_ENTRY_BYTES, QPU_DEFAULT_QUBITS, QPU_MAX_SHOTS } from "../../hal/qpu/job-format";
import { qasmToJob, qasmError } from "../lib/qasm";
import { driverStart, driverHandle, driverDone, driverNotify, lineHandled } from "../drivers/framework";
import * as cal from "./calibration";
import * as profile from "./profile";
import * as placement from "./placement";
import * as device from "./device";
import * as A from "./allocs";
import * as J from "./jobs";
import * as combine from "./combine";
import { Client, clients, client, busy as busyNow_, rowOf, find, drop, keepEndpoint, refuse, who, PEER_LABEL } from "./clients";
import { Job } from "./jobs";
import { writeResults, resultsRegisters } from "./results";
import { loadCalibration } from "./source";

function busyNow(): bool { return busyNow_; }

/** A QPU is attached and its calibration read. */
function qpuReady(): bool { return device.row() >= 0 && !calPending; }

let policy = QS_POL_FIFO;
let mix = 0;
let lossPpm = QS_LOSS_DEFAULT_PPM;
let changes = 0;
let running: Job | null = null; // on the QPU, waiting for its line
let subscribed = false;
let calPending = true;

const source = new StaticArray<u8>(QS_SOURCE_MAX);
const compiled = new StaticArray<u8>(device.JOB_MAX);
const avail = new StaticArray<bool>(cal.MAX_QUBITS_);

export function quark_start(pid: i32, restarts: i32): i32 {
  if (restarts > 0) {
    // The endpoints the previous instance kept: its clients' rows are gone with it.
    for (let n = 0; n < CSPACE_SLOTS; n++) {
      let found = false;
      for (let r = 0; r < QS_CLIENTS; r++) { const s = sys.cap_find(PEER_LABEL + r); if (s >= 0) { sys.cap_delete(s); found = true; } }
      if (!found) break;
    }
  }
  cal.setIdeal(QPU_DEFAULT_QUBITS);
  const r = driverStart(restarts);
  wake(); // the registry (init) cannot answer while it starts us: subscribe from the timer
  return r;
}

// A deadline now (0 would cancel the timer).
@inline function wake(): void { sys.timer_set(sys.time()); }

export function quark_handle(badge: i32, tag: i32): i32 {
  let r: i32;
  if (badge == DRV_BADGE) r = driverCall(tag);
  else if (tag == TAG_REG_EVENT) r = badge == 0 ? serviceEvent(<i32>arg(0), <i32>arg(1)) : E_PERM;
  else r = clientCall(badge, tag);
  driverDone();
  return r;
}

function driverCall(tag: i32): i32 {
  const r = driverHandle(DRV_BADGE, tag);
  if (r == 1) return E_NOSYS; // no I/O through the device manager: clients use this protocol
  if (tag == TAG_DRV_ATTACH && r == OK) { device.forget(); calPending = true; wake(); log("QPU " + device.deviceId().toString() + " attached"); }
  if (tag == TAG_DRV_DETACH && r == OK) { device.forget(); lost(); }
  return r;
}

/** The QPU went: the job on it fails; queued ones wait for the next QPU. */
function lost(): void {
  if (running == null) return;
  running = null;
  for (let g = group.length - 1; g >= 0; g--) fail(unchecked(group[g]), E_STATE, QS_WHY_GONE, "the QPU was detached while it ran");
  group.length = 0;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  const rows = driverNotify(bits);
  if (rows != 0) lineFired(rows);
  if (!subscribed && registry.subscribe("*") == OK) subscribed = true;
  if (calPending && device.row() >= 0) {
    const cap = device.ready();
    if (cap >= 0 && loadCalibration(cap, device.allowance())) calPending = false;
    else sys.timer_set(sys.time() + 1000000);
  }
  if (!subscribed) sys.timer_set(sys.time() + 1000000);
  runNext();
  return OK;
}

/** The QPU's line: a command ended (or one from before this start did). */
function lineFired(rows: i32): void {
  for (let r = 0; r < DRV_DEVICES; r++) {
    if ((rows & (1 << r)) == 0) continue;
    lineHandled(r);
  }
  if (running == null) return;
  const cap = device.ready();
  if (cap < 0) return;
  const s = device.status(cap);
  if (device.isBusy(s)) return;
  running = null;
  completed(cap, s);
}

// ------------------------------------------------------------------ clients

function clientCall(pid: i32, tag: i32): i32 {
  if (pid <= 0) return E_PERM;
  const c = client(pid);
  if (c == null) return busyNow() ? E_BUSY : E_NOSPACE; // init busy, or QS_CLIENTS known already
  if (c.index < 0 || !c.granted) { drop(rowOf(pid)); return E_PERM; }
  switch (tag) {
    case TAG_QS_ALLOC: return alloc(c, arg(0));
    case TAG_QS_RELEASE: return release(c, arg(0));
    case TAG_QS_SUBMIT: return submit(c);
    case TAG_QS_STATUS: return status(c, arg(0));
    case TAG_QS_CANCEL: return cancel(c, arg(0));
    case TAG_QS_WAIT: return wait(c, arg(0));
    case TAG_QS_RESULTS: return results(c, arg(0), arg(1), arg(2));
    case TAG_QS_JOBS: return jobs(c, arg(0), arg(1));
    case TAG_QS_POLICY: return setPolicy(c, arg(0), arg(1), arg(2));
    case TAG_QS_CALIBRATION: return calibration();
    case TAG_QS_REASON: return reason(c, arg(0));
    case TAG_QS_LAYOUT: return layout(c, arg(0), arg(1));
    case TAG_QS_INFO:
      reply(qpuReady() ? device.deviceId() : 0, cal.devQubits, A.freeCount(), J.queue.length, J.clock, J.ran);
      return OK;
  }
  return E_ARG;
}

/** Qubits `c` has booked: its allocations, and its largest unfinished job without one. */
function booked(c: Client): i32 {
  let big = 0;
  for (let i = 0; i < J.queue.length; i++) {
    const j = unchecked(J.queue[i]);
    if (j.owner == c.pid && j.alloc == 0) big = max(big, j.qubits);
  }
  return c.held + big;
}

function overQuota(c: Client, total: i32, what: string): i32 {
  const text = what + " would make " + total.toString() + " qubits, past its quota of " + c.quota.toString() + " (the manifest's qubits)";
  log(who(c) + ": refused, over its qubits quota: " + text);
  return refuse(c, QS_WHY_QUOTA, text, E_QUOTA);
}

function alloc(c: Client, n: i64): i32 {
  if (!qpuReady()) return E_STATE;
  if (n < 1 || n > cal.devQubits) return refuse(c, QS_WHY_TOO_BIG, n.toString() + " qubits: the QPU has " + cal.devQubits.toString(), E_ARG);
  const k = <i32>n;
  if (booked(c) + k > c.quota) return overQuota(c, booked(c) + k, "an allocation of " + k.toString() + " qubits");
  if (A.clientFull(c.pid)) return refuse(c, QS_WHY_FULL, "QS_CLIENT_ALLOCS allocations held", E_NOSPACE);
  const r = A.freeRow();
  if (r < 0) return refuse(c, QS_WHY_FULL, "QS_ALLOCS allocations in use", E_NOSPACE);
  A.usable(avail, null);
  if (!pickQubits(k)) return refuse(c, QS_WHY_FULL, k.toString() + " qubits are not free now (" + A.freeCount().toString() + " are)", E_BUSY);
  const a = A.make(r, c.pid, placement.best, k);
  c.allocs++; c.held += k;
  let lo: i64 = 0, hi: i64 = 0;
  for (let i = 0; i < k; i++) {
    const p = unchecked(a.qubits[i]);
    if (p < 64) lo |= <i64>1 << p; else hi |= <i64>1 << (p - 64);
  }
  reply(a.id, k, lo, hi, c.held, c.quota);
  return OK;
}

/**
 * k free qubits for an allocation into placement.best. FIFO, coherence and
 * energy take the lowest; error-rate takes those of the best single-qubit
 * figures (readout fidelity, sx error, T1), a connected set not required:
 * jobs on it name QS_SUBMIT_MAP to be placed by coupling within it.
 */
function pickQubits(k: i32): bool {
  if (policy != QS_POL_ERROR || cal.calQubits == 0) return placement.lowest(avail, k);
  for (let i = 0; i < k; i++) {
    let best = -1, bestScore: f64 = -Infinity;
    for (let p = 0; p < cal.devQubits; p++) {
      if (!unchecked(avail[p])) continue;
      const s = Math.log(cal.readoutFid[p]) + Math.log(1 - min(cal.sxErr[p], 0.999999)) - 1000 / cal.t1[p];
      if (s > bestScore) { bestScore = s; best = p; }
    }
    if (best < 0) return false;
    unchecked(placement.best[i] = best);
    unchecked(avail[best] = false);
  }
  return true;
}

function release(c: Client, id: i64): i32 {
  const a = A.byId(id);
  if (a == null) return E_BADSLOT;
  if (a.owner != c.pid) return E_PERM;
  if (a.jobs > 0) return refuse(c, QS_WHY_NONE, "", E_BUSY);
  c.allocs--; c.held -= a.k;
  A.release(a);
  wake(); // a job waiting for these qubits may run now
  reply(c.held);
  return OK;
}

function submit(c: Client): i32 {
  const shots = arg(0), seed = arg(1), allocId = arg(2), flags = arg(3);
  if (shots < 1 || shots > QPU_MAX_SHOTS) return refuse(c, QS_WHY_NONE, "", E_ARG);
  if ((flags & ~(<i64>QS_SUBMIT_MAP)) != 0) return refuse(c, QS_WHY_NONE, "", E_ARG);
  const len = sys.lease_len(0);
  if (len < 0) return len;
  if (len == 0 || len > QS_SOURCE_MAX) return refuse(c, QS_WHY_PARSE, "a program of " + len.toString() + " bytes: 1 to " + QS_SOURCE_MAX.toString(), E_ARG);
  const got = sys.lease_read(0, 0, changetype<usize>(source), len);
  if (got < 0) return got;
  let a: A.Alloc | null = null;
  if (allocId != 0) {
    a = A.byId(allocId);
    if (a == null) return E_BADSLOT;
    if (a.owner != c.pid) return E_PERM;
  }
  if (!qpuReady()) return E_STATE;
  if (c.unfinished >= QS_CLIENT_QUEUE) return refuse(c, QS_WHY_FULL, "QS_CLIENT_QUEUE (" + QS_CLIENT_QUEUE.toString() + ") jobs unfinished", E_NOSPACE);
  if (J.queueFull()) return refuse(c, QS_WHY_FULL, "the queue is full", E_NOSPACE);
  const rec = J.freeRecord();
  if (rec < 0) return refuse(c, QS_WHY_FULL, "every job record holds an unfinished job", E_NOSPACE);
  const n = qasmToJob(changetype<usize>(source), got, changetype<usize>(compiled), compiled.length);
  if (n < 0) return refuse(c, QS_WHY_PARSE, qasmError(), n);
  const code = changetype<usize>(compiled);
  profile.analyse(code, n);
  const k = profile.jobQubits;
  const room = a == null ? cal.devQubits : a.k;
  if (k > room) return refuse(c, QS_WHY_TOO_BIG, k.toString() + " qubits: " + (a == null ? "the QPU has " : "the allocation holds ") + room.toString(), E_UNSUPPORTED);
  if (cal.calQubits > 0 && profile.bigControlAt >= 0) {
    return refuse(c, QS_WHY_DEVICE, "instruction " + profile.bigControlAt.toString() + ": more than two controls on a calibrated QPU", E_UNSUPPORTED);
  }
  if (a == null && c.held + k > c.quota) return overQuota(c, c.held + k, "a job of " + k.toString() + " qubits");
  const mapAny = (flags & QS_SUBMIT_MAP) != 0;
  // Could it ever run, on the whole QPU (or its allocation)? Then where would it run now?
  A.all(avail, a);
  if (!placement.search(code, n, <i32>shots, avail, mapAny, policy)) return refuse(c, whyNot(a, mapAny), whyText(a, mapAny, k), E_UNSUPPORTED);
  A.usable(avail, a);
  placement.search(code, n, <i32>shots, avail, mapAny, policy) || placement.search(code, n, <i32>shots, allOf(a), mapAny, policy);
  if (J.poolBytes + n > QS_POOL_BYTES) return refuse(c, QS_WHY_FULL, "the job pool is full", E_NOSPACE);
  const j = new Job();
  j.owner = c.pid; j.shots = <i32>shots; j.seed = seed; j.alloc = a == null ? 0 : a.id; j.mapAny = mapAny;
  j.qubits = k; j.clbits = profile.jobClbits; j.policy = policy;
  j.code = new ArrayBuffer(n);
  memory.copy(changetype<usize>(j.code), code, n);
  estimate(j);
  J.add(rec, j);
  c.unfinished++;
  if (a != null) a.jobs++;
  reply(j.id, k, J.positionOf(j), j.submitV, j.estNs, j.estPpm);
  wake();
  return OK;
}

function allOf(a: A.Alloc | null): StaticArray<bool> { A.all(avail, a); return avail; }

/** The estimates of the placement just searched. */
function estimate(j: Job): void {
  j.estNs = J.durationOf(j.shots, placement.bestShotNs);
  j.estPpm = <i32>Math.round(Math.exp(placement.bestLogP) * 1e6);
  j.energy = placement.bestEnergy;
}

function whyNot(a: A.Alloc | null, mapAny: bool): i32 {
  if (policy == QS_POL_COHERENCE && placement.tooLong) return QS_WHY_COHERENCE;
  return mapAny ? QS_WHY_NOMAP : QS_WHY_UNCOUPLED;
}

function whyText(a: A.Alloc | null, mapAny: bool, k: i32): string {
  if (policy == QS_POL_COHERENCE && placement.tooLong) {
    return "a shot takes " + micros(placement.shortestNs) + " on its best placement, longer than the coherence window (min T1, T2) of " +
      micros(placement.shortestWindow) + " there: no qubits of this QPU keep it coherent";
  }
  if (mapAny) return "no " + (a == null ? "" : "allocated ") + "qubits couple every pair its " + k.toString() + " qubits use";
  A.all(avail, a);
  placement.lowest(avail, k);
  const p = profile.uncoupledPair(placement.best);
  if (p < 0) return "its pairs are not coupled in this order";
  const x = profile.pairA(p), y = profile.pairB(p);
  return "a two-qubit gate on qubits " + x.toString() + ", " + y.toString() + ": physical qubits " +
    unchecked(placement.best[x]).toString() + ", " + unchecked(placement.best[y]).toString() +
    " are not coupled (no routing; QS_SUBMIT_MAP lets the scheduler choose coupled qubits)";
}

function micros(ns: f64): string { return (Math.round(ns / 10) / 100).toString() + " µs"; }

/** The caller's job `id`, or an error: E_BADSLOT (none), E_PERM (another client's). */
function own(c: Client, id: i64): Job | null {
  const j = J.byId(id);
  if (j == null) { lastError = E_BADSLOT; return null; }
  if (j.owner != c.pid) { lastError = E_PERM; return null; }
  return j;
}
let lastError = 0;

function status(c: Client, id: i64): i32 {
  const j = own(c, id);
  if (j == null) return lastError;
  const start = j.ended() || j.state == QS_JOB_RUNNING ? j.startV : J.projectedStart(j);
  const end = j.ended() || j.state == QS_JOB_RUNNING ? j.endV : start + j.estNs;
  reply(j.state, J.positionOf(j), j.submitV, start, end, j.outcome);
  return OK;
}

function cancel(c: Client, id: i64): i32 {
  const j = own(c, id);
  if (j == null) return lastError;
  if (j.ended()) return E_STATE;
  if (j.state == QS_JOB_RUNNING) return E_BUSY;
  j.startV = J.clock; j.endV = J.clock;
  end(j, QS_JOB_CANCELLED, 0, QS_WHY_CANCELLED, "cancelled by its owner");
  reply(J.queue.length);
  return OK;
}

function wait(c: Client, id: i64): i32 {
  const j = own(c, id);
  if (j == null) return lastError;
  const cap = sys.msg_cap();
  if (cap >= 0) {
    if ((sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
    keepEndpoint(rowOf(c.pid), cap);
    keepCap();
  }
  if (j.ended()) { reply(1); return OK; }
  if (c.ep < 0) return E_STATE;
  j.wanted = true;
  reply(0);
  return OK;
}

function results(c: Client, id: i64, first: i64, mode: i64): i32 {
  const j = own(c, id);
  if (j == null) return lastError;
  if (j.state != QS_JOB_DONE) return E_STATE;
  if (mode != QS_RES_ENTRIES && mode != QS_RES_TEXT) return E_ARG;
  const total = j.outcome;
  if (first < 0 || first > total) return E_ARG;
  const room = sys.lease_len(0);
  if (room < 0) return room;
  const w = writeResults(j, <i32>first, mode == QS_RES_TEXT, room);
  if (w < 0) return w;
  reply(w, total, j.clbits, j.shots, resultsRegisters);
  return OK;
}

function jobs(c: Client, k: i64, mode: i64): i32 {
  if (mode != QS_LIST_ALL && mode != QS_LIST_MINE) return E_ARG;
  if (k < 0) return E_BADSLOT;
  let seen: i64 = 0;
  for (let i = 0; i < J.order.length; i++) {
    const j = unchecked(J.order[i]);
    if (mode == QS_LIST_MINE && j.owner != c.pid) continue;
    if (seen++ < k) continue;
    const end = j.ended() ? j.endV : J.projectedStart(j) + j.estNs;
    reply(j.id, j.owner, j.state, j.qubits, j.shots, end);
    return OK;
  }
  return E_BADSLOT;
}

const POLICY_NAMES = ["?", "fifo", "error-rate", "coherence", "energy"];

function mixName(m: i32): string {
  if (m == 0) return "none";
  return ((m & QS_MIX_BATCH) != 0 ? "batch" : "") + ((m & QS_MIX_BATCH) != 0 && (m & QS_MIX_MULTI) != 0 ? "+" : "") + ((m & QS_MIX_MULTI) != 0 ? "multi" : "");
}

function settings(p: i32, m: i32, l: i32): string {
  return "policy " + POLICY_NAMES[p] + ", mixing " + mixName(m) + ", loss " + l.toString() + " ppm";
}

function setPolicy(c: Client, p: i64, m: i64, l: i64): i32 {
  if (p != -1 && (p < QS_POL_FIFO || p > QS_POL_ENERGY)) return E_ARG;
  if (m != -1 && (m < 0 || m > (QS_MIX_BATCH | QS_MIX_MULTI))) return E_ARG;
  if (l != -1 && (l < 0 || l > 1000000)) return E_ARG;
  if (p != -1 || m != -1 || l != -1) {
    const next = settings(p == -1 ? policy : <i32>p, m == -1 ? mix : <i32>m, l == -1 ? lossPpm : <i32>l);
    if (!c.admin) {
      log("audit: " + who(c) + " may not change the policy (" + next + "): its grant lacks the admin right (qsched:call+control)");
      return refuse(c, QS_WHY_ADMIN, "setting the policy needs the admin right (qsched:call+control)", E_PERM);
    }
    const before = settings(policy, mix, lossPpm);
    if (p != -1) policy = <i32>p;
    if (m != -1) mix = <i32>m;
    if (l != -1) lossPpm = <i32>l;
    changes++;
    log("audit: " + who(c) + " set the scheduler's " + next + " (was " + before + ")");
  }
  reply(policy, mix, lossPpm, changes);
  return OK;
}

function calibration(): i32 {
  const room = sys.lease_len(0);
  if (room >= 0 && cal.tableBytes > 0) {
    if (room < cal.tableBytes) return E_NOSPACE;
    const w = sys.lease_write(0, 0, changetype<usize>(cal.table), cal.tableBytes);
    if (w < 0) return w;
  }
  reply(device.allowance(), cal.calQubits, cal.pairCount, cal.tableBytes, device.deviceId());
  return OK;
}

function reason(c: Client, id: i64): i32 {
  let why = c.why, text = c.whyText;
  let j: Job | null = null;
  if (id != 0) {
    j = own(c, id);
    if (j == null) return lastError;
    why = j.why; text = j.whyText;
  }
  const bytes = String.UTF8.encode(text);
  const room = sys.lease_len(0);
  if (room > 0) {
    const w = sys.lease_write(0, 0, changetype<usize>(bytes), min(room, bytes.byteLength));
    if (w < 0) return w;
  }
  if (j != null && why == QS_WHY_DEVICE) reply(why, bytes.byteLength, j.devReason[0], j.devReason[1], j.devReason[2], j.devReason[3]);
  else reply(why, bytes.byteLength);
  return OK;
}

function layout(c: Client, kind: i64, id: i64): i32 {
  const out = new StaticArray<u8>(32);
  let k = 0;
  if (kind == QS_OF_JOB) {
    const j = own(c, id);
    if (j == null) return lastError;
    if (!j.placed) return E_STATE;
    k = j.qubits;
    for (let i = 0; i < k; i++) unchecked(out[i] = <u8>unchecked(j.place[i]));
    reply(k, j.estPpm, j.estNs, j.energy, j.batch, j.policy);
  } else if (kind == QS_OF_ALLOC) {
    const a = A.byId(id);
    if (a == null) return E_BADSLOT;
    if (a.owner != c.pid) return E_PERM;
    k = a.k;
    for (let i = 0; i < k; i++) unchecked(out[i] = <u8>unchecked(a.qubits[i]));
    reply(k, 0, 0, 0, 0, 0);
  } else return E_ARG;
  const room = sys.lease_len(0);
  if (room > 0) {
    const w = sys.lease_write(0, 0, changetype<usize>(out), min(room, k));
    if (w < 0) return w;
  }
  return OK;
}

// --------------------------------------------------------------- running jobs

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
function runNext(): void {
  if (running != null || J.queue.length == 0 || !qpuReady()) return;
  const cap = device.ready();
  if (cap < 0) return; // no QPU (yet): the jobs wait
  for (let i = 0; i < J.queue.length; i++) {
    const j = unchecked(J.queue[i]);
    if (j.state != QS_JOB_QUEUED) continue;
    const a: A.Alloc | null = j.alloc == 0 ? null : A.byId(j.alloc);
    const code = changetype<usize>(j.code);
    profile.analyse(code, j.code.byteLength);
    A.usable(avail, a);
    if (!placement.search(code, j.code.byteLength, j.shots, avail, j.mapAny, policy)) continue; // waits for qubits
    place(j);
    gather(j, i);
    start(cap);
    break;
  }
  if (running == null && J.queue.length > 0 && anyPlaceable()) wake();
}

/** After a job ended: is another one waiting that could run (else the timer sleeps until a release)? */
function anyPlaceable(): bool {
  for (let i = 0; i < J.queue.length; i++) if (unchecked(J.queue[i]).state == QS_JOB_QUEUED) return true;
  return false;
}

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
function gather(j: Job, at: i32): void {
  group.length = 0;
  group.push(j);
  if (mix == 0) return;
  let qUsed = j.qubits, cUsed = j.clbits;
  if ((mix & QS_MIX_BATCH) != 0) {
    for (let i = at + 1; i < J.queue.length && group.length < MAX_PARTS; i++) {
      const q = unchecked(J.queue[i]);
      if (q.state != QS_JOB_QUEUED || q.shots != j.shots || q.alloc != j.alloc || q.mapAny != j.mapAny) continue;
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
  for (let i = at + 1; i < J.queue.length && group.length < MAX_PARTS; i++) {
    const q = unchecked(J.queue[i]);
    if (q.state != QS_JOB_QUEUED || q.shots != j.shots || q.alloc != 0) continue;
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
  if (device.isBusy(s)) { running = j; return; }
  completed(cap, s);
}
let runNs: i64 = 0;

/** The device's answer to the group's run: its outcomes, shared out, or its refusal. */
function completed(cap: i32, s: i32): void {
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

function fail(j: Job, code: i32, why: i32, text: string): void {
  j.startV = J.clock; j.endV = J.clock;
  end(j, QS_JOB_FAILED, code, why, text);
}

/** j ended: its owner's books, the allocation's, a TAG_QS_DONE if one is owed; the next job. */
function end(j: Job, state: i32, outcome: i32, why: i32, text: string): void {
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

// ------------------------------------------------------------ clients going away

/** A service went away (the registry's event, from init): its allocations and jobs go with it. */
function serviceEvent(index: i32, kind: i32): i32 {
  if (kind != EV_CRASHED && kind != EV_EXITED && kind != EV_STOPPED && kind != EV_KILLED && kind != EV_GAVE_UP) return OK;
  let r = -1;
  for (let i = 0; i < QS_CLIENTS; i++) { const c = unchecked(clients[i]); if (c != null && c.index == index) { r = i; break; } }
  if (r < 0) return OK;
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
  log(who(c) + " went away: " + freed.toString() + " qubits freed, " + ended.toString() + " unfinished jobs ended");
  drop(r);
  wake();
  return OK;
}

