// HMAC_DRBG with SHA-256 (SP 800-90A Rev. 1, section 10.1.2), at a security
// strength of 256 bits. It turns the pool's conditioned seeds into output: the
// pool says how much entropy went in, the DRBG makes any amount come out, and
// the update after every request keeps earlier output safe if the state leaks.
import { HmacSha256 } from "./hmac";
import { DIGEST_BYTES } from "./sha256";

// Table 2 of SP 800-90A: requests between reseeds, and bytes per request.
const RESEED_INTERVAL: i64 = 1 << 48;
export const MAX_REQUEST_BYTES = 1 << 16;

export class HmacDrbg {
  private key: StaticArray<u8> = new StaticArray<u8>(DIGEST_BYTES);
  private v: StaticArray<u8> = new StaticArray<u8>(DIGEST_BYTES);
  private mac: HmacSha256 = new HmacSha256();
  private counter: i64 = 0;
  seeded: bool = false;

  /** seed = entropy input || nonce || personalization string. */
  instantiate(seed: usize, len: i32): void {
    memory.fill(changetype<usize>(this.key), 0x00, DIGEST_BYTES);
    memory.fill(changetype<usize>(this.v), 0x01, DIGEST_BYTES);
    this.update(seed, len);
    this.counter = 1;
    this.seeded = true;
  }

  /** seed = entropy input || additional input. */
  reseed(seed: usize, len: i32): void {
    this.update(seed, len);
    this.counter = 1;
  }

  /** `n` bytes at `out`: true, or false when the DRBG needs (re)seeding or `n` is too large. */
  generate(out: usize, n: i32): bool {
    if (!this.seeded || this.counter > RESEED_INTERVAL || n < 0 || n > MAX_REQUEST_BYTES) return false;
    const k = changetype<usize>(this.key);
    const v = changetype<usize>(this.v);
    this.mac.setKey(k, DIGEST_BYTES);
    for (let off = 0; off < n; off += DIGEST_BYTES) {
      this.macV(v);
      memory.copy(out + <usize>off, v, <usize>min(DIGEST_BYTES, n - off));
    }
    this.update(0, 0);
    this.counter++;
    return true;
  }

  /** HMAC_DRBG_Update: fold `data` into Key and V. */
  private update(data: usize, len: i32): void {
    this.step(0x00, data, len);
    if (len > 0) this.step(0x01, data, len);
  }

  // Key = HMAC(Key, V || tag || data); V = HMAC(Key, V).
  private step(tag: u8, data: usize, len: i32): void {
    const k = changetype<usize>(this.key);
    const v = changetype<usize>(this.v);
    this.mac.setKey(k, DIGEST_BYTES);
    this.mac.begin();
    this.mac.update(v, DIGEST_BYTES);
    this.mac.byte(tag);
    this.mac.update(data, len);
    this.mac.finish(k);
    this.mac.setKey(k, DIGEST_BYTES);
    this.macV(v);
  }

  // V = HMAC(Key, V) under the key already set.
  @inline private macV(v: usize): void {
    this.mac.begin();
    this.mac.update(v, DIGEST_BYTES);
    this.mac.finish(v);
  }
}
