// The QPU engine's figures for `quark bench`, each beside a peer measured in
// the same run, under each host (the engine is the HAL's code, hal/qpu/, run
// as its own module):
// - qpu.gate.16q, qpu.gate.20q, qpu.gate.24q: ns per amplitude of one general
//   one-qubit gate (fusion off, the gate cycling over five qubits spread
//   across the register), beside a plain Float64Array JavaScript kernel doing
//   the same gates on as many qubits (the floor a JS user can write);
// - qpu.gate.16q.qc (and qpu.gate.20q.qc in a full run: it takes ~20 s): the
//   same figure beside the npm package quantum-circuit running the same gates
//   on a dense state (Hadamards on every qubit first). At 24 qubits it is not
//   measured: the package keeps one JavaScript object per amplitude, some
//   16 million of them, and a gate would take about 45 s;
// - qpu.simd: the 20-qubit gates with the SIMD kernels beside the scalar one
//   (the ratio is what SIMD gains);
// - qpu.fusion: five gates in a row on each qubit, ns per amplitude per gate
//   as written, with fusion beside without it (the ratio is what fusion gains;
//   the circuit cycles over the 20 qubits, so a qubit's later gates join its
//   earlier product too).
// A sample is the time of a long run minus that of a short one, over their
// difference in gates, so the state's zeroing and the job's check cancel out.
// The gate counts shrink as the register grows, so that no sample is much
// more than a few hundred million amplitude updates.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { compileModule } from "../lib/compile";
import type { Runtime } from "../lib/conformance";
import { repoRoot } from "../lib/root";
import { encodeJob, type Job } from "../lib/qpu-job";
import { QRUN_NO_FUSION, QRUN_SCALAR } from "../../hal/qpu/job-format";
import { wasmtimePaths } from "../host-wasmtime/setup";
import { resultFromSeries, type BenchResult } from "./report";

interface Size { n: number; short: number; long: number }
const SIZES: Size[] = [{ n: 16, short: 40, long: 200 }, { n: 20, short: 10, long: 40 }, { n: 24, short: 2, long: 12 }];
/** The size qpu.simd and qpu.fusion are measured at. */
const MAIN = SIZES[1];

/** The five qubits a size's gates cycle over: both ends and three between. */
const spread = (n: number): number[] => [0, n >> 2, n >> 1, (3 * n) >> 2, n - 1];

interface TimedRun { job: Uint8Array; flags: number }

function gates(n: number, count: number, perQubit: number): Job {
  const instructions: Job["instructions"] = [];
  const qubits = spread(n);
  for (let i = 0; instructions.length < count; i++) {
    const q = perQubit > 1 ? Math.floor(i / perQubit) % n : qubits[i % qubits.length];
    instructions.push({ op: "u", q, theta: 0.3 + i * 1e-3, phi: 0.2, lambda: 0.1 });
  }
  return { qubits: n, clbits: 0, instructions };
}

// Pairs of a short run then a long one; a round runs them all in order, the smallest register first.
const RUNS: TimedRun[] = [];
function pair(n: number, short: number, long: number, flags: number, perQubit = 1): number {
  RUNS.push({ job: encodeJob(gates(n, short, perQubit)), flags }, { job: encodeJob(gates(n, long, perQubit)), flags });
  return RUNS.length - 2;
}
const SIMD_AT = SIZES.map((z) => pair(z.n, z.short, z.long, QRUN_NO_FUSION));
const SCALAR_AT = pair(MAIN.n, MAIN.short, MAIN.long, QRUN_NO_FUSION | QRUN_SCALAR);
const FUSED_AT = pair(MAIN.n, MAIN.short * 5, MAIN.long * 5, 0, 5);
const UNFUSED_AT = pair(MAIN.n, MAIN.short * 5, MAIN.long * 5, QRUN_NO_FUSION, 5);

async function engineWasm(root: string): Promise<Uint8Array> {
  return (await compileModule({ kind: "hal", entry: join(root, "hal/qpu/engine.ts"), root })).wasm;
}

/** The qubits the engine is set to allow: the largest size measured (a QPU allows QPU_DEFAULT_QUBITS unless told). */
const ALLOW = Math.max(...SIZES.map((z) => z.n));

interface Engine {
  memory: WebAssembly.Memory;
  qpuAllow(n: number): number;
  qpuJobBuffer(bytes: number): number;
  qpuRun(bytes: number, shots: number, seed: bigint, flags: number): number;
}

/** ns of each run, per round, in Node's engine. */
function timeNode(wasm: Uint8Array, rounds: number): number[][] {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), {}).exports as unknown as Engine;
  if (ex.qpuAllow(ALLOW) < 0) throw new Error(`qpu bench: the engine does not allow ${ALLOW} qubits`);
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
  const input = JSON.stringify({ wasm: path, rounds, allow: ALLOW, runs: RUNS.map((r) => ({ job: Buffer.from(r.job).toString("hex"), flags: r.flags })) });
  const p = spawnSync(wasmtimePaths(root).python, [join(root, "tools/bench/qpu.py")], { input, encoding: "utf8" });
  if (p.status !== 0) throw new Error(`qpu bench under wasmtime failed (${p.status}): ${p.stderr.trim()}`);
  return (JSON.parse(p.stdout) as { ns: number[][] }).ns;
}

