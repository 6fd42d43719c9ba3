// The QPU's noise model against Qiskit Aer's NoiseModel.from_backend: the
// depolarizing parameter equals Aer's formula, the composed channel the engine
// samples (depolarizing, then relaxation on each qubit) has the calibrated
// gate error as its average gate infidelity, readout follows the assignment
// matrix; and the basis translation (rz, sx, x, cx) is exact.
import { beforeAll, describe, expect, it } from "vitest";
import { newQpu, type Qpu } from "../harness/qpu";
import { randomUnitaryCircuit, randomUnitary, rng, H, byString } from "../harness/qpu-circuits";
import {
  aerDepolarizing, aerRelaxFidelity, averageFidelity, completeness, compose, depolarizingKraus, engineRelaxKraus, kron,
  krausProcessFidelity, thermalChoi, type Mat,
} from "../harness/qpu-channels";
import { shipped, uniform } from "../harness/qpu-calibrations";
import { encodeCalibration, type Calibration } from "../../tools/lib/qpu-calibration";
import * as c from "../../hal/qpu/calibration-format";
import type { Job } from "../../tools/lib/qpu-job";
import * as abi from "../../kernel/abi";

let qpu: Qpu;
beforeAll(async () => { qpu = await newQpu(); }, 120_000);

function calibrate(cal: Calibration): void {
  expect(qpu.calibrate(encodeCalibration(cal))).toBe(abi.OK);
}

// (gate error, T1 ns, T2 ns, length ns) for one-qubit gates, from the shipped
// devices' range and beyond it: T2 above 2·T1 (clamped), error below the
// relaxation's own infidelity (no depolarizing), error beyond the maximum.
const ONE: Array<[number, number, number, number]> = [
  [2.3e-4, 131_528, 102_203, 35.56], [1e-3, 50_000, 150_000, 35.56], [5e-3, 80_000, 20_000, 100],
  [1e-6, 20_000, 10_000, 200], [0.9, 1_000, 500, 50], [0.02, Infinity, Infinity, 35], [0.01, 60_000, 40_000, 0],
];
const TWO: Array<[number, number, number, number, number, number]> = [
  [8.1e-3, 131_528, 102_203, 124_535, 79_014, 355.6], [0.03, 50_000, 150_000, 90_000, 60_000, 600], [1e-5, 20_000, 30_000, 40_000, 10_000, 500],
];

describe("the depolarizing parameter", () => {
  it("equals Aer's formula for one- and two-qubit gates", () => {
    for (const [err, t1, t2, len] of ONE) {
      const want = aerDepolarizing(1, err, aerRelaxFidelity([[t1, t2]], len));
      expect(qpu.ex.qpuDepolarizing(1, err, len, t1, t2, 0, 0)).toBeCloseTo(want, 14);
    }
    for (const [err, t1a, t2a, t1b, t2b, len] of TWO) {
      const want = aerDepolarizing(2, err, aerRelaxFidelity([[t1a, t2a], [t1b, t2b]], len));
      expect(qpu.ex.qpuDepolarizing(2, err, len, t1a, t2a, t1b, t2b)).toBeCloseTo(want, 14);
    }
    // The cases the formula's branches cover: none when relaxation alone exceeds the error.
    expect(qpu.ex.qpuDepolarizing(1, 1e-6, 200, 20_000, 10_000, 0, 0)).toBe(0);
    expect(qpu.ex.qpuDepolarizing(1, 0.9, 50, 1_000, 500, 0, 0)).toBeCloseTo(aerDepolarizing(1, 2 / 3, aerRelaxFidelity([[1_000, 500]], 50)), 14);
  });
});

/** The engine's noise record for a gate, read back as Kraus operators of depolarizing then relaxation. */
function engineChannel(kind: number, q0: number, q1: number): { kraus: Mat[]; p: number } {
  const at = qpu.ex.qpuNoiseRecord(kind, q0, q1);
  expect(at).not.toBe(0);
  const v = new DataView(qpu.ex.memory.buffer, at, 64);
  const n = v.getInt32(0, true);
  const p = v.getFloat64(16, true);
  const r0 = engineRelaxKraus(v.getFloat64(24, true), v.getFloat64(32, true));
  const relax = n === 1 ? r0 : engineRelaxKraus(v.getFloat64(40, true), v.getFloat64(48, true)).flatMap((k1) => r0.map((k0) => kron(k1, k0)));
  return { kraus: compose(depolarizingKraus(n, p), relax), p };
}

function infidelity(kraus: Mat[]): number {
  return 1 - averageFidelity(krausProcessFidelity(kraus), kraus[0].length);
}

/**
 * The average gate infidelity of Aer's model of a gate: its error, unless the
 * relaxation alone already loses more (Aer then adds no depolarizing error).
 */
