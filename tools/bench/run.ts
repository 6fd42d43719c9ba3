// `quark bench`: boots images/bench.toml under each host, collects the
// in-image figures (#bench lines), measures the Node peers in the same run,
// and prints each figure beside its peer as a ratio, with the machine.
// monitor.overhead is derived from monitor.check and monitor.heartbeat, and
// cross-checked on the host (monitor-host.ts); the figures the issue sets a
// target for carry it (report.ts, TARGETS).
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildImage } from "../lib/build";
import { parseManifest, capSpec, type Manifest } from "../lib/manifest";
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import { parseConsole, type BenchSeries } from "../lib/results";
import { repoRoot } from "../lib/root";
import { runSuite, type Runtime } from "../lib/conformance";
import { bootWasmtime } from "../host-wasmtime/launch";
import { ensureWasmtime, WASMTIME_VERSION } from "../host-wasmtime/setup";
import { measureMessageChannelRoundTrip, measureMessageChannelThroughput, ROUND_TRIP_PEER, THROUGHPUT_PEER } from "./peer";
import { measureWorkerStart, WORKER_START_PEER, measureMessageChannelBytes, BYTES_PEER } from "./peer-extra";
import { measureCliStart } from "./cli-start";
import { measureRegistryLookup, REGISTRY_PEER, type LookupMode } from "./peer-registry";
import { monitorHostCheck, type MonitorHostCheck } from "./monitor-host";
import { measureFloor } from "./floor/index";
import { qpuFigures } from "./qpu";
import { qosRuns, qosResults, sameRuns, type QosRun } from "./qos";
import {
  machineInfo, resultFromSeries, formatBenchTable, toBenchJson, withTarget, monitorOverhead, withFloor, FLOOR_TEXT,
  type BenchResult, type PeerSamples, type QosReport,
} from "./report";

export interface BenchOptions {
  runtimes: Runtime[];
  json: boolean;
  quick: boolean;
  log?: (s: string) => void;
  write?: (s: string) => void;
}

interface Peers {
  roundTrip: PeerSamples; throughput: PeerSamples; bytes: PeerSamples; workerStart: PeerSamples;
  lookup: Record<LookupMode, PeerSamples>;
}

// The registry figures' queries (userland/bench/service.ts asks the same of init).
const LOOKUPS: Record<string, { mode: LookupMode; query: string }> = {
  "registry.lookup": { mode: "name", query: "echo" },
  "registry.lookup.pattern": { mode: "pattern", query: "ech*" },
  "registry.lookup.tag": { mode: "tag", query: "demo" },
};

async function measurePeers(quick: boolean, bench: Manifest): Promise<Peers> {
  const samples = quick ? 20 : 100;
  const rt = await measureMessageChannelRoundTrip({ batch: 200, samples });
  const tp = await measureMessageChannelThroughput({ batch: 1024, samples: Math.max(10, samples / 4) });
  const by = await measureMessageChannelBytes({ bytes: 4096, batch: 100, samples });
  const ws = await measureWorkerStart({ samples: quick ? 5 : 20 });
  // The worker's registry holds the bench image's services, as init's does.
  const entries = bench.services.map((s) => ({ name: s.name, tags: s.tags }));
  const lookup = {} as Record<LookupMode, PeerSamples>;
  for (const { mode, query } of Object.values(LOOKUPS)) {
    const r = await measureRegistryLookup({ entries, mode, query, batch: 100, samples });
    lookup[mode] = { name: `${REGISTRY_PEER} (by ${mode})`, samples: r.samplesNs };
  }
  return {
    roundTrip: { name: ROUND_TRIP_PEER, samples: rt.samplesNs },
    throughput: { name: THROUGHPUT_PEER, samples: tp.samplesPerSecond },
    bytes: { name: BYTES_PEER, samples: by.samplesNs },
    workerStart: { name: WORKER_START_PEER, samples: ws.samplesNs },
    lookup,
  };
}

