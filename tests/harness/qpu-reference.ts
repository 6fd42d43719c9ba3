// A tiny statevector simulator for the QPU tests, written apart from the
// engine: whole-matrix products over plain arrays for up to 6 qubits, used to
// check the engine's amplitudes on random circuits of U, CX, MCU and GPHASE.
import type { Instruction, Job, Matrix } from "../../tools/lib/qpu-job";

type C = [number, number];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const expi = (t: number): C => [Math.cos(t), Math.sin(t)];

export function uMatrix(theta: number, phi: number, lambda: number): Matrix {
  const c = Math.cos(theta / 2), s = Math.sin(theta / 2);
  const l = expi(lambda), p = expi(phi), pl = expi(phi + lambda);
  return [c, 0, -l[0] * s, -l[1] * s, p[0] * s, p[1] * s, pl[0] * c, pl[1] * c];
}

const X: Matrix = [0, 0, 1, 0, 1, 0, 0, 0];

/** The amplitude vector after the job's unitary instructions, from |0…0⟩. */
export function referenceState(job: Job): C[] {
  if (job.qubits > 6) throw new Error("the reference simulator takes up to 6 qubits");
  let psi: C[] = Array.from({ length: 2 ** job.qubits }, (_, i) => (i === 0 ? [1, 0] : [0, 0]));
  for (const ins of job.instructions) psi = apply(psi, ins);
  return psi;
}

function apply(psi: C[], ins: Instruction): C[] {
  switch (ins.op) {
    case "u": return controlled(psi, [], ins.q, uMatrix(ins.theta, ins.phi, ins.lambda));
    case "cx": return controlled(psi, [ins.c], ins.t, X);
    case "mcu": return controlled(psi, ins.controls, ins.t, ins.m);
    case "gphase": return psi.map((a) => mul(a, expi(ins.theta)));
    case "barrier": case "creg": return psi;
    default: throw new Error(`the reference simulator has no ${ins.op}`);
  }
}

/** The full 2^n × 2^n operator applied row by row: out_i = Σ_j G_ij ψ_j. */
function controlled(psi: C[], controls: number[], t: number, m: Matrix): C[] {
  const entry = (r: number, c: number): C => [m[(r * 2 + c) * 2], m[(r * 2 + c) * 2 + 1]];
  const on = (i: number): boolean => controls.every((c) => ((i >> c) & 1) === 1);
  return psi.map((_, i) => {
    if (!on(i)) return psi[i];
    const r = (i >> t) & 1;
    let sum: C = [0, 0];
    for (const c of [0, 1]) sum = add(sum, mul(entry(r, c), psi[(i & ~(1 << t)) | (c << t)]));
    return sum;
  });
}
