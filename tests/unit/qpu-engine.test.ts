// The QPU's statevector engine (hal/qpu/) on ideal circuits: amplitudes
// against an independent reference simulator on random circuits, fusion on
// and off, SIMD and scalar kernels, Bell and GHZ counts, the semantics of
// measure, reset and conditionals, per-shot readout (QRUN_MEMORY) and the
// refusal of an unseeded run without the device's random source.
import { beforeAll, describe, expect, it } from "vitest";
import { newQpu, type Qpu } from "../harness/qpu";
import { referenceState } from "../harness/qpu-reference";
import { randomUnitaryCircuit, H, byString } from "../harness/qpu-circuits";
import { QRUN_NO_FUSION, QRUN_SCALAR, QRUN_PER_SHOT, QRUN_MEMORY, QRUN_UNSEEDED, QRES_SHOT_BYTES } from "../../hal/qpu/job-format";
import { E_UNSUPPORTED } from "../../kernel/abi";
import { encodeJob, type Job } from "../../tools/lib/qpu-job";

let qpu: Qpu;
beforeAll(async () => { qpu = await newQpu(); }, 120_000);

function maxDiff(a: Float64Array, b: Array<[number, number]> | Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length / 2; i++) {
    const [r, m] = b instanceof Float64Array ? [b[2 * i], b[2 * i + 1]] : b[i];
    d = Math.max(d, Math.abs(a[2 * i] - r), Math.abs(a[2 * i + 1] - m));
  }
  return d;
}

describe("amplitudes", () => {
  it("equal the reference simulator's to 1e-12 on random circuits of U, CX, MCU and GPHASE (1 to 6 qubits)", () => {
    for (let seed = 1; seed <= 120; seed++) {
      const job = randomUnitaryCircuit(seed, 1 + (seed % 6), 40);
      expect(maxDiff(qpu.state(job), referenceState(job)), `seed ${seed}`).toBeLessThan(1e-12);
    }
  });

  it("are the same with fusion off, and with the scalar kernels", () => {
    for (let seed = 200; seed < 260; seed++) {
      const job = randomUnitaryCircuit(seed, 2 + (seed % 5), 60);
      const fused = qpu.state(job);
      expect(maxDiff(qpu.state(job, QRUN_NO_FUSION), fused), `seed ${seed}`).toBeLessThan(1e-12);
      expect(maxDiff(qpu.state(job, QRUN_SCALAR | QRUN_NO_FUSION), qpu.state(job, QRUN_NO_FUSION)), `seed ${seed}`).toBe(0);
    }
  });

  it("keep the norm over a long circuit on 12 qubits", () => {
    const psi = qpu.state(randomUnitaryCircuit(7, 12, 2000));
    let norm = 0;
    for (const v of psi) norm += v * v;
    expect(Math.abs(norm - 1)).toBeLessThan(1e-10);
  });
});

const bell: Job = {
  qubits: 2, clbits: 2,
  instructions: [
    { op: "u", q: 0, ...H }, { op: "cx", c: 0, t: 1 },
    { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 },
  ],
};

function ghz(n: number): Job {
  return {
    qubits: n, clbits: n,
    instructions: [
      { op: "u", q: 0, ...H },
      ...Array.from({ length: n - 1 }, (_, i) => ({ op: "cx" as const, c: i, t: i + 1 })),
      ...Array.from({ length: n }, (_, i) => ({ op: "measure" as const, q: i, clbit: i })),
    ],
  };
}

// Half the shots land on each of the two outcomes: 5 standard deviations of
// Binomial(shots, 1/2) bound the count (a false failure about once in 1.7
// million seeds; the seeds here are fixed, so the outcome is too).
function nearHalf(count: number, shots: number): void {
  expect(Math.abs(count - shots / 2)).toBeLessThanOrEqual(5 * Math.sqrt(shots / 4));
}

