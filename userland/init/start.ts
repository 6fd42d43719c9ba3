// Bringing the system up: spawn every service, give each the capabilities
// its manifest grants (and a registry capability), then start them in waves:
// each wave is every service whose requirements are ready, started together
// without waiting on one another. A notify-type service is Starting until it
// reports ready, within its start_timeout; what requires it waits for that.
// If a requirement failed, or runs an interface version outside the range
// asked for, the service is not started and the log says why.
import {
  sys, fnv1a, fmtMicros, INIT_SLOT_BOOT, INIT_SLOT_CONSOLE, INIT_SLOT_DEVICES, PID_INIT, PI_PID, LEASE_READ,
  GRANT_SERVICE, GRANT_CONSOLE, GRANT_DEVICE, GRANT_INIT, INIT_SLOT_SELF, SVC_WAITING, SVC_RUNNING, SVC_FAILED,
  SVC_SKIPPED, SVC_STOPPED, SVC_STOPPING, SVC_DISABLED, SVC_PAUSED, SVC_STARTING, EV_STARTED, NOTE_STOP, K_DEVICE, TAG_LOG_NAME, R_CALL, R_SEND,
  BADGE_REGISTRY, VERSION_ANY_MAX, fmtMillis, fmtVersion,
} from "../lib";
import { Service } from "./bootinfo";
import { say } from "./say";
import { registeredVersion } from "./registry";
import { resetHealth, check } from "./health";
import { armTimer } from "./supervisor";

export const ST_WAITING = SVC_WAITING;
export const ST_RUNNING = SVC_RUNNING;
export const ST_FAILED = SVC_FAILED;
export const ST_SKIPPED = SVC_SKIPPED;
export const ST_STOPPED = SVC_STOPPED;
export const ST_STOPPING = SVC_STOPPING;
export const ST_DISABLED = SVC_DISABLED;
export const ST_PAUSED = SVC_PAUSED;
export const ST_STARTING = SVC_STARTING;

export function spawnAll(svcs: Service[]): void {
  for (let i = 0; i < svcs.length; i++) {
    const s = svcs[i];
    s.proc = sys.proc_spawn(INIT_SLOT_BOOT, s.module);
    if (s.proc < 0) { s.state = ST_FAILED; say("cannot create " + s.name + ": error " + s.proc.toString()); continue; }
    s.ep = sys.proc_endpoint(s.proc, 0);
    sys.proc_quota(s.proc, s.pageQuota);
    sys.proc_budget(s.proc, <i64>s.cpuBudget);
    if (s.queueDepth > 0) sys.proc_queue(s.proc, s.queueDepth);
    s.note = sys.proc_notify(s.proc, NOTE_STOP);
    s.pid = sys.proc_info(s.proc, PI_PID);
  }
  for (let i = 0; i < svcs.length; i++) if (svcs[i].proc >= 0) { grant(svcs, svcs[i]); giveRegistry(svcs[i]); }
}

/** Every service may use the registry: init's endpoint, badged so that it allows nothing else. */
function giveRegistry(s: Service): void {
  const minted = sys.cap_derive(INIT_SLOT_SELF, R_CALL, s.pid | BADGE_REGISTRY);
  if (minted < 0) return;
  sys.cap_give(s.proc, minted, R_CALL, fnv1a("registry"));
  sys.cap_delete(minted);
}

/** Give `s` every capability its manifest lists; endpoints are badged with its pid. */
function grant(svcs: Service[], s: Service): void {
  for (let k = 0; k < s.grants.length; k++) {
    const g = s.grants[k];
    if (g.kind == GRANT_CONSOLE) { sys.cap_give(s.proc, INIT_SLOT_CONSOLE, g.rights, g.label); continue; }
    if (g.kind == GRANT_INIT) { giveInit(s, g.rights, g.label); continue; }
    if (g.kind == GRANT_DEVICE) { giveDevice(s, g.target, g.rights, g.label); continue; }
    if (g.kind != GRANT_SERVICE || g.target >= svcs.length) continue;
    const t = svcs[g.target];
    if (t.ep < 0) continue;
    const minted = sys.cap_derive(t.ep, g.rights, s.pid);
    if (minted < 0) continue;
    sys.cap_give(s.proc, minted, g.rights, g.label);
    sys.cap_delete(minted);
  }
}

