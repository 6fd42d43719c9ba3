// Bringing the system up: spawn every service, give each the capabilities
// its manifest grants (and a registry capability), then start them in waves:
// each wave is every service whose requirements are ready, started together
// without waiting on one another. A notify-type service is Starting until it
// reports ready, within its start_timeout; what requires it waits for that.
// If a requirement failed, or runs an interface version outside the range
// asked for, the service is not started and the log says why.
import {
  sys, fnv1a, fmtMicros, INIT_SLOT_BOOT, INIT_SLOT_CONSOLE, INIT_SLOT_DEVICES, PID_INIT, PI_PID, LEASE_READ,
  GRANT_SERVICE, GRANT_CONSOLE, GRANT_DEVICE, GRANT_INIT, GRANT_IRQ, INIT_SLOT_SELF, SVC_WAITING, SVC_RUNNING, SVC_FAILED,
  SVC_SKIPPED, SVC_DISABLED, SVC_STARTING, EV_STARTED, NOTE_STOP, K_DEVICE, TAG_LOG_NAME, R_CALL, R_SEND,
  BADGE_REGISTRY, VERSION_ANY_MAX, fmtMillis, fmtVersion, E_CRASHED, ST_BOOT_FLAGS, BOOT_UNTIL_READY, EXIT_SERVICE_FAILED,
} from "../lib";
import { errorName, errorText } from "../lib/names";
import { Service, services } from "./service";
import { say } from "./say";
import { registeredVersion } from "./registry";
import { resetHealth, check } from "./health";
import { armTimer } from "./supervisor";

// The services that could not start at boot, each with why: the ready line
// names them, and a boot that CI checks (--until-ready, --strict) fails.
const downAtBoot = new Array<string>();

/** Did a service fail to start at boot? */
export function bootFailed(): bool { return downAtBoot.length > 0; }


export function spawnAll(): void {
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    s.proc = sys.proc_spawn(INIT_SLOT_BOOT, s.spec.module);
    if (s.proc < 0) {
      s.state = SVC_FAILED;
      downAtBoot.push(s.spec.name + " (cannot create it: " + errorName(s.proc) + ")");
      say("cannot create " + s.spec.name + ": " + errorName(s.proc));
      continue;
    }
    s.ep = sys.proc_endpoint(s.proc, 0);
    sys.proc_quota(s.proc, s.spec.pageQuota);
    sys.proc_budget(s.proc, <i64>s.spec.cpuBudget);
    if (s.spec.queueDepth > 0) sys.proc_queue(s.proc, s.spec.queueDepth);
    s.note = sys.proc_notify(s.proc, NOTE_STOP);
    s.pid = sys.proc_info(s.proc, PI_PID);
  }
  for (let i = 0; i < services.length; i++) if (services[i].proc >= 0) { grant(services[i]); giveRegistry(services[i]); }
}

/** Every service may use the registry: init's endpoint, badged so that it allows nothing else. */
function giveRegistry(s: Service): void {
  const minted = sys.cap_derive(INIT_SLOT_SELF, R_CALL, s.pid | BADGE_REGISTRY);
  if (minted < 0) return;
  sys.cap_give(s.proc, minted, R_CALL, fnv1a("registry"));
  sys.cap_delete(minted);
}

/** Give `s` every capability its manifest lists; endpoints are badged with its pid. */
function grant(s: Service): void {
  for (let k = 0; k < s.spec.grants.length; k++) {
    const g = s.spec.grants[k];
    if (g.kind == GRANT_CONSOLE) { sys.cap_give(s.proc, INIT_SLOT_CONSOLE, g.rights, g.label); continue; }
    if (g.kind == GRANT_INIT) { giveInit(s, g.rights, g.label); continue; }
    if (g.kind == GRANT_DEVICE) { giveDevice(s, g.target, g.rights, g.label); continue; }
    if (g.kind == GRANT_IRQ) { giveIrq(s, g.target, g.rights, g.label); continue; }
    if (g.kind != GRANT_SERVICE || g.target >= services.length) continue;
    const t = services[g.target];
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
    say("not granting device " + id.toString() + " to " + s.spec.name + ": init holds no such device");
    return;
  }
  sys.cap_give(s.proc, slot, rights, label);
}

