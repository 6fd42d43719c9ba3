// The engine's noisy runs (quantum trajectories, one sampled history per
// shot) against an exact density-matrix computation of the same noise model
// (tests/harness/qpu-density.ts, a different method): every outcome's count
// within binomial bounds of the density matrix's probability.
import { beforeAll, expect, it } from "vitest";
import { newQpu, type Qpu } from "../harness/qpu";
import { Density } from "../harness/qpu-density";
import { shipped, uniform } from "../harness/qpu-calibrations";
import { encodeCalibration, type Calibration } from "../../tools/lib/qpu-calibration";
import type { Job } from "../../tools/lib/qpu-job";

let qpu: Qpu;
beforeAll(async () => { qpu = await newQpu(); }, 120_000);

type Step = ["u", number, number, number, number] | ["cx", number, number];

function job(steps: Step[], n: number): Job {
  return {
    qubits: n, clbits: n,
    instructions: [
      ...steps.map((s): Job["instructions"][number] => (s[0] === "u" ? { op: "u", q: s[1], theta: s[2], phi: s[3], lambda: s[4] } : { op: "cx", c: s[1], t: s[2] })),
      ...Array.from({ length: n }, (_, q) => ({ op: "measure" as const, q, clbit: q })),
    ],
  };
}

function exact(steps: Step[], n: number, cal: Calibration): number[] {
  const d = new Density(n, cal);
  for (const s of steps) {
    if (s[0] === "u") d.u(s[1], s[2], s[3], s[4]);
    else d.cx(s[1], s[2]);
  }
  return d.outcomes();
}

// A made-up device noisier than any published one, so every channel shows in the counts:
// T1 8 µs, T2 5 µs, 400 ns one-qubit gates with 2 % error, 900 ns cx with 6 %, readout 4 % / 7 %.
const hot = uniform(3, { t1Ns: 8_000, t2Ns: 5_000, prob1Given0: 0.04, prob0Given1: 0.07 }, { error: 0.02, lengthNs: 400, cxError: 0.06, cxLengthNs: 900 });

const CIRCUITS: Array<[string, Step[]]> = [
  ["a Bell pair", [["u", 0, Math.PI / 2, 0, Math.PI], ["cx", 0, 1]]],
  ["GHZ on 3", [["u", 0, Math.PI / 2, 0, Math.PI], ["cx", 0, 1], ["cx", 1, 2]]],
  ["x and decay", [["u", 2, Math.PI, 0, Math.PI], ["u", 1, Math.PI, 0.4, 0], ["u", 1, 0, 0, 0.3], ["cx", 2, 1]]],
  ["general rotations", [["u", 0, 1.1, 0.3, -0.7], ["cx", 0, 1], ["u", 1, 0.4, 2.0, 1.0], ["cx", 1, 2], ["u", 2, 2.5, -1, 0.2]]],
];

it.each([["the made-up noisy device", hot], ["the 5-qubit device", shipped("manila")]] as const)("counts match the density matrix on %s", (_, cal) => {
  expect(qpu.calibrate(encodeCalibration(cal))).toBe(0);
  const shots = 100_000;
  CIRCUITS.forEach(([name, steps], k) => {
    const p = exact(steps, 3, cal);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const counts = qpu.run(job(steps, 3), shots, BigInt(1000 + k)).counts;
    // Each count within 5 standard deviations of Binomial(shots, p): over the 8 outcomes
    // of 8 runs, a false failure about once in 27 000 seeds (the seeds are fixed).
    p.forEach((pi, outcome) => {
      const got = counts.get(BigInt(outcome)) ?? 0;
      expect(Math.abs(got - shots * pi), `${name}: outcome ${outcome}`).toBeLessThanOrEqual(5 * Math.sqrt(shots * pi * (1 - pi)) + 1);
    });
  });
  qpu.calibrate(new Uint8Array(0));
}, 120_000);

it("the noise shows: on the noisy device a Bell pair reads 01 and 10 about as the density matrix says, far from the ideal 0", () => {
  const p = exact(CIRCUITS[0][1], 3, hot);
  expect(p[1] + p[2]).toBeGreaterThan(0.05);
});
