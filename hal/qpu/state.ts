// The statevector: 2^n complex f64 amplitudes in a region of the HAL's memory
// (16 bytes each), and the operations on it that are not gates: the
// probability of a qubit reading 1, collapse onto an outcome, a Pauli, a
// global phase. Amplitude i holds basis state i: bit q of i is qubit q.
import { Region, reserve } from "./region";

const amps = new Region();
export let base: usize = 0;
export let qubits: i32 = 0;

/** Room for n qubits; false if the host's memory cannot hold them. */
export function allocate(n: i32): bool {
  if (!reserve(amps, <usize>16 << n)) return false;
  base = amps.at;
  qubits = n;
  return true;
}

/** |0…0⟩. */
export function zero(): void {
  memory.fill(base, 0, <usize>16 << qubits);
  store<f64>(base, 1.0);
}

/** Σ |a_i|² over the amplitudes whose bit q is 1. */
export function probabilityOne(q: i32): f64 {
  const half: u32 = 1 << q;
  const dim: u32 = 1 << qubits;
  let sum = f64x2.splat(0);
  for (let block: u32 = half; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      const a = v128.load(base + (<usize>i << 4));
      sum = f64x2.add(sum, f64x2.mul(a, a));
    }
  }
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

/** Keeps the amplitudes whose bit q is `bit`, scaled by `scale`; zeroes the others. */
export function collapse(q: i32, bit: i32, scale: f64): void {
  const half: u32 = 1 << q;
  const dim: u32 = 1 << qubits;
  const s = f64x2.splat(scale);
  const zero = f64x2.splat(0);
  const keep: u32 = bit != 0 ? half : 0;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      const pk = base + (<usize>(i + keep) << 4);
      const pz = base + (<usize>(i + (half - keep)) << 4);
      v128.store(pk, f64x2.mul(v128.load(pk), s));
      v128.store(pz, zero);
    }
  }
}

/** Moves the amplitudes of bit q = 1 onto bit q = 0 scaled by `scale` (a decay, or a reset after reading 1). */
export function lower(q: i32, scale: f64): void {
  const half: u32 = 1 << q;
  const dim: u32 = 1 << qubits;
  const s = f64x2.splat(scale);
  const zero = f64x2.splat(0);
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      const p = base + (<usize>i << 4);
      v128.store(p, f64x2.mul(v128.load(p + stride), s));
      v128.store(p + stride, zero);
    }
  }
}

/** Scales the amplitudes of bit q = 0 by s0 and of bit q = 1 by s1. */
export function scaleHalves(q: i32, s0: f64, s1: f64): void {
  const half: u32 = 1 << q;
  const dim: u32 = 1 << qubits;
  const v0 = f64x2.splat(s0), v1 = f64x2.splat(s1);
  const stride = <usize>half << 4;
  for (let block: u32 = 0; block < dim; block += half << 1) {
    for (let i = block; i < block + half; i++) {
      const p = base + (<usize>i << 4);
      v128.store(p, f64x2.mul(v128.load(p), v0));
      v128.store(p + stride, f64x2.mul(v128.load(p + stride), v1));
    }
  }
}

/** Every amplitude times e^{iθ}. */
export function globalPhase(theta: f64): void {
  const r = f64x2.splat(Math.cos(theta));
  const s = Math.sin(theta);
  const i = f64x2.replace_lane(f64x2.splat(-s), 1, s);
  const end = base + (<usize>16 << qubits);
  for (let p = base; p < end; p += 16) {
    const a = v128.load(p);
    v128.store(p, f64x2.add(f64x2.mul(a, r), f64x2.mul(v128.shuffle<f64>(a, a, 1, 0), i)));
  }
}
