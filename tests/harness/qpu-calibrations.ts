// Calibrations for the QPU tests: the shipped files, and small made-up ones
// (all-to-all, noiseless, readout only) built as a calibration object.
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/root";
import { readCalibration, type Calibration, type GateFigures, type QubitFigures } from "../../tools/lib/qpu-calibration";

export const calibrationFile = (name: string): string => join(repoRoot(), "hal/qpu/calibrations", `${name}.toml`);
export const shipped = (name: string): Calibration => readCalibration(calibrationFile(name));

/** n qubits, every pair coupled both ways, every figure from `q` and `g`. */
export function uniform(n: number, q: Partial<QubitFigures>, g: { error?: number; lengthNs?: number; cxError?: number; cxLengthNs?: number } = {}): Calibration {
  const qubit: QubitFigures = { t1Ns: Infinity, t2Ns: Infinity, prob1Given0: 0, prob0Given1: 0, readoutNs: 0, ...q };
  const gates: GateFigures[] = [];
  for (let a = 0; a < n; a++) {
    for (const gate of ["id", "rz", "sx", "x", "reset"] as const) {
      const rz = gate === "rz";
      gates.push({ gate, qubits: [a], error: rz ? 0 : g.error ?? 0, lengthNs: rz ? 0 : g.lengthNs ?? 0 });
    }
    for (let b = 0; b < n; b++) if (a !== b) gates.push({ gate: "cx", qubits: [a, b], error: g.cxError ?? 0, lengthNs: g.cxLengthNs ?? 0 });
  }
  return { source: "made up for a test", qubits: Array.from({ length: n }, () => ({ ...qubit })), gates };
}
