// The registry, from a service's side: every service holds a capability
// labelled "registry" (init's endpoint, allowing TAG_REG_* only). A service
// is registered under its manifest name, version and tags before it starts;
// it may add entries, report readiness and heartbeats, look others up (the
// reply brings a capability to the one found) and subscribe to state changes.
//
// init cannot take a call while it is starting a service, so a service's
// quark_start cannot call it; ready() and heartbeat() fall back to a queued
// send then, and register/lookup belong in handlers and notifications.
import * as sys from "./sys";
import { capByName } from "./caps";
import { callForCap } from "./ipc";
import {
  E_BUSY, LEASE_READ, NOTE_TICK, HEALTH_HEALTHY, HEALTH_DEGRADED, VERSION_MAJOR_SHIFT, VERSION_MINOR_SHIFT,
} from "../../kernel/abi";
import {
  LOOKUP_NAME, LOOKUP_ANY_HEALTH, TAG_REG_REGISTER, TAG_REG_UNREGISTER, TAG_REG_LOOKUP, TAG_REG_HEARTBEAT, TAG_REG_READY, TAG_REG_SUBSCRIBE,
} from "./proto/index";

let slot = -1;

function registry(): i32 { if (slot < 0) slot = capByName("registry"); return slot; }

/** A version as the registry keeps it. */
export function version(major: u32, minor: u32, patch: u32): u32 {
  return (major << VERSION_MAJOR_SHIFT) | (minor << VERSION_MINOR_SHIFT) | patch;
}

/** A call to the registry, or a queued send when init is busy (it is starting us). */
function tell(tag: i32, w0: i64): i32 {
  const r = sys.call(registry(), tag, w0, 0, 0, 0, 0, 0);
  return r == E_BUSY ? sys.send(registry(), tag, w0, 0, 0, 0, 0, 0) : r;
}

/** Register `name` with space-separated `tags`; the entry id, or an error (< 0). */
export function register(name: string, tags: string, ver: u32, iface: i32): i32 {
  const text = String.UTF8.encode(tags.length > 0 ? name + " " + tags : name);
  sys.lease(0, changetype<usize>(text), text.byteLength, LEASE_READ);
  const r = sys.call(registry(), TAG_REG_REGISTER, ver, <i64><u32>iface, 0, 0, 0, 0);
  return r < 0 ? r : <i32>sys.reply_word(0);
}

export function unregister(id: i32): i32 { return sys.call(registry(), TAG_REG_UNREGISTER, id, 0, 0, 0, 0, 0); }

/**
 * The k-th service matching `query` (LOOKUP_NAME, LOOKUP_TAG or LOOKUP_PATTERN;
 * Healthy ones only unless anyHealth): the slot of a capability to it, or an
 * error (E_BADSLOT: none matches).
 */
export function lookup(query: string, mode: i32 = LOOKUP_NAME, k: i32 = 0, anyHealth: bool = false): i32 {
  const q = String.UTF8.encode(query);
  sys.lease(0, changetype<usize>(q), q.byteLength, LEASE_READ);
  // The capability comes with the reply: a slot is armed for it (cap_recv) during this call only.
  const r = callForCap(registry(), TAG_REG_LOOKUP, mode | (anyHealth ? LOOKUP_ANY_HEALTH : 0), k);
  if (r < 0) return r;
  return sys.recv_cap();
}

/** Report readiness (a `ready = "notify"` service is Starting until it does). */
export function ready(yes: bool = true): i32 { return tell(TAG_REG_READY, yes ? 1 : 0); }

/** I am alive; degraded: but not at my best. */
export function heartbeat(degraded: bool = false): i32 { return tell(TAG_REG_HEARTBEAT, degraded ? HEALTH_DEGRADED : HEALTH_HEALTHY); }

/** State changes of services whose names match `pattern` arrive as TAG_REG_EVENT sends (badge 0: from init). */
export function subscribe(pattern: string): i32 {
  const p = String.UTF8.encode(pattern);
  sys.lease(0, changetype<usize>(p), p.byteLength, LEASE_READ);
  return sys.call(registry(), TAG_REG_SUBSCRIBE, 0, 0, 0, 0, 0, 0);
}

let beatNs: i64 = 0;

/**
 * Heartbeat every `ms` on a tick (which keeps nothing awake by itself). Beat
 * at least twice per interval promised in the manifest's `heartbeat`. The
 * service's quark_notify must pass its bits to heartbeatTick.
 */
export function startHeartbeat(ms: i32): void {
  beatNs = <i64>ms * 1000000;
  heartbeat();
  sys.tick_set(sys.time() + beatNs);
}

/** From quark_notify: beat on NOTE_TICK; true if the bits held a tick. */
export function heartbeatTick(bits: i32): bool {
  if ((bits & NOTE_TICK) == 0 || beatNs == 0) return false;
  heartbeat();
  sys.tick_set(sys.time() + beatNs);
  return true;
}