/** The same gates as the engine's qpu.gate.Nq, in plain JavaScript over a Float64Array: ns per amplitude per gate, per round. */
function jsFloor(z: Size, rounds: number): number[] {
  const n = z.n, qubits = spread(n);
  const psi = new Float64Array(2 << n);
  psi[0] = 1;
  const apply = (t: number, theta: number): void => {
    const c = Math.cos(theta / 2), s = Math.sin(theta / 2);
    const lr = Math.cos(0.1), li = Math.sin(0.1), pr = Math.cos(0.2), pi = Math.sin(0.2), qr = Math.cos(0.3), qi = Math.sin(0.3);
    const half = 1 << t;
    for (let b = 0; b < 1 << n; b += 2 * half) {
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
    for (let i = 0; i < count; i++) apply(qubits[i % qubits.length], 0.3 + i * 1e-3);
    return Number(process.hrtime.bigint() - t);
  };
  pass(z.short);
  return Array.from({ length: rounds }, () => (pass(z.long) - pass(z.short)) / ((z.long - z.short) * 2 ** n));
}

/** The quantum-circuit release measured (package.json pins it). */
export const QUANTUM_CIRCUIT_VERSION = "0.9.250";
const QC_EXTRA = 5;
const qcMemo = new Map<number, number[]>();

/**
 * The same gates run by quantum-circuit: Hadamards on every qubit (a dense
 * state, as the engine's amplitudes always are) then QC_EXTRA of the gates,
 * less the same circuit without them; ns per amplitude per gate, one sample
 * (a sample at 16 qubits takes ~1.5 s). Measured once per bench run, in Node
 * (it is a JavaScript package), and shown beside both hosts; loaded at run
 * time rather than bundled into the CLI.
 */
function quantumCircuit(n: number): number[] {
  const known = qcMemo.get(n);
  if (known) return known;
  const QuantumCircuit = quietly(() => createRequire(import.meta.url)("quantum-circuit"));
  const qubits = spread(n);
  const time = (extra: number): number => {
    const c = new QuantumCircuit(n);
    for (let q = 0; q < n; q++) c.addGate("h", -1, q);
    for (let i = 0; i < extra; i++) c.addGate("u3", -1, qubits[i % qubits.length], { params: { theta: 0.3 + i * 1e-3, phi: 0.2, lambda: 0.1 } });
    const t = process.hrtime.bigint();
    c.run();
    return Number(process.hrtime.bigint() - t);
  };
  const samples = [(time(QC_EXTRA) - time(0)) / (QC_EXTRA * 2 ** n)];
  qcMemo.set(n, samples);
  return samples;
}

/** `load()` with Node's warnings about the package's own circular imports (antlr4's) left off stderr. */
function quietly<T>(load: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (!String(w).includes("circular dependency")) (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try { return load(); } finally { process.emitWarning = emit; }
}

/** Per round, ns per amplitude per gate of runs a (short) and a + 1 (long) over `extra` gates on n qubits. */
const perAmplitude = (times: number[][], a: number, extra: number, n: number): number[] => times.map((t) => (t[a + 1] - t[a]) / (extra * 2 ** n));

export async function qpuFigures(runtime: Runtime, quick: boolean): Promise<BenchResult[]> {
  const root = repoRoot();
  const rounds = quick ? 3 : 10;
  const wasm = await engineWasm(root);
  const times = runtime === "node" ? timeNode(wasm, rounds) : timeWasmtime(root, wasm, rounds);
  const series = (name: string, samples: number[], attrs: Record<string, string>) => ({ name, unit: "ns", batch: 1, samples, line: 0, attrs });
  const out: BenchResult[] = [];
  SIZES.forEach((z, i) => {
    const own = perAmplitude(times, SIMD_AT[i], z.long - z.short, z.n);
    const per = { per: `amplitude per one-qubit gate, ${z.n} qubits` };
    out.push(resultFromSeries(series(`qpu.gate.${z.n}q`, own, per), runtime,
      { name: `a plain Float64Array JavaScript kernel, the same gates on ${z.n} qubits (Node, same run)`, samples: jsFloor(z, rounds) }));
    if (z.n === 16 || (z.n === 20 && !quick)) {
      out.push(resultFromSeries(series(`qpu.gate.${z.n}q.qc`, own, per), runtime,
        { name: `npm quantum-circuit ${QUANTUM_CIRCUIT_VERSION}, the same gates on a dense ${z.n}-qubit state (Node, same run)`, samples: quantumCircuit(z.n) }));
    }
  });
  const extra = MAIN.long - MAIN.short, main = SIMD_AT[SIZES.indexOf(MAIN)];
  const per = { per: `amplitude per one-qubit gate, ${MAIN.n} qubits` };
  out.push(
    resultFromSeries(series("qpu.simd", perAmplitude(times, main, extra, MAIN.n), per), runtime,
      { name: "the engine's scalar kernel, the same gates, same run", samples: perAmplitude(times, SCALAR_AT, extra, MAIN.n) }),
    resultFromSeries(series("qpu.fusion", perAmplitude(times, FUSED_AT, extra * 5, MAIN.n), { per: "amplitude per gate as written: 5 in a row on each qubit" }), runtime,
      { name: "the same circuit without fusion, same run", samples: perAmplitude(times, UNFUSED_AT, extra * 5, MAIN.n) }),
  );
  return out;
}
