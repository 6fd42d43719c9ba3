// shell: the console's command line. It reads lines from the console and
// asks init to list, start, stop and restart services. With a terminal it
// prompts; with piped input it runs the commands, and at the end of input it
// asks init to halt the machine (when the host says the input drives it).
import {
  sys, OK, E_ARG, E_BADSLOT, E_STATE, SVC_RUNNING, SVC_STARTING, SVC_STOPPING, NOTE_TIMER, NOTE_STOP, ST_BOOT_FLAGS, TAG_LOG_TAIL, LEASE_WRITE, capByName, BOOT_INTERACTIVE, BOOT_TTY, BOOT_STRICT,
  TAG_INIT_START, TAG_INIT_STOP, TAG_INIT_RESTART, TAG_INIT_HALT, TAG_INIT_PAUSE, TAG_INIT_RESUME, TAG_INIT_ENABLE,
  TAG_CON_INPUT, TAG_INIT_DISABLE, TAG_INIT_RELOAD, TAG_INIT_HEALTH_CHECK, RELOAD_ROLLBACK_TEST, HEALTH_UNKNOWN, EV_KILLED,
} from "../lib";
import { errorName, eventName, eventDetail } from "../lib/names";
import { openConsole, print, println, readLines, flushPending, LINE_MAX, INPUT_BADGE } from "./console";
import { openInit, count, nameOf, find, status, stateName, request, eventAt, metricsOf, dependencyOf } from "./services";
import { healthOf, healthName } from "./registry";
import { registryList, lookup, ownCaps, grantsOf } from "./inspect";
import { argNumber, refusal } from "./number";
import { refused, misused, markRefused, takeStatus } from "./outcome";
import { didYouMean } from "./suggest";
import { devCommand } from "./devices";
import { qpuCommand, qpuWaiting, qpuPoll, qpuHelp, qpuSettled } from "./qpu";

// The ranges of the shell's numeric arguments. A sleep is for scripts (a day
// at most keeps now + MS far from overflow); an exit code is what a process
// can exit with; log asks for lines until the log has no more.
const SLEEP_MAX_MS: i64 = 86400000;
const EXIT_CODE_MAX: i64 = 255;
const LOG_LINES_MAX: i64 = I32.MAX_VALUE;
const LOG_LINES_DEFAULT = 20;
// A start, stop or restart waits until the service has left the state its
// request passes through (Stopping, Starting), looking every millisecond.
// The wait has no deadline of its own: init ends both states itself, at the
// service's stop_timeout and start_timeout (userland/init/supervisor.ts:
// onNotify calls kill at stopAt and giveUpOn at startBy, armTimer arms init's
// timer for them, and both set the state whatever proc_kill answers), and if
// init dies the machine halts (EXIT_PANIC). A deadline here could only run
// out before init's timer was served, when the host stalled past it, and
// would report as hung a stop init ends a moment later; so there is none.
// A stop that init had to end by killing the service (its stop_timeout
// passed: event "killed") is said so, and refused: exit 1 under ctl.
const WAIT_POLL_NS: i64 = 1000000;

const COMMANDS = ["svc", "dev", "qpu", "caps", "log", "sleep", "echo", "status", "halt", "help"];
const SVC_COMMANDS = ["list", "top", "registry", "check", "lookup", "status", "events", "deps", "reload", "start", "stop",
  "restart", "pause", "resume", "enable", "disable"];

let flags = 0;
let ended = false;

export function quark_start(pid: i32, restarts: i32): i32 {
  if (openConsole() < 0) return E_BADSLOT;
  openInit();
  flags = sys.stats(ST_BOOT_FLAGS);
  // Take input once init has finished starting everything (and said ready).
  sys.timer_set(sys.time());
  return OK;
}

let greeted = false;

