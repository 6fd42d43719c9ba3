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
  SVC_RUNNING, SVC_FAILED, SVC_STOPPED, SVC_STOPPING, SVC_DISABLED, SVC_STARTING,
} from "../lib";
import { Service, services, byPid } from "./service";
import { launched, startReady, renameAll } from "./start";
import { say } from "./say";
import { errorName, faultText } from "../lib/names";
import { dependencyDown, dependencyUp, restartBound } from "./deps";
import { restartGroup } from "./groups";
import { unregisterAll } from "./registry";
import { setHealth } from "./health";

export function onFault(pid: i32, cause: i32, dropped: i32): void {
  const i = byPid(pid);
  if (i < 0) { say("fault in unknown pid " + pid.toString()); return; }
  const s = services[i];
  if (cause == FAULT_EXIT) { onExit(s); return; }
  s.stopAt = 0;
  s.startBy = 0;
  s.state = SVC_STOPPED;
  s.events.add(EV_CRASHED, cause);
  setHealth(s, HEALTH_UNHEALTHY, 0);
  s.crashes++;
  say(s.spec.name + " (pid " + pid.toString() + ") crashed: " + faultText(cause) +
    (dropped > 0 ? "; " + dropped.toString() + " queued messages dropped" : ""));
  failed(i);
  armTimer(); // its deadlines went with it
}

/** Kill a service that is alive but not doing its job (no heartbeat, not ready in time): a failure like a crash. */
export function giveUpOn(s: Service, why: string): void {
  sys.proc_kill(s.proc);
  s.stopAt = 0;
  s.startBy = 0;
  s.state = SVC_STOPPED;
  setHealth(s, HEALTH_UNHEALTHY, 0);
  say(s.spec.name + " (pid " + s.pid.toString() + ") " + why + ": killed");
  failed(s.index);
  armTimer();
}

/** Service i failed: restart it per its policy, or give up on it. */
function failed(i: i32): void {
  const s = services[i];
  const now = sys.time();
  if (s.startedAt > 0 && now - s.startedAt >= <i64>s.spec.stableMs * 1000000) s.streak = 0;
  s.streak++;
  if (s.spec.restart == RESTART_NEVER) {
    say(s.spec.name + ": restart policy is never; it stays down");
    escalate(i);
    return;
  }
  if (!allowed(s, now)) {
    s.events.add(EV_GAVE_UP, s.recent.length);
    say(s.spec.name + ": " + s.spec.maxRestarts.toString() + " restarts within " + s.spec.windowMs.toString() + " ms; giving up (failed)");
    escalate(i);
    return;
  }
  const delay = delayMs(s);
  s.events.add(EV_RESTARTING, delay);
  if (delay == 0) { restart(s, now); return; }
  say("restarting " + s.spec.name + " in " + delay.toString() + " ms (failure " + s.streak.toString() + " in a row)");
  s.restartAt = now + <i64>delay * 1000000;
  armTimer();
}

/**
 * Giving up on service i: it is Failed, its registrations go, what requires
 * it is stopped, and subscribers hear EV_ESCALATED with how many were stopped.
 */
function escalate(i: i32): void {
  const s = services[i];
  s.state = SVC_FAILED;
  setHealth(s, HEALTH_UNHEALTHY, 0);
  unregisterAll(i);
  const stopped = dependencyDown(i);
  s.events.add(EV_ESCALATED, stopped);
  startReady(); // at boot, what waited for it is skipped now
}

/** The delay before this restart: restart_delay grown by the backoff over the streak, capped. */
export function delayMs(s: Service): i64 {
  const base = <i64>s.spec.delayMs, k = <i64>s.streak;
  let d: i64 = 0;
  if (s.spec.backoff == BACKOFF_FIXED) d = base;
  else if (s.spec.backoff == BACKOFF_LINEAR) d = base * k;
  else if (s.spec.backoff == BACKOFF_EXPONENTIAL) d = k > 40 ? <i64>s.spec.delayMaxMs : base << (k - 1);
  return min(d, <i64>s.spec.delayMaxMs);
}

