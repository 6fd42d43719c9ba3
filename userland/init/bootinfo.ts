// The boot table (kernel/abi.ts, BT_*), read once through boot_read.
import {
  sys, INIT_SLOT_BOOT, BT_MAGIC, BT_HEADER_BYTES, BT_SIZE, BT_RECORD_BYTES, BT_NAME_OFF, BT_NAME_LEN, BT_MODULE,
  BT_RESTART, BT_MAX_RESTARTS, BT_WINDOW_MS, BT_NDEPS, BT_DEPS_OFF, BT_NGRANTS, BT_GRANTS_OFF, BT_NOPT, BT_OPT_OFF,
  BT_DELAY_MS, BT_PAGE_QUOTA, BT_CPU_BUDGET, BT_BACKOFF, BT_DELAY_MAX_MS, BT_STABLE_MS, BT_STOP_MS, BT_DISABLED, BT_BINDS, BT_GROUP, BT_QUEUE_DEPTH, BT_QUBITS, BT_GRANT_BYTES, BT_VERSION, BT_HEARTBEAT_MS, BT_START_TIMEOUT_MS, BT_READY, BT_INSTANCES, BT_RANGES_OFF,
  BT_HEALTH_MS, READY_NOTIFY, BT_TAGS_OFF, BT_TAGS_LEN, BT_IFACE, BT_REGISTRATIONS, GRANT_KIND, GRANT_TARGET, GRANT_RIGHTS, GRANT_LABEL,
} from "../lib";

import { Events } from "./events";

export class Grant {
  constructor(public kind: i32, public target: i32, public rights: i32, public label: i32) {}
}

export class Service {
  name: string = "";
  module: i32 = 0;
  restart: i32 = 0;
  maxRestarts: i32 = 0;
  windowMs: i32 = 0;
  delayMs: i32 = 0;
  pageQuota: i32 = 0;
  cpuBudget: u32 = 0;
  backoff: i32 = 0;
  delayMaxMs: i32 = 0;
  stableMs: i32 = 0;
  streak: i32 = 0; // consecutive failures, reset by running stable_after
  crashes: i32 = 0; // faults init has handled (and logged as events)
  stopMs: i32 = 0;
  disabled: bool = false;
  stopAt: i64 = 0; // a graceful stop's deadline
  note: i32 = -1; // a capability raising NOTE_STOP in the service
  binds: u32 = 0; // bit k: restarted with deps[k]
  heldBy: i32 = -1; // the required dependency whose absence stopped it, or -1
  group: u32 = 0; // supervision group: number + 1 | strategy << 16 | position << 24 (0: none)
  queueDepth: i32 = 0;
  qubits: i32 = 0; // its qubit quota, for the quantum scheduler
  version: u32 = 0; // its interface version (VERSION_*), 0: none declared
  heartbeatMs: i32 = 0; // it promises a heartbeat this often (0: none)
  startTimeoutMs: i32 = 0;
  notifyReady: bool = false; // Starting until it reports ready
  instances: i32 = 1;
  tags: string = ""; // registry tags, space-separated
  iface: i32 = 0; // interface hash
  registrations: i32 = 0; // registry entries it may add besides its manifest entry
  ranges: u32[] = []; // min, max per required then optional dependency
  startBy: i64 = 0; // a Starting service's deadline to report ready
  // health, owned by health.ts
  health: i32 = 0; // HEALTH_*
  lastBeat: i64 = 0;
  lastPing: i64 = 0;
  pingStatus: i32 = 0;
  missed: i32 = 0; // heartbeats missed at the last check
  selfDegraded: bool = false;
  ready: bool = false;
  seenCalls: i64 = -1;
  lastMsgAt: i64 = 0;
  startedAt: i64 = 0;
  events: Events = new Events();
  deps: i32[] = [];
  wants: i32[] = [];
  grants: Grant[] = [];
  // run-time state, owned by supervisor.ts
  proc: i32 = -1;
  ep: i32 = -1;
  pid: i32 = -1;
  state: i32 = 0;
  restarts: i32 = 0;
  recent: i64[] = []; // restart times inside the window
  restartAt: i64 = 0;
}

let table = new StaticArray<u8>(0);

/** init's health-check interval, from the boot table's header (ms; 0: none). */
export let healthMs: i32 = 0;

@inline function u32at(off: i32): i32 { return <i32>load<u32>(changetype<usize>(table) + <usize>off); }