let sleepUntil: i64 = 0;
let halting = false; // a halt went through: no prompt after it

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  if ((bits & NOTE_TIMER) != 0 && !greeted) {
    if (!qpuSettled()) return OK;
    greeted = true;
    if (tty()) { println("quark shell: type help for the commands"); prompt(); }
  }
  if (sleepUntil > 0) {
    if (sys.time() < sleepUntil) return OK;
    sleepUntil = 0;
    prompt();
  }
  if (waiting >= 0) {
    if (!waitDone()) return OK;
    prompt();
  }
  if (qpuWaiting()) {
    if (!qpuPoll()) return OK;
    prompt();
  }
  if (greeted) poll();
  return OK;
}

/** The console driver's TAG_CON_INPUT: input came (or ended, or the driver restarted): read on, unless a sleep or a wait holds the input. */
export function quark_handle(badge: i32, tag: i32): i32 {
  if (badge != INPUT_BADGE || tag != TAG_CON_INPUT) return E_ARG;
  flushPending();
  if (greeted && sleepUntil == 0 && waiting < 0) poll();
  return OK;
}

@inline function tty(): bool { return (flags & BOOT_TTY) != 0; }
function prompt(): void { if (tty()) print("quark> "); }

function poll(): void {
  if (ended || halting) return;
  if (readLines(runLine)) return;
  ended = true;
  if ((flags & BOOT_INTERACTIVE) == 0) return; // nobody drives this console: stay up
  if (tty()) println("");
  // quark boot --strict: the script's worst status is the machine's exit code.
  sys.call(openInit(), TAG_INIT_HALT, (flags & BOOT_STRICT) != 0 ? takeStatus() : 0, 0, 0, 0, 0, 0);
}

let typed = ""; // the line as typed: qpu run takes its program from it

/** Run one line; false to stop reading for now (sleep). */
function runLine(line: string): bool {
  const words = line.trim().split(" ").filter((w: string) => w.length > 0);
  if (words.length > 0 && words[0] == "sleep") {
    const ms = argNumber("sleep", "MS", words.length > 1 ? words[1] : "", 0, SLEEP_MAX_MS);
    if (ms >= 0) {
      sleepUntil = sys.time() + ms * 1000000;
      sys.timer_set(sleepUntil);
      return false;
    }
    misused(refusal);
    prompt();
    return true;
  }
  typed = line;
  if (words.length > 0) execute(words);
  if (halting) return false; // the lines after a halt are not run
  if (waiting >= 0 || qpuWaiting()) return false; // the next line runs once the state is reached, or the job has ended
  prompt();
  return true;
}

function execute(w: string[]): void {
  const json = w.includes("--json");
  const block = !w.includes("--no-block");
  const args = w.filter((x: string) => x != "--json" && x != "--no-block");
  const cmd = args[0];
  if (cmd == "help") { help(); return; }
  if (cmd == "log") { logCommand(args); return; }
  if (cmd == "caps") { caps(args, json); return; }
  if (cmd == "echo") { println(w.slice(1).join(" ")); return; }
  if (cmd == "status") { println((args.length > 1 ? args[1] : "status") + " " + takeStatus().toString()); return; }
  if (cmd == "halt") { haltCommand(args); return; }
  if (cmd == "dev") { devCommand(args, json); return; }
  if (cmd == "qpu") { qpuCommand(typed, args, json); return; }
  if (cmd != "svc") { misused("unknown command: " + w.join(" ") + didYouMean(cmd, COMMANDS)); return; }
  if (args.length < 2) { misused("svc needs a command: " + SVC_COMMANDS.join(", ") + " (try help)"); return; }
  const sub = args[1];
  if (!SVC_COMMANDS.includes(sub)) { misused("unknown svc command: " + sub + didYouMean(sub, SVC_COMMANDS)); return; }
  if (sub == "list") { list(json); return; }
  if (sub == "top") { top(json); return; }
  if (sub == "registry") { registryList(json); return; }
  if (sub == "check") { checkNow(json); return; }
  if (sub == "lookup") {
    const q = args.filter((x: string) => x != "--tag" && x != "--all");
    if (q.length < 3) { misused("svc lookup needs a name, a pattern (with * or ?) or, with --tag, a tag"); return; }
    lookup(q[2], args.includes("--tag"), args.includes("--all"), json);
    return;
  }
  if (args.length < 3) { misused("svc " + sub + " needs a service name (try svc list)"); return; }
  const i = find(args[2]);
  if (i < 0) { refused("no service named " + args[2] + " (try svc list)"); return; }
  if (sub == "status") { show(i, json); return; }
  if (sub == "events") { events(i, args[2], json); return; }
  if (sub == "deps") { deps(i, args[2], json); return; }
  if (sub == "reload") { reload(i, args[2], args.includes("--rollback-test") ? RELOAD_ROLLBACK_TEST : 0, json); return; }
  const tag = sub == "start" ? TAG_INIT_START : sub == "stop" ? TAG_INIT_STOP : sub == "restart" ? TAG_INIT_RESTART :
    sub == "pause" ? TAG_INIT_PAUSE : sub == "resume" ? TAG_INIT_RESUME : sub == "enable" ? TAG_INIT_ENABLE : TAG_INIT_DISABLE;
  const askedAt = sys.time();
  const r = request(tag, i);
  if (r != OK) { refused(sub + ": " + args[2] + " refused: " + (r == E_STATE ? "it is " + stateName(status(i)!.state) : errorName(r))); return; }
  waiting = i; waitSub = sub; waitName = args[2]; waitSince = askedAt;
  if (!block) { waiting = -1; println(sub + ": " + args[2] + " ok"); return; } // asked is enough, as systemctl --no-block
  if (waitDone()) return;
  sys.timer_set(sys.time() + WAIT_POLL_NS);
}

