// AssemblyScript entry for tests/unit/entropy.test.ts: exports the entropy
// pool's pure parts (hash, MAC, DRBG, health tests and their cutoffs) over a
// scratch buffer, so the test can drive the code the service runs.
import { Sha256 } from "../../../userland/memory/entropy/sha256";
import { HmacSha256 } from "../../../userland/memory/entropy/hmac";
import { HmacDrbg } from "../../../userland/memory/entropy/drbg";
import { rctCutoff as rct, aptCutoff as apt, aptWindow as window } from "../../../userland/memory/entropy/cutoffs";
import * as health from "../../../userland/memory/entropy/health";

const buf = new StaticArray<u8>(1 << 20);
const hash = new Sha256();
const mac = new HmacSha256();
let drbg = new HmacDrbg();

export function scratch(): usize { return changetype<usize>(buf); }

export function sha256(p: usize, len: i32, out: usize): void {
  hash.reset();
  hash.update(p, len);
  hash.finish(out);
}

/** The same message fed in pieces of `step` bytes, through update() and byte(). */
export function sha256Pieces(p: usize, len: i32, step: i32, out: usize): void {
  hash.reset();
  for (let off = 0; off < len; off += step) {
    const n = min(step, len - off);
    if (n == 1) hash.byte(load<u8>(p + <usize>off));
    else hash.update(p + <usize>off, n);
  }
  hash.finish(out);
}

/** `n` little-endian words through word(), as the pool absorbs samples. */
export function sha256Words(p: usize, n: i32, out: usize): void {
  hash.reset();
  for (let i = 0; i < n; i++) hash.word(load<u32>(p + <usize>(i * 4)));
  hash.finish(out);
}

export function hmac(key: usize, keyLen: i32, msg: usize, msgLen: i32, out: usize): void {
  mac.setKey(key, keyLen);
  mac.begin();
  mac.update(msg, msgLen);
  mac.finish(out);
}

export function drbgNew(): void { drbg = new HmacDrbg(); }
export function drbgInstantiate(seed: usize, len: i32): void { drbg.instantiate(seed, len); }
export function drbgReseed(seed: usize, len: i32): void { drbg.reseed(seed, len); }
export function drbgGenerate(out: usize, n: i32): bool { return drbg.generate(out, n); }

export function rctCutoff(alphaLog2: f64, h: f64): i32 { return rct(alphaLog2, h); }
export function aptCutoff(alphaLog2: f64, h: f64, w: i32): i32 { return apt(alphaLog2, h, w); }
export function aptWindow(binary: bool): i32 { return window(binary); }

export function healthConfigure(s: i32, alphaLog2: f64, h: f64, binary: bool): void { health.configure(s, alphaLog2, h, binary); }
export function healthFeed(s: i32, x: u32): bool { return health.feed(s, x); }
/** Feed `n` words from `p`; how many of them the source was healthy for. */
export function healthFeedMany(s: i32, p: usize, n: i32): i32 {
  let ok = 0;
  for (let i = 0; i < n; i++) if (health.feed(s, load<u32>(p + <usize>(i * 4)))) ok++;
  return ok;
}
export function healthRctFailures(s: i32): i32 { return <i32>health.rctFailures(s); }
export function healthAptFailures(s: i32): i32 { return <i32>health.aptFailures(s); }
export function healthIsHealthy(s: i32): bool { return health.isHealthy(s); }
