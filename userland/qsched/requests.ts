// The scheduler's protocol (abi/protocols/qsched.ts) as its clients use it:
// allocations within the quota, submissions, status, cancel, wait, results,
// the job list, the policy, the calibration, reasons and layouts. Each
// handler checks what it is given and answers an error code for anything
// out of range or not the caller's.
import {
  sys, arg, reply, keepCap, log, OK, E_ARG, E_PERM, E_STATE, E_BADSLOT, E_BUSY, E_NOSPACE, E_QUOTA, E_UNSUPPORTED,
  K_ENDPOINT, TAG_QS_ALLOC, TAG_QS_RELEASE, TAG_QS_SUBMIT, TAG_QS_STATUS, TAG_QS_CANCEL, TAG_QS_WAIT, TAG_QS_RESULTS,
  TAG_QS_JOBS, TAG_QS_POLICY, TAG_QS_CALIBRATION, TAG_QS_REASON, TAG_QS_LAYOUT, TAG_QS_INFO, TAG_QS_HOLD,
  TAG_QS_RECALIBRATE, TAG_QS_HARVEST, QS_SUBMIT_MAP, QS_OF_JOB,
  QS_OF_ALLOC, QS_RES_ENTRIES, QS_RES_TEXT, QS_LIST_ALL, QS_LIST_MINE, QS_CLIENTS, QS_CLIENT_QUEUE, QS_SOURCE_MAX,
  QS_POOL_BYTES, QS_JOB_RUNNING, QS_JOB_DONE, QS_JOB_CANCELLED, QS_POL_FIFO, QS_POL_ERROR, QS_POL_COHERENCE,
  QS_POL_ENERGY, QS_POL_LAST, QS_MIX_BATCH, QS_MIX_MULTI, QS_WHY_PARSE, QS_WHY_QUOTA, QS_WHY_UNCOUPLED, QS_WHY_NOMAP,
  QS_WHY_COHERENCE, QS_WHY_TOO_BIG, QS_WHY_DEVICE, QS_WHY_CANCELLED, QS_WHY_FULL, QS_WHY_ADMIN, QS_WHY_NONE,
  CQ_TARGET,
} from "../lib";
import { QRES_ENTRY_BYTES, QPU_MAX_SHOTS } from "../../hal/qpu/job-format";
import { qasmToJob, qasmError } from "../lib/qasm";
import * as harvest from "./harvest";
import * as cal from "./calibration";
import * as profile from "./profile";
import * as placement from "./placement";
import * as device from "./device";
import * as A from "./allocs";
import * as J from "./jobs";
import { Client, client, busy, rowOf, drop, keepEndpoint, refuse, who } from "./clients";
import { Job } from "./jobs";
import { writeResults, resultsRegisters } from "./results";
import { policy, mix, lossPpm, changes, setSettings, settingsText, qpuReady, wake } from "./state";
import { estimate, end } from "./run";
import { sweep } from "./gone";
import { holdCall, recalibrateCall } from "./timeline";
import { arrivalOf } from "./arrival";

const source = new StaticArray<u8>(QS_SOURCE_MAX);
/** The latest arrival SUBMIT takes (2^62 ns, some 146 years): times past it could overflow once a run's length is added. */
const ARRIVAL_MAX: i64 = 1 << 62;
const compiled = new StaticArray<u8>(device.JOB_MAX);
const avail = new StaticArray<bool>(cal.MAX_QUBITS_);

/** A call from client `pid` (its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export function clientCall(pid: i32, tag: i32): i32 {
  if (pid <= 0) return E_PERM;
  let c = client(pid);
  if (c == null && !busy && sweep("when the client table was full") > 0) c = client(pid);
  if (c == null) return busy ? E_BUSY : E_NOSPACE; // init busy, or QS_CLIENTS known already
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
    case TAG_QS_HOLD: return holdCall(c, arg(0));
    case TAG_QS_RECALIBRATE: return recalibrateCall(c, arg(0));
    case TAG_QS_HARVEST: harvest.report(qpuReady()); return OK;
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
  const shots = arg(0), seed = arg(1), allocId = arg(2), flags = arg(3), arrives = arg(4);
  if (shots < 1 || shots > QPU_MAX_SHOTS || arrives < 0 || arrives > ARRIVAL_MAX) return refuse(c, QS_WHY_NONE, "", E_ARG);
  // An arrival ahead of the clock moves the clock every client shares when the QPU comes to it: the admin's alone.
  if (arrives > J.clock && !c.admin) return refuse(c, QS_WHY_ADMIN, "an arrival ahead of the virtual clock needs the admin right (qsched:call+control)", E_PERM);
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
  if (!placement.search(code, n, <i32>shots, avail, mapAny, policy)) {
    // Not now (qubits held): estimate where it would run on the whole QPU.
    A.all(avail, a);
    placement.search(code, n, <i32>shots, avail, mapAny, policy);
  }
  if (J.poolBytes + n > QS_POOL_BYTES) return refuse(c, QS_WHY_FULL, "the job pool is full", E_NOSPACE);
  const j = new Job();
  j.owner = c.pid; j.shots = <i32>shots; j.seed = seed; j.alloc = a == null ? 0 : a.id; j.mapAny = mapAny;
  j.qubits = k; j.clbits = profile.jobClbits; j.policy = policy;
  j.code = new ArrayBuffer(n);
  memory.copy(changetype<usize>(j.code), code, n);
  estimate(j);
  J.add(rec, j);
  j.submitV = arrivalOf(arrives);
  c.unfinished++;
  if (a != null) a.jobs++;
  reply(j.id, k, J.positionOf(j), j.submitV, j.estNs, j.estPpm);
  wake();
  return OK;
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
/** Why own() found no job: E_BADSLOT or E_PERM. */
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
    // Only the caller's own endpoint: the scheduler's sends never go to a service the caller names.
    if (sys.cap_query(cap, CQ_TARGET) != c.pid) return E_PERM;
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

function setPolicy(c: Client, p: i64, m: i64, l: i64): i32 {
  if (p != -1 && (p < QS_POL_FIFO || p > QS_POL_LAST)) return E_ARG;
  if (m != -1 && (m < 0 || m > (QS_MIX_BATCH | QS_MIX_MULTI))) return E_ARG;
  if (l != -1 && (l < 0 || l > 1000000)) return E_ARG;
  if (p != -1 || m != -1 || l != -1) {
    const np = p == -1 ? policy : <i32>p, nm = m == -1 ? mix : <i32>m, nl = l == -1 ? lossPpm : <i32>l;
    const next = settingsText(np, nm, nl);
    if (!c.admin) {
      log("audit: " + who(c) + " may not change the policy (" + next + "): its grant lacks the admin right (qsched:call+control)");
      return refuse(c, QS_WHY_ADMIN, "setting the policy needs the admin right (qsched:call+control)", E_PERM);
    }
    const before = settingsText(policy, mix, lossPpm);
    setSettings(np, nm, nl);
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