// The request init took and is carrying out: the next line waits for it.
let waiting = -1;
let waitSub = "";
let waitName = "";
let waitSince: i64 = 0;

/** Has the service left the state its request passes through? Then say how it ended; else look again soon. */
function waitDone(): bool {
  const s = status(waiting);
  const state = s == null ? -1 : s.state;
  const passing = waitSub == "stop" || waitSub == "disable" ? SVC_STOPPING : waitSub == "start" || waitSub == "restart" ? SVC_STARTING : -1;
  if (state == passing) { sys.timer_set(sys.time() + WAIT_POLL_NS); return false; }
  const what = waitSub + ": " + waitName;
  const waiting_ = waiting;
  waiting = -1;
  const shown = state < 0 ? "unknown" : stateName(state);
  if (passing == SVC_STARTING && state != SVC_RUNNING) refused(what + " failed: it is " + shown);
  else if (passing == SVC_STOPPING && killedSince(waiting_, waitSince)) refused(what + " killed: it did not stop within its stop_timeout");
  else println(what + " ok");
  return true;
}

/** Was service `i`'s newest event, since `since`, init killing it at its stop deadline? */
function killedSince(i: i32, since: i64): bool {
  const e = eventAt(i, 0);
  return e != null && e.kind == EV_KILLED && e.time >= since;
}

/** halt [CODE]: a code outside 0..255 is refused (a process exit code could not carry it). */
function haltCommand(args: string[]): void {
  const code = args.length > 1 ? argNumber("halt", "CODE", args[1], 0, EXIT_CODE_MAX) : 0;
  if (code < 0) { misused(refusal); return; }
  const r = sys.call(openInit(), TAG_INIT_HALT, code, 0, 0, 0, 0, 0);
  if (r == OK) halting = true;
  else refused("halt refused: " + errorName(r));
}

function logCommand(args: string[]): void {
  const n = args.length > 1 ? argNumber("log", "N", args[1], 1, LOG_LINES_MAX) : LOG_LINES_DEFAULT;
  if (n < 0) { misused(refusal); return; }
  showLog(<i32>n);
}

