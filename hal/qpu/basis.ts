// Translation into the calibrated device's basis (IBM's: rz, virtual and
// error-free there; sx; x; cx), each gate followed by its noise (noise.ts).
// One-qubit gates use the fewest sx: U(θ, φ, λ) with θ = 0 is one rz,
// θ = π/2 one sx, θ = π one x, any other θ two sx
// (rz(λ)·sx·rz(θ+π)·sx·rz(φ+π), up to a global phase). A controlled
// unitary with one control is exact with two cx (Nielsen and Chuang, cor.
// 4.2: A·X·B·X·C); with two, a Toffoli is the standard 6-cx circuit and any
// other unitary Barenco et al.'s lemma 6.1 (three controlled square roots and
// two cx, 8 cx); more controls are refused, naming the gate. A cx on a pair
// the calibration does not couple is refused naming the pair: no routing.
import { OK, E_UNSUPPORTED } from "../../kernel/abi";
import { QERR_PAIR, QERR_BASIS } from "./job-format";
import { QCAL_GATE_RZ, QCAL_GATE_SX, QCAL_GATE_X, QCAL_GATE_RESET } from "./calibration-format";
import * as prog from "./program";
import * as mat from "./matrix";
import { oneRecord, cxRecord, recordAt, NR_DEPOLARIZING, NR_GAMMA0, NR_ZFLIP0, NR_GAMMA1, NR_ZFLIP1 } from "./noise";
import { refuse } from "./refusal";

const EPS = 1e-12; // angles this close to 0, π/2 or π take the shorter sequence
const TWO_PI = 2 * Math.PI;
const m = new StaticArray<f64>(8);
const v = new StaticArray<f64>(8);
const vd = new StaticArray<f64>(8);
@inline function at(a: StaticArray<f64>): usize { return changetype<usize>(a); }

function noisy(r: i32): bool {
  if (r < 0) return false;
  const rec = recordAt(r);
  return load<f64>(rec, NR_DEPOLARIZING) > 0 || load<f64>(rec, NR_GAMMA0) > 0 || load<f64>(rec, NR_ZFLIP0) > 0 ||
    load<f64>(rec, NR_GAMMA1) > 0 || load<f64>(rec, NR_ZFLIP1) > 0;
}

function rz(q: u32, a: f64): void {
  const turns = a - TWO_PI * Math.round(a / TWO_PI);
  if (Math.abs(turns) < EPS) return; // rz(2πk) is a global phase
  mat.rzMatrix(at(m), a);
  prog.emitGate(q, 0, at(m), false);
  const r = oneRecord(QCAL_GATE_RZ, q);
  if (noisy(r)) prog.emitNoise(r);
}

function fixed(q: u32, kind: i32): void {
  if (kind == QCAL_GATE_SX) mat.sxMatrix(at(m));
  else mat.xMatrix(at(m));
  prog.emitGate(q, 0, at(m), false);
  const r = oneRecord(kind, q);
  if (noisy(r)) prog.emitNoise(r);
}

/** U(θ, φ, λ) on q in rz, sx and x. */
export function translateU(q: u32, theta: f64, phi: f64, lambda: f64): void {
  // U(θ + 2π) = −U(θ) and U(−θ, φ, λ) ∝ U(θ, φ + π, λ + π): bring θ into [0, π].
  theta -= TWO_PI * Math.round(theta / TWO_PI);
  if (theta < 0) {
    theta = -theta;
    phi += Math.PI;
    lambda += Math.PI;
  }
  if (theta < EPS) rz(q, phi + lambda);
  else if (Math.abs(theta - Math.PI / 2) < EPS) {
    rz(q, lambda - Math.PI / 2);
    fixed(q, QCAL_GATE_SX);
    rz(q, phi + Math.PI / 2);
  } else if (Math.abs(theta - Math.PI) < EPS) {
    rz(q, lambda + Math.PI);
    fixed(q, QCAL_GATE_X);
    rz(q, phi);
  } else {
    rz(q, lambda);
    fixed(q, QCAL_GATE_SX);
    rz(q, theta + Math.PI);
    fixed(q, QCAL_GATE_SX);
    rz(q, phi + Math.PI);
  }
}

/** Any one-qubit unitary (its global phase dropped). */
export function oneQubit(q: u32, u: usize, _index: u32): i32 {
  mat.angles(u);
  translateU(q, mat.theta, mat.phi, mat.lambda);
  return OK;
}

