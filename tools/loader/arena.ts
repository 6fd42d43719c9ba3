// The loader's memory: one bump arena from the heap base, reset for every
// module (index.ts: alloc). Tables are taken first; the output buffer is the
// last thing in the arena and grows at its end. Growing memory can fail; the
// caller then reports "out of memory" instead of trapping.

let top: usize = 0;

function heapStart(): usize { return (__heap_base + 15) & ~<usize>15; }

export function resetArena(): void { top = heapStart(); }

/** Makes sure [0, end) is addressable; false if the engine refuses to grow. */
export function ensure(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

/** `size` zeroed bytes, 16-aligned, or 0 if memory cannot grow (or size is absurd). */
export function take(size: u64): usize {
  const at = top;
  if (size > 0x7fff0000 || <u64>at + size > 0xfff00000) return 0;
  const end = (at + <usize>size + 15) & ~<usize>15;
  if (!ensure(end)) return 0;
  memory.fill(at, 0, <usize>size);
  top = end;
  return at;
}

/** Where the next take() would start: the output buffer begins here. */
export function arenaTop(): usize { return top; }

/** Keeps [top, end) as written (the reset pass's output becomes the next pass's input). */
export function claim(end: usize): void { top = (end + 15) & ~<usize>15; }
