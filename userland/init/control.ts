// init's control protocol (TAG_INIT_*): what the shell and `quark ctl` ask
// of the service manager. A caller needs init's endpoint, which the manifest
// grants by naming "init" in a service's caps.
import {
  sys, arg, reply, OK, E_ARG, E_BADSLOT, E_STATE, INIT_SLOT_BOOT, PI_FAULTS,
  TAG_INIT_STATUS, TAG_INIT_COUNT, TAG_INIT_NAME, TAG_INIT_FIND, TAG_INIT_START, TAG_INIT_STOP, TAG_INIT_RESTART,
  TAG_INIT_HALT, TAG_INIT_EVENTS, TAG_INIT_CRASH, TAG_INIT_PAUSE, TAG_INIT_RESUME, TAG_INIT_ENABLE, TAG_INIT_DISABLE,
  EV_PAUSED, EV_RESUMED, EV_DISABLED, EV_ENABLED, TAG_INIT_METRICS, TAG_INIT_DEPS, TAG_INIT_LAST, PI_CALLS, PI_ERRORS, PI_CPU, PI_PAGES, PI_QUOTA,
  DEP_REQUIRES, DEP_WANTS, DEP_REQUIRED_BY, DEP_BINDS_TO, EV_STARTED, EV_RESTARTED, TAG_INIT_CAPS, TAG_INIT_RELOAD, TAG_INIT_HEALTH_CHECK,
  SVC_RUNNING, SVC_STOPPED, SVC_FAILED, SVC_SKIPPED, SVC_STOPPING, SVC_PAUSED, SVC_DISABLED, SVC_STARTING,
  ST_BOOT_FLAGS, BOOT_STRICT, EXIT_SERVICE_FAILED, TAG_INIT_QPU,
} from "../lib";
import { errorName } from "../lib/names";
import { Service, services, byPid } from "./service";
import { launched, bootFailed } from "./start";
import { beginStop } from "./supervisor";
import { dependencyUp, restartBound } from "./deps";
import { say } from "./say";
import { checkAll } from "./health";
import { image } from "./bootinfo";
import { reload } from "./reload";
import { qpuInfo } from "./qpu";

const NAME_MAX = 64;
const name = new StaticArray<u8>(NAME_MAX);

export function isControlTag(tag: i32): bool { return tag >= TAG_INIT_STATUS && tag <= TAG_INIT_LAST; }

// Operations that change something, for the audit trail (reads are not logged).
function opName(tag: i32): string {
  switch (tag) {
    case TAG_INIT_START: return "start";
    case TAG_INIT_STOP: return "stop";
    case TAG_INIT_RESTART: return "restart";
    case TAG_INIT_PAUSE: return "pause";
    case TAG_INIT_RESUME: return "resume";
    case TAG_INIT_ENABLE: return "enable";
    case TAG_INIT_DISABLE: return "disable";
    case TAG_INIT_CRASH: return "crash";
    case TAG_INIT_HALT: return "halt";
    case TAG_INIT_RELOAD: return "reload";
  }
  return "";
}

/** Carry out a request and, if it changes something, log who asked, through what, for what, and the result. */
export function control(badge: i32, tag: i32): i32 {
  const op = opName(tag);
  const target = op.length == 0 || tag == TAG_INIT_HALT || arg(0) < 0 || arg(0) >= services.length ? "" : services[<i32>arg(0)].spec.name;
  const r = perform(badge, tag);
  if (op.length > 0 && tag != TAG_INIT_CRASH) {
    say("audit: pid " + badge.toString() + " (" + nameOfPid(badge) + "), through its init capability: " + op +
      (target.length > 0 ? " " + target : " " + arg(0).toString()) + ": " + (r == OK ? "ok" : errorName(r)));
  }
  return r;
}

function nameOfPid(pid: i32): string {
  const i = byPid(pid);
  return i < 0 ? "?" : services[i].spec.name;
}

