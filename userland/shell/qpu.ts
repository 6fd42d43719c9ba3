// qpu: the shell's QPU commands, each a request to the quantum scheduler
// (userland/qsched, the QPU's driver; abi/protocols/qsched.ts). `qpu run`
// takes the rest of its line as an OpenQASM program (a one-line program is
// valid OpenQASM; `\n` in it is a line break and `\\` a backslash, so a
// program of several lines fits one shell line and the parser's line:column
// refer to its own lines), submits it, waits for the job in the scheduler's
// virtual time (looking every millisecond, as `svc stop` waits) and prints
// the counts in Qiskit's order. An image without a scheduler gets one line
// saying so, refused.
import {
  sys, capByName, OK, E_PERM, E_NOSPACE, E_STATE, LEASE_READ, LEASE_WRITE,
  TAG_QS_SUBMIT, TAG_QS_STATUS, TAG_QS_RESULTS, TAG_QS_JOBS, TAG_QS_POLICY, TAG_QS_CALIBRATION, TAG_QS_REASON, TAG_QS_INFO,
  QS_SUBMIT_MAP, QS_RES_TEXT, QS_LIST_ALL, QS_JOB_QUEUED, QS_JOB_RUNNING, QS_JOB_DONE, QS_JOB_FAILED, QS_JOB_CANCELLED,
  TAG_INIT_CAPS, GRANT_PLUG, DEV_TYPE_QPU, QS_POL_FIFO, qsPolicyName, qsPolicyNames, qsMixName, QS_SOURCE_MAX, QS_WHY_NONE,
} from "../lib";
import { QPU_MAX_SHOTS } from "../../hal/qpu/job-format";
import {
  QCAL_HEADER_BYTES, QCAL_HDR_QUBITS, QCAL_QUBIT_BYTES, QCAL_Q_T1, QCAL_Q_T2, QCAL_Q_P10, QCAL_Q_P01,
} from "../../hal/qpu/calibration-format";
import { errorName } from "../lib/names";
import { println } from "./console";
import { refused, misused } from "./outcome";
import { argNumber, refusal } from "./number";
import { didYouMean } from "./suggest";
import { count, status, nameOf, request2 } from "./services";

export const QPU_COMMANDS = ["run", "jobs", "status", "results", "policy", "calibration"];
const STATES = ["?", "queued", "running", "done", "failed", "cancelled"];
const SHOTS_DEFAULT: i64 = 1024;
const JOB_ID_MAX: i64 = I32.MAX_VALUE;
const SEED_MAX: i64 = I64.MAX_VALUE;
const POLL_NS: i64 = 1000000;

let qs = -1;
const text = new StaticArray<u8>(4096); // results and reasons, a page of lines at a time

/** `qpu ...`: `line` is the whole line as typed (run takes its program from it), `args` its words without --json. */
export function qpuCommand(line: string, args: string[], json: bool): void {
  qs = capByName("qsched");
  if (qs < 0) { refused("qpu: no quantum scheduler in this image (a qsched service granted to the shell: see images/default.toml)"); return; }
  if (args.length < 2) { misused("qpu needs a command: " + QPU_COMMANDS.join(", ") + " (try help)"); return; }
  const sub = args[1];
  if (!QPU_COMMANDS.includes(sub)) { misused("unknown qpu command: " + sub + didYouMean(sub, QPU_COMMANDS)); return; }
  if (sub == "run") { run(line); return; }
  if (sub == "jobs") { jobs(json); return; }
  if (sub == "policy") { policy(args.length > 2 ? args[2] : ""); return; }
  if (sub == "calibration") { calibration(json); return; }
  if (args.length < 3) { misused("qpu " + sub + " needs a job id (try qpu jobs)"); return; }
  const id = argNumber("qpu " + sub, "ID", args[2], 1, JOB_ID_MAX);
  if (id < 0) { misused(refusal); return; }
  if (sub == "status") jobStatus(<i32>id, json);
  else results(<i32>id, json, "");
}

// ---------------------------------------------------------------- run

// The job `qpu run` waits for (0: none): the next line runs once it has ended.
let waitJob = 0;
let waitJson = false;
let waitSeed: u64 = 0;
let waitShots: i64 = 0;
// A run whose scheduler has no QPU yet (just after boot the devmgr plugs the
// image's QPU and binds it to the scheduler a moment after init is ready):
// its program, submitted again every millisecond until the attach deadline.
let pending = new ArrayBuffer(0);
let attachBy: i64 = 0;
const ATTACH_WAIT_NS: i64 = 2000000000;

