// What the shell asks init (TAG_INIT_*), by service name.
import {
  sys, capByName, OK, E_BADSLOT, LEASE_READ, LEASE_WRITE, TAG_INIT_STATUS, TAG_INIT_COUNT, TAG_INIT_NAME,
  TAG_INIT_FIND, TAG_INIT_EVENTS, TAG_INIT_METRICS, TAG_INIT_DEPS, SVC_WAITING, SVC_RUNNING, SVC_FAILED, SVC_SKIPPED, SVC_STOPPED, SVC_STOPPING, SVC_DISABLED, SVC_PAUSED, SVC_STARTING,
} from "../lib";

let init = -1;
const nameBuf = new StaticArray<u8>(64);

export function openInit(): i32 { init = capByName("init"); return init; }

export function count(): i32 {
  const r = sys.call(init, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0);
  return r < 0 ? r : <i32>sys.reply_word(0);
}

export function nameOf(i: i32): string {
  sys.lease(0, changetype<usize>(nameBuf), nameBuf.length, LEASE_WRITE);
  if (sys.call(init, TAG_INIT_NAME, i, 0, 0, 0, 0, 0) < 0) return "?";
  return String.UTF8.decodeUnsafe(changetype<usize>(nameBuf), min(<i32>sys.reply_word(0), nameBuf.length));
}

/** The index of the service called `name`, or E_BADSLOT. */
export function find(name: string): i32 {
  const bytes = String.UTF8.encode(name);
  sys.lease(0, changetype<usize>(bytes), bytes.byteLength, LEASE_READ);
  const r = sys.call(init, TAG_INIT_FIND, 0, 0, 0, 0, 0, 0);
  return r < 0 ? E_BADSLOT : <i32>sys.reply_word(0);
}

export class Status { state: i32 = 0; pid: i32 = 0; restarts: i32 = 0; faults: i32 = 0; crashes: i32 = 0; qubits: i32 = 0; }

export function status(i: i32): Status | null {
  if (sys.call(init, TAG_INIT_STATUS, i, 0, 0, 0, 0, 0) != OK) return null;
  const s = new Status();
  s.state = <i32>sys.reply_word(0); s.pid = <i32>sys.reply_word(1);
  s.restarts = <i32>sys.reply_word(2); s.faults = <i32>sys.reply_word(3); s.crashes = <i32>sys.reply_word(4); s.qubits = <i32>sys.reply_word(5);
  return s;
}

/** A service state as users see it (abi/states.ts). */
export { stateName } from "../lib/names";

/** Send a control request (start, stop, restart) for service `i`. */
export function request(tag: i32, i: i32): i32 { return sys.call(init, tag, i, 0, 0, 0, 0, 0); }

/** A request with two words; the reply words stay to be read. */
export function request2(tag: i32, i: i32, k: i32): i32 { return sys.call(init, tag, i, k, 0, 0, 0, 0); }

export class Event { kind: i32 = 0; time: i64 = 0; detail: i64 = 0; }

/** Service `i`'s k-th newest event, or null past the oldest kept. */
export function eventAt(i: i32, k: i32): Event | null {
  if (sys.call(init, TAG_INIT_EVENTS, i, k, 0, 0, 0, 0) != OK) return null;
  const e = new Event();
  e.kind = <i32>sys.reply_word(0); e.time = sys.reply_word(1); e.detail = sys.reply_word(2);
  return e;
}

export class Metrics { calls: i64 = 0; cpuK: i64 = 0; pages: i64 = 0; quota: i64 = 0; upNs: i64 = 0; errors: i64 = 0; }

export function metricsOf(i: i32): Metrics | null {
  if (sys.call(init, TAG_INIT_METRICS, i, 0, 0, 0, 0, 0) != OK) return null;
  const m = new Metrics();
  m.calls = sys.reply_word(0); m.cpuK = sys.reply_word(1); m.pages = sys.reply_word(2);
  m.quota = sys.reply_word(3); m.upNs = sys.reply_word(4); m.errors = sys.reply_word(5);
  return m;
}

/** Service i's k-th dependency relation: [kind, other index], or null past the last. */
export function dependencyOf(i: i32, k: i32): StaticArray<i32> | null {
  if (sys.call(init, TAG_INIT_DEPS, i, k, 0, 0, 0, 0) != OK) return null;
  const r = new StaticArray<i32>(2);
  r[0] = <i32>sys.reply_word(0); r[1] = <i32>sys.reply_word(1);
  return r;
}