function perform(badge: i32, tag: i32): i32 {
  if (tag == TAG_INIT_COUNT) { reply(services.length); return OK; }
  if (tag == TAG_INIT_FIND) return find();
  if (tag == TAG_INIT_HALT) return halt(badge, <i32>arg(0));
  if (tag == TAG_INIT_HEALTH_CHECK) return healthCheckNow();
  if (tag == TAG_INIT_QPU) return qpuInfo(badge);
  const i = arg(0);
  if (i < 0 || i >= services.length) return E_BADSLOT;
  const s = services[<i32>i];
  switch (tag) {
    case TAG_INIT_STATUS: reply(s.state, s.pid, s.restarts, s.proc >= 0 ? sys.proc_info(s.proc, PI_FAULTS) : 0, s.crashes, s.spec.qubits); return OK;
    case TAG_INIT_CRASH: return crash(s, badge);
    case TAG_INIT_METRICS: return metrics(s);
    case TAG_INIT_DEPS: return dependency(<i32>i, arg(1));
    case TAG_INIT_NAME: return giveName(s);
    case TAG_INIT_START: return start(s, badge);
    case TAG_INIT_STOP: return stop(s, badge);
    case TAG_INIT_PAUSE: return setPaused(s, true, badge);
    case TAG_INIT_RESUME: return setPaused(s, false, badge);
    case TAG_INIT_ENABLE: return enable(s, badge);
    case TAG_INIT_DISABLE: return disable(s, badge);
    case TAG_INIT_RESTART: return restart(s, badge);
    case TAG_INIT_EVENTS: return event(s, <i32>arg(1));
    case TAG_INIT_CAPS: return grantOf(s, <i32>arg(1));
    case TAG_INIT_RELOAD: return reload(s, <i32>arg(1), badge);
  }
  return E_ARG;
}

function giveName(s: Service): i32 {
  const bytes = String.UTF8.encode(s.spec.name);
  const n = sys.lease_write(0, 0, changetype<usize>(bytes), min(bytes.byteLength, sys.lease_len(0)));
  if (n < 0) return n;
  reply(bytes.byteLength);
  return OK;
}

function find(): i32 {
  const n = sys.lease_read(0, 0, changetype<usize>(name), min(NAME_MAX, sys.lease_len(0)));
  if (n < 0) return n;
  const wanted = String.UTF8.decodeUnsafe(changetype<usize>(name), n);
  for (let i = 0; i < services.length; i++) if (services[i].spec.name == wanted) { reply(i); return OK; }
  return E_BADSLOT;
}

/** Who asked, for the log: "pid N". */
function by(badge: i32): string { return " (asked by pid " + badge.toString() + ")"; }

function start(s: Service, badge: i32): i32 {
  if (s.state == SVC_RUNNING || s.state == SVC_STARTING || s.state == SVC_PAUSED || s.state == SVC_STOPPING || s.disabled) return E_STATE;
  if (s.proc < 0) return E_STATE;
  const r = sys.proc_restart(s.proc);
  if (r < 0) { s.state = SVC_FAILED; say("start of " + s.spec.name + " failed: " + errorName(r) + by(badge)); return r; }
  s.recent = [];
  s.streak = 0;
  launched(s, EV_STARTED, badge);
  say("started " + s.spec.name + by(badge));
  dependencyUp(s.index);
  return OK;
}

function stop(s: Service, badge: i32): i32 {
  if ((s.state != SVC_RUNNING && s.state != SVC_PAUSED && s.state != SVC_STARTING) || s.proc < 0) return E_STATE;
  s.startBy = 0;
  if (s.state == SVC_PAUSED) sys.proc_pause(s.proc, 0); // a paused process could not hear the request
  say("stopping " + s.spec.name + by(badge));
  beginStop(s);
  return OK;
}

/** Pause a running service (paused) or resume a paused one. */
function setPaused(s: Service, paused: bool, badge: i32): i32 {
  if (s.state != (paused ? SVC_RUNNING : SVC_PAUSED)) return E_STATE;
  const r = sys.proc_pause(s.proc, paused ? 1 : 0);
  if (r < 0) return r;
  s.state = paused ? SVC_PAUSED : SVC_RUNNING;
  s.events.add(paused ? EV_PAUSED : EV_RESUMED, badge);
  say((paused ? "paused " : "resumed ") + s.spec.name + by(badge));
  return OK;
}

