// A small statevector simulator for the OpenQASM tests, independent of the
// QPU engine: it runs a decoded job's unitary part (U, CX, GPHASE, MCU) on a
// few qubits, builds whole unitaries, and holds the textbook matrices the
// expansions are compared with. Qubit i is bit i of a basis index (Qiskit's
// order); a k-qubit matrix acts on its arguments with the first argument as
// the most significant bit (the textbook order: cx's matrix is
// [[1,0,0,0],[0,1,0,0],[0,0,0,1],[0,0,1,0]] for (control, target)).
import type { Instruction, Job, Matrix } from "../../tools/lib/qpu-job";

/** A complex number as [re, im]. */
export type C = [number, number];
/** A square complex matrix, rows of complex numbers. */
export type M = C[][];

export const c = (re: number, im = 0): C => [re, im];
export const expi = (t: number): C => [Math.cos(t), Math.sin(t)];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];

export function matmul(a: M, b: M): M {
  const n = a.length;
  return a.map((row, i) => Array.from({ length: n }, (_, j) => {
    let s: C = [0, 0];
    for (let k = 0; k < n; k++) s = add(s, mul(a[i][k], b[k][j]));
    return s;
  }));
}

export function scale(m: M, s: C): M { return m.map((r) => r.map((x) => mul(x, s))); }
export function identity(n: number): M { return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c(i === j ? 1 : 0))); }
export function dagger(m: M): M { return m.map((_, i) => m.map((r) => [r[i][0], -r[i][1]] as C)); }

/** OpenQASM's U(θ, φ, λ). */
export function U(theta: number, phi: number, lambda: number): M {
  const co = Math.cos(theta / 2), si = Math.sin(theta / 2);
  return [[c(co), mul(expi(lambda), c(-si))], [mul(expi(phi), c(si)), mul(expi(phi + lambda), c(co))]];
}

/** The gate with `k` controls in front of its arguments (all controls 1 → m). */
export function controlled(m: M, k = 1): M {
  const n = m.length, size = n << k;
  const out = identity(size);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[size - n + i][size - n + j] = m[i][j];
  return out;
}

export function kron(a: M, b: M): M {
  const n = a.length, p = b.length;
  return Array.from({ length: n * p }, (_, i) => Array.from({ length: n * p }, (_, j) => mul(a[Math.floor(i / p)][Math.floor(j / p)], b[i % p][j % p])));
}

/** exp(-i θ/2 P) for P with P² = I. */
export function rotation(p: M, theta: number): M {
  const id = identity(p.length);
  return id.map((r, i) => r.map((x, j) => add(mul(x, c(Math.cos(theta / 2))), mul(p[i][j], c(0, -Math.sin(theta / 2))))));
}

export const X: M = [[c(0), c(1)], [c(1), c(0)]];
export const Y: M = [[c(0), c(0, -1)], [c(0, 1), c(0)]];
export const Z: M = [[c(1), c(0)], [c(0), c(-1)]];
export const H: M = [[c(Math.SQRT1_2), c(Math.SQRT1_2)], [c(Math.SQRT1_2), c(-Math.SQRT1_2)]];
export const P = (l: number): M => [[c(1), c(0)], [c(0), expi(l)]];
export const SX: M = [[c(0.5, 0.5), c(0.5, -0.5)], [c(0.5, -0.5), c(0.5, 0.5)]];
export const SWAP: M = [[c(1), c(0), c(0), c(0)], [c(0), c(0), c(1), c(0)], [c(0), c(1), c(0), c(0)], [c(0), c(0), c(0), c(1)]];

/** A statevector of n qubits as interleaved (re, im). */
export class State {
  readonly v: Float64Array;
  constructor(readonly n: number, basis = 0) {
    this.v = new Float64Array(2 << n);
    this.v[2 * basis] = 1;
  }

  /** Applies the k-qubit matrix m to qubits args (args[0] most significant in m's index). */
  apply(m: M, args: number[]): void {
    const k = args.length, dim = 1 << k;
    const mask = args.reduce((a, q) => a | (1 << q), 0);
    const tmp = new Float64Array(2 * dim);
    for (let base = 0; base < 1 << this.n; base++) {
      if (base & mask) continue;
      const idx = (r: number) => args.reduce((a, q, j) => a | (((r >> (k - 1 - j)) & 1) << q), base);
      for (let r = 0; r < dim; r++) {
        let re = 0, im = 0;
        for (let s = 0; s < dim; s++) {
          const x = this.v[2 * idx(s)], y = this.v[2 * idx(s) + 1];
          re += m[r][s][0] * x - m[r][s][1] * y;
          im += m[r][s][0] * y + m[r][s][1] * x;
        }
        tmp[2 * r] = re;
        tmp[2 * r + 1] = im;
      }
      for (let r = 0; r < dim; r++) { this.v[2 * idx(r)] = tmp[2 * r]; this.v[2 * idx(r) + 1] = tmp[2 * r + 1]; }
    }
  }

  /** Runs one unitary instruction of a job; others throw. */
  run(i: Instruction): void {
    switch (i.op) {
      case "u": this.apply(U(i.theta, i.phi, i.lambda), [i.q]); return;
      case "cx": this.apply(controlled(X), [i.c, i.t]); return;
      case "gphase": { const p = expi(i.theta); for (let j = 0; j < this.v.length; j += 2) { const [a, b] = mul(p, [this.v[j], this.v[j + 1]]); this.v[j] = a; this.v[j + 1] = b; } return; }
      case "mcu": this.apply(controlled(matrixOf(i.m), i.controls.length), [...i.controls, i.t]); return;
      case "barrier": return;
      default: throw new Error(`the simulator runs no ${i.op}`);
    }
  }
}

export function matrixOf(m: Matrix): M { return [[c(m[0], m[1]), c(m[2], m[3])], [c(m[4], m[5]), c(m[6], m[7])]]; }

/**
 * The unitary of a job's instructions on the qubits `args` (args[0] most
 * significant, as the textbook writes it), other qubits held at |0⟩.
 */
export function unitaryOf(job: Job, args: number[]): M {
  const k = args.length, dim = 1 << k;
  const out: M = Array.from({ length: dim }, () => Array.from({ length: dim }, () => c(0)));
  for (let s = 0; s < dim; s++) {
    const basis = args.reduce((a, q, j) => a | (((s >> (k - 1 - j)) & 1) << q), 0);
    const st = new State(job.qubits, basis);
    for (const i of job.instructions) st.run(i);
    for (let r = 0; r < dim; r++) {
      const at = args.reduce((a, q, j) => a | (((r >> (k - 1 - j)) & 1) << q), 0);
      out[r][s] = c(st.v[2 * at], st.v[2 * at + 1]);
    }
  }
  return out;
}

/** The largest entrywise distance between a and b. */
export function distance(a: M, b: M): number {
  let d = 0;
  a.forEach((r, i) => r.forEach((x, j) => { d = Math.max(d, Math.hypot(x[0] - b[i][j][0], x[1] - b[i][j][1])); }));
  return d;
}

/** The distance between a and b once b is turned by the global phase that best matches them. */
export function phaseDistance(a: M, b: M): number {
  let best: [number, number] = [0, 0];
  let mag = -1;
  b.forEach((r, i) => r.forEach((x, j) => { const m = Math.hypot(x[0], x[1]); if (m > mag) { mag = m; best = [i, j]; } }));
  const [i, j] = best;
  const x = b[i][j], y = a[i][j];
  const ph = Math.atan2(y[1], y[0]) - Math.atan2(x[1], x[0]);
  return distance(a, scale(b, expi(ph)));
}
