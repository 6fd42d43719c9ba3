// A service as init knows it: what the manifest said of it (its spec,
// read-only once the boot table is decoded), what is happening to it now (its
// run state, which the supervisor and the control protocol change), its
// health, and the log of what happened to it. bootinfo.ts builds one per
// record of the boot table; every other file of init reads them through
// `services`.
import { SVC_WAITING, HEALTH_UNKNOWN } from "../lib";
import { Events } from "./events";
// What the manifest says of a service: generated from abi/boot-table.ts and abi/manifest.ts.
import { Spec } from "./spec";
export { Spec };

/** A capability the manifest grants a service (GRANT_*). */
export class Grant {
  constructor(readonly kind: i32, readonly target: i32, readonly rights: i32, readonly label: i32) {}
}

export class Service {
  /** Its place in `services` and in the boot table. */
  readonly index: i32;
  readonly spec: Spec;

  // Run state: start.ts, supervisor.ts, deps.ts, groups.ts and control.ts change it.
  state: i32 = SVC_WAITING; // SVC_*
  disabled: bool; // starts as the manifest says; svc enable / disable change it
  proc: i32 = -1; // init's slot for its process
  ep: i32 = -1; // init's slot for its endpoint
  pid: i32 = -1;
  note: i32 = -1; // a capability raising NOTE_STOP in the service
  restarts: i32 = 0;
  streak: i32 = 0; // consecutive failures, reset by running stable_after
  crashes: i32 = 0; // faults init has handled (and logged as events)
  recent: i64[] = []; // restart times inside the window
  heldBy: i32 = -1; // the required dependency whose absence stopped it, or -1
  startedAt: i64 = 0; // its instance's last (re)start
  // timers (0: not armed), which supervisor.ts's armTimer turns into one kernel timer
  restartAt: i64 = 0; // a delayed restart
  stopAt: i64 = 0; // a graceful stop's deadline
  startBy: i64 = 0; // a Starting service's deadline to report ready

  // Health: health.ts changes it.
  health: i32 = HEALTH_UNKNOWN; // HEALTH_*
  lastBeat: i64 = 0;
  lastPing: i64 = 0;
  pingStatus: i32 = 0; // what the last proc_ping returned
  missed: i32 = 0; // heartbeats missed at the last check
  selfDegraded: bool = false; // what its last heartbeat said
  ready: bool = false;
  seenCalls: i64 = -1; // its call count at the last check (-1: none yet)
  lastMsgAt: i64 = 0;

  /** What happened to it, newest last. */
  readonly events: Events;

  constructor(index: i32, spec: Spec) {
    this.index = index;
    this.spec = spec;
    this.disabled = spec.disabled;
    this.events = new Events(index);
  }
}

/**
 * Every service, in manifest order. init supervises one system whose
 * services are fixed when the boot table is read, so this one list is read
 * by every file rather than passed to every function: a parameter that can
 * never differ would only add noise, and the event log and the registry need
 * the list where no caller could pass it.
 */
export const services = new Array<Service>();

/** The index of the service running as `pid`, or -1. */
export function byPid(pid: i32): i32 {
  for (let i = 0; i < services.length; i++) if (services[i].pid == pid) return i;
  return -1;
}