function modelInfidelity(err: number, qubits: Array<[number, number]>, len: number): number {
  const relaxInfid = 1 - aerRelaxFidelity(qubits, len);
  return err > relaxInfid ? err : relaxInfid;
}

describe("the composed channel", () => {
  it("has the calibrated gate error as its average gate infidelity (to 1e-9), for every gate of the shipped 5-qubit device", () => {
    let depolarized = 0;
    const cal = shipped("manila");
    calibrate(cal);
    for (const g of cal.gates.filter((x) => x.gate === "sx" || x.gate === "x" || x.gate === "cx")) {
      const kind = g.gate === "cx" ? c.QCAL_GATE_CX : g.gate === "sx" ? c.QCAL_GATE_SX : c.QCAL_GATE_X;
      const { kraus } = engineChannel(kind, g.qubits[0], g.qubits[1] ?? 0);
      const sum = completeness(kraus);
      sum.forEach((row, i) => row.forEach(([re, im], j) => { expect(Math.abs(re - (i === j ? 1 : 0)) + Math.abs(im)).toBeLessThan(1e-12); }));
      const figures = g.qubits.map((q): [number, number] => [cal.qubits[q].t1Ns, cal.qubits[q].t2Ns]);
      expect(Math.abs(infidelity(kraus) - modelInfidelity(g.error, figures, g.lengthNs)), `${g.gate} ${g.qubits}`).toBeLessThan(1e-9);
      if (g.error > 1 - aerRelaxFidelity(figures, g.lengthNs)) {
        expect(Math.abs(infidelity(kraus) - g.error)).toBeLessThan(1e-9);
        depolarized++;
      }
    }
    // Two thirds of the device's 18 gates lose more than their relaxation explains: those are exactly their error.
    expect(depolarized).toBeGreaterThanOrEqual(10);
  });

  it("relaxes as Aer's thermal relaxation: coherence e^{-t/T2} (T2 clamped to 2·T1), population e^{-t/T1}", () => {
    for (const [err, t1, t2, len] of ONE.filter(([, , , l]) => l > 0)) {
      calibrate({ source: "test", qubits: [{ t1Ns: t1, t2Ns: t2, prob1Given0: 0, prob0Given1: 0, readoutNs: 0 }], gates: [{ gate: "sx", qubits: [0], error: err, lengthNs: len }] });
      const at = qpu.ex.qpuNoiseRecord(c.QCAL_GATE_SX, 0, 0);
      const v = new DataView(qpu.ex.memory.buffer, at, 64);
      const gamma = v.getFloat64(24, true), z = v.getFloat64(32, true);
      const choi = thermalChoi(t1, Math.min(t2, 2 * t1), len);
      expect(gamma).toBeCloseTo(choi[2][2], 14);
      expect((1 - 2 * z) * Math.sqrt(1 - gamma)).toBeCloseTo(choi[0][3], 14);
      // Beyond the largest error a channel can have (d / (d + 1)) Aer clips the parameters; below it the model is exact.
      if (err < 2 / 3) {
        const { kraus } = engineChannel(c.QCAL_GATE_SX, 0, 0);
        expect(Math.abs(infidelity(kraus) - modelInfidelity(err, [[t1, t2]], len))).toBeLessThan(1e-9);
      }
    }
  });
});

// A count of a Binomial(shots, p) within 5 standard deviations of shots·p
// (a false failure about once in 1.7 million seeds; the seeds are fixed).
function withinBinomial(count: number, shots: number, p: number): void {
  expect(Math.abs(count - shots * p)).toBeLessThanOrEqual(5 * Math.sqrt(shots * p * (1 - p)) + 1e-9);
}

describe("readout", () => {
  it("follows the assignment matrix: P(1|0) and P(0|1) per qubit", () => {
    const cal = uniform(2, {});
    cal.qubits[0] = { ...cal.qubits[0], prob1Given0: 0.03, prob0Given1: 0.11 };
    cal.qubits[1] = { ...cal.qubits[1], prob1Given0: 0.2, prob0Given1: 0.005 };
    calibrate(cal);
    const shots = 200_000;
    const X = { theta: Math.PI, phi: 0, lambda: Math.PI };
    const measureBoth: Job["instructions"] = [{ op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 }];
    const zero = byString(qpu.run({ qubits: 2, clbits: 2, instructions: measureBoth }, shots, 5n).counts, 2);
    withinBinomial((zero["01"] ?? 0) + (zero["11"] ?? 0), shots, 0.03);
    withinBinomial((zero["10"] ?? 0) + (zero["11"] ?? 0), shots, 0.2);
    const one = byString(qpu.run({ qubits: 2, clbits: 2, instructions: [{ op: "u", q: 0, ...X }, { op: "u", q: 1, ...X }, ...measureBoth] }, shots, 6n).counts, 2);
    withinBinomial((one["10"] ?? 0) + (one["00"] ?? 0), shots, 0.11);
    withinBinomial((one["01"] ?? 0) + (one["00"] ?? 0), shots, 0.005);
  });
});