function help(): void {
  println("commands:");
  println("  svc list [--json]            every service, its state, pid and restarts");
  println("  svc status NAME [--json]     one service");
  println("  svc start|stop|restart NAME  change a service's state and wait for it (stop: asked, then killed at its");
  println("                               stop_timeout, said and refused); --no-block: return once init has the request");
  println("  svc pause|resume NAME        hold its messages (calls get E_BUSY), then let them through");
  println("  svc enable|disable NAME      allow or forbid starting it (disable stops it)");
  println("  svc events NAME [--json]     what happened to it, oldest first");
  println("  svc top [--json]             per service: uptime, messages handled, CPU fuel, pages");
  println("  svc deps NAME [--json]       what it requires, binds to and wants, and what requires it");
  println("  svc reload NAME [--json]     replace its module with the new build in the image file (same pid;");
  println("                               queued messages go to the new one; a failed start keeps the old one)");
  println("                               --rollback-test: make the new start fail on purpose");
  println("  svc registry [--json]        every registry entry: name, service, version, health, tags");
  println("  svc check [--json]           a health check of every service now (a ping each), then their health");
  println("  svc lookup Q [--tag] [--all] what the registry gives a client for a name, a glob or a tag (healthy only unless --all)");
  println("  dev list [--json]            every device on the bus: slot, name, id, type, power, references, time in each state");
  println("  dev info NAME|ID [--json]    one device (NAME: entropy, bus, block-256, ...)");
  println("  dev power NAME|ID [on|off|auto]  its power state; set it, or auto: suspended when no references are held");
  println("  dev events [--json]          hot-plug events with the bus's sequence numbers, oldest first");
  println("  dev plug TYPE                plug a device of a pluggable type (block, qpu) into a free slot");
  println("  dev unplug NAME|ID           unplug a hot-plugged device (its handles are revoked)");
  println("  dev idle [MS]                the idle delay before a device with no references is suspended");
  println("  dev read NAME|ID OFFSET LEN  LEN bytes of the device from OFFSET, through its driver (a hex dump)");
  println("  dev write NAME|ID OFFSET HEX the bytes HEX (pairs of hex digits) to the device at OFFSET, through its driver");
  const q = qpuHelp();
  for (let i = 0; i < q.length; i++) println(q[i]);
  println("  caps [NAME] [--json]         the shell's capability slots; with NAME, what the manifest grants that service");
  println("  sleep MS                     wait MS ms (0 to " + SLEEP_MAX_MS.toString() + ") before the next command (for scripts)");
  println("  echo TEXT                    print TEXT (for scripts)");
  println("  status [TAG]                 print TAG (default status) and how the commands since the last status went:");
  println("                               0 all ran, 1 one was refused, 2 one was not a command or lacked a word");
  println("  log [N]                      the last N lines the log service wrote (default 20), audit trail included");
  println("  halt [CODE]                  stop the machine with exit code CODE (0 to " + EXIT_CODE_MAX.toString() + ", default 0)");
  println("  help                         this list");
  println("lines longer than " + LINE_MAX.toString() + " bytes are refused; numbers are plain decimal digits");
}

function pad(s: string, n: i32): string { return s.length >= n ? s + " " : s + " ".repeat(n - s.length); }

function list(json: bool): void {
  const n = count();
  if (n < 0) { refused("init does not answer: " + errorName(n)); return; }
  if (json) {
    let out = "[";
    for (let i = 0; i < n; i++) out += (i > 0 ? "," : "") + record(i);
    println(out + "]");
    return;
  }
  println(pad("SERVICE", 12) + pad("STATE", 10) + pad("HEALTH", 10) + pad("PID", 5) + "RESTARTS");
  for (let i = 0; i < n; i++) {
    const s = status(i);
    if (s == null) continue;
    const h = healthOf(i);
    println(pad(nameOf(i), 12) + pad(stateName(s.state), 10) + pad(h == null ? "?" : healthName(h.health), 10) +
      pad(s.pid.toString(), 5) + s.restarts.toString());
  }
}

function record(i: i32): string {
  const s = status(i);
  if (s == null) return "null";
  return '{"name":"' + nameOf(i) + '","state":"' + stateName(s.state) + '","pid":' + s.pid.toString() +
    ',"restarts":' + s.restarts.toString() + ',"faults":' + s.faults.toString() +
    ',"crashes_logged":' + s.crashes.toString() +
    ',"qubits":' + s.qubits.toString() + healthJson(i) + "}";
}