/**
 * An interrupt line the service drives: only init's boot capability can mint
 * one (the kernel refuses its own lines and any line out of range, so a table
 * naming one grants nothing). init keeps no copy.
 */
function giveIrq(s: Service, line: i32, rights: i32, label: i32): void {
  const minted = sys.irq_mint(INIT_SLOT_BOOT, line);
  if (minted < 0) {
    say("not granting interrupt line " + line.toString() + " to " + s.spec.name + ": " + errorName(minted));
    return;
  }
  sys.cap_give(s.proc, minted, rights, label);
  sys.cap_delete(minted);
}

let booted = false;

/** Start every waiting service whose requirements are ready, in waves, until none is left. */
export function startReady(): void {
  for (let waves = 0; waves <= services.length; waves++) {
    const wave = new Array<i32>();
    for (let i = 0; i < services.length; i++) {
      const s = services[i];
      if (s.state != SVC_WAITING || s.proc < 0) continue;
      if (s.disabled) { s.state = SVC_DISABLED; say("not starting " + s.spec.name + ": it is disabled"); continue; }
      const blocker = blockedBy(s);
      if (blocker == -1) continue;
      if (blocker >= 0) {
        s.state = SVC_SKIPPED;
        const why = whyBlocked(s, blocker);
        downAtBoot.push(s.spec.name + " (" + why + ")");
        say("not starting " + s.spec.name + ": " + why);
        continue;
      }
      wave.push(i);
    }
    if (wave.length == 0) break;
    if (wave.length > 1) say("starting together: " + names(wave));
    for (let k = 0; k < wave.length; k++) startOne(services[wave[k]]);
  }
  breakCycles();
  maybeBooted();
}

/**
 * The build refuses dependency cycles, but the boot table is only data: if
 * services still wait while nothing is Starting, they wait on each other.
 * Name the cycle and do not start what is caught in it.
 */
function breakCycles(): void {
  for (let i = 0; i < services.length; i++) if (services[i].state == SVC_STARTING) return;
  for (let i = 0; i < services.length; i++) {
    if (services[i].state != SVC_WAITING || services[i].proc < 0) continue;
    const path = new Array<i32>();
    let at = i;
    while (at >= 0 && !path.includes(at)) { path.push(at); at = waitingDep(services[at]); }
    if (at < 0) continue;
    let cycle = "";
    for (let k = path.indexOf(at); k < path.length; k++) cycle += services[path[k]].spec.name + " -> ";
    say("dependency cycle: " + cycle + services[at].spec.name + "; none of them can start");
    for (let k = path.indexOf(at); k < path.length; k++) {
      services[path[k]].state = SVC_SKIPPED;
      downAtBoot.push(services[path[k]].spec.name + " (in a dependency cycle)");
    }
    startReady(); // what waited on the cycle is skipped now, with its reason
    return;
  }
}

function waitingDep(s: Service): i32 {
  for (let k = 0; k < s.spec.deps.length; k++) if (services[s.spec.deps[k]].state == SVC_WAITING && services[s.spec.deps[k]].proc >= 0) return s.spec.deps[k];
  return -1;
}

function names(wave: i32[]): string {
  let out = "";
  for (let k = 0; k < wave.length; k++) out += (k > 0 ? ", " : "") + services[wave[k]].spec.name;
  return out;
}

/** Once nothing waits or is Starting: the ready line, and the kernel is told. */
function maybeBooted(): void {
  if (booted) return;
  let running = 0;
  for (let i = 0; i < services.length; i++) {
    const st = services[i].state;
    if (st == SVC_STARTING || (st == SVC_WAITING && services[i].proc >= 0)) return;
    if (st == SVC_RUNNING) running++;
  }
  booted = true;
  const failed = downAtBoot.length > 0 ? "; failed to start: " + downAtBoot.join(", ") : "";
  say("ready: " + running.toString() + " of " + services.length.toString() + " services running, boot took " +
    fmtMillis(sys.time()) + " ms" + failed);
  // --until-ready is a check that the image boots: one that did not fully boot fails it.
  if (bootFailed() && (sys.stats(ST_BOOT_FLAGS) & BOOT_UNTIL_READY) != 0) {
    say("halting, code " + EXIT_SERVICE_FAILED.toString() + ": not every service started");
    sys.halt(INIT_SLOT_BOOT, EXIT_SERVICE_FAILED);
    return;
  }
  sys.ready(INIT_SLOT_BOOT);
}

