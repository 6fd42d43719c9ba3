// The entropy protocol (kernel/abi.ts, TAG_ENTROPY_*; docs/entropy.md).
import { sys, arg, reply, leaseCount, OK, E_ARG, E_STATE, E_UNSUPPORTED } from "../../lib";
import { kind, bytesIn, creditedUnits, hPpm, firstBytes, state, FIRST_BYTES } from "./sources";
import { whyOut } from "./health";
import { hasDevice } from "./device";
import { availableBits, debit } from "./pool";
import { rctFailures, aptFailures } from "./health";
import { drbg, gather, topUp, reseed, ready, quality, healthyMask, armRefill, sourceCount } from "./manager";
import { ROUND_SAMPLES, MAX_REFRESH_SAMPLES, UNIT_SHIFT } from "./config";

const WORDS_MAX_BYTES = 48; // the six reply words
// Bounds the time one call holds the service; larger amounts take several calls.
const MAX_LEASE_BYTES = 65536;
const CHUNK = 256;
const out = new StaticArray<u8>(CHUNK);

/** w0 = bytes: up to 48 in the reply words, or any amount up to 64 KiB into lease 0 (w0 = 0: the whole lease). */
export function get(): i32 {
  if (!hasDevice()) return E_UNSUPPORTED;
  const lease = leaseCount() > 0;
  const n = lease ? leaseRequest(arg(0)) : wordsRequest(arg(0));
  if (n < 0) return n;
  const bits = <i64>n << 3;
  if (availableBits() < bits) topUp(bits);
  if (!ready()) return E_STATE;
  const r = lease ? fillLease(n) : replyWords(n);
  if (r < 0) return r;
  debit(bits);
  armRefill();
  return OK;
}

function wordsRequest(asked: i64): i32 {
  return asked >= 1 && asked <= WORDS_MAX_BYTES ? <i32>asked : E_ARG;
}

function leaseRequest(asked: i64): i32 {
  const len = sys.lease_len(0);
  if (len < 0) return len;
  const n = asked == 0 ? <i64>len : asked;
  return n >= 1 && n <= <i64>len && n <= MAX_LEASE_BYTES ? <i32>n : E_ARG;
}

function replyWords(n: i32): i32 {
  const p = changetype<usize>(out);
  memory.fill(p, 0, WORDS_MAX_BYTES);
  if (!drbg.generate(p, n)) return E_STATE;
  reply(load<i64>(p), load<i64>(p, 8), load<i64>(p, 16), load<i64>(p, 24), load<i64>(p, 32), load<i64>(p, 40));
  memory.fill(p, 0, WORDS_MAX_BYTES); // output handed out is not kept
  return OK;
}

function fillLease(n: i32): i32 {
  const p = changetype<usize>(out);
  for (let off = 0; off < n; off += CHUNK) {
    const c = min(CHUNK, n - off);
    if (!drbg.generate(p, c)) return E_STATE;
    const w = sys.lease_write(0, off, p, c);
    if (w < 0) { memory.fill(p, 0, CHUNK); return w; }
  }
  memory.fill(p, 0, CHUNK);
  reply(n);
  return OK;
}

/** w0 = samples per source (0: one APT window); reply w0 = bits credited, w1 = healthy-source mask. */
export function refresh(): i32 {
  if (!hasDevice()) return E_UNSUPPORTED;
  const asked = arg(0);
  if (asked < 0 || asked > MAX_REFRESH_SAMPLES) return E_ARG;
  const credited = gather(asked == 0 ? ROUND_SAMPLES : <i32>asked);
  reseed(true);
  armRefill();
  reply(credited >> UNIT_SHIFT, healthyMask());
  return OK;
}

/**
 * w0 = 0 for every source, or 1 + i for source i alone (the failure counts).
 * Reply: available bits, quality, healthy-source mask, failures, of which
 * repetition count test failures, of which adaptive proportion test failures.
 */
export function status(): i32 {
  if (!hasDevice()) return E_UNSUPPORTED;
  const which = arg(0);
  const n = sourceCount();
  if (which < 0 || which > <i64>n) return E_ARG;
  let rct: i64 = 0;
  let apt: i64 = 0;
  const first = which == 0 ? 0 : <i32>which - 1;
  const end = which == 0 ? n : first + 1;
  for (let s = first; s < end; s++) { rct += rctFailures(s); apt += aptFailures(s); }
  reply(availableBits(), quality(), healthyMask(), rct + apt, rct, apt);
  return OK;
}

/**
 * TAG_ENTROPY_SOURCE: w0 = source index. Reply: ENT_SRC_*, ENT_STATE_*,
 * ENT_WHY_*, bytes it gave, bits credited over its life, min-entropy per
 * sample (ppm of a bit); its first 8 bytes into lease 0 when one is lent.
 */
export function source(): i32 {
  if (!hasDevice()) return E_UNSUPPORTED;
  const which = arg(0);
  if (which < 0 || which >= <i64>sourceCount()) return E_ARG;
  const s = <i32>which;
  if (leaseCount() > 0) {
    const len = sys.lease_len(0);
    if (len < 0) return len;
    const w = sys.lease_write(0, 0, firstBytes(s), min(len, FIRST_BYTES));
    if (w < 0) return w;
  }
  reply(unchecked(kind[s]), state(s), whyOut(s), unchecked(bytesIn[s]), unchecked(creditedUnits[s]) >> UNIT_SHIFT, unchecked(hPpm[s]));
  return OK;
}