export function cx(c: u32, t: u32, index: u32): i32 {
  const r = cxRecord(c, t);
  if (r < 0) return refuse(QERR_PAIR, index, c, t, E_UNSUPPORTED);
  mat.xMatrix(at(m));
  prog.emitGate(t, 1 << c, at(m), false);
  if (noisy(r)) prog.emitNoise(r);
  return OK;
}

/** The reset's own error, when the calibration lists one (relaxation for its length). */
export function resetNoise(q: u32): void {
  const r = oneRecord(QCAL_GATE_RESET, q);
  if (noisy(r)) prog.emitNoise(r);
}

/** The unitary u on t controlled by the k qubits listed at `controls` (u32 words). */
export function controlled(controls: usize, k: u32, t: u32, u: usize, index: u32): i32 {
  if (k == 1) return cu(load<u32>(controls), t, u, index);
  if (k == 2) return ccu(load<u32>(controls), load<u32>(controls, 4), t, u, index);
  return refuse(QERR_BASIS, index, k, 2, E_UNSUPPORTED);
}

/**
 * u = e^{iα'}·Rz(β)·Ry(γ)·Rz(δ) controlled by c: C = Rz((δ−β)/2), cx,
 * B = Ry(−γ/2)·Rz(−(δ+β)/2), cx, A = Rz(β)·Ry(γ/2), and the phase
 * diag(1, e^{iα'}) on c (U(θ, φ, λ) = e^{i(φ+λ)/2}·Rz(φ)·Ry(θ)·Rz(λ)).
 */
function cu(c: u32, t: u32, u: usize, index: u32): i32 {
  if (cxRecord(c, t) < 0) return refuse(QERR_PAIR, index, c, t, E_UNSUPPORTED);
  mat.angles(u);
  const beta = mat.phi, gamma = mat.theta, delta = mat.lambda;
  const alpha = mat.alpha + (mat.phi + mat.lambda) / 2;
  translateU(t, 0, 0, (delta - beta) / 2);
  cx(c, t, index);
  translateU(t, -gamma / 2, 0, -(delta + beta) / 2);
  cx(c, t, index);
  translateU(t, gamma / 2, beta, 0);
  translateU(c, 0, 0, alpha);
  return OK;
}

function isX(u: usize): bool {
  return Math.abs(mat.re(u, 0)) < EPS && Math.abs(mat.im(u, 0)) < EPS && Math.abs(mat.re(u, 3)) < EPS && Math.abs(mat.im(u, 3)) < EPS &&
    Math.abs(mat.re(u, 1) - 1) < EPS && Math.abs(mat.im(u, 1)) < EPS && Math.abs(mat.re(u, 2) - 1) < EPS && Math.abs(mat.im(u, 2)) < EPS;
}

function ccu(a: u32, b: u32, t: u32, u: usize, index: u32): i32 {
  // Every pair first, so that a refusal leaves nothing half-translated that matters (the job is refused whole).
  if (cxRecord(b, t) < 0) return refuse(QERR_PAIR, index, b, t, E_UNSUPPORTED);
  if (cxRecord(a, t) < 0) return refuse(QERR_PAIR, index, a, t, E_UNSUPPORTED);
  if (cxRecord(a, b) < 0) return refuse(QERR_PAIR, index, a, b, E_UNSUPPORTED);
  if (isX(u)) return toffoli(a, b, t, index);
  mat.sqrtUnitary(at(v), u);
  mat.adjoint(at(vd), at(v));
  cu(b, t, at(v), index);
  cx(a, b, index);
  cu(b, t, at(vd), index);
  cx(a, b, index);
  cu(a, t, at(v), index);
  return OK;
}

const H_THETA = Math.PI / 2;
const T = Math.PI / 4;

/** The standard Toffoli circuit: six cx, two h, seven t or t†. */
function toffoli(a: u32, b: u32, t: u32, index: u32): i32 {
  translateU(t, H_THETA, 0, Math.PI);
  cx(b, t, index);
  translateU(t, 0, 0, -T);
  cx(a, t, index);
  translateU(t, 0, 0, T);
  cx(b, t, index);
  translateU(t, 0, 0, -T);
  cx(a, t, index);
  translateU(b, 0, 0, T);
  translateU(t, 0, 0, T);
  translateU(t, H_THETA, 0, Math.PI);
  cx(a, b, index);
  translateU(a, 0, 0, T);
  translateU(b, 0, 0, -T);
  cx(a, b, index);
  return OK;
}
