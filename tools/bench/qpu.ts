// The QPU engine's figures for `quark bench`, each beside a peer measured in
// the same run, under each host (the engine is the HAL's code, hal/qpu/, run
// as its own module):
// - qpu.gate.20q: ns per amplitude of one general one-qubit gate on 20 qubits
//   (fusion off, the gate cycling over qubits 0, 5, 10, 15, 19), beside a plain
//   Float64Array JavaScript kernel doing the same gates (the floor a JS user
//   can write);
// - qpu.simd: the same with the SIMD kernels beside the scalar one (the ratio
//   is what SIMD gains);
// - qpu.fusion: five gates in a row on each qubit, ns per amplitude per gate
//   as written, with fusion beside without it (the ratio is what fusion gains;
//   the circuit cycles over the 20 qubits, so a qubit's later gates join its
//   earlier product too).
// A sample is the time of a 40-gate run minus that of a 10-gate run, over 30
// gates, so the state's zeroing and the job's check cancel out.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileModule } from "../lib/compile";
import type { Runtime } from "../lib/conformance";
import { repoRoot } from "../lib/root";
import { encodeJob, type Job } from "../lib/qpu-job";
import { QRUN_NO_FUSION, QRUN_SCALAR } from "../../hal/qpu/job-format";
import { wasmtimePaths } from "../host-wasmtime/setup";
import { resultFromSeries, type BenchResult } from "./report";

const N = 20;
const QUBITS = [0, 5, 10, 15, 19];
const SHORT = 10;
const LONG = 40;

interface TimedRun { job: Uint8Array; flags: number }

function gates(count: number, perQubit: number): Job {
  const instructions: Job["instructions"] = [];
  for (let i = 0; instructions.length < count; i++) {
    const q = perQubit > 1 ? Math.floor(i / perQubit) % N : QUBITS[i % QUBITS.length];
    instructions.push({ op: "u", q, theta: 0.3 + i * 1e-3, phi: 0.2, lambda: 0.1 });
  }
  return { qubits: N, clbits: 0, instructions };
}

// Per round: [simd short, simd long, scalar short, scalar long, fused short, fused long, unfused short, unfused long].
const RUNS: TimedRun[] = [
  ...[QRUN_NO_FUSION, QRUN_NO_FUSION | QRUN_SCALAR].flatMap((flags) => [SHORT, LONG].map((g) => ({ job: encodeJob(gates(g, 1)), flags }))),
  ...[0, QRUN_NO_FUSION].flatMap((flags) => [SHORT * 5, LONG * 5].map((g) => ({ job: encodeJob(gates(g, 5)), flags }))),
];

async function engineWasm(root: string): Promise<Uint8Array> {
  return (await compileModule({ kind: "hal", entry: join(root, "hal/qpu/engine.ts"), root })).wasm;
}

interface Engine {
  memory: WebAssembly.Memory;
  qpuJobBuffer(bytes: number): number;
  qpuRun(bytes: number, shots: number, seed: bigint, flags: number): number;
}

/** ns of each run, per round, in Node's engine. */
function timeNode(wasm: Uint8Array, rounds: number): number[][] {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), {}).exports as unknown as Engine;
  const once = (r: TimedRun): number => {
    const at = ex.qpuJobBuffer(r.job.length); // may grow the memory: its buffer is read after
    new Uint8Array(ex.memory.buffer, at, r.job.length).set(r.job);
    const t = process.hrtime.bigint();
    const code = ex.qpuRun(r.job.length, 0, 1n, r.flags);
    const ns = Number(process.hrtime.bigint() - t);
    if (code < 0) throw new Error(`qpu bench: the engine refused its job (${code})`);
    return ns;
  };
  RUNS.forEach(once); // warm-up: memory grown, code tiered up
  return Array.from({ length: rounds }, () => RUNS.map(once));
}

