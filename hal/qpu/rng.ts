// The engine's random numbers: xoshiro256** 1.0 (Blackman and Vigna,
// https://prng.di.unimi.it/xoshiro256starstar.c), its state filled from the
// run's 64-bit seed by splitmix64 as its authors recommend. Integer arithmetic
// only, so every host draws the same numbers from the same seed.

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
  mix = s;
  s0 = splitmix();
  s1 = splitmix();
  s2 = splitmix();
  s3 = splitmix();
}

export function next(): u64 {
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
