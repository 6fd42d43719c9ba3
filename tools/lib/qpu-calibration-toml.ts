// A calibration written as our TOML calibration file (docs/qpu.md), so that a
// device's published figures (a Qiskit props_*.json) become a file of ours
// that parseCalibrationToml reads back to the same figures.
import type { Calibration } from "./qpu-calibration";

const n = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

export function formatCalibrationToml(cal: Calibration, comment: string[] = []): string {
  const out = [...comment.map((l) => `# ${l}`), `source = ${JSON.stringify(cal.source)}`, ""];
  for (const q of cal.qubits) {
    out.push("[[qubit]]");
    if (Number.isFinite(q.t1Ns)) out.push(`t1_us = ${n(q.t1Ns / 1e3)}`);
    if (Number.isFinite(q.t2Ns)) out.push(`t2_us = ${n(q.t2Ns / 1e3)}`);
    out.push(`prob_meas1_prep0 = ${n(q.prob1Given0)}`, `prob_meas0_prep1 = ${n(q.prob0Given1)}`, `readout_length_ns = ${n(q.readoutNs)}`, "");
  }
  for (const g of cal.gates) {
    out.push("[[gate]]", `gate = "${g.gate}"`, `qubits = [${g.qubits.join(", ")}]`, `gate_error = ${n(g.error)}`, `gate_length_ns = ${n(g.lengthNs)}`, "");
  }
  return out.join("\n");
}