// Figures measured inside the image as the baseline of another (the peer is
// then the same work done without the kernel, in the same instance and run).
const IN_IMAGE_PEERS: Record<string, [string, string]> = {
  "vm.rw.4k": ["memory.copy.4k", "a plain 4 KiB write + read inside the service's own memory (memory.copy)"],
  "vm.fault.zero": ["vm.write.resident", "the same one-byte vm_write to a page already backed"],
  "mem.alloc.small": ["heap.alloc.64", "64 bytes from the service's own heap (AssemblyScript's allocator, no call)"],
  // The kernel's own floor for a notification: the same poll, raise and entry for its timer line.
  "irq.deliver": ["irq.note.timer", "a timer notification (the kernel's own line) to the same handler, alternating with it"],
  // The device manager: an open and close beside a plain call to it; a plug seen by a subscriber beside a send's delivery.
  "dev.open": ["dev.peer.call", "a plain call round trip to the device manager (TAG_DEV_COUNT), alternating with it"],
  "dev.hotplug.seen": ["dev.peer.send", "a send to the subscriber's own endpoint to the entry of the same handler, alternating with it"],
  // Plug to bound: the same plug, until the waiter hears blkdrv holds it, beside the same send.
  "dev.hotplug.bound": ["dev.peer.send", "a send to the waiter's own endpoint to the entry of the same handler, alternating with it"],
  // A 4 KiB read through the devmgr and its driver beside the same sectors read on the registers directly.
  "dev.read.4k": ["dev.read.4k.regs", "the same 8 sectors read by the client on the block device's registers itself, alternating with it"],
  // A qubit allocation through the quantum scheduler beside a plain call to it.
  "qpu.alloc": ["qpu.peer.call", "a plain call round trip to the quantum scheduler (TAG_QS_INFO), alternating with it"],
  // A 64-byte line through the console driver beside the kernel's own console_write of the same line.
  "con.write.line": ["con.write.kernel", "the kernel's own console_write of the same line (its early console, no driver), alternating with it"],
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
    case "ipc.call.null": return p.roundTrip;
    case "ipc.send.throughput": return p.throughput;
    case "lease.copy.4k": return p.bytes;
    case "restart.after_trap": return p.workerStart;
    case "boot.ready": return p.workerStart;
    case "boot.ready.core": return p.workerStart;
  }
  const l = LOOKUPS[name];
  return l && p.lookup[l.mode];
}

// irq.deliver's bound is on its p99 (report.ts TARGETS); its peer's p99 is set beside it,
// since a p99 on a shared machine means something only next to the same run's.

function irqTarget(r: BenchResult, series: BenchSeries[]): BenchResult {
  const peer = series.find((x) => x.name === IN_IMAGE_PEERS["irq.deliver"][0]);
  const peerP99 = peer && resultFromSeries(peer, r.host).p99_ns;
  return { ...r, ...(peerP99 !== undefined && { peer_p99_ns: peerP99 }) };
}

/** What the manifest says about the conditions of a figure, carried into its result. */
function conditions(name: string, bench: Manifest): Record<string, unknown> {
  const svc = (n: string) => {
    const s = bench.services.find((x) => x.name === n);
    if (!s) throw new Error(`images/bench.toml has no service "${n}"`);
    return s;
  };
  switch (name) {
    case "restart.after_trap": {
      const echo = svc("echo");
      return { restart_delay_ms: echo.restartDelayMs, restart_backoff: echo.restartBackoff };
    }
    case "limit.cpu.stop": return { cpu_budget: svc("spin").cpuBudget };
    case "limit.queue.refuse": return { queue_depth: svc("spin").queueDepth };
    case "limit.quota.refuse": return { page_quota: svc("bench").pageQuota };
  }
  return {};
}

/** Attributes of a #bench line that are numbers become numbers in the JSON. */
function numericAttrs(series: BenchSeries): BenchSeries {
  const attrs: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(series.attrs)) attrs[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  return { ...series, attrs: attrs as Record<string, string> };
}

/**
 * Heartbeats per second of every heartbeating service of the default image:
 * echo beats every ECHO_HEARTBEAT_MS; any other service is counted at twice
 * its promised rate, as lib/registry.ts asks of it.
 */
function heartbeatsPerSecond(dflt: Manifest): number {
  let n = 0;
  for (const s of dflt.services) {
    if (s.heartbeatMs <= 0) continue;
    n += s.name === "echo" ? 1000 / proto.ECHO_HEARTBEAT_MS : 2000 / s.heartbeatMs;
  }
  return n;
}

/**
 * boot.ready: host start to the ready line, from init's own "boot took" figure
 * (the machine's clock starts when the host begins to read the image). Each
 * sample is a fresh host process, so nothing is warm from an earlier boot.
 * boot.ready.core is the same for images/core.toml, the boot machinery alone,
 * whose manifest stays the same from build to build where the default image
 * grows: the figure to set two builds side by side on.
 */
