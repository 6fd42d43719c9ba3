// Health: every health interval (a tick, which keeps nothing awake by itself)
// init pings each running service through the kernel (proc_ping: a call with
// a fuel deadline; missing it is FAULT_HUNG, handled like a crash) and checks
// the heartbeats of services that promised them. From that, what a service
// says of itself and its readiness comes its status: Healthy, Degraded,
// Unhealthy or Unknown. HEARTBEATS_MISSED_UNHEALTHY missed heartbeats make it
// Unhealthy, and init restarts it per its policy. Every change is an event.
import {
  sys, reply, OK, E_ARG, PI_CALLS, HEARTBEATS_MISSED_UNHEALTHY, HEALTH_UNKNOWN, HEALTH_HEALTHY,
  HEALTH_DEGRADED, HEALTH_UNHEALTHY, EV_HEALTHY, EV_DEGRADED, EV_UNHEALTHY, EV_READY, E_CRASHED,
  SVC_RUNNING, SVC_STARTING, SVC_FAILED,
} from "../lib";
import { Service, services } from "./service";
import { image } from "./bootinfo";
import { startReady } from "./start";
import { giveUpOn, armTimer } from "./supervisor";
import { say } from "./say";

/** Arm the next health check. */
export function armTick(): void {
  if (image.healthMs > 0) sys.tick_set(sys.time() + <i64>image.healthMs * 1000000);
}

/** A health check of every service. */
export function onTick(): void {
  checkAll();
  armTick();
}

/** Check every service; how many were running (and so pinged). */
export function checkAll(): i32 {
  // One clock reading for the whole round: the check's time, and one syscall instead of one per service.
  const now = sys.time();
  let n = 0;
  for (let i = 0; i < services.length; i++) {
    const s = unchecked(services[i]);
    if (s.state == SVC_RUNNING || s.state == SVC_STARTING) n++;
    checkAt(s, now);
  }
  return n;
}

/** A fresh (re)start: nothing known yet, heartbeats counted from now. */
export function resetHealth(s: Service): void {
  const now = sys.time();
  s.lastBeat = now;
  s.selfDegraded = false;
  s.ready = !s.spec.notifyReady;
  s.seenCalls = -1;
  s.lastMsgAt = 0;
}

/** Ping `s` now and set its status from what is known of it. */
export function check(s: Service): void { checkAt(s, sys.time()); }

/** Ping `s` and set its status from what is known of it at time `now`. */
function checkAt(s: Service, now: i64): void {
  if (s.state != SVC_RUNNING && s.state != SVC_STARTING) { setHealth(s, s.state == SVC_FAILED ? HEALTH_UNHEALTHY : HEALTH_UNKNOWN, 0); return; }
  noteMessages(s, now);
  const r = sys.proc_ping(s.proc, <i64>s.spec.pingFuel); // ping_fuel: PING_FUEL unless the manifest says
  s.lastPing = now;
  s.pingStatus = r;
  if (r == E_CRASHED) { setHealth(s, HEALTH_UNHEALTHY, 0); return; } // the fault report does the rest
  if (s.spec.heartbeatMs > 0) {
    s.missed = <i32>((now - s.lastBeat) / (<i64>s.spec.heartbeatMs * 1000000));
    if (s.missed >= HEARTBEATS_MISSED_UNHEALTHY) {
      setHealth(s, HEALTH_UNHEALTHY, s.missed);
      giveUpOn(s, "missed " + s.missed.toString() + " heartbeats");
      return;
    }
  }
  if (s.state == SVC_STARTING) setHealth(s, HEALTH_UNKNOWN, 0);
  else if (s.missed > 0) setHealth(s, HEALTH_DEGRADED, s.missed);
  else setHealth(s, asItSays(s), 0);
}

/** Alive and on time: Healthy, unless it says it is degraded or not ready. */
function asItSays(s: Service): i32 { return s.selfDegraded || !s.ready ? HEALTH_DEGRADED : HEALTH_HEALTHY; }

/** Messages handled since the last look mean a message came meanwhile (to the check's resolution). */
function noteMessages(s: Service, now: i64): void {
  const calls = <i64>sys.proc_info(s.proc, PI_CALLS);
  if (s.seenCalls >= 0 && calls != s.seenCalls) s.lastMsgAt = now;
  s.seenCalls = calls;
}

export function setHealth(s: Service, h: i32, detail: i64): void {
  if (s.health == h) return;
  s.health = h;
  if (h == HEALTH_HEALTHY) s.events.add(EV_HEALTHY, 0);
  else if (h == HEALTH_DEGRADED) s.events.add(EV_DEGRADED, detail);
  else if (h == HEALTH_UNHEALTHY) s.events.add(EV_UNHEALTHY, detail);
}

/** TAG_REG_HEARTBEAT from service `me`: alive, and how it sees itself. */
export function heartbeat(me: i32, status: i32): i32 {
  if (status != HEALTH_HEALTHY && status != HEALTH_DEGRADED) return E_ARG;
  const s = services[me];
  s.lastBeat = sys.time();
  s.missed = 0;
  s.selfDegraded = status == HEALTH_DEGRADED;
  if (s.state == SVC_RUNNING) setHealth(s, asItSays(s), 0);
  return OK;
}

/** TAG_REG_READY from service `me`. A Starting service becomes Running, and what waits for it can start. */
export function readiness(me: i32, ready: bool): i32 {
  const s = services[me];
  s.ready = ready;
  if (ready && s.state == SVC_STARTING) {
    s.state = SVC_RUNNING;
    s.startBy = 0;
    armTimer(); // its start deadline is gone: a timer left at it would wake the system for nothing, and keep it up until then
    s.events.add(EV_READY, 0);
    say(s.spec.name + " is ready");
    check(s);
    startReady();
    return OK;
  }
  if (s.state == SVC_RUNNING) setHealth(s, asItSays(s), 0);
  return OK;
}

/** TAG_REG_HEALTH: status, last heartbeat, last ping, last message, ready, heartbeats missed. */
export function healthReply(s: Service): i32 {
  reply(s.health, s.lastBeat, s.lastPing, s.lastMsgAt, s.ready ? 1 : 0, s.missed);
  return OK;
}
