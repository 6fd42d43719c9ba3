// echo: replies with what it was sent. Used by tests and benchmarks, and the
// smallest example of a service.
import {
  arg, reply, sys, OK, E_ARG, TAG_ECHO, TAG_ECHO_CRASH, TAG_ECHO_LEASE_SUM, TAG_ECHO_LEASE_FILL,
  TAG_ECHO_STATS, TAG_ECHO_XFER, TAG_ECHO_LEASE_READ, TAG_PING, NOTE_STOP, ECHO_HEARTBEAT_MS, registry,
} from "../lib";

// The manifest promises a heartbeat every second; beat twice as often
// (ECHO_HEARTBEAT_MS: `quark bench` counts these beats in monitor.overhead).
const HEARTBEAT_MS = ECHO_HEARTBEAT_MS;

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; } // nothing to save: stop at once when asked
  registry.heartbeatTick(bits);
  return OK;
}

let handled: i64 = 0;
const chunk = new StaticArray<u8>(4096);

// Hot reload (svc reload echo): the old instance hands its message count to
// the new one, so TAG_ECHO_STATS counts on across builds.
const saved = new StaticArray<u8>(8);

export function quark_start(pid: i32, restarts: i32): i32 {
  // Outside a reload handoff_get answers E_STATE and the count starts at 0.
  if (sys.handoff_get(changetype<usize>(saved), 8) == 8) handled = load<i64>(changetype<usize>(saved));
  registry.startHeartbeat(HEARTBEAT_MS);
  return OK;
}

export function quark_save(pid: i32, unused: i32): i32 {
  store<i64>(changetype<usize>(saved), handled);
  const r = sys.handoff_put(changetype<usize>(saved), 8);
  return r < 0 ? r : OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == TAG_PING) return OK; // a liveness check, not a message
  handled++;
  switch (tag) {
    case TAG_ECHO: reply(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)); return OK;
    case TAG_ECHO_CRASH: unreachable(); return OK;
    case TAG_ECHO_LEASE_SUM: return leaseSum();
    case TAG_ECHO_LEASE_FILL: return leaseFill(<u8>arg(0));
    case TAG_ECHO_STATS: reply(handled); return OK;
    case TAG_ECHO_XFER: return xferBack();
    case TAG_ECHO_LEASE_READ: return leaseRead();
  }
  return E_ARG;
}

/** Sum of lease 0's bytes, read a chunk at a time. */
function leaseSum(): i32 {
  const len = sys.lease_len(0);
  if (len < 0) return len;
  let sum: i64 = 0;
  const p = changetype<usize>(chunk);
  for (let off = 0; off < len; off += 4096) {
    const n = sys.lease_read(0, off, p, min(4096, len - off));
    if (n < 0) return n;
    for (let i = 0; i < n; i++) sum += unchecked(chunk[i]);
  }
  reply(sum, len);
  return OK;
}

/** One copy of lease 0 into our memory: the bulk-data path and nothing else. */
function leaseRead(): i32 {
  const n = sys.lease_read(0, 0, changetype<usize>(chunk), min(4096, sys.lease_len(0)));
  if (n < 0) return n;
  reply(n);
  return OK;
}

function leaseFill(b: u8): i32 {
  const len = sys.lease_len(0);
  if (len < 0) return len;
  memory.fill(changetype<usize>(chunk), b, 4096);
  for (let off = 0; off < len; off += 4096) {
    const n = sys.lease_write(0, off, changetype<usize>(chunk), min(4096, len - off));
    if (n < 0) return n;
  }
  reply(len);
  return OK;
}

/** Hand the capability that came with the call back, with its kind. */
function xferBack(): i32 {
  const slot = sys.msg_cap();
  if (slot < 0) return E_ARG;
  reply(sys.cap_info(slot) & 0xff);
  return sys.reply_cap(slot);
}
