// The gate kernels: a 2×2 matrix applied in place to the amplitude pairs
// (i, i + 2^t) whose control bits are all 1. Amplitudes are (re, im) f64
// pairs, so one v128 (f64x2) holds one amplitude; a complex product m·a is
// a·splat(re m) + swap(a)·(−im m, im m), two multiplies and an add per lane.
// The scalar kernel computes the same sums in the same order, so both give
// the same bits (tests/unit/qpu-engine.test.ts compares them).
import { K_DIAGONAL, K_ANTI, K_SWAP } from "./program";
import { re, im } from "./matrix";

@inline function swapLanes(a: v128): v128 { return v128.shuffle<f64>(a, a, 1, 0); }
@inline function imagPart(m: usize, k: i32): v128 { return f64x2.replace_lane(f64x2.splat(-im(m, k)), 1, im(m, k)); }
@inline function cmul(a: v128, r: v128, i: v128): v128 { return f64x2.add(f64x2.mul(a, r), f64x2.mul(swapLanes(a), i)); }

/**
 * Applies matrix `m` on qubit `t` of the 2^n amplitudes at `base`, where the
 * qubits of `controls` are all 1, with the kernel `kind` (K_*) allows.
 */
export function applyGate(base: usize, n: i32, t: i32, controls: u32, m: usize, kind: i32): void {
  if (kind == K_SWAP) swapPairs(base, n, t, controls);
  else if (kind == K_DIAGONAL) diagonal(base, n, t, controls, m);
  else if (kind == K_ANTI) antiDiagonal(base, n, t, controls, m);
  else general(base, n, t, controls, m);
}

// Every kernel walks the pairs the same way: blocks of 2^(t+1) amplitudes, the
// pair's first member in the block's lower half. `stride` is 2^t amplitudes in bytes.

function general(base: usize, n: i32, t: i32, controls: u32, m: usize): void {
  const r00 = f64x2.splat(re(m, 0)), i00 = imagPart(m, 0);
  const r01 = f64x2.splat(re(m, 1)), i01 = imagPart(m, 1);
  const r10 = f64x2.splat(re(m, 2)), i10 = imagPart(m, 2);
  const r11 = f64x2.splat(re(m, 3)), i11 = imagPart(m, 3);
  const half: u32 = 1 << t;
  const dim: u32 = 1 << n;
  const stride = <usize>half << 4;
  if (controls == 0) {
    // The common case, without the control test: a straight walk over each block's lower half.
    const end = base + (<usize>dim << 4);
    for (let block = base; block < end; block += stride << 1) {
      for (let p = block; p < block + stride; p += 16) {
        const a0 = v128.load(p), a1 = v128.load(p + stride);
        const s0 = swapLanes(a0), s1 = swapLanes(a1);
        v128.store(p, f64x2.add(f64x2.add(f64x2.mul(a0, r00), f64x2.mul(s0, i00)), f64x2.add(f64x2.mul(a1, r01), f64x2.mul(s1, i01))));
        v128.store(p + stride, f64x2.add(f64x2.add(f64x2.mul(a0, r10), f64x2.mul(s0, i10)), f64x2.add(f64x2.mul(a1, r11), f64x2.mul(s1, i11))));
      }
    }
    return;
  }
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      if ((i & controls) != controls) continue;
      const p = base + (<usize>i << 4);
      const a0 = v128.load(p), a1 = v128.load(p + stride);
      v128.store(p, f64x2.add(cmul(a0, r00, i00), cmul(a1, r01, i01)));
      v128.store(p + stride, f64x2.add(cmul(a0, r10, i10), cmul(a1, r11, i11)));
    }
  }
}

function diagonal(base: usize, n: i32, t: i32, controls: u32, m: usize): void {
  const r00 = f64x2.splat(re(m, 0)), i00 = imagPart(m, 0);
  const r11 = f64x2.splat(re(m, 3)), i11 = imagPart(m, 3);
  const half: u32 = 1 << t;
  const dim: u32 = 1 << n;
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      if ((i & controls) != controls) continue;
      const p = base + (<usize>i << 4);
      v128.store(p, cmul(v128.load(p), r00, i00));
      v128.store(p + stride, cmul(v128.load(p + stride), r11, i11));
    }
  }
}

function antiDiagonal(base: usize, n: i32, t: i32, controls: u32, m: usize): void {
  const r01 = f64x2.splat(re(m, 1)), i01 = imagPart(m, 1);
  const r10 = f64x2.splat(re(m, 2)), i10 = imagPart(m, 2);
  const half: u32 = 1 << t;
  const dim: u32 = 1 << n;
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      if ((i & controls) != controls) continue;
      const p = base + (<usize>i << 4);
      const a0 = v128.load(p), a1 = v128.load(p + stride);
      v128.store(p, cmul(a1, r01, i01));
      v128.store(p + stride, cmul(a0, r10, i10));
    }
  }
}

function swapPairs(base: usize, n: i32, t: i32, controls: u32): void {
  const half: u32 = 1 << t;
  const dim: u32 = 1 << n;
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      if ((i & controls) != controls) continue;
      const p = base + (<usize>i << 4);
      const a0 = v128.load(p);
      v128.store(p, v128.load(p + stride));
      v128.store(p + stride, a0);
    }
  }
}

/** The general kernel without SIMD: the same products and sums, in the same order. */
export function applyScalar(base: usize, n: i32, t: i32, controls: u32, m: usize): void {
  const m0r = re(m, 0), m0i = im(m, 0), m1r = re(m, 1), m1i = im(m, 1);
  const m2r = re(m, 2), m2i = im(m, 2), m3r = re(m, 3), m3i = im(m, 3);
  const half: u32 = 1 << t;
  const dim: u32 = 1 << n;
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      if (controls != 0 && (i & controls) != controls) continue;
      const p = base + (<usize>i << 4);
      const q = p + stride;
      const ar = load<f64>(p), ai = load<f64>(p, 8), br = load<f64>(q), bi = load<f64>(q, 8);
      store<f64>(p, (ar * m0r + ai * -m0i) + (br * m1r + bi * -m1i));
      store<f64>(p, (ai * m0r + ar * m0i) + (bi * m1r + br * m1i), 8);
      store<f64>(q, (ar * m2r + ai * -m2i) + (br * m3r + bi * -m3i));
      store<f64>(q, (ai * m2r + ar * m2i) + (bi * m3r + br * m3i), 8);
    }
  }
}
