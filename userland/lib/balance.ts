// Client-side load balancing over the healthy instances of a name (a service
// with `instances = N` runs N processes registered under one name). The
// balancer gets a capability to each instance from the registry, picks one
// per request (round robin, least outstanding, or consistent hash on a key),
// skips instances whose circuit is open, and refreshes its members when an
// instance fails or the registry's answer changes.
//
// Circuit breaker, per instance: `failures` consecutive failed requests open
// it for `openMs`; then one request is let through (half-open): success
// closes it, failure opens it again. A failure is any negative status except
// E_ARG, which is the request's fault, not the instance's.
import * as sys from "./sys";
import { lookup } from "./registry";
import {
  E_ARG, E_BADSLOT, E_NOSPACE,
} from "../../kernel/abi";
import {
  BALANCE_LEAST_OUTSTANDING, BALANCE_CONSISTENT_HASH, TAG_REG_LOAD, LOOKUP_NAME,
} from "./proto/index";
import { capByName } from "./caps";

const VNODES = 32; // points per instance on the hash ring
const MAX_MEMBERS = 16;

let registrySlot = -1;

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;

export class Balancer {
  slots: i32[] = []; // capability per member
  services: i32[] = []; // the registry's service index per member (stable across refreshes)
  fails: i32[] = [];
  circuit: i32[] = [];
  openUntil: i64[] = [];
  next: i32 = 0; // round robin position
  last: i32 = -1; // the member the last request went to
  ring: u32[] = []; // sorted hash points
  ringMember: i32[] = []; // member of each point

  constructor(public name: string, public policy: i32, public failures: i32 = 3, public openMs: i32 = 1000) {}

  /** Ask the registry for the name's healthy instances; how many there are now. */
  refresh(): i32 {
    const keep = new Map<i32, i32>(); // service index -> old member
    for (let m = 0; m < this.services.length; m++) keep.set(this.services[m], m);
    const slots = new Array<i32>(), services = new Array<i32>(), fails = new Array<i32>();
    const circuit = new Array<i32>(), until = new Array<i64>();
    for (let k = 0; k < MAX_MEMBERS; k++) {
      const slot = lookup(this.name, LOOKUP_NAME, k);
      if (slot < 0) break;
      const svc = <i32>sys.reply_word(1);
      slots.push(slot);
      services.push(svc);
      const old = keep.has(svc) ? keep.get(svc) : -1;
      fails.push(old >= 0 ? this.fails[old] : 0);
      circuit.push(old >= 0 ? this.circuit[old] : CLOSED);
      until.push(old >= 0 ? this.openUntil[old] : 0);
    }
    for (let m = 0; m < this.slots.length; m++) sys.cap_delete(this.slots[m]);
    this.slots = slots; this.services = services; this.fails = fails; this.circuit = circuit; this.openUntil = until;
    this.buildRing();
    return slots.length;
  }

  get size(): i32 { return this.slots.length; }

  /** The member for a request with `key` (used by consistent hashing), or an error when none may take it. */
  pick(key: u64 = 0): i32 {
    const n = this.slots.length;
    if (n == 0 && this.refresh() == 0) return E_BADSLOT;
    if (this.policy == BALANCE_CONSISTENT_HASH) return this.byHash(key);
    if (this.policy == BALANCE_LEAST_OUTSTANDING) return this.leastLoaded();
    for (let t = 0; t < this.slots.length; t++) {
      const m = (this.next + t) % this.slots.length;
      if (this.admits(m)) { this.next = m + 1; return m; }
    }
    return E_NOSPACE;
  }

  /** Call the name through the member picked for `key`; the status, with the outcome counted. */
  call(key: u64, tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0): i32 {
    return this.request(false, key, tag, w0, w1, w2, w3, w4);
  }

  /** Queue a message for the member picked for `key`. */
  send(key: u64, tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0): i32 {
    return this.request(true, key, tag, w0, w1, w2, w3, w4);
  }

  private request(queued: bool, key: u64, tag: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64): i32 {
    const m = this.pick(key);
    if (m < 0) return m;
    this.last = m;
    const slot = this.slots[m];
    const r = queued ? sys.send(slot, tag, w0, w1, w2, w3, w4, 0) : sys.call(slot, tag, w0, w1, w2, w3, w4, 0);
    this.outcome(m, r);
    return r;
  }

  /** Is member m's circuit open now? */
  isOpen(m: i32): bool { return this.circuit[m] == OPEN && sys.time() < this.openUntil[m]; }

  private admits(m: i32): bool {
    if (this.circuit[m] != OPEN) return true;
    if (sys.time() < this.openUntil[m]) return false;
    this.circuit[m] = HALF_OPEN; // one trial request
    return true;
  }

  private outcome(m: i32, r: i32): void {
    if (r >= 0 || r == E_ARG) {
      this.fails[m] = 0;
      this.circuit[m] = CLOSED;
      return;
    }
    this.fails[m]++;
    if (this.circuit[m] == HALF_OPEN || this.fails[m] >= this.failures) {
      this.circuit[m] = OPEN;
      this.openUntil[m] = sys.time() + <i64>this.openMs * 1000000;
    }
  }

  private leastLoaded(): i32 {
    if (registrySlot < 0) registrySlot = capByName("registry");
    const reg = registrySlot;
    let best = -1;
    let bestLoad: i64 = 0;
    for (let t = 0; t < this.slots.length; t++) {
      const m = (this.next + t) % this.slots.length;
      if (!this.admits(m)) continue;
      if (sys.call(reg, TAG_REG_LOAD, this.services[m], 0, 0, 0, 0, 0) < 0) continue;
      const load = sys.reply_word(0);
      if (best < 0 || load < bestLoad) { best = m; bestLoad = load; }
    }
    if (best >= 0) this.next = best + 1;
    return best < 0 ? E_NOSPACE : best;
  }

  private byHash(key: u64): i32 {
    const h = mix(key);
    const n = this.ring.length;
    if (n == 0) return E_NOSPACE;
    let lo = 0, hi = n; // the first point >= h
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.ring[mid] < h) lo = mid + 1; else hi = mid; }
    for (let t = 0; t < n; t++) {
      const m = this.ringMember[(lo + t) % n];
      if (this.admits(m)) return m;
    }
    return E_NOSPACE;
  }

  // Points depend on the instance's service index, not on its position, so
  // an instance that goes away moves only its own keys.
  private buildRing(): void {
    const pts = new Array<u64>();
    for (let m = 0; m < this.services.length; m++) {
      for (let v = 0; v < VNODES; v++) pts.push((<u64>mix(<u64>this.services[m] * VNODES + <u64>v) << 32) | <u64>m);
    }
    pts.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    this.ring = new Array<u32>(pts.length);
    this.ringMember = new Array<i32>(pts.length);
    for (let i = 0; i < pts.length; i++) { this.ring[i] = <u32>(pts[i] >> 32); this.ringMember[i] = <i32>(pts[i] & 0xffffffff); }
  }
}

/** A 64-to-32-bit mix (splitmix64's finalizer): keys spread over the ring. */
function mix(x: u64): u32 {
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 27; x *= 0x94d049bb133111eb;
  x ^= x >> 31;
  return <u32>(x >> 32);
}
