// The pool's settings, each with the reason for its value (docs/entropy.md).

// SP 800-90B health tests: false-positive probability α = 2^-20 per test.
export const ALPHA_LOG2: f64 = 20;

// Assessed min-entropy of one 32-bit sample of a HAL noise source. The
// sources pass on the host's random bytes, which cannot be assessed from here,
// so the claim is far below what any working generator gives: the tests then
// hardly ever fire on a good source, and the accounting never claims more than
// a source passing them delivers. With W = 512 the cutoffs are 41 and 410.
export const SOURCE_MIN_ENTROPY: f64 = 0.5;
// One sample is a 32-bit word, so the sources are not binary (W = 512).
export const SOURCE_BINARY = false;

// Entropy is counted in 1/1024 bit, so a fractional H credits exactly.
export const UNIT_SHIFT = 10;

// The pool holds at most this many bits of credit.
export const CAPACITY_BITS = 4096;
// Input credited before a seed is drawn: a vetted conditioning function's
// 256-bit output has full entropy once its input holds 256 + 64 bits (SP 800-90C).
export const SEED_BITS = 320;

// Samples per source in one round of sampling (one APT window).
export const ROUND_SAMPLES = 512;
// Rounds a request may wait for when the pool holds less than it asks for.
export const MAX_DEMAND_ROUNDS = 16;
// The background top-up: a round every 20 ms while the pool is not full.
export const REFILL_NS: i64 = 20_000_000;
// A refresh samples at most this many words per source in one call.
export const MAX_REFRESH_SAMPLES = 16384;
