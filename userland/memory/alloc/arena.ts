// Small allocations: each client gets one arena (a memory object it maps
// once); a small request is a chunk of it. Chunks come in power-of-two
// classes from 16 bytes to MEM_SMALL_MAX, aligned to their size; a freed
// chunk goes on its class's free list. A small allocation is bookkeeping
// only: no frame is allocated once the arena exists.
import { MAX_PROCS, MEM_SMALL_MAX, MEM_ARENA_PAGES, PAGE_SIZE } from "../../lib";

const CLASSES = 8; // 16 << 0 .. 16 << 7 = 2048
const FREE_MAX = 32; // free chunks remembered per class per client (more are left to the bump pointer)
const bump = new StaticArray<i32>(MAX_PROCS);
const freeCount = new StaticArray<i32>(MAX_PROCS * CLASSES);
const freeOff = new StaticArray<i32>(MAX_PROCS * CLASSES * FREE_MAX);

export const ARENA_BYTES = MEM_ARENA_PAGES * PAGE_SIZE;

export function arenaReset(badge: i32): void {
  unchecked(bump[badge] = 0);
  for (let c = 0; c < CLASSES; c++) unchecked(freeCount[badge * CLASSES + c] = 0);
}

/** The class of a request of `bytes` (1 .. MEM_SMALL_MAX): the smallest c with 16 << c >= bytes, without a loop. */
@inline export function classOf(bytes: i32): i32 {
  return bytes <= 16 ? 0 : 28 - <i32>clz<u32>(<u32>(bytes - 1));
}

@inline export function classBytes(c: i32): i32 { return 16 << c; }

/** A chunk of class `c` in the client's arena: its offset, or -1 when the arena is full. */
@inline export function chunkAlloc(badge: i32, c: i32): i32 {
  const k = badge * CLASSES + c;
  const n = unchecked(freeCount[k]);
  if (n > 0) { unchecked(freeCount[k] = n - 1); return unchecked(freeOff[k * FREE_MAX + n - 1]); }
  const size = classBytes(c);
  const at = (unchecked(bump[badge]) + size - 1) & ~(size - 1);
  if (at + size > ARENA_BYTES) return -1;
  unchecked(bump[badge] = at + size);
  return at;
}

export function chunkFree(badge: i32, c: i32, offset: i32): void {
  const k = badge * CLASSES + c;
  const n = unchecked(freeCount[k]);
  if (n < FREE_MAX) { unchecked(freeOff[k * FREE_MAX + n] = offset); unchecked(freeCount[k] = n + 1); }
}

export const SMALL_MAX = MEM_SMALL_MAX;
