// A density-matrix simulator of the QPU's noise model, for the trajectory
// tests: a different method from the engine's (the whole 2^n × 2^n density
// matrix, each channel applied exactly, no sampling), with the channels
// written from Aer's definitions: thermal relaxation from its Choi matrix's
// action (populations decay by γ, coherences to e^{-t/T2}), depolarizing as
// the Pauli average, readout through the assignment matrix.
import type { Calibration, GateName } from "../../tools/lib/qpu-calibration";
import { aerDepolarizing, aerRelaxFidelity, type C } from "./qpu-channels";
import { uMatrix } from "./qpu-reference";

type Rho = C[][];
const cm = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cj = (a: C): C => [a[0], -a[1]];

export class Density {
  rho: Rho;
  constructor(readonly n: number, readonly cal: Calibration) {
    const d = 2 ** n;
    this.rho = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === 0 && j === 0 ? [1, 0] : [0, 0]) as C));
  }

  /** ρ → GρG† for the 2×2 matrix m (row-major (re, im) pairs) on t, where the control qubits are 1. */
  unitary(m: number[], t: number, controls: number[] = []): void {
    const d = 2 ** this.n;
    const g = (i: number, j: number): C => {
      const on = controls.every((c) => (i >> c) & 1);
      if (!on) return i === j ? [1, 0] : [0, 0];
      if ((i & ~(1 << t)) !== (j & ~(1 << t))) return [0, 0];
      const r = (i >> t) & 1, c = (j >> t) & 1;
      return [m[(r * 2 + c) * 2], m[(r * 2 + c) * 2 + 1]];
    };
    const G = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => g(i, j)));
    const mul = (a: Rho, b: Rho): Rho => a.map((row) => b[0].map((_, j) => row.reduce<C>((s, x, k) => { const p = cm(x, b[k][j]); return [s[0] + p[0], s[1] + p[1]]; }, [0, 0])));
    const Gd = G[0].map((_, j) => G.map((row) => cj(row[j])));
    this.rho = mul(mul(G, this.rho), Gd);
  }

  /** Aer's thermal relaxation on q for `time` ns (T2 clamped to 2·T1). */
  relax(q: number, time: number): void {
    const { t1Ns: t1, t2Ns: t2 } = this.cal.qubits[q];
    const gamma = t1 === Infinity ? 0 : 1 - Math.exp(-time / t1);
    const t2c = Math.min(t2, 2 * t1);
    const e = t2c === Infinity ? 1 : Math.exp(-time / t2c);
    const m = 1 << q;
    const out = this.rho.map((r) => r.map(() => [0, 0] as C));
    this.rho.forEach((row, i) => row.forEach((x, j) => {
      const bi = (i >> q) & 1, bj = (j >> q) & 1;
      if (bi === 1 && bj === 1) {
        out[i][j] = [out[i][j][0] + (1 - gamma) * x[0], out[i][j][1] + (1 - gamma) * x[1]];
        out[i ^ m][j ^ m] = [out[i ^ m][j ^ m][0] + gamma * x[0], out[i ^ m][j ^ m][1] + gamma * x[1]];
      } else if (bi !== bj) out[i][j] = [out[i][j][0] + e * x[0], out[i][j][1] + e * x[1]];
      else out[i][j] = [out[i][j][0] + x[0], out[i][j][1] + x[1]];
    }));
    this.rho = out;
  }

  /** Aer's depolarizing error of parameter p on the qubits: (1 − p·(4^k−1)/4^k)·ρ + p/4^k·Σ_{P ≠ I} PρP. */
  depolarize(qubits: number[], p: number): void {
    const paulis: number[][] = [[1, 0, 0, 0, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0, 0, 0], [0, 0, 0, -1, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0, -1, 0]];
    const k = qubits.length, count = 4 ** k;
    const start = this.rho;
    const sum = start.map((r) => r.map((x) => [x[0] * (1 - (p * (count - 1)) / count), x[1] * (1 - (p * (count - 1)) / count)] as C));
    for (let s = 1; s < count; s++) {
      this.rho = start;
      qubits.forEach((q, idx) => this.unitary(paulis[(s >> (2 * idx)) & 3], q));
      this.rho.forEach((r, i) => r.forEach((x, j) => { sum[i][j] = [sum[i][j][0] + (p / count) * x[0], sum[i][j][1] + (p / count) * x[1]]; }));
    }
    this.rho = sum;
  }

  /** A basis gate followed by its noise, as Aer's from_backend model has it. */
  gate(name: GateName, qubits: number[], m: number[]): void {
    if (name === "cx") this.unitary(m, qubits[1], [qubits[0]]);
    else this.unitary(m, qubits[0]);
    const g = this.cal.gates.find((x) => x.gate === name && x.qubits.join() === qubits.join());
    if (!g) return;
    const figures = qubits.map((q): [number, number] => [this.cal.qubits[q].t1Ns, this.cal.qubits[q].t2Ns]);
    const p = aerDepolarizing(qubits.length, g.error, aerRelaxFidelity(figures, g.lengthNs));
    if (p > 0) this.depolarize(qubits, p);
    if (g.lengthNs > 0) for (const q of qubits) this.relax(q, g.lengthNs);
  }

  /** U(θ, φ, λ) in the device's basis (docs/qpu.md, "Basis translation"). */
  u(q: number, theta: number, phi: number, lambda: number): void {
    const rz = (a: number) => this.gate("rz", [q], [Math.cos(a / 2), -Math.sin(a / 2), 0, 0, 0, 0, Math.cos(a / 2), Math.sin(a / 2)]);
    const sx = () => this.gate("sx", [q], [0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5]);
    const x = () => this.gate("x", [q], [0, 0, 1, 0, 1, 0, 0, 0]);
    theta -= 2 * Math.PI * Math.round(theta / (2 * Math.PI));
    if (theta < 0) [theta, phi, lambda] = [-theta, phi + Math.PI, lambda + Math.PI];
    if (theta < 1e-12) rz(phi + lambda);
    else if (Math.abs(theta - Math.PI / 2) < 1e-12) { rz(lambda - Math.PI / 2); sx(); rz(phi + Math.PI / 2); }
    else if (Math.abs(theta - Math.PI) < 1e-12) { rz(lambda + Math.PI); x(); rz(phi); }
    else { rz(lambda); sx(); rz(theta + Math.PI); sx(); rz(phi + Math.PI); }
  }

  cx(c: number, t: number): void { this.gate("cx", [c, t], [0, 0, 1, 0, 1, 0, 0, 0]); }

  /** The distribution of the classical outcome when qubit q is measured into bit q, through each qubit's assignment matrix. */
  outcomes(): number[] {
    const d = 2 ** this.n;
    const truth = this.rho.map((r, i) => r[i][0]);
    return Array.from({ length: d }, (_, out) => truth.reduce((s, p, i) => {
      let f = p;
      for (let q = 0; q < this.n; q++) {
        const b = (i >> q) & 1, o = (out >> q) & 1;
        const flip = b === 0 ? this.cal.qubits[q].prob1Given0 : this.cal.qubits[q].prob0Given1;
        f *= b === o ? 1 - flip : flip;
      }
      return s + f;
    }, 0));
  }
}

export { uMatrix };
