// The input cursor and LEB128 decoding. Every read is bounds-checked against
// `limit` (the end of the section or body being read); a read past it records
// "unexpected end" and returns 0, so callers need only check `failed` at the
// points where going on would loop or index with a bad value.
import { fail, failed } from "./errors";

/** The input module: [inputBase, inputEnd). */
export let inputBase: usize = 0;
export let inputEnd: usize = 0;
/** The cursor and the end of the region being read. */
export let pos: usize = 0;
export let limit: usize = 0;

export function setInput(ptr: usize, len: usize): void {
  inputBase = ptr;
  inputEnd = ptr + len;
  pos = ptr;
  limit = ptr + len;
}

export function seek(at: usize, end: usize): void { pos = at; limit = end; }
export function setPos(at: usize): void { pos = at; }
export function setLimit(end: usize): void { limit = end; }

/** Byte offset of `ptr` in the input module, for messages. */
export function offsetOf(ptr: usize): u32 { return <u32>(ptr - inputBase); }
export function here(): u32 { return <u32>(pos - inputBase); }

function truncated(): void { fail(here(), "unexpected end of the section or function body"); }

export function remaining(): usize { return pos < limit ? limit - pos : 0; }

export function readByte(): u32 {
  if (pos >= limit) { truncated(); return 0; }
  const b = <u32>load<u8>(pos);
  pos++;
  return b;
}

/** Skips `n` bytes (a name, a constant); false if they are not all there. */
export function skip(n: u64): bool {
  if (n > <u64>remaining()) { truncated(); pos = limit; return false; }
  pos += <usize>n;
  return true;
}

/** Unsigned LEB128 of at most 32 bits (at most 5 bytes, unused bits zero). */
export function readU32(): u32 {
  const start = pos;
  let result: u32 = 0;
  for (let shift: u32 = 0; shift < 35; shift += 7) {
    const b = readByte();
    if (failed) return 0;
    if (shift == 28 && b > 0x0f) { fail(offsetOf(start), "integer too large for 32 bits"); return 0; }
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) return result;
  }
  fail(offsetOf(start), "integer encoding longer than 5 bytes");
  return 0;
}

/**
 * Skips a signed LEB128 of at most `bits` bits (32 or 64), checking only its
 * length: the loader copies constants, it never needs their value.
 */
export function skipSigned(bits: u32): void {
  const start = pos;
  const maxBytes = (bits + 6) / 7;
  for (let i: u32 = 0; i < maxBytes; i++) {
    const b = readByte();
    if (failed) return;
    if ((b & 0x80) == 0) return;
  }
  fail(offsetOf(start), "integer encoding too long");
}

/** A signed 33-bit LEB128 (a block type's type index), as i64. */
export function readS33(): i64 {
  const start = pos;
  let result: i64 = 0;
  let shift: i64 = 0;
  for (let i = 0; i < 5; i++) {
    const b = <i64>readByte();
    if (failed) return 0;
    result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) {
      if (shift < 64 && (b & 0x40) != 0) result |= -1 << shift;
      return result;
    }
  }
  fail(offsetOf(start), "block type encoding too long");
  return 0;
}

/** A name: u32 length then bytes. Returns the pointer to its bytes; the length is in nameLen. */
export let nameLen: u32 = 0;
export function readName(): usize {
  nameLen = readU32();
  const at = pos;
  if (!skip(nameLen)) { nameLen = 0; return at; }
  return at;
}

/** True if the `n` bytes at `ptr` spell the ASCII string `s`. */
export function nameIs(ptr: usize, n: u32, s: string): bool {
  if (<i32>n != s.length) return false;
  for (let i: u32 = 0; i < n; i++) if (<u32>load<u8>(ptr + i) != <u32>s.charCodeAt(i)) return false;
  return true;
}
