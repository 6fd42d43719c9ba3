// The engine's random numbers: xoshiro256** 1.0 (Blackman and Vigna,
// https://prng.di.unimi.it/xoshiro256starstar.c), its state filled from the
// run's 64-bit seed by splitmix64 as its authors recommend. Integer arithmetic
// only, so every host draws the same numbers from the same seed.
//
// An unseeded run (QRUN_UNSEEDED) draws its numbers from a filler instead: a
// function the QPU device registers that writes the host's random bytes
// (host.random_fill). The engine itself imports nothing from the host, so it
// runs alone in the unit tests, where an unseeded run is refused.

let s0: u64 = 0;
let s1: u64 = 0;
let s2: u64 = 0;
let s3: u64 = 0;
let mix: u64 = 0;

function splitmix(): u64 {
  mix += 0x9e3779b97f4a7c15;
  let z = mix;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

export function seed(s: u64): void {
  unseeded = false;
  mix = s;
  s0 = splitmix();
  s1 = splitmix();
  s2 = splitmix();
  s3 = splitmix();
}

const FILL_WORDS = 64; // u64s fetched per call of the filler
const drawnWords = new StaticArray<u64>(FILL_WORDS);
let drawnAt = FILL_WORDS;
let unseeded = false;
let hasFiller = false;
let filler: (ptr: usize, bytes: i32) => void = (ptr: usize, bytes: i32): void => {};

/** The host's random bytes, for unseeded runs (the QPU device gives it). */
export function setFiller(f: (ptr: usize, bytes: i32) => void): void { filler = f; hasFiller = true; }
export function canDrawUnseeded(): bool { return hasFiller; }

/** Numbers from the filler from now on (until the next seed()); none of the last run's bytes are reused. */
export function unseed(): void {
  unseeded = true;
  drawnAt = FILL_WORDS;
}

function drawn(): u64 {
  if (drawnAt == FILL_WORDS) {
    filler(changetype<usize>(drawnWords), FILL_WORDS << 3);
    drawnAt = 0;
  }
  const v = unchecked(drawnWords[drawnAt]);
  unchecked(drawnWords[drawnAt] = 0); // a number handed out is not kept
  drawnAt++;
  return v;
}

export function next(): u64 {
  if (unseeded) return drawn();
  const result = rotl<u64>(s1 * 5, 7) * 9;
  const t = s1 << 17;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u64>(s3, 45);
  return result;
}

/** A uniform double in [0, 1): the top 53 bits. */
export function uniform(): f64 {
  return <f64>(next() >> 11) * 1.1102230246251565e-16; // 2^-53
}
