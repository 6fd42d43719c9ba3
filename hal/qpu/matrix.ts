// 2×2 complex matrices as 8 f64 at an address, row-major (re, im) pairs:
// m00, m01, m10, m11. The gates' matrices, their products (fusion), and the
// angles of a one-qubit unitary (basis translation).

@inline export function re(m: usize, k: i32): f64 { return load<f64>(m + (<usize>k << 4)); }
@inline export function im(m: usize, k: i32): f64 { return load<f64>(m + (<usize>k << 4) + 8); }
@inline export function set(m: usize, k: i32, r: f64, i: f64): void {
  store<f64>(m + (<usize>k << 4), r);
  store<f64>(m + (<usize>k << 4) + 8, i);
}

/** OpenQASM's U(θ, φ, λ). */
export function uMatrix(m: usize, theta: f64, phi: f64, lambda: f64): void {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  set(m, 0, c, 0);
  set(m, 1, -Math.cos(lambda) * s, -Math.sin(lambda) * s);
  set(m, 2, Math.cos(phi) * s, Math.sin(phi) * s);
  set(m, 3, Math.cos(phi + lambda) * c, Math.sin(phi + lambda) * c);
}

/** rz(a) = diag(e^{-ia/2}, e^{ia/2}), as IBM's basis has it. */
export function rzMatrix(m: usize, a: f64): void {
  set(m, 0, Math.cos(a / 2), -Math.sin(a / 2));
  set(m, 1, 0, 0);
  set(m, 2, 0, 0);
  set(m, 3, Math.cos(a / 2), Math.sin(a / 2));
}

export function sxMatrix(m: usize): void {
  set(m, 0, 0.5, 0.5);
  set(m, 1, 0.5, -0.5);
  set(m, 2, 0.5, -0.5);
  set(m, 3, 0.5, 0.5);
}

export function xMatrix(m: usize): void {
  set(m, 0, 0, 0);
  set(m, 1, 1, 0);
  set(m, 2, 1, 0);
  set(m, 3, 0, 0);
}

export function copy(dst: usize, src: usize): void { memory.copy(dst, src, 64); }

/** dst = a · b (dst may be a or b). */
export function mul(dst: usize, a: usize, b: usize): void {
  const r0 = re(a, 0) * re(b, 0) - im(a, 0) * im(b, 0) + re(a, 1) * re(b, 2) - im(a, 1) * im(b, 2);
  const i0 = re(a, 0) * im(b, 0) + im(a, 0) * re(b, 0) + re(a, 1) * im(b, 2) + im(a, 1) * re(b, 2);
  const r1 = re(a, 0) * re(b, 1) - im(a, 0) * im(b, 1) + re(a, 1) * re(b, 3) - im(a, 1) * im(b, 3);
  const i1 = re(a, 0) * im(b, 1) + im(a, 0) * re(b, 1) + re(a, 1) * im(b, 3) + im(a, 1) * re(b, 3);
  const r2 = re(a, 2) * re(b, 0) - im(a, 2) * im(b, 0) + re(a, 3) * re(b, 2) - im(a, 3) * im(b, 2);
  const i2 = re(a, 2) * im(b, 0) + im(a, 2) * re(b, 0) + re(a, 3) * im(b, 2) + im(a, 3) * re(b, 2);
  const r3 = re(a, 2) * re(b, 1) - im(a, 2) * im(b, 1) + re(a, 3) * re(b, 3) - im(a, 3) * im(b, 3);
  const i3 = re(a, 2) * im(b, 1) + im(a, 2) * re(b, 1) + re(a, 3) * im(b, 3) + im(a, 3) * re(b, 3);
  set(dst, 0, r0, i0);
  set(dst, 1, r1, i1);
  set(dst, 2, r2, i2);
  set(dst, 3, r3, i3);
}

/** dst = m† (dst may be m). */
export function adjoint(dst: usize, m: usize): void {
  const r1 = re(m, 1), i1 = im(m, 1);
  set(dst, 0, re(m, 0), -im(m, 0));
  set(dst, 1, re(m, 2), -im(m, 2));
  set(dst, 2, r1, -i1);
  set(dst, 3, re(m, 3), -im(m, 3));
}

/** m scaled by e^{iθ}. */
export function phase(m: usize, theta: f64): void {
  const c = Math.cos(theta), s = Math.sin(theta);
  for (let k = 0; k < 4; k++) set(m, k, re(m, k) * c - im(m, k) * s, re(m, k) * s + im(m, k) * c);
}