/** Whether a `qpu run` waits for its job (the shell reads no line meanwhile). */
export function qpuWaiting(): bool { return waitJob != 0 || attachBy != 0; }

/** Look at the run `qpu run` waits for: true once it has ended and its results (or why not) are printed. */
export function qpuPoll(): bool {
  if (attachBy != 0) return submit();
  if (sys.call(qs, TAG_QS_STATUS, waitJob, 0, 0, 0, 0, 0) != OK) { refused("qpu run: job " + waitJob.toString() + " is gone"); waitJob = 0; return true; }
  const state = <i32>sys.reply_word(0);
  if (state == QS_JOB_QUEUED || state == QS_JOB_RUNNING) { sys.timer_set(sys.time() + POLL_NS); return false; }
  const job = waitJob;
  waitJob = 0;
  const start = sys.reply_word(3), end = sys.reply_word(4);
  if (state != QS_JOB_DONE) { const why = reason(job); refused("qpu run: job " + job.toString() + " " + STATES[state] + (why.length > 0 ? ": " + why : "")); return true; }
  results(job, waitJson, ',"shots":' + waitShots.toString() + ',"qubits":' + qubitsOf(job).toString() + ',"seed":' + waitSeed.toString() +
    ',"duration_us":' + micros(end - start) + ',"job":' + job.toString());
  return true;
}

/** Submit the pending program: true when the run is over (refused), false while it waits (for the QPU, or for its job). */
function submit(): bool {
  sys.lease(0, changetype<usize>(pending), pending.byteLength, LEASE_READ);
  const r = sys.call(qs, TAG_QS_SUBMIT, waitShots, <i64>waitSeed, 0, QS_SUBMIT_MAP, 0, 0);
  if (r == E_STATE && sys.time() < attachBy) { sys.timer_set(sys.time() + POLL_NS); return false; }
  attachBy = 0;
  if (r == E_STATE) { refused("qpu run: the scheduler has no QPU (dev list shows the bus; an image's [qpu] gives it one)"); return true; }
  if (r != OK) { const why = reason(0); refused("qpu run: " + (why.length > 0 ? why : errorName(r))); return true; }
  waitJob = <i32>sys.reply_word(0);
  return qpuPoll();
}

/** qpu run [--shots N] [--seed S] [--json] PROGRAM: the options come first, the rest of the line is the program. */
function run(line: string): void {
  let at = skipWord(line, skipWord(line, 0)); // past "qpu" and "run"
  let shots = SHOTS_DEFAULT, json = false, seeded = false;
  let seed: u64 = 0;
  for (;;) {
    const w = wordAt(line, at);
    if (w == "--json") { json = true; at = skipWord(line, at); continue; }
    if (w != "--shots" && w != "--seed") break;
    at = skipWord(line, at);
    const n = argNumber("qpu run", w == "--shots" ? "--shots" : "--seed", wordAt(line, at), w == "--shots" ? 1 : 0, w == "--shots" ? <i64>QPU_MAX_SHOTS : SEED_MAX);
    if (n < 0) { misused(refusal); return; }
    if (w == "--shots") shots = n; else { seed = <u64>n; seeded = true; }
    at = skipWord(line, at);
  }
  const program = unescape(line.substring(at).trim());
  if (program.length == 0) { misused("qpu run needs an OpenQASM program after its options, e.g. qpu run OPENQASM 2.0; qreg q[1]; creg c[1]; h q[0]; measure q -> c;"); return; }
  // Unseeded: a seed from the clock, printed with --json, so the run can be repeated.
  if (!seeded) seed = (<u64>sys.time() * 0x9e3779b97f4a7c15) >> 11;
  pending = String.UTF8.encode(program);
  if (pending.byteLength > QS_SOURCE_MAX) { refused("qpu run: a program of " + pending.byteLength.toString() + " bytes; the scheduler takes " + QS_SOURCE_MAX.toString()); return; }
  waitJson = json; waitSeed = seed; waitShots = shots;
  attachBy = sys.time() + ATTACH_WAIT_NS;
  submit();
}

/** `\n` in a program typed on one line is a line break, `\\` a backslash. */
function unescape(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c == "\\" && i + 1 < s.length && (s.charAt(i + 1) == "n" || s.charAt(i + 1) == "\\")) { out += s.charAt(i + 1) == "n" ? "\n" : "\\"; i++; continue; }
    out += c;
  }
  return out;
}

