// HMAC-SHA-256 (FIPS 198-1). Setting a key hashes the two padded key blocks
// once; every message under that key then starts from copies of those states,
// which halves the work of the DRBG's many short MACs.
import { Sha256, BLOCK_BYTES, DIGEST_BYTES } from "./sha256";

export class HmacSha256 {
  private keyedInner: Sha256 = new Sha256();
  private keyedOuter: Sha256 = new Sha256();
  private inner: Sha256 = new Sha256();
  private outer: Sha256 = new Sha256();
  private pad: StaticArray<u8> = new StaticArray<u8>(BLOCK_BYTES);
  private mac: StaticArray<u8> = new StaticArray<u8>(DIGEST_BYTES);

  setKey(key: usize, len: i32): void {
    const pad = changetype<usize>(this.pad);
    memory.fill(pad, 0, BLOCK_BYTES);
    if (len > BLOCK_BYTES) {
      this.inner.reset();
      this.inner.update(key, len);
      this.inner.finish(pad);
    } else {
      memory.copy(pad, key, <usize>len);
    }
    this.keyedInner.reset();
    this.keyedInner.update(this.xorPad(0x36), BLOCK_BYTES);
    this.xorPad(0x36); // back to the plain key
    this.keyedOuter.reset();
    this.keyedOuter.update(this.xorPad(0x5c), BLOCK_BYTES);
    this.xorPad(0x5c);
  }

  begin(): void { this.inner.copyFrom(this.keyedInner); }
  update(ptr: usize, len: i32): void { this.inner.update(ptr, len); }
  byte(b: u8): void { this.inner.byte(b); }

  /** Write the 32-byte MAC of the message since begin() at `out`. */
  finish(out: usize): void {
    const mac = changetype<usize>(this.mac);
    this.inner.finish(mac);
    this.outer.copyFrom(this.keyedOuter);
    this.outer.update(mac, DIGEST_BYTES);
    this.outer.finish(out);
  }

  private xorPad(x: u8): usize {
    const pad = changetype<usize>(this.pad);
    for (let i = 0; i < BLOCK_BYTES; i++) store<u8>(pad + <usize>i, load<u8>(pad + <usize>i) ^ x);
    return pad;
  }
}
