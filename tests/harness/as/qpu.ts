// AssemblyScript entry for the QPU tests (tests/unit/qpu-*.test.ts): the
// engine's entry points as the QPU device will call them, plus the noise
// model's figures for the tests that check them against Aer's formulas.
export {
  qpuAllow, qpuJobBuffer, qpuCalibrationBuffer, qpuCalibrate, qpuRun, qpuResults, qpuState, qpuStateQubits,
  qpuReason, qpuReasonAt, qpuReasonA, qpuReasonB,
} from "../../../hal/qpu/engine";
import { depolarizingFor, oneRecord, cxRecord, recordAt, calibrated } from "../../../hal/qpu/noise";
import { QCAL_GATE_CX } from "../../../hal/qpu/calibration-format";

/** The depolarizing parameter the engine computes for a gate's figures. */
export function qpuDepolarizing(n: i32, err: f64, len: f64, t1a: f64, t2a: f64, t1b: f64, t2b: f64): f64 {
  return depolarizingFor(n, err, len, t1a, t2a, t1b, t2b);
}

/** The address of a calibrated gate's noise record (hal/qpu/noise.ts, NR_*), 0 if it has none. */
export function qpuNoiseRecord(kind: i32, q0: i32, q1: i32): usize {
  if (!calibrated) return 0;
  const r = kind == QCAL_GATE_CX ? cxRecord(q0, q1) : oneRecord(kind, q0);
  return r < 0 ? 0 : recordAt(r);
}
