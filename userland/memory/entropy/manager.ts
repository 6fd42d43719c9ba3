// The entropy manager: samples every raw source through its health tests into
// the pool, seeds and reseeds the DRBG from the pool, and tops the pool up in
// the background, on the service's timer, while it is not full or a source is
// out (a failed source comes back only by being sampled).
import { sys, ENT_SRC_DEVICE, ENT_SRC_FED, E_NOSPACE } from "../../lib";
import { openDevice, select, sample } from "./device";
import { configure, feed, isHealthy, MAX_SOURCES, STARTUP_SAMPLES } from "./health";
import { absorb, drawSeed, pendingUnits, availableBits, isFull, fillPercent, SEED_BYTES } from "./pool";
import { HmacDrbg } from "./drbg";
import { describe, bytesIn, creditedUnits, feeder, keepingFirst, keepFirst } from "./sources";
import {
  ALPHA_LOG2, SOURCE_MIN_ENTROPY, SOURCE_BINARY, UNIT_SHIFT, SEED_BITS, CAPACITY_BITS, ROUND_SAMPLES,
  MAX_DEMAND_ROUNDS, REFILL_NS,
} from "./config";

export const drbg = new HmacDrbg();

const CREDIT: i64 = <i64>(SOURCE_MIN_ENTROPY * <f64>(1 << UNIT_SHIFT));
const PERSONALIZATION = "quark memory: entropy pool";
// seed || nonce (time, pid, restarts) || personalization string
const NONCE_BYTES = 16;
const seedBuf = new StaticArray<u8>(SEED_BYTES + NONCE_BYTES + 64);
const word = new StaticArray<u8>(4); // a sample on its way to the source's first bytes

let sources = 0; // the device's raw sources: 0 .. sources - 1
let fedCount = 0; // then the fed ones, one per feeding service
let pid = 0;
let restarts = 0;
let refillArmed = false;

/** Open the device, run the start-up tests and seed; the number of sources, or an error. */
export function startManager(ownPid: i32, ownRestarts: i32): i32 {
  pid = ownPid;
  restarts = ownRestarts;
  const n = openDevice();
  if (n < 0) return n;
  sources = min(n, MAX_SOURCES);
  for (let s = 0; s < sources; s++) {
    configure(s, ALPHA_LOG2, SOURCE_MIN_ENTROPY, SOURCE_BINARY);
    describe(s, ENT_SRC_DEVICE, 0, <i32>(SOURCE_MIN_ENTROPY * 1e6));
  }
  gather(STARTUP_SAMPLES);
  topUp(SEED_BITS);
  armRefill();
  return sources;
}

/** Every source: the device's, then the fed ones. */
export function sourceCount(): i32 { return sources + fedCount; }
export function deviceSources(): i32 { return sources; }

/** The source `pid` feeds, made at its first feed (binary, tested at `testH`); E_NOSPACE past ENT_MAX_SOURCES. */
export function fedSource(pid: i32, ppm: i32, testH: f64): i32 {
  for (let s = sources; s < sources + fedCount; s++) if (unchecked(feeder[s]) == pid) return s;
  const s = sources + fedCount;
  if (s >= MAX_SOURCES) return E_NOSPACE;
  configure(s, ALPHA_LOG2, testH, true);
  describe(s, ENT_SRC_FED, pid, ppm);
  fedCount++;
  return s;
}

/** `n` samples from each source; the credit gathered, in units. */
export function gather(n: i32): i64 {
  let credited: i64 = 0;
  for (let s = 0; s < sources; s++) credited += sampleSource(s, n);
  return credited;
}

function sampleSource(s: i32, n: i32): i64 {
  if (select(s) < 0) return 0;
  let credited: i64 = 0;
  let read = 0;
  for (let i = 0; i < n; i++) {
    const x = sample();
    if (x < 0) break;
    read++;
    if (keepingFirst(s)) { store<u32>(changetype<usize>(word), <u32>x); keepFirst(s, changetype<usize>(word), 4); }
    // Only a source that passed its tests, this sample included, feeds the pool.
    if (feed(s, <u32>x)) {
      absorb(<u32>x, CREDIT);
      credited += CREDIT;
    }
  }
  unchecked(bytesIn[s] = unchecked(bytesIn[s]) + (<i64>read << 2));
  unchecked(creditedUnits[s] = unchecked(creditedUnits[s]) + credited);
  return credited;
}

/** Sample until the pool holds `bits` (or is full), while any source is healthy; then seed if it can. */
export function topUp(bits: i64): void {
  const target = min<i64>(bits, CAPACITY_BITS);
  for (let r = 0; r < MAX_DEMAND_ROUNDS && availableBits() < target && healthyMask() != 0; r++) gather(ROUND_SAMPLES);
  reseed(false);
}

/**
 * Feed the pool's seed to the DRBG once it holds SEED_BITS, or, when
 * `anyAmount`, whatever it holds (reseeding never lowers the state's
 * entropy). The first seed always waits for SEED_BITS.
 */
export function reseed(anyAmount: bool): bool {
  const units = pendingUnits();
  const enough = units >= (<i64>SEED_BITS << UNIT_SHIFT);
  if (units == 0 || (!enough && (!anyAmount || !drbg.seeded))) return false;
  const p = changetype<usize>(seedBuf);
  drawSeed(p);
  if (drbg.seeded) { drbg.reseed(p, SEED_BYTES); return true; }
  drbg.instantiate(p, SEED_BYTES + writeNonce(p + SEED_BYTES));
  return true;
}

// A nonce that never repeats for this service: the time, the pid and the
// restart count (SP 800-90A 8.6.7), then the personalization string.
function writeNonce(p: usize): i32 {
  store<i64>(p, sys.time());
  store<i32>(p + 8, pid);
  store<i32>(p + 12, restarts);
  const n = String.UTF8.encodeUnsafe(changetype<usize>(PERSONALIZATION), PERSONALIZATION.length, p + NONCE_BYTES);
  return NONCE_BYTES + <i32>n;
}

/** Bit s: source s is in the pool (the device's and the fed ones). */
export function healthyMask(): i32 {
  let m = 0;
  for (let s = 0; s < sources + fedCount; s++) if (isHealthy(s)) m |= 1 << s;
  return m;
}

/** Can the pool serve output: a seeded DRBG and at least one healthy source. */
export function ready(): bool { return drbg.seeded && healthyMask() != 0; }

/** 0..100: half for the share of healthy sources, half for how full the pool is; 0 when it cannot serve. */
export function quality(): i32 {
  if (!ready()) return 0;
  return 50 * popcnt<i32>(healthyMask()) / sourceCount() + fillPercent() / 2;
}

/**
 * Wake up later to sample, unless the pool is full and every device source is
 * in. A fed source comes back only by being fed, so the timer does not wait
 * for it.
 */
export function armRefill(): void {
  if (refillArmed || sources == 0) return;
  const device = (1 << sources) - 1;
  if (isFull() && (healthyMask() & device) == device) return;
  refillArmed = true;
  sys.timer_set(sys.time() + REFILL_NS);
}

export function onRefillTimer(): void {
  refillArmed = false;
  gather(ROUND_SAMPLES);
  reseed(false);
  armRefill();
}