/** The service called exit, or stopped when asked: not a failure. */
function onExit(s: Service): void {
  s.events.add(EV_EXITED, 0);
  const asked = s.state == SVC_STOPPING || s.disabled;
  s.stopAt = 0;
  s.state = s.disabled ? SVC_DISABLED : SVC_STOPPED;
  setHealth(s, HEALTH_UNKNOWN, 0);
  say(s.spec.name + (asked ? " stopped" : " exited"));
  if (!asked && s.spec.restart == RESTART_ALWAYS) restart(s, sys.time());
  else { unregisterAll(s.index); dependencyDown(s.index); }
  if (s.heldBy >= 0 && services[s.heldBy].state == SVC_RUNNING) dependencyUp(s.heldBy); // its dependency came back meanwhile
  armTimer();
}

/** A graceful stop: NOTE_STOP now, a kill at the deadline if it has not exited by then. */
export function beginStop(s: Service): void {
  s.state = SVC_STOPPING;
  s.restartAt = 0;
  s.events.add(EV_STOPPING, s.spec.stopMs);
  s.stopAt = sys.time() + <i64>s.spec.stopMs * 1000000;
  if (s.note >= 0) sys.signal(s.note, NOTE_STOP);
  armTimer();
}

function kill(s: Service): void {
  s.stopAt = 0;
  sys.proc_kill(s.proc);
  s.events.add(EV_KILLED, 0);
  s.state = s.disabled ? SVC_DISABLED : SVC_STOPPED;
  setHealth(s, HEALTH_UNKNOWN, 0);
  say(s.spec.name + " did not stop within " + s.spec.stopMs.toString() + " ms: killed");
  unregisterAll(s.index);
  dependencyDown(s.index);
}

/** Count this restart against the window; false when the limit is reached. */
function allowed(s: Service, now: i64): bool {
  const window = <i64>s.spec.windowMs * 1000000;
  const kept = new Array<i64>();
  for (let k = 0; k < s.recent.length; k++) if (now - s.recent[k] < window) kept.push(s.recent[k]);
  s.recent = kept;
  if (kept.length >= s.spec.maxRestarts) return false;
  s.recent.push(now);
  return true;
}

function restart(s: Service, faultNs: i64): void {
  s.restartAt = 0;
  const r = sys.proc_restart(s.proc);
  s.restarts++;
  if (r < 0) { s.events.add(EV_RESTART_FAILED, r); say("restart of " + s.spec.name + " failed: " + errorName(r)); return; }
  launched(s, EV_RESTARTED, s.restarts);
  if (s.spec.name == "log") renameAll(); // a fresh log service knows no names
  const i = s.index;
  restartGroup(i);
  restartBound(i);
  dependencyUp(i);
  say("restarted " + s.spec.name + " (restart " + s.restarts.toString() + ") " + fmtMicros(sys.time() - faultNs) + " µs after the fault");
}

export function onNotify(bits: i32): void {
  if ((bits & NOTE_TIMER) == 0) return;
  const now = sys.time();
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    if (s.restartAt > 0 && s.restartAt <= now) restart(s, s.restartAt);
    if (s.stopAt > 0 && s.stopAt <= now && s.state == SVC_STOPPING) kill(s);
    if (s.startBy > 0 && s.startBy <= now && s.state == SVC_STARTING) {
      s.events.add(EV_START_TIMEOUT, s.spec.startTimeoutMs);
      giveUpOn(s, "did not report ready within " + s.spec.startTimeoutMs.toString() + " ms");
    }
  }
  armTimer();
}

export function armTimer(): void {
  let next: i64 = 0;
  for (let i = 0; i < services.length; i++) {
    const t = services[i].restartAt;
    if (t > 0 && (next == 0 || t < next)) next = t;
    const d = services[i].stopAt;
    if (d > 0 && (next == 0 || d < next)) next = d;
    const b = services[i].startBy;
    if (b > 0 && (next == 0 || b < next)) next = b;
  }
  sys.timer_set(next);
}