describe("counts", () => {
  it("of a Bell pair: only 00 and 11, about half each, sampled and per shot", () => {
    for (const flags of [0, QRUN_PER_SHOT]) {
      const r = qpu.run(bell, 10_000, 42n, flags);
      const c = byString(r.counts, 2);
      expect(Object.keys(c).sort()).toEqual(["00", "11"]);
      nearHalf(c["00"], 10_000);
      expect(c["00"] + c["11"]).toBe(10_000);
    }
  });

  it("of GHZ states on 3 to 20 qubits: all zeros or all ones", () => {
    for (const n of [3, 8, 20]) {
      const c = byString(qpu.run(ghz(n), 4000, 5n).counts, n);
      expect(Object.keys(c).sort()).toEqual(["0".repeat(n), "1".repeat(n)]);
      nearHalf(c["0".repeat(n)], 4000);
    }
  });

  it("are the same for the same seed and differ for another", () => {
    const a = qpu.run(ghz(5), 1000, 9n).counts;
    expect(qpu.run(ghz(5), 1000, 9n).counts).toEqual(a);
    expect(qpu.run(ghz(5), 1000, 10n).counts).not.toEqual(a);
  });

  it("put bit 0 of the classical register rightmost, a qubit measured into any bit", () => {
    const job: Job = { qubits: 3, clbits: 5, instructions: [{ op: "u", q: 2, theta: Math.PI, phi: 0, lambda: Math.PI }, { op: "measure", q: 2, clbit: 4 }, { op: "measure", q: 0, clbit: 1 }] };
    expect(byString(qpu.run(job, 10).counts, 5)).toEqual({ "10000": 10 });
  });
});

describe("measure, reset and conditionals", () => {
  const X = { theta: Math.PI, phi: 0, lambda: Math.PI };

  it("reset returns a qubit to |0⟩ whatever it held", () => {
    const job: Job = {
      qubits: 2, clbits: 2,
      instructions: [{ op: "u", q: 0, ...X }, { op: "u", q: 1, ...H }, { op: "reset", q: 0 }, { op: "reset", q: 1 }, { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 }],
    };
    expect(byString(qpu.run(job, 500).counts, 2)).toEqual({ "00": 500 });
  });

  it("a measurement collapses the state: measuring again reads the same", () => {
    const job: Job = {
      qubits: 1, clbits: 2,
      instructions: [{ op: "u", q: 0, ...H }, { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 0, clbit: 1 }],
    };
    const c = byString(qpu.run(job, 2000, 3n, QRUN_PER_SHOT).counts, 2);
    expect(Object.keys(c).sort()).toEqual(["00", "11"]);
  });

  it("a condition reads the classical bits measured so far (teleporting a bit: only 00 and 11)", () => {
    const job: Job = {
      qubits: 2, clbits: 2,
      instructions: [
        { op: "u", q: 0, ...H }, { op: "measure", q: 0, clbit: 0 },
        { op: "if", start: 0, width: 1, value: 1n }, { op: "u", q: 1, ...X },
        { op: "measure", q: 1, clbit: 1 },
      ],
    };
    const c = byString(qpu.run(job, 4000, 11n).counts, 2);
    expect(Object.keys(c).sort()).toEqual(["00", "11"]);
    nearHalf(c["00"], 4000);
  });

  it("a condition on a multi-bit value applies only on that value", () => {
    // Two random bits, then x on q2 only when they read 2 (c1 = 1, c0 = 0).
    const job: Job = {
      qubits: 3, clbits: 3,
      instructions: [
        { op: "u", q: 0, ...H }, { op: "u", q: 1, ...H }, { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 },
        { op: "if", start: 0, width: 2, value: 2n }, { op: "cx", c: 1, t: 2 },
        { op: "measure", q: 2, clbit: 2 },
      ],
    };
    const c = byString(qpu.run(job, 4000, 2n).counts, 3);
    expect(Object.keys(c).sort()).toEqual(["000", "001", "011", "110"]);
  });

  it("a conditional gphase or reset runs only when the condition holds", () => {
    const job: Job = {
      qubits: 1, clbits: 2,
      instructions: [
        { op: "u", q: 0, ...X }, { op: "measure", q: 0, clbit: 0 },
        { op: "if", start: 0, width: 1, value: 0n }, { op: "reset", q: 0 },
        { op: "if", start: 0, width: 1, value: 1n }, { op: "gphase", theta: 1 },
        { op: "measure", q: 0, clbit: 1 },
      ],
    };
    expect(byString(qpu.run(job, 100).counts, 2)).toEqual({ "11": 100 });
  });

  it("sampling from the final state and running every shot agree in distribution", () => {
    const job = randomUnitaryCircuit(31, 4, 30);
    job.clbits = 4;
    for (let q = 0; q < 4; q++) job.instructions.push({ op: "measure", q, clbit: q });
    const shots = 20_000;
    const a = qpu.run(job, shots, 1n).counts, b = qpu.run(job, shots, 2n, QRUN_PER_SHOT).counts;
    // Each outcome's two counts differ by at most 5 standard deviations of their difference.
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(k) ?? 0, y = b.get(k) ?? 0;
      const p = (x + y) / (2 * shots);
      expect(Math.abs(x - y), `outcome ${k}`).toBeLessThanOrEqual(5 * Math.sqrt(2 * shots * p * (1 - p)) + 1);
    }
  });
});

