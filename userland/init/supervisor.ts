// Supervision: the kernel reports every fault to init (NOTE_FAULT, fault_next);
// init applies the service's restart policy (never / on-failure / always), at
// most max_restarts within restart_window, after a delay that grows with the
// streak of consecutive failures per restart_backoff, capped by
// restart_delay_max; running stable_after ends the streak. A service that
// crashes while starting is throttled the same way, and every step is in its
// event log.
import {
  sys, fmtMicros, RESTART_NEVER, RESTART_ALWAYS, FAULT_START, FAULT_CPU, FAULT_INJECTED, FAULT_EXIT, NOTE_TIMER, NOTE_STOP,
  EV_EXITED, EV_STOPPING, EV_KILLED, BACKOFF_FIXED, BACKOFF_LINEAR, BACKOFF_EXPONENTIAL,
  EV_CRASHED, EV_RESTARTING, EV_RESTARTED, EV_RESTART_FAILED, EV_GAVE_UP, EV_START_TIMEOUT, EV_ESCALATED, FAULT_HUNG, FAULT_MEMORY, FAULT_STACK, FAULT_ABORT, HEALTH_UNHEALTHY, HEALTH_UNKNOWN,
} from "../lib";
import { Service, byPid } from "./bootinfo";
import { ST_RUNNING, ST_FAILED, ST_STOPPED, ST_STOPPING, ST_DISABLED, ST_STARTING, launched, startReady } from "./start";
import { say } from "./say";
import { renameAll } from "./start";
import { dependencyDown, dependencyUp, restartBound } from "./deps";
import { restartGroup } from "./groups";
import { unregisterAll } from "./registry";
import { setHealth } from "./health";

export function onFault(svcs: Service[], pid: i32, cause: i32, dropped: i32): void {
  const i = byPid(svcs, pid);
  if (i < 0) { say("fault in unknown pid " + pid.toString()); return; }
  const s = svcs[i];
  if (cause == FAULT_EXIT) { onExit(svcs, s); return; }
  s.stopAt = 0;
  s.startBy = 0;
  s.state = ST_STOPPED;
  s.events.add(EV_CRASHED, cause);
  setHealth(s, HEALTH_UNHEALTHY, 0);
  s.crashes++;
  say(s.name + " (pid " + pid.toString() + ") crashed" + (cause == FAULT_START ? " while starting" : cause == FAULT_CPU ? ": CPU budget spent" : cause == FAULT_INJECTED ? " (injected)" : cause == FAULT_HUNG ? ": it did not answer a ping in time" :
    cause == FAULT_MEMORY ? ": out of memory at its limit (the manifest's memory)" : cause == FAULT_STACK ? ": it called deeper than its stack window" :
    cause == FAULT_ABORT ? ": it aborted" : "") +
    (dropped > 0 ? "; " + dropped.toString() + " queued messages dropped" : ""));
  failed(svcs, i);
}

/** Kill a service that is alive but not doing its job (no heartbeat, not ready in time): a failure like a crash. */
export function giveUpOn(svcs: Service[], s: Service, why: string): void {
  sys.proc_kill(s.proc);
  s.stopAt = 0;
  s.startBy = 0;
  s.state = ST_STOPPED;
  setHealth(s, HEALTH_UNHEALTHY, 0);
  say(s.name + " (pid " + s.pid.toString() + ") " + why + ": killed");
  failed(svcs, svcs.indexOf(s));
}

/** Service i failed: restart it per its policy, or give up on it. */
function failed(svcs: Service[], i: i32): void {
  const s = svcs[i];
  const now = sys.time();
  if (s.startedAt > 0 && now - s.startedAt >= <i64>s.stableMs * 1000000) s.streak = 0;
  s.streak++;
  if (s.restart == RESTART_NEVER) {
    say(s.name + ": restart policy is never; it stays down");
    escalate(svcs, i);
    return;
  }
  if (!allowed(s, now)) {
    s.events.add(EV_GAVE_UP, s.recent.length);
    say(s.name + ": " + s.maxRestarts.toString() + " restarts within " + s.windowMs.toString() + " ms; giving up (failed)");
    escalate(svcs, i);
    return;
  }
  const delay = delayMs(s);
  s.events.add(EV_RESTARTING, delay);
  if (delay == 0) { restart(svcs, s, now); return; }
  say("restarting " + s.name + " in " + delay.toString() + " ms (failure " + s.streak.toString() + " in a row)");
  s.restartAt = now + <i64>delay * 1000000;
  armTimer(svcs);
}

/**
 * Giving up on service i: it is Failed, its registrations go, what requires
 * it is stopped, and subscribers hear EV_ESCALATED with how many were stopped.
 */
function escalate(svcs: Service[], i: i32): void {
  const s = svcs[i];
  s.state = ST_FAILED;
  setHealth(s, HEALTH_UNHEALTHY, 0);
  unregisterAll(svcs, i);
  const stopped = dependencyDown(svcs, i);
  s.events.add(EV_ESCALATED, stopped);
  startReady(svcs); // at boot, what waited for it is skipped now
}