/** m·m† equals the identity to 1e-9 in every entry (the job format's rule for an MCU's matrix). */
export function isUnitary(m: usize): bool {
  const d0 = re(m, 0) * re(m, 0) + im(m, 0) * im(m, 0) + re(m, 1) * re(m, 1) + im(m, 1) * im(m, 1);
  const d1 = re(m, 2) * re(m, 2) + im(m, 2) * im(m, 2) + re(m, 3) * re(m, 3) + im(m, 3) * im(m, 3);
  // Row 0 times the conjugate of row 1.
  const or = re(m, 0) * re(m, 2) + im(m, 0) * im(m, 2) + re(m, 1) * re(m, 3) + im(m, 1) * im(m, 3);
  const oi = im(m, 0) * re(m, 2) - re(m, 0) * im(m, 2) + im(m, 1) * re(m, 3) - re(m, 1) * im(m, 3);
  return Math.abs(d0 - 1) <= 1e-9 && Math.abs(d1 - 1) <= 1e-9 && Math.abs(or) <= 1e-9 && Math.abs(oi) <= 1e-9;
}

/** Whether m is exactly the identity (a fused product that cancelled is not applied). */
export function isIdentity(m: usize): bool {
  return re(m, 0) == 1 && im(m, 0) == 0 && re(m, 1) == 0 && im(m, 1) == 0 &&
    re(m, 2) == 0 && im(m, 2) == 0 && re(m, 3) == 1 && im(m, 3) == 0;
}

// The angles of a one-qubit unitary: m = e^{iα} U(θ, φ, λ).
export let theta: f64 = 0;
export let phi: f64 = 0;
export let lambda: f64 = 0;
export let alpha: f64 = 0;

@inline function arg(m: usize, k: i32): f64 { return Math.atan2(im(m, k), re(m, k)); }

/** Sets theta, phi, lambda and alpha from m. */
export function angles(m: usize): void {
  const a = Math.hypot(re(m, 0), im(m, 0));
  const b = Math.hypot(re(m, 2), im(m, 2));
  theta = 2 * Math.atan2(b, a);
  if (b == 0) { // diagonal: only φ + λ matters
    alpha = arg(m, 0);
    phi = 0;
    lambda = arg(m, 3) - alpha;
  } else if (a == 0) { // anti-diagonal: only φ - λ matters
    alpha = Math.atan2(-im(m, 1), -re(m, 1));
    lambda = 0;
    phi = arg(m, 2) - alpha;
  } else {
    alpha = arg(m, 0);
    phi = arg(m, 2) - alpha;
    lambda = Math.atan2(-im(m, 1), -re(m, 1)) - alpha;
  }
}

/**
 * dst = a square root of the unitary m: (m + s·I) / t with s = ±√det m and
 * t = √(tr m + 2s), the sign of s chosen to keep t away from 0.
 */
export function sqrtUnitary(dst: usize, m: usize): void {
  const detR = re(m, 0) * re(m, 3) - im(m, 0) * im(m, 3) - (re(m, 1) * re(m, 2) - im(m, 1) * im(m, 2));
  const detI = re(m, 0) * im(m, 3) + im(m, 0) * re(m, 3) - (re(m, 1) * im(m, 2) + im(m, 1) * re(m, 2));
  // √det: |det| = 1 for a unitary.
  const half = Math.atan2(detI, detR) / 2;
  let sR = Math.cos(half), sI = Math.sin(half);
  const trR = re(m, 0) + re(m, 3), trI = im(m, 0) + im(m, 3);
  let uR = trR + 2 * sR, uI = trI + 2 * sI;
  if (uR * uR + uI * uI < 1e-6) { sR = -sR; sI = -sI; uR = trR + 2 * sR; uI = trI + 2 * sI; }
  // t = √u as a complex number, then dst = (m + s I) / t.
  const mod = Math.sqrt(Math.hypot(uR, uI));
  const ang = Math.atan2(uI, uR) / 2;
  const tR = mod * Math.cos(ang), tI = mod * Math.sin(ang);
  const n = tR * tR + tI * tI;
  for (let k = 0; k < 4; k++) {
    const diag = k == 0 || k == 3;
    const xR = re(m, k) + (diag ? sR : 0), xI = im(m, k) + (diag ? sI : 0);
    set(dst, k, (xR * tR + xI * tI) / n, (xI * tR - xR * tI) / n);
  }
}
