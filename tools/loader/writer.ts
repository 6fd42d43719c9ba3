// The output buffer: the last region of the arena, grown as it fills. A write
// that cannot grow memory records "out of memory" once and is dropped.
import { ensure } from "./arena";
import { fail, failed } from "./errors";

export let outBase: usize = 0;
export let out: usize = 0;
let cap: usize = 0;

export function startOutput(at: usize): void {
  outBase = at;
  out = at;
  cap = <usize>memory.size() << 16;
}

export function outLength(): usize { return out - outBase; }

function room(n: usize): bool {
  if (out + n <= cap) return true;
  // Grow by at least a quarter of what is written, so growth stays amortised.
  const want = out + n + ((out - outBase) >> 2) + 0x10000;
  if (want < out || !ensure(want)) {
    fail(0, "out of memory while writing the output");
    return false;
  }
  cap = <usize>memory.size() << 16;
  return true;
}

export function emitByte(b: u32): void {
  if (failed || !room(1)) return;
  store<u8>(out, <u8>b);
  out++;
}

export function emitU32(v: u32): void {
  do {
    let b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    emitByte(b);
  } while (v != 0);
}

export function emitS32(v: i32): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0)) { emitByte(b); return; }
    emitByte(b | 0x80);
  }
}

/** Copies input bytes [from, to) as they are. */
export function emitRange(from: usize, to: usize): void {
  if (failed || to <= from) return;
  const n = to - from;
  if (!room(n)) return;
  memory.copy(out, from, n);
  out += n;
}

/**
 * Reserves a 5-byte size field (a padded LEB128, which every engine accepts)
 * and returns where it is; patchSize fills it once the content is written.
 * Padding keeps the output one pass and its layout independent of sizes.
 */
export function reserveSize(): usize {
  const at = out;
  for (let i = 0; i < 5; i++) emitByte(0);
  return at;
}

export function patchSize(at: usize): void {
  if (failed) return;
  let v = <u32>(out - at - 5);
  for (let i = 0; i < 5; i++) {
    store<u8>(at + i, <u8>((v & 0x7f) | (i < 4 ? 0x80 : 0)));
    v >>= 7;
  }
}