/** The delay before this restart: restart_delay grown by the backoff over the streak, capped. */
export function delayMs(s: Service): i64 {
  const base = <i64>s.delayMs, k = <i64>s.streak;
  let d: i64 = 0;
  if (s.backoff == BACKOFF_FIXED) d = base;
  else if (s.backoff == BACKOFF_LINEAR) d = base * k;
  else if (s.backoff == BACKOFF_EXPONENTIAL) d = k > 40 ? <i64>s.delayMaxMs : base << (k - 1);
  return min(d, <i64>s.delayMaxMs);
}

/** The service called exit, or stopped when asked: not a failure. */
function onExit(svcs: Service[], s: Service): void {
  s.events.add(EV_EXITED, 0);
  const asked = s.state == ST_STOPPING || s.disabled;
  s.stopAt = 0;
  s.state = s.disabled ? ST_DISABLED : ST_STOPPED;
  setHealth(s, HEALTH_UNKNOWN, 0);
  say(s.name + (asked ? " stopped" : " exited"));
  if (!asked && s.restart == RESTART_ALWAYS) restart(svcs, s, sys.time());
  else { unregisterAll(svcs, svcs.indexOf(s)); dependencyDown(svcs, svcs.indexOf(s)); }
  if (s.heldBy >= 0 && svcs[s.heldBy].state == ST_RUNNING) dependencyUp(svcs, s.heldBy); // its dependency came back meanwhile
  armTimer(svcs);
}

/** A graceful stop: NOTE_STOP now, a kill at the deadline if it has not exited by then. */
export function beginStop(svcs: Service[], s: Service): void {
  s.state = ST_STOPPING;
  s.restartAt = 0;
  s.events.add(EV_STOPPING, s.stopMs);
  s.stopAt = sys.time() + <i64>s.stopMs * 1000000;
  if (s.note >= 0) sys.signal(s.note, NOTE_STOP);
  armTimer(svcs);
}

function kill(svcs: Service[], s: Service): void {
  s.stopAt = 0;
  sys.proc_kill(s.proc);
  s.events.add(EV_KILLED, 0);
  s.state = s.disabled ? ST_DISABLED : ST_STOPPED;
  setHealth(s, HEALTH_UNKNOWN, 0);
  say(s.name + " did not stop within " + s.stopMs.toString() + " ms: killed");
  unregisterAll(svcs, svcs.indexOf(s));
  dependencyDown(svcs, svcs.indexOf(s));
}

/** Count this restart against the window; false when the limit is reached. */
function allowed(s: Service, now: i64): bool {
  const window = <i64>s.windowMs * 1000000;
  const kept = new Array<i64>();
  for (let k = 0; k < s.recent.length; k++) if (now - s.recent[k] < window) kept.push(s.recent[k]);
  s.recent = kept;
  if (kept.length >= s.maxRestarts) return false;
  s.recent.push(now);
  return true;
}

function restart(svcs: Service[], s: Service, faultNs: i64): void {
  s.restartAt = 0;
  const r = sys.proc_restart(s.proc);
  s.restarts++;
  if (r < 0) { s.events.add(EV_RESTART_FAILED, r); say("restart of " + s.name + " failed: error " + r.toString()); return; }
  launched(svcs, s, EV_RESTARTED, s.restarts);
  if (s.name == "log") renameAll(svcs); // a fresh log service knows no names
  const i = svcs.indexOf(s);
  restartGroup(svcs, i);
  restartBound(svcs, i);
  dependencyUp(svcs, i);
  say("restarted " + s.name + " (restart " + s.restarts.toString() + ") " + fmtMicros(sys.time() - faultNs) + " µs after the fault");
}

export function onNotify(svcs: Service[], bits: i32): void {
  if ((bits & NOTE_TIMER) == 0) return;
  const now = sys.time();
  for (let i = 0; i < svcs.length; i++) {
    const s = svcs[i];
    if (s.restartAt > 0 && s.restartAt <= now) restart(svcs, s, s.restartAt);
    if (s.stopAt > 0 && s.stopAt <= now && s.state == ST_STOPPING) kill(svcs, s);
    if (s.startBy > 0 && s.startBy <= now && s.state == ST_STARTING) {
      s.events.add(EV_START_TIMEOUT, s.startTimeoutMs);
      giveUpOn(svcs, s, "did not report ready within " + s.startTimeoutMs.toString() + " ms");
    }
  }
  armTimer(svcs);
}

export function armTimer(svcs: Service[]): void {
  let next: i64 = 0;
  for (let i = 0; i < svcs.length; i++) {
    const t = svcs[i].restartAt;
    if (t > 0 && (next == 0 || t < next)) next = t;
    const d = svcs[i].stopAt;
    if (d > 0 && (next == 0 || d < next)) next = d;
    const b = svcs[i].startBy;
    if (b > 0 && (next == 0 || b < next)) next = b;
  }
  sys.timer_set(next);
}
