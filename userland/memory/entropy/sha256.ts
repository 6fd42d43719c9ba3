// SHA-256 (FIPS 180-4). The pool's conditioning function and the hash under
// HMAC and the DRBG. A context is allocated once and reused: reset() starts a
// new message, so hashing allocates nothing.

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const IV: StaticArray<u32> = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

export const DIGEST_BYTES = 32;
export const BLOCK_BYTES = 64;

// The message schedule is scratch shared by every context: compression never nests.
const w = new StaticArray<u32>(64);

export class Sha256 {
  private h: StaticArray<u32> = new StaticArray<u32>(8);
  private block: StaticArray<u8> = new StaticArray<u8>(BLOCK_BYTES);
  private fill: i32 = 0;
  private bytes: u64 = 0;

  constructor() { this.reset(); }

  reset(): void {
    for (let i = 0; i < 8; i++) unchecked(this.h[i] = IV[i]);
    this.fill = 0;
    this.bytes = 0;
  }

  /** Continue from another context's state (HMAC's precomputed keyed states). */
  copyFrom(o: Sha256): void {
    memory.copy(changetype<usize>(this.h), changetype<usize>(o.h), 32);
    memory.copy(changetype<usize>(this.block), changetype<usize>(o.block), BLOCK_BYTES);
    this.fill = o.fill;
    this.bytes = o.bytes;
  }

  update(ptr: usize, len: i32): void {
    this.bytes += <u64>len;
    const buf = changetype<usize>(this.block);
    while (len > 0) {
      const n = min(len, BLOCK_BYTES - this.fill);
      memory.copy(buf + <usize>this.fill, ptr, <usize>n);
      this.fill += n;
      ptr += <usize>n;
      len -= n;
      if (this.fill == BLOCK_BYTES) { this.compress(); this.fill = 0; }
    }
  }

  byte(b: u8): void {
    store<u8>(changetype<usize>(this.block) + <usize>this.fill, b);
    this.bytes++;
    if (++this.fill == BLOCK_BYTES) { this.compress(); this.fill = 0; }
  }

  /** Four bytes, little-endian: one raw sample into the pool. */
  word(v: u32): void {
    if (this.fill + 4 > BLOCK_BYTES) {
      for (let i = 0; i < 4; i++) this.byte(<u8>(v >>> (8 * i)));
      return;
    }
    store<u32>(changetype<usize>(this.block) + <usize>this.fill, v);
    this.bytes += 4;
    this.fill += 4;
    if (this.fill == BLOCK_BYTES) { this.compress(); this.fill = 0; }
  }

  /** Pad, write the 32-byte digest at `out`; reset() before the next message. */
  finish(out: usize): void {
    const bits = this.bytes << 3;
    this.byte(0x80);
    while (this.fill != BLOCK_BYTES - 8) this.byte(0);
    store<u64>(changetype<usize>(this.block) + 56, bswap<u64>(bits));
    this.compress();
    this.fill = 0;
    for (let i = 0; i < 8; i++) store<u32>(out + <usize>(i * 4), bswap<u32>(unchecked(this.h[i])));
  }

  private compress(): void {
    const p = changetype<usize>(this.block);
    for (let i = 0; i < 16; i++) unchecked(w[i] = bswap<u32>(load<u32>(p + <usize>(i * 4))));
    for (let i = 16; i < 64; i++) {
      const a = unchecked(w[i - 15]);
      const b = unchecked(w[i - 2]);
      const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
      const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
      unchecked(w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1);
    }
    const h = this.h;
    let a = unchecked(h[0]), b = unchecked(h[1]), c = unchecked(h[2]), d = unchecked(h[3]);
    let e = unchecked(h[4]), f = unchecked(h[5]), g = unchecked(h[6]), k = unchecked(h[7]);
    for (let i = 0; i < 64; i++) {
      const t1 = k + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + unchecked(K[i]) + unchecked(w[i]);
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      k = g; g = f; f = e; e = d + t1;
      d = c; c = b; b = a; a = t1 + t2;
    }
    unchecked(h[0] = unchecked(h[0]) + a); unchecked(h[1] = unchecked(h[1]) + b);
    unchecked(h[2] = unchecked(h[2]) + c); unchecked(h[3] = unchecked(h[3]) + d);
    unchecked(h[4] = unchecked(h[4]) + e); unchecked(h[5] = unchecked(h[5]) + f);
    unchecked(h[6] = unchecked(h[6]) + g); unchecked(h[7] = unchecked(h[7]) + k);
  }
}
