// Memory the engine grows as jobs need it (amplitudes, the compiled program,
// shots, results, the job and calibration areas), taken from the HAL's heap.
// The heap's allocator traps when the host refuses to grow the memory, and no
// block of it reaches 1 GiB (2^26 amplitudes), so a region first grows the
// memory itself (memory.grow answers -1 instead of trapping) and takes
// `bytes` as one block 4 bytes short plus an empty block whose header covers
// the rest: the allocator's bump pointer stays past the whole region.
// A region grows to powers of two; its old block is given back when it is the
// heap's last, so what is left behind is at most the sum of its smaller sizes.

export class Region {
  at: usize = 0;
  bytes: usize = 0;
  tail: usize = 0; // the empty block after it
}

/**
 * Room for `bytes` in `r`, its contents kept when `keep`; false if the host's
 * memory cannot grow that far (`r` is then as it was).
 */
export function reserve(r: Region, bytes: usize, keep: bool = false): bool {
  if (bytes <= r.bytes) return true;
  if (bytes > (<usize>1 << 30)) return false; // the most any region needs: 2^26 amplitudes
  let size: usize = 1024;
  while (size < bytes) size <<= 1;
  const pages = <i32>((size + 0x1ffff) >>> 16);
  if (memory.grow(pages) < 0) return false;
  const old = r.at;
  if (old != 0) {
    heap.free(r.tail);
    heap.free(old);
  }
  // The old block, if it was the heap's last, is where the new one starts; else it is still intact.
  const at = heap.alloc(size - 4);
  r.tail = heap.alloc(0);
  if (keep && old != 0 && at != old) memory.copy(at, old, r.bytes);
  r.at = at;
  r.bytes = size;
  return true;
}