/**
 * The kernel put device `id` in slot INIT_SLOT_DEVICES + id - 1. A table
 * naming an id outside that range would point into init's other slots, so
 * only a slot that really holds a device is given away.
 */
function giveDevice(s: Service, id: i32, rights: i32, label: i32): void {
  const slot = INIT_SLOT_DEVICES + id - 1;
  const info = sys.cap_info(slot);
  if (info < 0 || (info & 0xff) != K_DEVICE) {
    say("not granting device " + id.toString() + " to " + s.name + ": init holds no such device");
    return;
  }
  sys.cap_give(s.proc, slot, rights, label);
}

let booted = false;

/** Start every waiting service whose requirements are ready, in waves, until none is left. */
export function startReady(svcs: Service[]): void {
  for (let waves = 0; waves <= svcs.length; waves++) {
    const wave = new Array<i32>();
    for (let i = 0; i < svcs.length; i++) {
      const s = svcs[i];
      if (s.state != ST_WAITING || s.proc < 0) continue;
      if (s.disabled) { s.state = ST_DISABLED; say("not starting " + s.name + ": it is disabled"); continue; }
      const blocker = blockedBy(svcs, s);
      if (blocker == -1) continue;
      if (blocker >= 0) { s.state = ST_SKIPPED; say("not starting " + s.name + ": " + whyBlocked(svcs, s, blocker)); continue; }
      wave.push(i);
    }
    if (wave.length == 0) break;
    if (wave.length > 1) say("starting together: " + names(svcs, wave));
    for (let k = 0; k < wave.length; k++) startOne(svcs, svcs[wave[k]]);
  }
  breakCycles(svcs);
  maybeBooted(svcs);
}

/**
 * The build refuses dependency cycles, but the boot table is only data: if
 * services still wait while nothing is Starting, they wait on each other.
 * Name the cycle and do not start what is caught in it.
 */
function breakCycles(svcs: Service[]): void {
  for (let i = 0; i < svcs.length; i++) if (svcs[i].state == ST_STARTING) return;
  for (let i = 0; i < svcs.length; i++) {
    if (svcs[i].state != ST_WAITING || svcs[i].proc < 0) continue;
    const path = new Array<i32>();
    let at = i;
    while (at >= 0 && !path.includes(at)) { path.push(at); at = waitingDep(svcs, svcs[at]); }
    if (at < 0) continue;
    let cycle = "";
    for (let k = path.indexOf(at); k < path.length; k++) cycle += svcs[path[k]].name + " -> ";
    say("dependency cycle: " + cycle + svcs[at].name + "; none of them can start");
    for (let k = path.indexOf(at); k < path.length; k++) svcs[path[k]].state = ST_SKIPPED;
    startReady(svcs); // what waited on the cycle is skipped now, with its reason
    return;
  }
}

function waitingDep(svcs: Service[], s: Service): i32 {
  for (let k = 0; k < s.deps.length; k++) if (svcs[s.deps[k]].state == ST_WAITING && svcs[s.deps[k]].proc >= 0) return s.deps[k];
  return -1;
}

function names(svcs: Service[], wave: i32[]): string {
  let out = "";
  for (let k = 0; k < wave.length; k++) out += (k > 0 ? ", " : "") + svcs[wave[k]].name;
  return out;
}

/** Once nothing waits or is Starting: the ready line, and the kernel is told. */
function maybeBooted(svcs: Service[]): void {
  if (booted) return;
  let running = 0;
  for (let i = 0; i < svcs.length; i++) {
    const st = svcs[i].state;
    if (st == ST_STARTING || (st == ST_WAITING && svcs[i].proc >= 0)) return;
    if (st == ST_RUNNING) running++;
  }
  booted = true;
  say("ready: " + running.toString() + " of " + svcs.length.toString() + " services running, boot took " +
    fmtMillis(sys.time()) + " ms");
  sys.ready(INIT_SLOT_BOOT);
}

export function isBooted(): bool { return booted; }

/** -2: ready to start; -1: a requirement is not ready yet; i >= 0: requirement i failed or has the wrong version. */
function blockedBy(svcs: Service[], s: Service): i32 {
  for (let k = 0; k < s.deps.length; k++) {
    const d = svcs[s.deps[k]];
    if ((d.state == ST_WAITING && d.proc >= 0) || d.state == ST_STARTING) return -1;
    if (d.state != ST_RUNNING || !inRange(svcs, s, k, s.deps[k])) return s.deps[k];
  }
  return -2;
}

