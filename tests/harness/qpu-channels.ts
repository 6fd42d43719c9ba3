// Quantum channels for the QPU noise tests, computed apart from the engine:
// Aer's thermal relaxation channel (qiskit_aer/noise/errors/standard_errors.py,
// thermal_relaxation_error at zero excited population) as a Liouville
// superoperator, average gate fidelities from superoperators and from Kraus
// operators, and Aer's depolarizing parameter (_device_depolarizing_error).

export type C = [number, number];
export type Mat = C[][]; // rows of complex entries

export const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
export const cadd = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const conj = (a: C): C => [a[0], -a[1]];

export function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce<C>((s, x, k) => cadd(s, cmul(x, b[k][j])), [0, 0])));
}
export function kron(a: Mat, b: Mat): Mat {
  const out: Mat = [];
  for (let i = 0; i < a.length; i++) for (let k = 0; k < b.length; k++) {
    const row: C[] = [];
    for (let j = 0; j < a.length; j++) for (let l = 0; l < b.length; l++) row.push(cmul(a[i][j], b[k][l]));
    out.push(row);
  }
  return out;
}
export const scale = (m: Mat, s: number): Mat => m.map((r) => r.map(([x, y]) => [x * s, y * s] as C));
const trace = (m: Mat): C => m.reduce<C>((s, r, i) => cadd(s, r[i]), [0, 0]);

export const I2: Mat = [[[1, 0], [0, 0]], [[0, 0], [1, 0]]];
export const PX: Mat = [[[0, 0], [1, 0]], [[1, 0], [0, 0]]];
export const PY: Mat = [[[0, 0], [0, -1]], [[0, 1], [0, 0]]];
export const PZ: Mat = [[[1, 0], [0, 0]], [[0, 0], [-1, 0]]];
export const PAULIS = [I2, PX, PY, PZ];

/**
 * Aer's thermal_relaxation_error(t1, t2, time) at zero excited population as
 * its Choi matrix (the T2 > T1 branch's formula, which for T2 ≤ T1 gives the
 * same channel as the branch's mixture of I, Z and reset): rows/columns
 * |i⟩|j⟩ of Σ_ij |i⟩⟨j| ⊗ E(|i⟩⟨j|).
 */
export function thermalChoi(t1: number, t2: number, time: number): number[][] {
  const pReset = t1 === Infinity ? 0 : 1 - Math.exp(-time / t1);
  const e = t2 === Infinity ? 1 : Math.exp(-time / t2);
  return [[1, 0, 0, e], [0, 0, 0, 0], [0, 0, pReset, 0], [e, 0, 0, 1 - pReset]];
}

/** Process fidelity of a one-qubit channel from its Choi matrix: ⟨Φ|Λ|Φ⟩ / d² with |Φ⟩ = |00⟩ + |11⟩. */
export function choiProcessFidelity(choi: number[][]): number {
  return (choi[0][0] + choi[0][3] + choi[3][0] + choi[3][3]) / 4;
}

/** Average gate fidelity from process fidelity in dimension d. */
export const averageFidelity = (processFidelity: number, d: number): number => (d * processFidelity + 1) / (d + 1);

/** Process fidelity of a channel given by Kraus operators: Σ |Tr K|² / d². */
export function krausProcessFidelity(kraus: Mat[]): number {
  const d = kraus[0].length;
  return kraus.reduce((s, k) => { const t = trace(k); return s + t[0] * t[0] + t[1] * t[1]; }, 0) / (d * d);
}

/** Σ K†K, which is the identity for a channel. */
export function completeness(kraus: Mat[]): Mat {
  const d = kraus[0].length;
  let sum: Mat = Array.from({ length: d }, () => Array.from({ length: d }, () => [0, 0] as C));
  for (const k of kraus) {
    const kd = k[0].map((_, j) => k.map((row) => conj(row[j])));
    const p = matmul(kd, k);
    sum = sum.map((r, i) => r.map((x, j) => cadd(x, p[i][j])));
  }
  return sum;
}

/**
 * Aer's _device_depolarizing_error parameter for an n-qubit gate of error
 * `err` whose relaxation has average fidelity `relaxFid` (1 when the gate has
 * no length): qiskit_aer/noise/device/models.py, line for line.
 */
export function aerDepolarizing(n: number, err: number, relaxFid: number): number {
  const relaxInfid = 1 - relaxFid;
  if (!(err > relaxInfid)) return 0;
  const dim = 2 ** n;
  const errorMax = dim / (dim + 1);
  const e = Math.min(err, errorMax);
  const depol = (dim * (e - relaxInfid)) / (dim * relaxFid - 1);
  const maxParam = 4 ** n / (4 ** n - 1);
  return Math.min(depol, maxParam);
}

/** The relaxation channel's average fidelity Aer computes for a gate on qubits with these (T1, T2) for `time`, T2 clamped to 2·T1. */
export function aerRelaxFidelity(qubits: Array<[number, number]>, time: number): number {
  if (time === 0) return 1;
  const pro = qubits.reduce((f, [t1, t2]) => f * choiProcessFidelity(thermalChoi(t1, Math.min(t2, 2 * t1), time)), 1);
  return averageFidelity(pro, 2 ** qubits.length);
}

/** Kraus operators of the engine's relaxation sample on one qubit: decay √γ·|0⟩⟨1|, no decay diag(1, √(1−γ)), then a Z with probability z. */
export function engineRelaxKraus(gamma: number, z: number): Mat[] {
  const a0: Mat = [[[1, 0], [0, 0]], [[0, 0], [Math.sqrt(1 - gamma), 0]]];
  const a1: Mat = [[[0, 0], [Math.sqrt(gamma), 0]], [[0, 0], [0, 0]]];
  return [scale(a0, Math.sqrt(1 - z)), scale(matmul(PZ, a0), Math.sqrt(z)), scale(a1, Math.sqrt(1 - z)), scale(matmul(PZ, a1), Math.sqrt(z))];
}

/** Kraus operators of Aer's n-qubit depolarizing error: each Pauli string with its probability. */
export function depolarizingKraus(n: number, p: number): Mat[] {
  const strings: Mat[] = n === 1 ? PAULIS : PAULIS.flatMap((b) => PAULIS.map((a) => kron(b, a)));
  const count = strings.length;
  return strings.map((P, i) => scale(P, Math.sqrt(i === 0 ? 1 - (p * (count - 1)) / count : p / count)));
}

/** Kraus operators of channel b after channel a. */
export function compose(a: Mat[], b: Mat[]): Mat[] {
  return a.flatMap((ka) => b.map((kb) => matmul(kb, ka)));
}