/** Read the boot table; the services in manifest order, or null if it is unreadable. */
export function readBootTable(): Service[] | null {
  const head = new StaticArray<u8>(BT_HEADER_BYTES);
  if (sys.boot_read(INIT_SLOT_BOOT, 0, changetype<usize>(head), BT_HEADER_BYTES) != BT_HEADER_BYTES) return null;
  if (load<u32>(changetype<usize>(head)) != <u32>BT_MAGIC) return null;
  const size = <i32>load<u32>(changetype<usize>(head) + BT_SIZE);
  if (size < BT_HEADER_BYTES) return null;
  table = new StaticArray<u8>(size);
  if (sys.boot_read(INIT_SLOT_BOOT, 0, changetype<usize>(table), size) != size) return null;
  return parse(size);
}

function parse(size: i32): Service[] | null {
  const n = u32at(8);
  healthMs = u32at(BT_HEALTH_MS);
  if (BT_HEADER_BYTES + n * BT_RECORD_BYTES > size) return null;
  const out = new Array<Service>();
  for (let i = 0; i < n; i++) {
    const r = BT_HEADER_BYTES + i * BT_RECORD_BYTES;
    const s = new Service();
    s.events.owner = i;
    s.name = String.UTF8.decodeUnsafe(changetype<usize>(table) + <usize>u32at(r + BT_NAME_OFF), <usize>u32at(r + BT_NAME_LEN));
    s.module = u32at(r + BT_MODULE);
    s.restart = u32at(r + BT_RESTART);
    s.maxRestarts = u32at(r + BT_MAX_RESTARTS);
    s.windowMs = u32at(r + BT_WINDOW_MS);
    s.delayMs = u32at(r + BT_DELAY_MS);
    s.pageQuota = u32at(r + BT_PAGE_QUOTA);
    s.cpuBudget = <u32>u32at(r + BT_CPU_BUDGET);
    s.backoff = u32at(r + BT_BACKOFF);
    s.delayMaxMs = u32at(r + BT_DELAY_MAX_MS);
    s.stableMs = u32at(r + BT_STABLE_MS);
    s.stopMs = u32at(r + BT_STOP_MS);
    s.disabled = u32at(r + BT_DISABLED) != 0;
    s.binds = <u32>u32at(r + BT_BINDS);
    s.group = <u32>u32at(r + BT_GROUP);
    s.queueDepth = u32at(r + BT_QUEUE_DEPTH);
    s.qubits = u32at(r + BT_QUBITS);
    s.version = <u32>u32at(r + BT_VERSION);
    s.heartbeatMs = u32at(r + BT_HEARTBEAT_MS);
    s.startTimeoutMs = u32at(r + BT_START_TIMEOUT_MS);
    s.notifyReady = u32at(r + BT_READY) == READY_NOTIFY;
    s.instances = u32at(r + BT_INSTANCES);
    s.tags = String.UTF8.decodeUnsafe(changetype<usize>(table) + <usize>u32at(r + BT_TAGS_OFF), <usize>u32at(r + BT_TAGS_LEN));
    s.iface = u32at(r + BT_IFACE);
    s.registrations = u32at(r + BT_REGISTRATIONS);
    s.deps = indices(u32at(r + BT_DEPS_OFF), u32at(r + BT_NDEPS));
    s.wants = indices(u32at(r + BT_OPT_OFF), u32at(r + BT_NOPT));
    const ro = u32at(r + BT_RANGES_OFF);
    if (ro != 0) for (let k = 0, m = 2 * (s.deps.length + s.wants.length); k < m; k++) s.ranges.push(<u32>u32at(ro + k * 4));
    const g0 = u32at(r + BT_GRANTS_OFF);
    for (let k = 0, m = u32at(r + BT_NGRANTS); k < m; k++) {
      const g = g0 + k * BT_GRANT_BYTES;
      s.grants.push(new Grant(u32at(g + GRANT_KIND), u32at(g + GRANT_TARGET), u32at(g + GRANT_RIGHTS), u32at(g + GRANT_LABEL)));
    }
    out.push(s);
  }
  return out;
}

function indices(off: i32, n: i32): i32[] {
  const a = new Array<i32>();
  for (let k = 0; k < n; k++) a.push(u32at(off + k * 4));
  return a;
}


/** The index of the service running as `pid`, or -1. */
export function byPid(svcs: Service[], pid: i32): i32 {
  for (let i = 0; i < svcs.length; i++) if (svcs[i].pid == pid) return i;
  return -1;
}