/** ns of each run, per round, in wasmtime (tools/bench/qpu.py). */
function timeWasmtime(root: string, wasm: Uint8Array, rounds: number): number[][] {
  const dir = join(root, "build", "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "qpu.wasm");
  writeFileSync(path, wasm);
  const input = JSON.stringify({ wasm: path, rounds, runs: RUNS.map((r) => ({ job: Buffer.from(r.job).toString("hex"), flags: r.flags })) });
  const p = spawnSync(wasmtimePaths(root).python, [join(root, "tools/bench/qpu.py")], { input, encoding: "utf8" });
  if (p.status !== 0) throw new Error(`qpu bench under wasmtime failed (${p.status}): ${p.stderr.trim()}`);
  return (JSON.parse(p.stdout) as { ns: number[][] }).ns;
}

/** The same gates as the engine's qpu.gate.20q, in plain JavaScript over a Float64Array: ns per amplitude per gate, per round. */
function jsFloor(rounds: number): number[] {
  const psi = new Float64Array(2 << N);
  psi[0] = 1;
  const apply = (t: number, theta: number): void => {
    const c = Math.cos(theta / 2), s = Math.sin(theta / 2);
    const lr = Math.cos(0.1), li = Math.sin(0.1), pr = Math.cos(0.2), pi = Math.sin(0.2), qr = Math.cos(0.3), qi = Math.sin(0.3);
    const half = 1 << t;
    for (let b = 0; b < 1 << N; b += 2 * half) {
      for (let i = b; i < b + half; i++) {
        const p = 2 * i, q = 2 * (i + half);
        const ar = psi[p], ai = psi[p + 1], br = psi[q], bi = psi[q + 1];
        // U(θ, 0.2, 0.1): [[c, −e^{iλ}s], [e^{iφ}s, e^{i(φ+λ)}c]]
        psi[p] = c * ar - s * (lr * br - li * bi);
        psi[p + 1] = c * ai - s * (lr * bi + li * br);
        psi[q] = s * (pr * ar - pi * ai) + c * (qr * br - qi * bi);
        psi[q + 1] = s * (pr * ai + pi * ar) + c * (qr * bi + qi * br);
      }
    }
  };
  const pass = (count: number): number => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) apply(QUBITS[i % QUBITS.length], 0.3 + i * 1e-3);
    return Number(process.hrtime.bigint() - t);
  };
  pass(SHORT);
  return Array.from({ length: rounds }, () => (pass(LONG) - pass(SHORT)) / ((LONG - SHORT) * 2 ** N));
}

/** Per round, ns per amplitude per gate of runs a (short) and a + 1 (long) over `gates` extra gates. */
const perAmplitude = (times: number[][], a: number, extra: number): number[] => times.map((t) => (t[a + 1] - t[a]) / (extra * 2 ** N));

export async function qpuFigures(runtime: Runtime, quick: boolean): Promise<BenchResult[]> {
  const root = repoRoot();
  const rounds = quick ? 3 : 10;
  const wasm = await engineWasm(root);
  const times = runtime === "node" ? timeNode(wasm, rounds) : timeWasmtime(root, wasm, rounds);
  const floor = jsFloor(rounds);
  const series = (name: string, samples: number[], attrs: Record<string, string>) => ({ name, unit: "ns", batch: 1, samples, line: 0, attrs });
  const simd = perAmplitude(times, 0, LONG - SHORT);
  const scalar = perAmplitude(times, 2, LONG - SHORT);
  const fused = perAmplitude(times, 4, (LONG - SHORT) * 5);
  const unfused = perAmplitude(times, 6, (LONG - SHORT) * 5);
  const per = { per: "amplitude per one-qubit gate, 20 qubits" };
  return [
    resultFromSeries(series("qpu.gate.20q", simd, per), runtime, { name: "a plain Float64Array JavaScript kernel, the same gates (Node, same run)", samples: floor }),
    resultFromSeries(series("qpu.simd", simd, per), runtime, { name: "the engine's scalar kernel, the same gates, same run", samples: scalar }),
    resultFromSeries(series("qpu.fusion", fused, { per: "amplitude per gate as written: 5 in a row on each qubit" }), runtime, { name: "the same circuit without fusion, same run", samples: unfused }),
  ];
}
