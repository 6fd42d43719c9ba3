// Physical memory: the kernel's linear memory above its own data is the
// machine's RAM, cut into 4 KiB frames. Free frames are a stack (no scan on
// the hot path); each frame has a reference count, the number of memory
// objects whose page list holds it (copy-on-write needs that), and the pid
// it is charged to. Frame 0 is the zero frame: never written, read for
// demand-zero pages. Each frame also has AUX_WORDS words for the kernel object
// that lives in it (a memory object's header sits beside its page-list frame),
// so kernel tables grow with RAM and every entry is paid for by a frame.
import { PAGE_SHIFT, PAGE_SIZE, MAX_RAM_FRAMES, E_NOMEM } from "./abi";
import { uncharge, canCharge, charge } from "./quota";

let ramBase: usize = 0; // address of frame 0
let count = 0; // frames of RAM
let freeTop = 0; // entries on the free stack
let stack: usize = 0; // u32 frame numbers
let refs: usize = 0; // u32 per frame
let objRefs: usize = 0; // u32 per frame
let owner: usize = 0; // u32 per frame: the pid it is charged to
let aux: usize = 0; // AUX_WORDS u32 per frame: the header of the kernel object held in it
export const AUX_WORDS = 4;
const META_BYTES = 16 + AUX_WORDS * 4; // per frame: stack, refs, objRefs, owner, aux

/** Grow the kernel's memory to hold `n` frames and their tables; false if it cannot. */
export function framesInit(n: i32): bool {
  if (n < 2 || n > MAX_RAM_FRAMES) return false;
  const meta = <usize>n * META_BYTES;
  const base = (<usize>memory.size() << 16);
  const metaPages = <i32>((meta + 0xffff) >> 16);
  const ramPages = (n * PAGE_SIZE + 0xffff) >> 16;
  if (memory.grow(metaPages + ramPages) < 0) return false;
  stack = base; refs = base + <usize>n * 4; objRefs = base + <usize>n * 8; owner = base + <usize>n * 12;
  aux = base + <usize>n * 16;
  memory.fill(aux, 0, <usize>n * AUX_WORDS * 4);
  ramBase = base + (<usize>metaPages << 16);
  count = n;
  freeTop = 0;
  for (let f = n - 1; f >= 1; f--) push(f); // low frames come out first
  return true;
}

@inline function push(f: i32): void { store<u32>(stack + (<usize>freeTop << 2), f); freeTop++; }

@inline export function frameAddr(f: i32): usize { return ramBase + (<usize>f << PAGE_SHIFT); }
export function freeFrames(): i32 { return freeTop; }
export function totalFrames(): i32 { return count; }
@inline export function validFrame(f: i32): bool { return f > 0 && f < count; }

/** A zeroed frame charged to `pid` (the caller checked the quota), or -1 when none is free. */
export function frameAlloc(pid: i32): i32 {
  if (freeTop == 0) return -1;
  freeTop--;
  const f = <i32>load<u32>(stack + (<usize>freeTop << 2));
  memory.fill(frameAddr(f), 0, PAGE_SIZE);
  store<u32>(refs + (<usize>f << 2), 1);
  store<u32>(objRefs + (<usize>f << 2), 0);
  store<u32>(owner + (<usize>f << 2), pid);
  return f;
}

/** A zeroed frame charged to `pid`, or E_NOMEM (over its quota, or no frame free). */
export function chargedFrame(pid: i32): i32 {
  if (!canCharge(pid, 1)) return E_NOMEM;
  const f = frameAlloc(pid);
  if (f < 0) return E_NOMEM;
  charge(pid, 1);
  return f;
}

/** Could `pid` take `n` more frames now? */
export function affordable(pid: i32, n: i32): bool { return n <= freeTop && canCharge(pid, n); }

@inline export function frameRefs(f: i32): u32 { return load<u32>(refs + (<usize>f << 2)); }
@inline export function frameRef(f: i32): void { store<u32>(refs + (<usize>f << 2), frameRefs(f) + 1); }

/** Drop a reference; the last one frees the frame and uncharges its owner. */
export function frameUnref(f: i32): void {
  const r = frameRefs(f);
  if (r > 1) { store<u32>(refs + (<usize>f << 2), r - 1); return; }
  store<u32>(refs + (<usize>f << 2), 0);
  uncharge(<i32>load<u32>(owner + (<usize>f << 2)), 1);
  push(f);
}

@inline export function frameObjRefs(f: i32): u32 { return load<u32>(objRefs + (<usize>f << 2)); }
export function setFrameObjRefs(f: i32, n: u32): void { store<u32>(objRefs + (<usize>f << 2), n); }

/** Word `k` of the header of the kernel object held in frame `f`. */
@inline export function auxGet(f: i32, k: i32): i32 { return <i32>load<u32>(aux + ((<usize>f * AUX_WORDS + k) << 2)); }
@inline export function auxSet(f: i32, k: i32, v: i32): void { store<u32>(aux + ((<usize>f * AUX_WORDS + k) << 2), v); }
