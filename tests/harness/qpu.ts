// The QPU engine (hal/qpu/, through tests/harness/as/qpu.ts) compiled as the
// HAL compiles it and instantiated on its own, with helpers that write a job
// or a calibration table into its buffers, run it and read the counts, the
// state or the refusal back.
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";
import { encodeJob, refusalText, type Job } from "../../tools/lib/qpu-job";
import { QRES_ENTRY_BYTES, QRES_OUTCOME_LO, QRES_OUTCOME_HI, QRES_COUNT } from "../../hal/qpu/job-format";

const root = repoRoot();

export interface QpuExports {
  memory: WebAssembly.Memory;
  qpuAllow(n: number): number;
  qpuJobBuffer(bytes: number): number;
  qpuCalibrationBuffer(bytes: number): number;
  qpuCalibrate(bytes: number): number;
  qpuRun(bytes: number, shots: number, seed: bigint, flags: number): number;
  qpuResults(): number;
  qpuState(): number;
  qpuStateQubits(): number;
  qpuReason(): number;
  qpuReasonAt(): number;
  qpuReasonA(): bigint;
  qpuReasonB(): bigint;
  qpuDepolarizing(n: number, err: number, len: number, t1a: number, t2a: number, t1b: number, t2b: number): number;
  qpuNoiseRecord(kind: number, q0: number, q1: number): number;
}

export interface RunResult {
  code: number;
  /** Outcome (bit i = classical bit i) to shots. */
  counts: Map<bigint, number>;
  /** The refusal's one line, when code < 0. */
  reason: string;
}

export class Qpu {
  constructor(readonly ex: QpuExports) {}

  /** Writes a calibration table (empty: ideal); the engine's answer. */
  calibrate(table: Uint8Array): number {
    if (table.length > 0) {
      const at = this.ex.qpuCalibrationBuffer(table.length);
      if (at === 0) throw new Error("no calibration buffer");
      new Uint8Array(this.ex.memory.buffer, at, table.length).set(table);
    }
    return this.ex.qpuCalibrate(table.length);
  }

  run(job: Job | Uint8Array, shots: number, seed = 1n, flags = 0): RunResult {
    const bytes = job instanceof Uint8Array ? job : encodeJob(job);
    const at = this.ex.qpuJobBuffer(bytes.length);
    if (at === 0) throw new Error("no job buffer");
    new Uint8Array(this.ex.memory.buffer, at, bytes.length).set(bytes);
    const code = this.ex.qpuRun(bytes.length, shots, seed, flags);
    const counts = new Map<bigint, number>();
    if (code > 0) {
      const view = new DataView(this.ex.memory.buffer, this.ex.qpuResults(), code * QRES_ENTRY_BYTES);
      for (let e = 0; e < code; e++) {
        const o = e * QRES_ENTRY_BYTES;
        const outcome = BigInt(view.getUint32(o + QRES_OUTCOME_LO, true)) | (BigInt(view.getUint32(o + QRES_OUTCOME_HI, true)) << 32n);
        counts.set(outcome, view.getUint32(o + QRES_COUNT, true));
      }
    }
    return { code, counts, reason: code < 0 ? this.reason() : "" };
  }

  reason(): string {
    return refusalText(this.ex.qpuReason(), this.ex.qpuReasonAt(), this.ex.qpuReasonA(), this.ex.qpuReasonB());
  }

  /** The amplitudes after running `job` once (0 shots), as (re, im) pairs. */
  state(job: Job, flags = 0, seed = 1n): Float64Array {
    const r = this.run(job, 0, seed, flags);
    if (r.code < 0) throw new Error(r.reason);
    const n = this.ex.qpuStateQubits();
    return new Float64Array(this.ex.memory.buffer.slice(this.ex.qpuState(), this.ex.qpuState() + 16 * 2 ** n));
  }
}

let module: Promise<WebAssembly.Module> | undefined;

/** The engine's bytes, compiled once per test file. */
export async function qpuWasm(): Promise<Uint8Array> {
  const { wasm } = await compileModule({ kind: "hal", entry: `${root}/tests/harness/as/qpu.ts`, root });
  return wasm;
}

/** A fresh engine (its own memory), as a QPU device starts. */
export async function newQpu(): Promise<Qpu> {
  module ??= qpuWasm().then((w) => new WebAssembly.Module(w as Uint8Array<ArrayBuffer>));
  const instance = new WebAssembly.Instance(await module, {});
  return new Qpu(instance.exports as unknown as QpuExports);
}