function skipSpaces(s: string, i: i32): i32 { while (i < s.length && s.charCodeAt(i) == 32) i++; return i; }
/** The index after the word at `i` and the spaces after it. */
function skipWord(s: string, i: i32): i32 { i = skipSpaces(s, i); while (i < s.length && s.charCodeAt(i) != 32) i++; return skipSpaces(s, i); }
function wordAt(s: string, i: i32): string { i = skipSpaces(s, i); let j = i; while (j < s.length && s.charCodeAt(j) != 32) j++; return s.substring(i, j); }

/** Why the scheduler refused the caller's last call (job 0) or a job ended badly: its text, or "" when it keeps none. */
function reason(job: i32): string {
  sys.lease(0, changetype<usize>(text), text.length, LEASE_WRITE);
  const r = sys.call(qs, TAG_QS_REASON, job, 0, 0, 0, 0, 0);
  if (r != OK || <i32>sys.reply_word(0) == QS_WHY_NONE) return "";
  const n = min(<i32>sys.reply_word(1), text.length);
  return String.UTF8.decodeUnsafe(changetype<usize>(text), n);
}

function qubitsOf(job: i32): i64 {
  for (let k = 0; sys.call(qs, TAG_QS_JOBS, k, QS_LIST_ALL, 0, 0, 0, 0) == OK; k++) if (<i32>sys.reply_word(0) == job) return sys.reply_word(3);
  return 0;
}

/** Nanoseconds as microseconds with three decimals. */
function micros(ns: i64): string {
  if (ns < 0) ns = 0;
  const frac = (ns % 1000).toString();
  return (ns / 1000).toString() + "." + "000".substring(frac.length) + frac;
}

// ---------------------------------------------------------------- results

/**
 * The counts of job `id`, a page of Qiskit-order lines (`BITS COUNT`) at a
 * time; as JSON, {"counts": {BITS: COUNT, ...}} followed by `more` (the run's
 * own fields). BITS keep the spaces between registers.
 */
function results(id: i32, json: bool, more: string): void {
  let first: i64 = 0, total: i64 = 1, out = "";
  while (first < total) {
    for (let b = 0; b < text.length; b++) unchecked(text[b] = 0);
    sys.lease(0, changetype<usize>(text), text.length, LEASE_WRITE);
    const r = sys.call(qs, TAG_QS_RESULTS, id, first, QS_RES_TEXT, 0, 0, 0);
    if (r != OK) { refused("qpu results: job " + id.toString() + ": " + (r == E_PERM ? "another client's" : errorName(r) + jobState(id))); return; }
    const written = sys.reply_word(0);
    total = sys.reply_word(1);
    if (written <= 0) break;
    const page = String.UTF8.decodeUnsafe(changetype<usize>(text), text.length).split("\0")[0];
    const lines = page.split("\n");
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k];
      if (l.length == 0) continue;
      if (!json) { println(l); continue; }
      const cut = l.lastIndexOf(" ");
      out += (out.length > 0 ? "," : "") + '"' + l.substring(0, cut) + '":' + l.substring(cut + 1);
    }
    first += written;
  }
  if (json) println('{"counts":{' + out + "}" + more + "}");
}

function jobState(id: i32): string {
  if (sys.call(qs, TAG_QS_STATUS, id, 0, 0, 0, 0, 0) != OK) return "";
  const s = <i32>sys.reply_word(0);
  return s > 0 && s < STATES.length ? " (it is " + STATES[s] + ")" : "";
}

// ---------------------------------------------------------------- jobs, status

function pad(s: string, n: i32): string { return s.length >= n ? s + " " : s + " ".repeat(n - s.length); }

/** The service of pid `pid`, or the pid. */
function ownerName(pid: i32): string {
  const n = count();
  for (let i = 0; i < n; i++) { const s = status(i); if (s != null && s.pid == pid) return nameOf(i); }
  return pid.toString();
}

function jobs(json: bool): void {
  let out = "";
  if (!json) println(pad("JOB", 6) + pad("OWNER", 10) + pad("STATE", 10) + pad("QUBITS", 7) + pad("SHOTS", 8) + "END_US");
  let k = 0;
  for (; sys.call(qs, TAG_QS_JOBS, k, QS_LIST_ALL, 0, 0, 0, 0) == OK; k++) {
    // Every word first: naming the owner asks init, which replaces them.
    const id = sys.reply_word(0), pid = <i32>sys.reply_word(1), st = <i32>sys.reply_word(2);
    const qubits = sys.reply_word(3).toString(), shots = sys.reply_word(4).toString(), end = micros(sys.reply_word(5));
    const owner = ownerName(pid);
    const state = st > 0 && st < STATES.length ? STATES[st] : "?";
    if (json) {
      out += (k > 0 ? "," : "") + '{"job":' + id.toString() + ',"owner":"' + owner + '","state":"' + state + '","qubits":' +
        qubits + ',"shots":' + shots + ',"end_us":' + end + "}";
      continue;
    }
    println(pad(id.toString(), 6) + pad(owner, 10) + pad(state, 10) + pad(qubits, 7) + pad(shots, 8) + end);
  }
  if (json) println("[" + out + "]");
}