describe("per-shot readout and unseeded runs", () => {
  const bell: Job = {
    qubits: 2, clbits: 2,
    instructions: [{ op: "u", q: 0, ...H }, { op: "cx", c: 0, t: 1 }, { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 }],
  };

  /** Run `job` with QRUN_MEMORY: each shot's outcome, in order. */
  function shotsOf(job: Job, shots: number, seed: bigint, flags = 0): bigint[] {
    const bytes = encodeJob(job);
    new Uint8Array(qpu.ex.memory.buffer, qpu.ex.qpuJobBuffer(bytes.length), bytes.length).set(bytes);
    const n = qpu.ex.qpuRun(bytes.length, shots, seed, QRUN_MEMORY | flags);
    expect(n, qpu.reason()).toBe(shots);
    const view = new DataView(qpu.ex.memory.buffer, qpu.ex.qpuResults(), shots * QRES_SHOT_BYTES);
    return Array.from({ length: shots }, (_, i) => view.getBigUint64(i * QRES_SHOT_BYTES, true));
  }

  it("gives each shot's outcome in shot order: the per-shot run's counts, the same sequence from the same seed", () => {
    const seq = shotsOf(bell, 2000, 42n);
    expect(new Set(seq)).toEqual(new Set([0n, 3n]));
    const tally = byString(new Map([[0n, seq.filter((o) => o === 0n).length], [3n, seq.filter((o) => o === 3n).length]]), 2);
    expect(tally).toEqual(byString(qpu.run(bell, 2000, 42n, QRUN_PER_SHOT).counts, 2));
    expect(shotsOf(bell, 2000, 42n)).toEqual(seq);
    // In the order drawn, not sorted: the outcomes change many times along the run.
    let changes = 0;
    for (let i = 1; i < seq.length; i++) if (seq[i] !== seq[i - 1]) changes++;
    expect(changes).toBeGreaterThan(500);
  });

  it("refuses an unseeded run when the engine has no random source (only the QPU device gives it one)", () => {
    const bytes = encodeJob(bell);
    new Uint8Array(qpu.ex.memory.buffer, qpu.ex.qpuJobBuffer(bytes.length), bytes.length).set(bytes);
    expect(qpu.ex.qpuRun(bytes.length, 10, 1n, QRUN_UNSEEDED)).toBe(E_UNSUPPORTED);
    expect(qpu.reason()).toBe("an unseeded run (QRUN_UNSEEDED) needs the host's random source, which this engine was not given");
    // A seeded run after it is as before.
    expect(qpu.run(bell, 1000, 42n).code).toBe(2);
  });
});