/** Does dependency `d` (the k-th of s's requires, then wants) run a version s accepts? */
function inRange(svcs: Service[], s: Service, k: i32, d: i32): bool {
  if (2 * k + 1 >= s.ranges.length) return true;
  const lo = s.ranges[2 * k], hi = s.ranges[2 * k + 1];
  if (lo == 0 && hi == <u32>VERSION_ANY_MAX) return true;
  const v = registeredVersion(svcs, d);
  return v >= lo && v < hi;
}

function whyBlocked(svcs: Service[], s: Service, d: i32): string {
  const dep = svcs[d];
  if (dep.state != ST_RUNNING) return "it requires " + dep.name + ", which is not running";
  const k = 2 * s.deps.indexOf(d);
  return "it requires " + dep.name + " in versions " + fmtVersion(s.ranges[k]) + " to " + fmtVersion(s.ranges[k + 1]) +
    " (exclusive), but " + dep.name + " is version " + fmtVersion(registeredVersion(svcs, d));
}

function startOne(svcs: Service[], s: Service): void {
  const t0 = sys.time();
  const r = sys.proc_start(s.proc);
  const dt = sys.time() - t0;
  if (r < 0) { s.state = ST_FAILED; say("failed to start " + s.name + " (pid " + s.pid.toString() + "): error " + r.toString()); return; }
  if (s.name == "log") { adoptLog(s); nameAll(svcs); }
  say("started " + s.name + " (pid " + s.pid.toString() + ") in " + fmtMicros(dt) + " µs" + optionalNote(svcs, s) +
    (s.notifyReady ? "; waiting for it to report ready" : ""));
  launched(svcs, s, EV_STARTED, 0);
}

/**
 * A service's instance was (re)started: record it, and it is Running — or,
 * for a notify-type service, Starting until it reports ready by its deadline.
 */
export function launched(svcs: Service[], s: Service, kind: i32, detail: i64): void {
  s.startedAt = sys.time();
  s.events.add(kind, detail);
  resetHealth(s);
  if (s.notifyReady) {
    s.state = ST_STARTING;
    s.startBy = s.startedAt + <i64>s.startTimeoutMs * 1000000;
    armTimer(svcs);
    return;
  }
  s.state = ST_RUNNING;
  check(svcs, s);
}

function optionalNote(svcs: Service[], s: Service): string {
  let missing = "";
  for (let k = 0; k < s.wants.length; k++) {
    const w = svcs[s.wants[k]];
    if (w.state != ST_RUNNING) missing += (missing.length > 0 ? ", " : "") + w.name;
  }
  return missing.length > 0 ? "; optional " + missing + " not running" : "";
}

// The log service learns each name once it runs; init labels its own lines too.
let logEp = -1;

function adoptLog(s: Service): void {
  // init's own log capability carries badge PID_INIT, which the log service
  // trusts to name the others.
  logEp = sys.cap_derive(s.ep, R_CALL | R_SEND, PID_INIT);
  if (logEp < 0) return;
  sys.cap_label(logEp, fnv1a("log"));
  tellName(PID_INIT, "init");
}

/** Tell the log service every name again (it restarted). */
export function renameAll(svcs: Service[]): void {
  tellName(PID_INIT, "init");
  nameAll(svcs);
}

function nameAll(svcs: Service[]): void {
  for (let i = 0; i < svcs.length; i++) if (svcs[i].pid > 0) tellName(svcs[i].pid, svcs[i].name);
}

function tellName(pid: i32, name: string): void {
  if (logEp < 0) return;
  const bytes = String.UTF8.encode(name);
  sys.lease(0, changetype<usize>(bytes), bytes.byteLength, LEASE_READ);
  sys.call(logEp, TAG_LOG_NAME, pid, 0, 0, 0, 0, 0);
}


/** init's own endpoint, badged with the holder's pid, for the control protocol. */
function giveInit(s: Service, rights: i32, label: i32): void {
  const minted = sys.cap_derive(INIT_SLOT_SELF, rights, s.pid);
  if (minted < 0) return;
  sys.cap_give(s.proc, minted, rights, label);
  sys.cap_delete(minted);
}