function healthJson(i: i32): string {
  const h = healthOf(i);
  if (h == null) return "";
  return ',"health":"' + healthName(h.health) + '","ready":' + (h.ready ? "true" : "false") + ',"last_heartbeat_ns":' +
    h.lastBeat.toString() + ',"last_ping_ns":' + h.lastPing.toString() + ',"last_message_ns":' + h.lastMessage.toString() +
    ',"heartbeats_missed":' + h.missed.toString();
}

function show(i: i32, json: bool): void {
  if (json) { println(record(i)); return; }
  const s = status(i);
  if (s == null) { println("no status"); return; }
  const h = healthOf(i);
  println(nameOf(i) + ": " + stateName(s.state) + ", pid " + s.pid.toString() + ", " + s.restarts.toString() +
    " restarts, " + s.faults.toString() + " faults" + (h == null || h.health == HEALTH_UNKNOWN ? "" : ", " + healthName(h.health) + (h.ready ? "" : ", not ready") +
    (h.missed > 0 ? ", " + h.missed.toString() + " heartbeats missed" : "") +
    (h.lastMessage > 0 ? ", last message at " + fmtSeconds(h.lastMessage) + " s" : "")));
}

/** svc check: init pings every running service now; then each one's health. */
function checkNow(json: bool): void {
  const r = sys.call(openInit(), TAG_INIT_HEALTH_CHECK, 0, 0, 0, 0, 0, 0);
  if (r != OK) { refused("svc check refused: " + errorName(r)); return; }
  const pinged = sys.reply_word(0), ns = sys.reply_word(1);
  const n = count();
  if (json) {
    let out = '{"pinged":' + pinged.toString() + ',"ns":' + ns.toString() + ',"services":[';
    for (let i = 0; i < n; i++) {
      const h = healthOf(i);
      out += (i > 0 ? "," : "") + '{"name":"' + nameOf(i) + '","health":"' + (h == null ? "unknown" : healthName(h.health)) + '"}';
    }
    println(out + "]}");
    return;
  }
  println("pinged " + pinged.toString() + " services in " + (ns / 1000).toString() + " µs");
  for (let i = 0; i < n; i++) {
    const h = healthOf(i);
    println(pad(nameOf(i), 12) + (h == null ? "unknown" : healthName(h.health)));
  }
}

function caps(args: string[], json: bool): void {
  if (args.length < 2) { ownCaps(json); return; }
  const i = find(args[1]);
  if (i < 0) { refused("no service named " + args[1] + " (try svc list)"); return; }
  grantsOf(i, args[1], json);
}

function events(i: i32, name: string, json: bool): void {
  let n = 0;
  while (eventAt(i, n) != null) n++;
  let out = json ? "[" : "";
  for (let k = n - 1; k >= 0; k--) {
    const e = eventAt(i, k)!;
    const kind = eventName(e.kind);
    if (json) {
      out += (k < n - 1 ? "," : "") + '{"event":"' + kind + '","time_ns":' + e.time.toString() + ',"detail":' + e.detail.toString() + "}";
    } else {
      const detail = eventDetail(e.kind, e.detail, nameOf);
      println("[" + fmtSeconds(e.time) + "] " + name + " " + kind + (detail.length > 0 ? " (" + detail + ")" : ""));
    }
  }
  if (json) println(out + "]");
}

function fmtSeconds(ns: i64): string {
  const us = ns / 1000;
  const frac = (us % 1000000).toString();
  return (us / 1000000).toString() + "." + "000000".substring(frac.length) + frac;
}

