// ipc.floor under Node: the floor's modules as plain instances, joined by a
// trampoline of the same shape as tools/host-node/machine.ts invoke (an
// entry table by pid, a try/catch around the callee, the verdict check).
import * as abi from "../../../kernel/abi";
import { FLOOR_SAMPLES_AT, type FloorModules } from "./build";

type Entry = (a0: number, a1: number) => number;
const ENTRY_NAMES = ["quark_start", "quark_handle", "quark_notify", "quark_save"];
const PIDS = 3;

/** `samples` per-batch totals in ns of `batch` round trips each, timed inside the client. */
export function floorNode(mods: FloorModules, samples: number, batch: number): number[] {
  const entries: (Entry | undefined)[] = new Array(PIDS * abi.ENTRY_COUNT).fill(undefined);
  const compiled = [undefined, new WebAssembly.Module(mods.client), new WebAssembly.Module(mods.server)];
  const t0 = performance.now();
  let kernel: Record<string, any> = {};
  const invoke = (pid: number, entry: number, a0: number, a1: number): number => {
    const f = entries[pid * abi.ENTRY_COUNT + entry];
    if (f === undefined) return abi.INVOKE_NOENTRY;
    try {
      const r = f(a0, a1);
      return r === abi.INVOKE_TRAPPED || r === abi.INVOKE_NOENTRY ? abi.E_ARG : r;
    } catch {
      return abi.INVOKE_TRAPPED;
    }
  };
  const spawn = (pid: number, module: number): number => {
    const mod = compiled[module];
    if (mod === undefined || pid <= 0 || pid >= PIDS) return abi.E_NOMODULE;
    const quark = { call: kernel.call, time: kernel.time, record: kernel.record };
    const ex = new WebAssembly.Instance(mod, { quark }).exports as Record<string, unknown>;
    for (let i = 0; i < abi.ENTRY_COUNT; i++) {
      const f = ex[ENTRY_NAMES[i]];
      entries[pid * abi.ENTRY_COUNT + i] = typeof f === "function" ? (f as Entry) : undefined;
    }
    return abi.OK;
  };
  const host = { invoke, spawn, now: () => (performance.now() - t0) * 1e6 };
  kernel = new WebAssembly.Instance(new WebAssembly.Module(mods.kernel), { host }).exports as Record<string, any>;
  const s = kernel.setup() as number;
  if (s !== abi.OK) throw new Error(`ipc.floor under node: setup answered ${s}`);
  const r = kernel.run(samples, batch) as number;
  if (r !== abi.OK) throw new Error(`ipc.floor under node: the client answered ${r}`);
  const out = new BigInt64Array((kernel.memory as WebAssembly.Memory).buffer, FLOOR_SAMPLES_AT, samples);
  return Array.from(out, Number);
}