export function isBooted(): bool { return booted; }

/** -2: ready to start; -1: a requirement is not ready yet; i >= 0: requirement i failed or has the wrong version. */
function blockedBy(s: Service): i32 {
  for (let k = 0; k < s.spec.deps.length; k++) {
    const d = services[s.spec.deps[k]];
    if ((d.state == SVC_WAITING && d.proc >= 0) || d.state == SVC_STARTING) return -1;
    if (d.state != SVC_RUNNING || !inRange(s, k, s.spec.deps[k])) return s.spec.deps[k];
  }
  return -2;
}

/** Does dependency `d` (the k-th of s's requires, then wants) run a version s accepts? */
function inRange(s: Service, k: i32, d: i32): bool {
  if (2 * k + 1 >= s.spec.ranges.length) return true;
  const lo = s.spec.ranges[2 * k], hi = s.spec.ranges[2 * k + 1];
  if (lo == 0 && hi == <u32>VERSION_ANY_MAX) return true;
  const v = registeredVersion(d);
  return v >= lo && v < hi;
}

function whyBlocked(s: Service, d: i32): string {
  const dep = services[d];
  if (dep.state != SVC_RUNNING) return "it requires " + dep.spec.name + ", which is not running";
  const k = 2 * s.spec.deps.indexOf(d);
  return "it requires " + dep.spec.name + " in versions " + fmtVersion(s.spec.ranges[k]) + " to " + fmtVersion(s.spec.ranges[k + 1]) +
    " (exclusive), but " + dep.spec.name + " is version " + fmtVersion(registeredVersion(d));
}

function startOne(s: Service): void {
  const t0 = sys.time();
  const r = sys.proc_start(s.proc);
  const dt = sys.time() - t0;
  if (r < 0) {
    s.state = SVC_FAILED;
    const why = r == E_CRASHED ? "its quark_start trapped" : errorText(r) + " (" + errorName(r) + ")";
    downAtBoot.push(s.spec.name + " (" + why + ")");
    say("failed to start " + s.spec.name + " (pid " + s.pid.toString() + "): " + why);
    return;
  }
  if (s.spec.name == "log") { adoptLog(s); nameAll(); }
  say("started " + s.spec.name + " (pid " + s.pid.toString() + ") in " + fmtMicros(dt) + " µs" + optionalNote(s) +
    (s.spec.notifyReady ? "; waiting for it to report ready" : ""));
  launched(s, EV_STARTED, 0);
}

/**
 * A service's instance was (re)started: record it, and it is Running — or,
 * for a notify-type service, Starting until it reports ready by its deadline.
 */
export function launched(s: Service, kind: i32, detail: i64): void {
  s.startedAt = sys.time();
  s.events.add(kind, detail);
  resetHealth(s);
  if (s.spec.notifyReady) {
    s.state = SVC_STARTING;
    s.startBy = s.startedAt + <i64>s.spec.startTimeoutMs * 1000000;
    armTimer();
    return;
  }
  s.state = SVC_RUNNING;
  check(s);
}

function optionalNote(s: Service): string {
  let missing = "";
  for (let k = 0; k < s.spec.wants.length; k++) {
    const w = services[s.spec.wants[k]];
    if (w.state != SVC_RUNNING) missing += (missing.length > 0 ? ", " : "") + w.spec.name;
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
export function renameAll(): void {
  tellName(PID_INIT, "init");
  nameAll();
}

function nameAll(): void {
  for (let i = 0; i < services.length; i++) if (services[i].pid > 0) tellName(services[i].pid, services[i].spec.name);
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