function maxPhaseFreeDiff(a: Float64Array, b: Float64Array): number {
  // Align b's global phase to a's on the largest amplitude, then compare.
  let k = 0;
  for (let i = 0; i < a.length / 2; i++) if (a[2 * i] ** 2 + a[2 * i + 1] ** 2 > a[2 * k] ** 2 + a[2 * k + 1] ** 2) k = i;
  const [ar, ai, br, bi] = [a[2 * k], a[2 * k + 1], b[2 * k], b[2 * k + 1]];
  const n = br * br + bi * bi;
  const pr = (ar * br + ai * bi) / n, pi = (ai * br - ar * bi) / n;
  let d = 0;
  for (let i = 0; i < a.length / 2; i++) {
    const r = b[2 * i] * pr - b[2 * i + 1] * pi, m = b[2 * i] * pi + b[2 * i + 1] * pr;
    d = Math.max(d, Math.abs(a[2 * i] - r), Math.abs(a[2 * i + 1] - m));
  }
  return d;
}

describe("the basis translation", () => {
  it("gives the ideal state up to a global phase on random circuits (U, CX, MCU with up to 2 controls)", () => {
    const noiseless = encodeCalibration(uniform(5, {}));
    for (let seed = 1; seed <= 60; seed++) {
      const job = randomUnitaryCircuit(seed, 2 + (seed % 4), 25);
      job.instructions = job.instructions.filter((i) => i.op !== "mcu" || i.controls.length <= 2);
      expect(qpu.calibrate(new Uint8Array(0))).toBe(abi.OK);
      const ideal = qpu.state(job);
      expect(qpu.calibrate(noiseless)).toBe(abi.OK);
      expect(maxPhaseFreeDiff(ideal, qpu.state(job)), `seed ${seed}`).toBeLessThan(1e-10);
    }
  });

  it("takes the special angles and a Toffoli exactly", () => {
    const r = rng(3);
    for (const theta of [0, Math.PI / 2, Math.PI, -Math.PI / 2, 3 * Math.PI, 2 * Math.PI]) {
      const job: Job = {
        qubits: 3, clbits: 0,
        instructions: [
          { op: "u", q: 0, theta: r(), phi: r(), lambda: r() }, { op: "u", q: 1, ...H }, { op: "u", q: 2, theta, phi: r() * 3, lambda: r() * 3 },
          { op: "mcu", controls: [0, 1], t: 2, m: [0, 0, 1, 0, 1, 0, 0, 0] }, { op: "mcu", controls: [2], t: 0, m: randomUnitary(r) },
        ],
      };
      qpu.calibrate(new Uint8Array(0));
      const ideal = qpu.state(job);
      calibrate(uniform(3, {}));
      expect(maxPhaseFreeDiff(ideal, qpu.state(job)), `θ = ${theta}`).toBeLessThan(1e-10);
    }
  });

  it("refuses a cx on a pair the coupling map lacks, and a gate with more than 2 controls, naming them", () => {
    calibrate(shipped("manila"));
    const cx = qpu.run({ qubits: 3, clbits: 0, instructions: [{ op: "u", q: 0, ...H }, { op: "cx", c: 0, t: 2 }] }, 10);
    expect(cx.code).toBe(abi.E_UNSUPPORTED);
    expect(cx.reason).toBe("instruction 1: cx on qubits 0, 2: the pair is not in the calibration's coupling map");
    const toffoli = qpu.run({ qubits: 3, clbits: 0, instructions: [{ op: "mcu", controls: [0, 2], t: 1, m: [0, 0, 1, 0, 1, 0, 0, 0] }] }, 10);
    expect(toffoli.reason).toBe("instruction 0: cx on qubits 0, 2: the pair is not in the calibration's coupling map");
    calibrate(uniform(4, {}));
    const big = qpu.run({ qubits: 4, clbits: 0, instructions: [{ op: "mcu", controls: [0, 1, 2], t: 3, m: [0, 0, 1, 0, 1, 0, 0, 0] }] }, 10);
    expect(big.reason).toBe("instruction 0: a gate with 3 controls has no translation to the device's basis (a calibrated QPU takes at most 2)");
    const wide = qpu.run({ qubits: 6, clbits: 0, instructions: [] }, 10);
    expect(wide.reason).toBe("6 qubits: the calibration describes only 4");
    qpu.calibrate(new Uint8Array(0));
  });
});