async function bootReady(runtime: Runtime, image: string, runs: number, name = "boot.ready"): Promise<BenchSeries> {
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
    if (!m) throw new Error(`${name}: no ready line from the ${runtime} host:\n${text}`);
    samples.push(Number(m[1]) * 1e6);
  }
  return { name, unit: "ns", batch: 1, samples, line: 0, attrs: {} } as BenchSeries;
}

/**
 * isolation.stack_guard: ipc.call.roundtrip as measured above, beside the same
 * image booted again in the same run with the loader told to leave out the
 * stack guard (LOADER_NO_STACK_GUARD; fuel charges stay, they are the CPU
 * limit). The import check costs nothing per call: it runs once, at spawn.
 */
async function stackGuardCost(image: string, runtime: Runtime, guarded: BenchSeries[]): Promise<BenchResult> {
  const { text } = await runSuite(image, runtime, true, abi.LOADER_NO_STACK_GUARD);
  if (!text.includes("#bench-done")) throw new Error(`the bench service did not finish without the stack guard under ${runtime}:\n${text.slice(-2000)}`);
  const bare = parseConsole(text).bench.find((s) => s.name === "ipc.call.roundtrip");
  const with_ = guarded.find((s) => s.name === "ipc.call.roundtrip");
  if (!bare || !with_) throw new Error(`ipc.call.roundtrip missing under ${runtime}`);
  const peer = { name: "the same round trip with services loaded without the stack guard (fuel charges kept), same run", samples: bare.samples };
  return resultFromSeries({ ...numericAttrs(with_), name: "isolation.stack_guard" }, runtime, peer);
}

/**
 * proc.restart.recycled: restart.after_trap as measured above, where the
 * host gives the restarted echo its dead instance back through quark_reset
 * (tools/loader/reset.ts), beside the same image booted again in the same
 * run with recycling off (QUARK_RECYCLE=0: every restart instantiates afresh).
 */
async function recycleGain(image: string, runtime: Runtime, recycled: BenchSeries[]): Promise<BenchResult> {
  const before = process.env.QUARK_RECYCLE;
  process.env.QUARK_RECYCLE = "0"; // read by the Node host in this process and inherited by the wasmtime host
  let text: string;
  try {
    ({ text } = await runSuite(image, runtime, true));
  } finally {
    if (before === undefined) delete process.env.QUARK_RECYCLE;
    else process.env.QUARK_RECYCLE = before;
  }
  if (!text.includes("#bench-done")) throw new Error(`the bench service did not finish without recycling under ${runtime}:\n${text.slice(-2000)}`);
  const fresh = parseConsole(text).bench.find((s) => s.name === "restart.after_trap");
  const reused = recycled.find((s) => s.name === "restart.after_trap");
  if (!fresh || !reused) throw new Error(`restart.after_trap missing under ${runtime}`);
  const peer = { name: "the same restart with a fresh instance each time (QUARK_RECYCLE=0), same run", samples: fresh.samples };
  return resultFromSeries({ ...numericAttrs(reused), name: "proc.restart.recycled" }, runtime, peer);
}

/**
 * The bench service with the kernel's console, for con.write.kernel, the
 * floor con.write.line is measured beside: the build refuses that grant in an
 * image with the console driver (docs/manifest.md), so it is added here, as
 * the conformance runner adds it to its own service.
 */
function withKernelConsole(m: Manifest): Manifest {
  return { ...m, services: m.services.map((s) => s.name === "bench" ? { ...s, caps: [...s.caps, capSpec("console", abi.R_WRITE)] } : s) };
}