function jobStatus(id: i32, json: bool): void {
  const r = sys.call(qs, TAG_QS_STATUS, id, 0, 0, 0, 0, 0);
  if (r != OK) { refused("qpu status: job " + id.toString() + ": " + (r == E_PERM ? "another client's (its owner reads its status)" : "no such job (try qpu jobs)")); return; }
  const st = <i32>sys.reply_word(0), queue = sys.reply_word(1), submitted = sys.reply_word(2), start = sys.reply_word(3), end = sys.reply_word(4), outcome = sys.reply_word(5);
  const state = st > 0 && st < STATES.length ? STATES[st] : "?";
  const why = st == QS_JOB_FAILED || st == QS_JOB_CANCELLED ? reason(id) : "";
  if (json) {
    println('{"job":' + id.toString() + ',"state":"' + state + '","queue":' + queue.toString() + ',"submitted_us":' + micros(submitted) +
      ',"start_us":' + micros(start) + ',"end_us":' + micros(end) + (st == QS_JOB_DONE ? ',"outcomes":' + outcome.toString() : "") +
      (why.length > 0 ? ',"reason":"' + why.replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"' : "") + "}");
    return;
  }
  const times = "submitted " + micros(submitted) + " us, start " + micros(start) + " us, end " + micros(end) + " us (virtual" +
    (st == QS_JOB_QUEUED ? ", projected" : "") + ")";
  let line = "job " + id.toString() + ": " + state + (st == QS_JOB_QUEUED ? " (" + queue.toString() + " ahead)" : "") + ", " + times;
  if (st == QS_JOB_DONE) line += ", " + outcome.toString() + " outcomes";
  if (why.length > 0) line += ": " + why;
  println(line);
}

// ---------------------------------------------------------------- policy

function policy(word: string): void {
  let want: i64 = -1;
  if (word.length > 0) {
    const names = qsPolicyNames();
    const k = names.indexOf(word);
    if (k < 0) {
      const near = didYouMean(word, names);
      misused("qpu policy: unknown policy " + word + (near.startsWith(" (did") ? near : "") + "; the policies: " + names.join(", "));
      return;
    }
    want = QS_POL_FIFO + k;
  }
  const r = sys.call(qs, TAG_QS_POLICY, want, -1, -1, 0, 0, 0);
  if (r == E_PERM) { refused("qpu policy: refused: setting it needs the admin right (qsched:call+control in the shell's caps)"); return; }
  if (r != OK) { refused("qpu policy: " + errorName(r)); return; }
  println("policy " + qsPolicyName(<f64>sys.reply_word(0)) + (want >= 0 ? " (set)" : "") + "; mixing " + qsMixName(<f64>sys.reply_word(1)) +
    ", loss bound " + sys.reply_word(2).toString() + " ppm; " + sys.reply_word(3).toString() + " changes");
}

// ---------------------------------------------------------------- calibration

/** Four decimals of x (x >= 0, as figures are). */
function fixed(x: f64, places: i32): string {
  if (!isFinite(x)) return "-";
  const scale = Math.pow(10, places);
  const n = <i64>Math.round(x * scale);
  const frac = (n % <i64>scale).toString();
  return (n / <i64>scale).toString() + "." + "0".repeat(places - frac.length) + frac;
}

function calibration(json: bool): void {
  const r = sys.call(qs, TAG_QS_CALIBRATION, 0, 0, 0, 0, 0, 0);
  if (r != OK) { refused("qpu calibration: " + errorName(r)); return; }
  const allows = sys.reply_word(0), device = sys.reply_word(1), pairs = sys.reply_word(2), bytes = <i32>sys.reply_word(3), id = sys.reply_word(4);
  const head = json ? '{"qpu":' + (id == 0 ? "null" : '"qpu-' + id.toString() + '"') + ',"qubits":' + allows.toString() + ',"calibrated_qubits":' +
    device.toString() + ',"pairs":' + pairs.toString() + ',"bytes":' + bytes.toString()
    : (id == 0 ? "no QPU attached" : "qpu-" + id.toString()) + ": " + allows.toString() + " qubits, " +
      (bytes == 0 ? "ideal (no noise, every pair coupled)" : "calibrated as a " + device.toString() + "-qubit device, " + pairs.toString() + " coupled pairs, " + bytes.toString() + " bytes");
  if (bytes == 0) { println(json ? head + ',"figures":[]}' : head); return; }
  const table = new StaticArray<u8>(bytes);
  sys.lease(0, changetype<usize>(table), bytes, LEASE_WRITE);
  const t = sys.call(qs, TAG_QS_CALIBRATION, 0, 0, 0, 0, 0, 0);
  if (t != OK) { refused("qpu calibration: " + (t == E_NOSPACE ? "the table grew while it was read" : errorName(t))); return; }
  const base = changetype<usize>(table);
  const n = min(<i32>load<u32>(base + QCAL_HDR_QUBITS), (bytes - QCAL_HEADER_BYTES) / QCAL_QUBIT_BYTES);
  if (!json) { println(head); println("  " + pad("QUBIT", 6) + pad("T1_US", 9) + pad("T2_US", 9) + "READOUT_ERROR"); }
  let out = "";
  for (let q = 0; q < n; q++) {
    const at = base + QCAL_HEADER_BYTES + <usize>q * QCAL_QUBIT_BYTES;
    const t1 = load<f64>(at + QCAL_Q_T1) / 1000, t2 = load<f64>(at + QCAL_Q_T2) / 1000;
    const ro = (load<f64>(at + QCAL_Q_P10) + load<f64>(at + QCAL_Q_P01)) / 2;
    if (json) out += (q > 0 ? "," : "") + '{"qubit":' + q.toString() + ',"t1_us":' + (isFinite(t1) ? fixed(t1, 3) : "null") + ',"t2_us":' +
      (isFinite(t2) ? fixed(t2, 3) : "null") + ',"readout_error":' + fixed(ro, 6) + "}";
    else println("  " + pad(q.toString(), 6) + pad(fixed(t1, 1), 9) + pad(fixed(t2, 1), 9) + fixed(ro, 4));
  }
  if (json) println(head + ',"figures":[' + out + "]}");
}

// At start, a shell with the scheduler's capability waits (up to the attach
// deadline) for the scheduler to have the image's QPU, which the devmgr plugs
// and binds a moment after init is ready, and then one tick more, in which the
// scheduler reads its calibration: the first command finds the QPU ready, and
// a boot's log has the attach before the shell's first answer.
let settleBy: i64 = 0;
let attachedSeen = false;

/** Whether the shell may take its first line; false: it looks again at its next timer (armed here). */
export function qpuSettled(): bool {
  if (attachedSeen) return true;
  const s = capByName("qsched");
  if (s < 0) return true;
  const now = sys.time();
  if (settleBy == 0) {
    if (!qpuAtBoot()) return true; // no [qpu] in the manifest: nothing is coming
    settleBy = now + ATTACH_WAIT_NS;
  }
  if (sys.call(s, TAG_QS_INFO, 0, 0, 0, 0, 0, 0) == OK && sys.reply_word(0) != 0) attachedSeen = true;
  else if (now >= settleBy) return true;
  sys.timer_set(now + POLL_NS);
  return false;
}

/** Whether the manifest gives the image a QPU: a GRANT_PLUG record among some service's grants (the devmgr's). */
function qpuAtBoot(): bool {
  const n = count();
  for (let i = 0; i < n; i++) {
    for (let k = 0; request2(TAG_INIT_CAPS, i, k) == OK; k++) {
      if (<i32>sys.reply_word(0) == GRANT_PLUG && <i32>sys.reply_word(1) == DEV_TYPE_QPU) return true;
    }
  }
  return false;
}

/** For `help`. */
export function qpuHelp(): string[] {
  return [
    "  qpu run [--shots N] [--seed S] [--json] PROGRAM  run OpenQASM (the rest of the line; \\n: a line break) on the QPU through",
    "                               the scheduler, wait for it, print the counts in Qiskit's order (default 1024 shots;",
    "                               no --seed: one from the clock, printed with --json)",
    "  qpu jobs [--json]            every job the scheduler keeps: id, owner, state, qubits, shots, virtual end",
    "  qpu status ID [--json]       one job of the shell's: its state, virtual times, outcomes or why it failed",
    "  qpu results ID [--json]      one done job's counts, in Qiskit's order",
    "  qpu policy [NAME]            the scheduler's placement policy, or set it (" + qsPolicyNames().join(", ") + "; admin right)",
    "  qpu calibration [--json]     the QPU's qubits and calibration: each qubit's T1, T2 and readout error",
  ];
}
