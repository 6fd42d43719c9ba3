// What the shell asks the registry (TAG_REG_*, through the registry capability
// every service holds): health, entries, lookups.
import {
  sys, capByName, OK, LEASE_READ, LEASE_WRITE, TAG_REG_HEALTH, TAG_REG_INFO, TAG_REG_COUNT, TAG_REG_LOOKUP,
  HEALTH_HEALTHY, HEALTH_DEGRADED, HEALTH_UNHEALTHY, LOOKUP_NAME, LOOKUP_TAG, LOOKUP_PATTERN, LOOKUP_ANY_HEALTH,
} from "../lib";

let reg = -1;
const text = new StaticArray<u8>(128);

function registry(): i32 { if (reg < 0) reg = capByName("registry"); return reg; }

export class Health { health: i32 = 0; lastBeat: i64 = 0; lastPing: i64 = 0; lastMessage: i64 = 0; ready: bool = false; missed: i32 = 0; }

export function healthOf(i: i32): Health | null {
  if (sys.call(registry(), TAG_REG_HEALTH, i, 0, 0, 0, 0, 0) != OK) return null;
  const h = new Health();
  h.health = <i32>sys.reply_word(0); h.lastBeat = sys.reply_word(1); h.lastPing = sys.reply_word(2);
  h.lastMessage = sys.reply_word(3); h.ready = sys.reply_word(4) != 0; h.missed = <i32>sys.reply_word(5);
  return h;
}

/** A health as users see it (abi/states.ts). */
export { healthName } from "../lib/names";

export class Entry { id: i32 = 0; service: i32 = 0; version: i64 = 0; iface: i64 = 0; health: i32 = 0; pid: i32 = 0; text: string = ""; }

function entryFromReply(): Entry {
  const e = new Entry();
  e.id = <i32>sys.reply_word(0); e.service = <i32>sys.reply_word(1); e.version = sys.reply_word(2);
  e.iface = sys.reply_word(3); e.health = <i32>sys.reply_word(4); e.pid = <i32>sys.reply_word(5);
  return e;
}

/** Every registry entry in use. */
export function entries(): Entry[] {
  const out = new Array<Entry>();
  if (sys.call(registry(), TAG_REG_COUNT, 0, 0, 0, 0, 0, 0) != OK) return out;
  const n = <i32>sys.reply_word(0);
  for (let id = 0; id < n; id++) {
    memory.fill(changetype<usize>(text), 0, text.length);
    sys.lease(0, changetype<usize>(text), text.length, LEASE_WRITE);
    if (sys.call(registry(), TAG_REG_INFO, id, 0, 0, 0, 0, 0) != OK) continue;
    const e = entryFromReply();
    e.text = String.UTF8.decodeUnsafe(changetype<usize>(text), text.length).split("\0")[0];
    out.push(e);
  }
  return out;
}

/** The k-th match of a lookup (by tag when byTag, by glob when the query has * or ?, else by name); null past the last. */
export function lookupAt(query: string, byTag: bool, all: bool, k: i32): Entry | null {
  const q = String.UTF8.encode(query);
  const mode = byTag ? LOOKUP_TAG : query.includes("*") || query.includes("?") ? LOOKUP_PATTERN : LOOKUP_NAME;
  sys.lease(0, changetype<usize>(q), q.byteLength, LEASE_READ);
  // A raw call, not registry.lookup: an entry whose service has no endpoint still shows.
  if (sys.call(registry(), TAG_REG_LOOKUP, mode | (all ? LOOKUP_ANY_HEALTH : 0), k, 0, 0, 0, 0) != OK) return null;
  const e = entryFromReply();
  const cap = sys.recv_cap();
  if (cap >= 0) sys.cap_delete(cap); // the shell only looks; it keeps no capability
  return e;
}