export async function runBench(opts: BenchOptions): Promise<number> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  const root = repoRoot();
  const built = await buildImage(join(root, "images", "bench.toml"), { root, log: opts.log, edit: withKernelConsole });
  const dflt = await buildImage(join(root, "images", "default.toml"), { root, log: opts.log });
  const qosImage = await buildImage(join(root, "images", "qos.toml"), { root, log: opts.log });
  const coreImage = await buildImage(join(root, "images", "core.toml"), { root, log: opts.log });
  const qos: QosReport = { runs: {}, same_across_hosts: null };
  const benchManifest = parseManifest(join(root, "images", "bench.toml"), { root });
  const dfltManifest = parseManifest(join(root, "images", "default.toml"), { root });
  let wasmtimeVersion: string | undefined;
  if (opts.runtimes.includes("wasmtime")) {
    const s = await ensureWasmtime({ root, log: opts.log });
    wasmtimeVersion = WASMTIME_VERSION + (s.shim ? " (C trampoline)" : " (Python trampoline: no C compiler)");
  }
  opts.log?.("quark: measuring the Node peers (MessageChannel between worker_threads, Worker start)");
  const peers = await measurePeers(opts.quick, benchManifest);
  const results: BenchResult[] = [];
  for (const runtime of opts.runtimes) {
    opts.log?.(`quark: benchmarks under ${runtime}`);
    // Quiet: the log service still formats every line, but the console carries only '#' lines.
    const { text } = await runSuite(built.out, runtime, true);
    const run = parseConsole(text);
    if (!text.includes("#bench-done")) throw new Error(`the bench service did not finish under ${runtime}:\n${text.slice(-2000)}`);
    const err = /^#bench-error (.*)$/m.exec(text);
    if (err) throw new Error(`the bench service could not measure some figures under ${runtime}: ${err[1]}`);
    const boots = opts.quick ? 5 : 20;
    const series = [...run.bench.map(numericAttrs), await bootReady(runtime, dflt.out, boots), await bootReady(runtime, coreImage.out, boots, "boot.ready.core")];
    // The engine's own floor for a round trip, measured right after quark's in the same run.
    opts.log?.(`quark: ipc.floor under ${runtime} (plain Wasm instances, the host's trampoline, no kernel)`);
    const floorSeries = await measureFloor(runtime);
    const floor = { ...resultFromSeries(floorSeries, runtime), derived: `${FLOOR_TEXT} (trampoline: ${floorSeries.attrs.trampoline})` };
    results.push(floor);
    for (const s of series) {
      if (BASELINES.has(s.name)) continue;
      const withConditions = { ...s, attrs: { ...s.attrs, ...conditions(s.name, benchManifest) } as Record<string, string> };
      let r = resultFromSeries(withConditions, runtime, peerFor(s.name, peers) ?? inImagePeer(s.name, series));
      if (s.name === "ipc.call.roundtrip" || s.name === "ipc.call.null") r = withFloor(r, floor);
      if (s.name === "irq.deliver") r = irqTarget(r, series);
      results.push(withTarget(r));
    }
    results.push(await stackGuardCost(built.out, runtime, series));
    results.push(await recycleGain(built.out, runtime, series));
    opts.log?.(`quark: the QPU engine's gate kernels under ${runtime}`);
    results.push(...(await qpuFigures(runtime, opts.quick)).map(withTarget));
    opts.log?.(`quark: the quantum scheduler's workload (${proto.qsPolicyNames().join(", ")}, without and with multiprogramming) under ${runtime}`);
    const runs: QosRun[] = await qosRuns(qosImage.out, runtime);
    qos.runs[runtime] = runs;
    results.push(...qosResults(runs, runtime));
    const check = results.find((r) => r.name === "monitor.check" && r.host === runtime);
    const beat = results.find((r) => r.name === "monitor.heartbeat" && r.host === runtime);
    if (!check || !beat) throw new Error(`monitor.check or monitor.heartbeat missing under ${runtime}`);
    results.push(withTarget(monitorOverhead(check, beat, heartbeatsPerSecond(dfltManifest))));
  }
  opts.log?.("quark: the CLI's start-up (quark --version, quark inspect, quark boot of the core image) beside node -e 0");
  results.push(...measureCliStart(root, dflt.out, opts.quick, coreImage.out, opts.runtimes).map(withTarget));
  let monitorHost: MonitorHostCheck | undefined;
  if (opts.runtimes.includes("node")) {
    opts.log?.("quark: monitoring cross-check: the default image idle under Node, with and without health checks");
    monitorHost = await monitorHostCheck(root, dfltManifest.healthMs, { windowMs: opts.quick ? 1000 : 3000, rounds: opts.quick ? 1 : 3, log: opts.log });
  }
  const hosts = Object.values(qos.runs);
  if (hosts.length > 1) qos.same_across_hosts = hosts.every((r) => sameRuns(r, hosts[0]));
  const info = machineInfo({ wasmtime: wasmtimeVersion });
  write(opts.json ? toBenchJson(results, info, monitorHost, qos) + "\n" : formatBenchTable(results, info, monitorHost, qos));
  return 0;
}