function disable(s: Service, badge: i32): i32 {
  if (s.disabled) return E_STATE;
  s.disabled = true;
  s.events.add(EV_DISABLED, badge);
  say("disabled " + s.spec.name + by(badge));
  if (s.state == SVC_RUNNING || s.state == SVC_PAUSED || s.state == SVC_STARTING) return stop(s, badge);
  if (s.state != SVC_STOPPING) s.state = SVC_DISABLED;
  return OK;
}

function enable(s: Service, badge: i32): i32 {
  if (!s.disabled) return E_STATE;
  s.disabled = false;
  s.events.add(EV_ENABLED, badge);
  if (s.state == SVC_DISABLED) s.state = SVC_STOPPED;
  say("enabled " + s.spec.name + by(badge));
  return OK;
}

function restart(s: Service, badge: i32): i32 {
  if (s.proc < 0 || s.state == SVC_SKIPPED || s.disabled) return E_STATE;
  const r = sys.proc_restart(s.proc);
  if (r < 0) { s.state = SVC_FAILED; say("restart of " + s.spec.name + " failed: " + errorName(r) + by(badge)); return r; }
  s.restarts++;
  launched(s, EV_RESTARTED, s.restarts);
  say("restarted " + s.spec.name + by(badge));
  const i = s.index;
  restartBound(i);
  dependencyUp(i);
  return OK;
}

function halt(badge: i32, code: i32): i32 {
  // quark boot --strict: a boot that did not fully start is not a success, whatever the script did.
  if (code == 0 && bootFailed() && (sys.stats(ST_BOOT_FLAGS) & BOOT_STRICT) != 0) code = EXIT_SERVICE_FAILED;
  say("halting, code " + code.toString() + by(badge));
  return sys.halt(INIT_SLOT_BOOT, code);
}


/** The k-th newest event of `s`: kind, time, detail. */
function event(s: Service, k: i32): i32 {
  const i = s.events.at(k);
  if (i < 0) return E_BADSLOT;
  reply(s.events.kind[i], s.events.time[i], s.events.detail[i]);
  return OK;
}

/** The k-th capability the manifest grants `s`: kind, target, rights, label. */
function grantOf(s: Service, k: i32): i32 {
  if (k < 0 || k >= s.spec.grants.length) return E_BADSLOT;
  const g = s.spec.grants[k];
  reply(g.kind, g.target, g.rights, g.label);
  return OK;
}

/** Make a running service trap at its next entry; the supervisor then handles it like any fault. */
function crash(s: Service, badge: i32): i32 {
  if (s.state != SVC_RUNNING || s.proc < 0) return E_STATE;
  return sys.proc_crash(s.proc);
}

/** A service's counters, from the kernel's process table. */
function metrics(s: Service): i32 {
  if (s.proc < 0) return E_STATE;
  const up: i64 = s.state == SVC_RUNNING || s.state == SVC_PAUSED || s.state == SVC_STARTING ? sys.time() - s.startedAt : 0;
  reply(sys.proc_info(s.proc, PI_CALLS), sys.proc_info(s.proc, PI_CPU), sys.proc_info(s.proc, PI_PAGES),
    sys.proc_info(s.proc, PI_QUOTA), up, sys.proc_info(s.proc, PI_ERRORS));
  return OK;
}

/** The k-th dependency relation of service i: what it requires, binds to and wants, then what requires it. */
function dependency(i: i32, k: i64): i32 {
  const s = services[i];
  let n = k;
  for (let d = 0; d < s.spec.deps.length; d++, n--) {
    if (n == 0) { reply((s.spec.binds & (<u32>1 << <u32>d)) != 0 ? DEP_BINDS_TO : DEP_REQUIRES, s.spec.deps[d]); return OK; }
  }
  for (let d = 0; d < s.spec.wants.length; d++, n--) if (n == 0) { reply(DEP_WANTS, s.spec.wants[d]); return OK; }
  for (let j = 0; j < services.length; j++) {
    if (!services[j].spec.deps.includes(i)) continue;
    if (n == 0) { reply(DEP_REQUIRED_BY, j); return OK; }
    n--;
  }
  return E_BADSLOT;
}

/** One health check of everything, now (what a tick does), timed: for benchmarks and `svc check`. */
function healthCheckNow(): i32 {
  const t0 = sys.time();
  const n = checkAll();
  reply(n, sys.time() - t0, image.healthMs);
  return OK;
}
