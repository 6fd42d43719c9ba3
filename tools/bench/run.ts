// `quark bench`: boots images/bench.toml under each host, collects the
// in-image figures (#bench lines), measures the Node peers in the same run,
// and prints each figure beside its peer as a ratio, with the machine.
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildImage } from "../lib/build";
import { parseConsole, type BenchSeries } from "../lib/results";
import { repoRoot } from "../lib/root";
import { runSuite, type Runtime } from "../lib/conformance";
import { bootWasmtime } from "../host-wasmtime/launch";
import { ensureWasmtime, WASMTIME_VERSION } from "../host-wasmtime/setup";
import { measureMessageChannelRoundTrip, measureMessageChannelThroughput, ROUND_TRIP_PEER, THROUGHPUT_PEER } from "./peer";
import { measureWorkerStart, WORKER_START_PEER, measureMessageChannelBytes, BYTES_PEER } from "./peer-extra";
import { machineInfo, resultFromSeries, formatBenchTable, toBenchJson, type BenchResult, type PeerSamples } from "./report";

export interface BenchOptions {
  runtimes: Runtime[];
  json: boolean;
  quick: boolean;
  log?: (s: string) => void;
  write?: (s: string) => void;
}

interface Peers { roundTrip: PeerSamples; throughput: PeerSamples; bytes: PeerSamples; workerStart: PeerSamples }

async function measurePeers(quick: boolean): Promise<Peers> {
  const samples = quick ? 20 : 100;
  const rt = await measureMessageChannelRoundTrip({ batch: 200, samples });
  const tp = await measureMessageChannelThroughput({ batch: 1024, samples: Math.max(10, samples / 4) });
  const by = await measureMessageChannelBytes({ bytes: 4096, batch: 100, samples });
  const ws = await measureWorkerStart({ samples: quick ? 5 : 20 });
  return {
    roundTrip: { name: ROUND_TRIP_PEER, samples: rt.samplesNs },
    throughput: { name: THROUGHPUT_PEER, samples: tp.samplesPerSecond },
    bytes: { name: BYTES_PEER, samples: by.samplesNs },
    workerStart: { name: WORKER_START_PEER, samples: ws.samplesNs },
  };
}

// Figures measured inside the image as the baseline of another (the peer is
// then the same work done without the kernel, in the same instance and run).
const IN_IMAGE_PEERS: Record<string, [string, string]> = {
  "vm.rw.4k": ["memory.copy.4k", "a plain 4 KiB write + read inside the service's own memory (memory.copy)"],
  "vm.fault.zero": ["vm.write.resident", "the same one-byte vm_write to a page already backed"],
  "mem.alloc.small": ["heap.alloc.64", "64 bytes from the service's own heap (AssemblyScript's allocator, no call)"],
};
const BASELINES = new Set(Object.values(IN_IMAGE_PEERS).map(([series]) => series));

function inImagePeer(name: string, series: BenchSeries[]): PeerSamples | undefined {
  const p = IN_IMAGE_PEERS[name];
  const s = p && series.find((x) => x.name === p[0]);
  return s ? { name: p[1], samples: s.samples } : undefined;
}

function peerFor(name: string, p: Peers): PeerSamples | undefined {
  switch (name) {
    case "ipc.call.roundtrip": return p.roundTrip;
    case "ipc.send.throughput": return p.throughput;
    case "lease.copy.4k": return p.bytes;
    case "restart.after_trap": return p.workerStart;
    case "boot.ready": return p.workerStart;
  }
  return undefined;
}

/**
 * boot.ready: host start to the ready line, from init's own "boot took" figure
 * (the machine's clock starts when the host begins to read the image). Each
 * sample is a fresh host process, so nothing is warm from an earlier boot.
 */
async function bootReady(runtime: Runtime, image: string, runs: number): Promise<BenchSeries> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    let text = "";
    if (runtime === "node") {
      const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "quark.mjs"), "boot", image, "--until-ready"], { encoding: "utf8" });
      text = r.stdout;
    } else {
      const capture = { stdout: "", stderr: "" };
      await bootWasmtime(repoRoot(), image, { untilReady: true }, { capture, input: "", quietSetup: true });
      text = capture.stdout;
    }
    const m = /boot took ([\d.]+) ms/.exec(text);
    if (!m) throw new Error(`boot.ready: no ready line from the ${runtime} host:\n${text}`);
    samples.push(Number(m[1]) * 1e6);
  }
  return { name: "boot.ready", unit: "ns", batch: 1, samples, line: 0, attrs: {} } as BenchSeries;
}

export async function runBench(opts: BenchOptions): Promise<number> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  const root = repoRoot();
  const built = await buildImage(join(root, "images", "bench.toml"), { root, log: opts.log });
  const dflt = await buildImage(join(root, "images", "default.toml"), { root, log: opts.log });
  let wasmtimeVersion: string | undefined;
  if (opts.runtimes.includes("wasmtime")) {
    const s = await ensureWasmtime({ root, log: opts.log });
    wasmtimeVersion = WASMTIME_VERSION + (s.shim ? " (C trampoline)" : " (Python trampoline: no C compiler)");
  }
  opts.log?.("quark: measuring the Node peers (MessageChannel between worker_threads, Worker start)");
  const peers = await measurePeers(opts.quick);
  const results: BenchResult[] = [];
  for (const runtime of opts.runtimes) {
    opts.log?.(`quark: benchmarks under ${runtime}`);
    // Quiet: the log service still formats every line, but the console carries only '#' lines.
    const { text } = await runSuite(built.out, runtime, true);
    const run = parseConsole(text);
    if (!text.includes("#bench-done")) throw new Error(`the bench service did not finish under ${runtime}:\n${text.slice(-2000)}`);
    const series = [...run.bench, await bootReady(runtime, dflt.out, opts.quick ? 5 : 20)];
    for (const s of series) {
      if (BASELINES.has(s.name)) continue;
      results.push(resultFromSeries(s, runtime, peerFor(s.name, peers) ?? inImagePeer(s.name, series)));
    }
  }
  const info = machineInfo({ wasmtime: wasmtimeVersion });
  write(opts.json ? toBenchJson(results, info) + "\n" : formatBenchTable(results, info));
  return 0;
}
