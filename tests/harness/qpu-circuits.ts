// Seeded random circuits and small known circuits for the QPU tests.
import type { Instruction, Job, Matrix } from "../../tools/lib/qpu-job";
import { uMatrix } from "./qpu-reference";

/** mulberry32: a small seeded generator for building test circuits (not the engine's). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r: () => number, n: number): number => Math.floor(r() * n);

function distinct(r: () => number, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = pick(r, i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k);
}

/** A random unitary: e^{iα}·U(θ, φ, λ). */
export function randomUnitary(r: () => number): Matrix {
  const u = uMatrix(r() * 2 * Math.PI, r() * 2 * Math.PI, r() * 2 * Math.PI);
  const a = r() * 2 * Math.PI, c = Math.cos(a), s = Math.sin(a);
  const out = u.slice() as Matrix;
  for (let k = 0; k < 8; k += 2) [out[k], out[k + 1]] = [u[k] * c - u[k + 1] * s, u[k] * s + u[k + 1] * c];
  return out;
}

/** `length` random U, CX, MCU (0 to n−1 controls), GPHASE and barriers on n qubits. */
export function randomUnitaryCircuit(seed: number, n: number, length: number): Job {
  const r = rng(seed);
  const instructions: Instruction[] = [];
  for (let i = 0; i < length; i++) {
    const kind = pick(r, 10);
    if (kind < 4) instructions.push({ op: "u", q: pick(r, n), theta: r() * 7 - 0.5, phi: r() * 7 - 0.5, lambda: r() * 7 - 0.5 });
    else if (kind < 6 && n > 1) {
      const [c, t] = distinct(r, n, 2);
      instructions.push({ op: "cx", c, t });
    } else if (kind < 8) {
      const qs = distinct(r, n, 1 + pick(r, Math.min(n, 9)));
      instructions.push({ op: "mcu", controls: qs.slice(1), t: qs[0], m: randomUnitary(r) });
    } else if (kind < 9) instructions.push({ op: "gphase", theta: r() * 6 });
    else instructions.push({ op: "barrier", qubits: distinct(r, n, 1 + pick(r, n)) });
  }
  return { qubits: n, clbits: 0, instructions };
}

export const H = { theta: Math.PI / 2, phi: 0, lambda: Math.PI };

/** Qiskit's order: clbit 0 rightmost. */
export function bits(outcome: bigint, width: number): string {
  return outcome.toString(2).padStart(width, "0");
}

/** Counts keyed by bitstring. */
export function byString(counts: Map<bigint, number>, width: number): Record<string, number> {
  return Object.fromEntries([...counts].map(([k, v]) => [bits(k, width), v]));
}