function top(json: bool): void {
  const n = count();
  let out = json ? "[" : pad("SERVICE", 12) + pad("STATE", 10) + pad("UPTIME_S", 10) + pad("MESSAGES", 10) + pad("ERRORS", 8) +
    pad("CPU_KFUEL", 11) + pad("PAGES/QUOTA", 13) + pad("RESTARTS", 10) + "LAST_MSG_S";
  if (!json) println(out);
  for (let i = 0; i < n; i++) {
    const s = status(i), m = metricsOf(i);
    if (s == null || m == null) continue;
    const up = m.upNs / 1000000000;
    const h = healthOf(i);
    const lastMsg: i64 = h == null ? 0 : h.lastMessage;
    if (json) {
      out += (i > 0 ? "," : "") + '{"name":"' + nameOf(i) + '","state":"' + stateName(s.state) + '","uptime_ns":' +
        m.upNs.toString() + ',"messages":' + m.calls.toString() + ',"cpu_kfuel":' + m.cpuK.toString() + ',"pages":' +
        m.pages.toString() + ',"page_quota":' + m.quota.toString() + ',"restarts":' + s.restarts.toString() +
        ',"errors":' + m.errors.toString() + ',"last_message_ns":' + lastMsg.toString() + "}";
    } else {
      println(pad(nameOf(i), 12) + pad(stateName(s.state), 10) + pad(up.toString(), 10) + pad(m.calls.toString(), 10) +
        pad(m.errors.toString(), 8) + pad(m.cpuK.toString(), 11) + pad(m.pages.toString() + "/" + m.quota.toString(), 13) +
        pad(s.restarts.toString(), 10) + (lastMsg > 0 ? fmtSeconds(lastMsg) : "-"));
    }
  }
  if (json) println(out + "]");
}

const DEP_NAMES = ["requires", "wants", "required-by", "binds-to"];

function deps(i: i32, name: string, json: bool): void {
  let out = json ? "[" : "";
  let k = 0;
  for (let r = dependencyOf(i, 0); r != null; r = dependencyOf(i, ++k)) {
    const kind = r[0] < DEP_NAMES.length ? DEP_NAMES[r[0]] : "?";
    if (json) out += (k > 0 ? "," : "") + '{"relation":"' + kind + '","service":"' + nameOf(r[1]) + '"}';
    else println(name + " " + kind + " " + nameOf(r[1]));
  }
  if (json) println(out + "]");
  else if (k == 0) println(name + " has no dependencies and nothing requires it");
}

const logLine = new StaticArray<u8>(256);

function showLog(n: i32): void {
  const log = capByName("log");
  if (log < 0) { refused("this shell holds no log capability (add \"log\" to its caps)"); return; }
  let have = 0;
  while (have < n) {
    sys.lease(0, changetype<usize>(logLine), logLine.length, LEASE_WRITE);
    if (sys.call(log, TAG_LOG_TAIL, have, 0, 0, 0, 0, 0) != OK) break;
    have++;
  }
  for (let k = have - 1; k >= 0; k--) {
    sys.lease(0, changetype<usize>(logLine), logLine.length, LEASE_WRITE);
    if (sys.call(log, TAG_LOG_TAIL, k, 0, 0, 0, 0, 0) != OK) continue;
    println("  " + String.UTF8.decodeUnsafe(changetype<usize>(logLine), min(<i32>sys.reply_word(0), logLine.length)));
  }
}

/** svc reload NAME: init swaps in the new build; the pid stays, so does every capability to it. */
function reload(i: i32, name: string, flags: i32, json: bool): void {
  const before = status(i);
  const r = sys.call(openInit(), TAG_INIT_RELOAD, i, flags, 0, 0, 0, 0);
  const after = status(i);
  const state = after == null ? "unknown" : stateName(after.state);
  const pid = after == null ? -1 : after.pid;
  if (json) {
    println('{"service":"' + name + '","ok":' + (r >= 0 ? "true" : "false") + ',"error":' + (r < 0 ? r : 0).toString() +
      ',"pid":' + pid.toString() + ',"pid_before":' + (before == null ? -1 : before.pid).toString() + ',"state":"' + state + '"}');
    if (r < 0) markRefused();
    return;
  }
  if (r >= 0) { println("reload: " + name + " ok, pid " + pid.toString()); return; }
  if (r == E_STATE && before != null && before.state != SVC_RUNNING) { refused("reload: " + name + " refused: it is " + stateName(before.state)); return; }
  refused("reload: " + name + " failed: " + errorName(r) + (state == "running" ? "; the old instance keeps running" : "; it is " + state));
}
