// The conditioned pool: samples from healthy sources go into a SHA-256
// context (the conditioning function), and the entropy they carry is counted
// twice: as the credit available to clients (debited by output, capped at the
// pool's capacity) and as what the next seed will hold (reset when drawn).
import { Sha256, DIGEST_BYTES } from "./sha256";
import { CAPACITY_BITS, UNIT_SHIFT } from "./config";

const CAPACITY: i64 = <i64>CAPACITY_BITS << UNIT_SHIFT;
const hash = new Sha256();
let available: i64 = 0; // units of 1/2^UNIT_SHIFT bit
let pending: i64 = 0;

/** A sample that passed its source's health tests, worth `credit` units. */
@inline export function absorb(x: u32, credit: i64): void {
  hash.word(x);
  pending += credit;
  available = min(CAPACITY, available + credit);
}

/** `n` bytes of bits that passed their source's health tests, worth `credit` units in all. */
export function absorbBytes(p: usize, n: i32, credit: i64): void {
  hash.update(p, n);
  pending += credit;
  available = min(CAPACITY, available + credit);
}

/** Units the pool lacks to be full. */
export function missingUnits(): i64 { return CAPACITY - available; }

/** Write the conditioned seed (32 bytes) at `out`, and start gathering the next. */
export function drawSeed(out: usize): void {
  hash.finish(out);
  hash.reset();
  pending = 0;
}

/** Output of `bits` bits: the credit goes down, never below zero. */
export function debit(bits: i64): void { available = max<i64>(0, available - (bits << UNIT_SHIFT)); }

export function availableBits(): i64 { return available >> UNIT_SHIFT; }
export function pendingBits(): i64 { return pending >> UNIT_SHIFT; }
export function pendingUnits(): i64 { return pending; }
export function isFull(): bool { return available >= CAPACITY; }
/** How full the pool is, 0..100. */
export function fillPercent(): i32 { return <i32>(available * 100 / CAPACITY); }

export const SEED_BYTES = DIGEST_BYTES;
