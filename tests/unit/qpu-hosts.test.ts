// The same seed, job and calibration give the same counts, bit for bit, in
// Node's engine and in wasmtime's: ideal and noisy circuits, with
// mid-circuit measurements, conditionals and resets, on the shipped devices.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { newQpu, qpuWasm } from "../harness/qpu";
import { randomUnitaryCircuit, H } from "../harness/qpu-circuits";
import { shipped } from "../harness/qpu-calibrations";
import { encodeJob, type Job } from "../../tools/lib/qpu-job";
import { encodeCalibration } from "../../tools/lib/qpu-calibration";
import { QRUN_PER_SHOT } from "../../hal/qpu/job-format";
import { repoRoot } from "../../tools/lib/root";
import { ensureWasmtime, wasmtimePaths } from "../../tools/host-wasmtime/setup";

const root = repoRoot();
const out = join(root, "build/test/qpu-hosts");
let wasmPath: string;

beforeAll(async () => {
  await ensureWasmtime({ root, quiet: true });
  mkdirSync(out, { recursive: true });
  wasmPath = join(out, "qpu.wasm");
  writeFileSync(wasmPath, await qpuWasm());
}, 300_000);

const X = { theta: Math.PI, phi: 0, lambda: Math.PI };

/** Circuits whose two-qubit gates are on pairs both shipped devices couple (0-1 and 1-2). */
function circuits(): Job[] {
  const bell: Job = { qubits: 2, clbits: 2, instructions: [{ op: "u", q: 0, ...H }, { op: "cx", c: 0, t: 1 }, { op: "measure", q: 0, clbit: 0 }, { op: "measure", q: 1, clbit: 1 }] };
  const feedback: Job = {
    qubits: 3, clbits: 3,
    instructions: [
      { op: "u", q: 0, theta: 1.1, phi: 0.3, lambda: -0.7 }, { op: "cx", c: 0, t: 1 }, { op: "measure", q: 1, clbit: 0 },
      { op: "if", start: 0, width: 1, value: 1n }, { op: "u", q: 2, ...X },
      { op: "reset", q: 1 }, { op: "u", q: 1, ...H }, { op: "cx", c: 1, t: 2 },
      { op: "measure", q: 1, clbit: 1 }, { op: "measure", q: 2, clbit: 2 },
    ],
  };
  const random = randomUnitaryCircuit(5, 3, 30);
  // Keep it runnable on the devices: two-qubit gates on the coupled pairs 0-1 and 1-2 only.
  random.instructions = random.instructions.filter((i) => (i.op !== "cx" && i.op !== "mcu") || (i.op === "cx" ? Math.abs(i.c - i.t) === 1 : i.controls.length === 0 || (i.controls.length === 1 && Math.abs(i.controls[0] - i.t) === 1)));
  random.clbits = 3;
  for (let q = 0; q < 3; q++) random.instructions.push({ op: "measure", q, clbit: q });
  return [bell, feedback, random];
}

interface Entry { code: number; entries: number[][] }

function underWasmtime(calibration: Uint8Array, runs: Array<{ job: Uint8Array; shots: number; seed: bigint; flags: number }>): Entry[] {
  const request = {
    wasm: wasmPath, calibration: Buffer.from(calibration).toString("hex"),
    runs: runs.map((r) => ({ job: Buffer.from(r.job).toString("hex"), shots: r.shots, seed: r.seed.toString(), flags: r.flags })),
  };
  const p = spawnSync(wasmtimePaths(root).python, [join(root, "tests/harness/qpu-wasmtime.py")], { input: JSON.stringify(request), encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`wasmtime run failed: ${p.stderr}`);
  return JSON.parse(p.stdout) as Entry[];
}

it("gives the same counts under Node and wasmtime, ideal and on both shipped devices", async () => {
  const qpu = await newQpu();
  const calibrations = [new Uint8Array(0), encodeCalibration(shipped("manila")), encodeCalibration(shipped("kolkata"))];
  for (const cal of calibrations) {
    const runs = circuits().flatMap((job, i) => [0, QRUN_PER_SHOT].map((flags) => ({ job: encodeJob(job), shots: 3000, seed: 0x9e3779b97f4a7c15n + BigInt(i), flags })));
    expect(qpu.calibrate(cal)).toBe(0);
    const node = runs.map((r): Entry => {
      const res = qpu.run(r.job, r.shots, r.seed, r.flags);
      return { code: res.code, entries: [...res.counts].map(([k, v]) => [Number(k & 0xffffffffn), Number(k >> 32n), v]) };
    });
    const wasmtime = underWasmtime(cal, runs);
    expect(wasmtime).toEqual(node);
    // Every run ran, and the noisy ones saw noise: a Bell pair on a device reads 01 or 10 sometimes.
    for (const r of node) expect(r.code).toBeGreaterThan(0);
    if (cal.length > 0) expect(node[0].entries.length).toBe(4);
  }
}, 300_000);
