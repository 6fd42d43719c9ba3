// ipc.floor: the same round trip as ipc.call.roundtrip (client -> an export
// that checks a slot table -> the host's trap-catching trampoline -> the
// server's handler and back) between plain Wasm instances with no kernel,
// timed inside the client with the same clock and batching as
// userland/bench/index.ts, under the host's own trampoline. quark bench sets
// ipc.call.roundtrip beside it, measured in the same run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Runtime } from "../../lib/conformance";
import type { BenchSeries } from "../../lib/results";
import { repoRoot } from "../../lib/root";
import { wasmtimePaths } from "../../host-wasmtime/setup";
import { abiConstants } from "../../lib/image-check";
import { buildFloor, FLOOR_MAX_SAMPLES } from "./build";
import { floorNode } from "./node";

/** As userland/bench/index.ts SAMPLES and BATCH. */
export const FLOOR_SAMPLES = 200;
export const FLOOR_BATCH = 2000;

export async function measureFloor(runtime: Runtime, samples = FLOOR_SAMPLES, batch = FLOOR_BATCH): Promise<BenchSeries> {
  if (samples > FLOOR_MAX_SAMPLES) throw new Error(`ipc.floor: at most ${FLOOR_MAX_SAMPLES} samples`);
  const { modules, dir } = await buildFloor();
  const { totals, trampoline } = runtime === "node"
    ? { totals: floorNode(modules, samples, batch), trampoline: "JS try/catch" }
    : floorWasmtime(dir, samples, batch);
  return { name: "ipc.floor", unit: "ns", batch, samples: totals.map((t) => t / batch), line: 0, attrs: { trampoline } } as BenchSeries;
}

function floorWasmtime(dir: string, samples: number, batch: number): { totals: number[]; trampoline: string } {
  const paths = wasmtimePaths(repoRoot());
  const script = join(repoRoot(), "tools", "bench", "floor", "floor.py");
  const input = JSON.stringify(abiConstants()); // the trampoline's status codes, as a booted image gives them
  const r = spawnSync(paths.python, [script, dir, paths.shim, String(samples), String(batch)], { encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`ipc.floor under wasmtime failed (${r.status}): ${r.stderr.trim() || r.error?.message}`);
  const out = JSON.parse(r.stdout) as { samples_ns: number[]; trampoline: string };
  if (out.samples_ns.length !== samples) throw new Error(`ipc.floor under wasmtime: ${out.samples_ns.length} samples, not ${samples}`);
  return { totals: out.samples_ns, trampoline: out.trampoline };
}
