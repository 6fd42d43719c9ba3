// Turns benchmark samples into the figures quark publishes: percentiles, the
// peer measured in the same run, and the ratio between them, as a table for
// people and as JSON for machines. A figure without the machine and engine it
// was measured on means nothing, so both formats always carry them.

import { cpus, arch, availableParallelism, release, totalmem, type as osType } from "node:os";
import { summarize } from "../lib/stats.js";
import type { BenchSeries } from "../lib/results.js";
import type { MonitorHostCheck } from "./monitor-host.js";
import { formatQosTable, type QosRun } from "./qos.js";

/** The scheduler's workload benchmark: every run under each host, and whether the hosts agree (tools/bench/qos.ts). */
export interface QosReport {
  runs: Record<string, QosRun[]>;
  same_across_hosts: boolean | null;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_bytes: number;
  os: string;
  node: string;
  v8: string;
  /** Reported by the wasmtime host, which only the caller can ask. */
  wasmtime: string | null;
}

export function machineInfo(opts: { wasmtime?: string } = {}): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memory_bytes: totalmem(),
    os: `${osType()} ${release()} ${arch()}`,
    node: process.versions.node,
    v8: process.versions.v8,
    wasmtime: opts.wasmtime ?? null,
  };
}

/**
 * One published figure. Latency figures carry p50_ns/p99_ns, rate figures
 * (unit "…/s") carry p50/p99 in their unit. `ratio` always reads "how many
 * times better quark is": peer_p50 / quark_p50 for latency, quark / peer for
 * rates; above 1 quark wins. Any further keys are carried through as given.
 */
export interface BenchResult {
  name: string;
  host: string;
  unit: string;
  p50_ns?: number;
  p99_ns?: number;
  p50?: number;
  p99?: number;
  /** Number of samples (batches), not operations. */
  samples: number;
  batch: number;
  peer: string | null;
  peer_p50_ns?: number;
  peer_p50?: number;
  ratio: number | null;
  [extra: string]: unknown;
}

export interface PeerSamples {
  name: string;
  /** In ns for latency figures, in the figure's unit for rates. */
  samples: number[];
}

export interface Figure {
  name: string;
  host: string;
  /** A time unit (ns, us, µs, ms, s) or a rate ending in "/s". */
  unit: string;
  batch: number;
  samples: number[];
  peer?: PeerSamples;
  extra?: Record<string, unknown>;
}

const NS_PER: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9 };

export function isRate(unit: string): boolean {
  return unit.endsWith("/s");
}

export function benchResult(fig: Figure): BenchResult {
  if (isRate(fig.unit)) return rateResult(fig);
  const scale = NS_PER[fig.unit];
  if (scale === undefined) throw new Error(`bench "${fig.name}": unit "${fig.unit}" is neither a time (ns, us, ms, s) nor a rate (…/s)`);
  return latencyResult({ ...fig, samples: fig.samples.map((v) => v * scale) });
}

export function resultFromSeries(series: BenchSeries, host: string, peer?: PeerSamples): BenchResult {
  const { name, unit, batch, samples, attrs } = series;
  return benchResult({ name, host, unit, batch, samples, peer, extra: attrs });
}

function latencyResult(fig: Figure): BenchResult {
  const own = summarize(fig.samples);
  const peer = fig.peer && summarize(fig.peer.samples);
  return {
    ...fig.extra,
    name: fig.name, host: fig.host, unit: "ns", p50_ns: own.p50, p99_ns: own.p99,
    samples: own.count, batch: fig.batch,
    peer: fig.peer?.name ?? null, ...(peer && { peer_p50_ns: peer.p50 }),
    ratio: peer ? peer.p50 / own.p50 : null,
  };
}

function rateResult(fig: Figure): BenchResult {
  const own = summarize(fig.samples);
  const peer = fig.peer && summarize(fig.peer.samples);
  return {
    ...fig.extra,
    name: fig.name, host: fig.host, unit: fig.unit, p50: own.p50, p99: own.p99,
    samples: own.count, batch: fig.batch,
    peer: fig.peer?.name ?? null, ...(peer && { peer_p50: peer.p50 }),
    ratio: peer ? own.p50 / peer.p50 : null,
  };
}

// ---------------------------------------------------------------- targets

/** The figures the issue sets a target for: the statistic compared and the bound. */
export const TARGETS: Record<string, {
  stat: "p50_ns" | "p99_ns" | "p50" | "ratio" | "floor_multiple" | "bare_multiple";
  /** The bound: at most `max`, or (for a ratio to a peer) at least `min`. */
  max?: number; min?: number; inclusive: boolean; text: string;
}> = {
  "restart.after_trap": { stat: "p50_ns", max: 100_000, inclusive: true, text: "p50 ≤ 100 µs with a zero-delay policy" },
  "qpu.alloc": { stat: "p50_ns", max: 1_000, inclusive: true, text: "p50 ≤ 1 µs" },
  "ipc.call.roundtrip": { stat: "floor_multiple", max: 4, inclusive: true, text: "p50 ≤ 4× ipc.floor (same host, same run)" },
  "monitor.overhead": { stat: "p50", max: 1, inclusive: false, text: "< 1 % of one CPU at the default heartbeat rate" },
  "cli.start.version": { stat: "bare_multiple", max: 1.5, inclusive: true, text: "p50 ≤ 1.5× node -e 0 (same run)" },
  "cli.start.inspect": { stat: "bare_multiple", max: 1.5, inclusive: true, text: "p50 ≤ 1.5× node -e 0 (same run)" },
  "irq.deliver": { stat: "p99_ns", max: 5_000, inclusive: false, text: "p99 < 5 µs, interrupt raised in the HAL to the driver's handler" },
  "dev.hotplug.bound": { stat: "p99_ns", max: 1_000_000, inclusive: false, text: "p99 < 1 ms, device plugged to driver bound" },
  "qpu.gate.20q": { stat: "p50_ns", max: 1.5, inclusive: true, text: "p50 ≤ 1.5 ns per amplitude per single-qubit gate at 20 qubits" },
  "qpu.gate.20q.qc": { stat: "ratio", min: 100, inclusive: true, text: "≥ 100× npm quantum-circuit (same run)" },
};

/** The result with `target` (its text) and `target_met`, if the issue sets it one. */
export function withTarget(r: BenchResult): BenchResult {
  const t = TARGETS[r.name];
  const v = t && (r[t.stat] as number | undefined);
  if (!t || v === undefined) return r;
  const met = t.max !== undefined ? (t.inclusive ? v <= t.max : v < t.max) : t.min !== undefined && (t.inclusive ? v >= t.min : v > t.min);
  return { ...r, target: t.text, target_met: met };
}

/**
 * ipc.floor: the same round trip between plain Wasm instances with no kernel
 * (tools/bench/floor/), under the host's own trampoline. It has no peer: it
 * is the peer, set beside ipc.call.roundtrip by withFloor.
 */
export const FLOOR_TEXT = "no kernel: client → slot-table check → the host's trampoline → handler, plain Wasm instances";

/** ipc.call.roundtrip with the floor measured in the same run: its p50 and the multiple of it. */
export function withFloor(r: BenchResult, floor: BenchResult): BenchResult {
  return { ...r, floor_p50_ns: floor.p50_ns, floor_multiple: r.p50_ns! / floor.p50_ns! };
}

/**
 * monitor.overhead: the share of one CPU that monitoring takes at the
 * default rates: a health check of every service (monitor.check) every
 * health interval, and a heartbeat (monitor.heartbeat) from every
 * heartbeating service at its rate, per second. p50 from the p50s, p99
 * from the p99s. It counts the work, not the host's wakeups to do it (the
 * host cross-check does, noisily).
 */
export function monitorOverhead(check: BenchResult, beat: BenchResult, heartbeatsPerSecond: number): BenchResult {
  const interval = Number(check.interval_ms);
  if (!(interval > 0)) throw new Error(`monitor.check under ${check.host} carries no health interval (interval_ms=${check.interval_ms})`);
  const checksPerSecond = 1000 / interval;
  const pct = (checkNs: number, beatNs: number) => ((checkNs * checksPerSecond + beatNs * heartbeatsPerSecond) / 1e9) * 100;
  return {
    name: "monitor.overhead", host: check.host, unit: "%",
    p50: pct(check.p50_ns!, beat.p50_ns!), p99: pct(check.p99_ns!, beat.p99_ns!),
    samples: check.samples, batch: check.batch,
    services: check.services, interval_ms: interval, checks_per_s: checksPerSecond, heartbeats_per_s: heartbeatsPerSecond,
    check_p50_ns: check.p50_ns, heartbeat_p50_ns: beat.p50_ns,
    derived: `monitor.check × ${times(checksPerSecond)}/s + monitor.heartbeat × ${times(heartbeatsPerSecond)}/s, per second of one CPU`,
    peer: null, ratio: null,
  };
}

// ---------------------------------------------------------------- JSON

const LEADING = ["name", "host", "p50_ns", "p99_ns", "p50", "p99", "unit", "samples", "batch"];
const TRAILING = ["peer", "peer_p50_ns", "peer_p50", "ratio"];

/**
 * `{"machine": {...}, "results": [{"name", "host", "p50_ns", "p99_ns", ..., "peer", "peer_p50_ns", "ratio"}],
 *   "monitor_host": {...}}` (monitor_host: the host-side cross-check, when the Node host ran).
 */
export function toBenchJson(results: readonly BenchResult[], info: MachineInfo, monitorHost?: MonitorHostCheck, qos?: QosReport): string {
  const out: Record<string, unknown> = { machine: info, results: results.map(orderedResult) };
  if (monitorHost) out.monitor_host = monitorHost;
  if (qos) out.qos = qos;
  return JSON.stringify(out, null, 2) + "\n";
}

function orderedResult(r: BenchResult): Record<string, unknown> {
  const middle = Object.keys(r).filter((k) => !LEADING.includes(k) && !TRAILING.includes(k));
  const out: Record<string, unknown> = {};
  for (const key of [...LEADING, ...middle, ...TRAILING]) {
    if (r[key] !== undefined) out[key] = typeof r[key] === "number" ? significant(r[key] as number) : r[key];
  }
  return out;
}

// Six significant digits are more than any timer here resolves; the rest is
// float noise that would only make two reports harder to compare.
function significant(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(6));
}

// ---------------------------------------------------------------- table

const HEADERS = ["figure", "host", "p50", "p99", "samples × batch", "peer p50", "comparison"];

export function formatBenchTable(results: readonly BenchResult[], info: MachineInfo, monitorHost?: MonitorHostCheck, qos?: QosReport): string {
  const rows = results.map(tableRow);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out = [...machineLines(info), ""];
  out.push(line(HEADERS), line(widths.map((w) => "-".repeat(w))), ...rows.map(line));
  out.push("", "p50/p99: nearest-rank percentiles over the samples; each sample is the per-operation value of one batch.");
  const targeted = results.filter((r) => typeof r.target === "string");
  if (targeted.length > 0) {
    out.push("", "targets:");
    const cells = targeted.map((r) => {
      const rate = r.p50_ns === undefined;
      const stat = TARGETS[r.name]?.stat;
      const value = typeof r.floor_multiple === "number" ? `${times(r.floor_multiple)}× ipc.floor`
        : typeof r.bare_multiple === "number" ? `${times(r.bare_multiple)}× node -e 0`
        : stat === "p99_ns" ? `p99 ${formatNs(r.p99_ns!)}`
        : stat === "ratio" ? `${times(r.ratio!)}× the peer`
        : `p50 ${rate ? formatValue(r.p50!, r.unit) : formatNs(r.p50_ns!)}`;
      return [`  ${r.name}`, r.host, value, `target ${r.target}`, r.target_met ? "met" : "NOT MET"];
    });
    const w = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
    for (const c of cells) out.push(c.map((x, i) => x.padEnd(w[i])).join("  ").trimEnd());
  }
  if (monitorHost) out.push("", ...monitorHostLines(monitorHost));
  if (qos) {
    for (const [host, runs] of Object.entries(qos.runs)) out.push("", ...formatQosTable(runs, host));
    if (qos.same_across_hosts !== null) out.push(`  the same virtual-time figures under every host: ${qos.same_across_hosts ? "yes" : "NO"}`);
  }
  return out.join("\n") + "\n";
}

function monitorHostLines(m: MonitorHostCheck): string[] {
  const pct = (x: number) => formatPercent(x);
  return [
    `monitoring cross-check (Node host, ${m.image} idle ${m.window_ms / 1000} s after ready, host process CPU time, median of ${m.rounds}):`,
    `  with health checks every ${m.health_interval_ms} ms: ${pct(m.with_checks.cpu_percent)} of one CPU`,
    `  with health_interval = "0ms": ${pct(m.without_checks.cpu_percent)} of one CPU`,
    `  difference: ${pct(m.difference_percent)}`,
    `  (${m.note})`,
  ];
}

function machineLines(info: MachineInfo): string[] {
  const gib = (info.memory_bytes / 2 ** 30).toFixed(1);
  return [
    `machine: ${info.cpu}, ${info.cores} cores, ${gib} GiB RAM, ${info.os}`,
    `engines: Node ${info.node}, V8 ${info.v8}, wasmtime ${info.wasmtime ?? "not measured"}`,
  ];
}

function tableRow(r: BenchResult): string[] {
  const rate = r.p50_ns === undefined;
  const show = (v: number | undefined) => (v === undefined ? "—" : rate ? formatValue(v, r.unit) : formatNs(v));
  const peerP50 = rate ? r.peer_p50 : r.peer_p50_ns;
  return [
    r.name, r.host, show(rate ? r.p50 : r.p50_ns), show(rate ? r.p99 : r.p99_ns),
    `${r.samples} × ${r.batch}`, r.peer === null ? "—" : show(peerP50), typeof r.derived === "string" ? r.derived : comparison(r) + floorNote(r),
  ];
}

/** "; 3.10× ipc.floor (25.0 ns)" for a figure measured against the floor. */
function floorNote(r: BenchResult): string {
  if (typeof r.floor_multiple !== "number" || typeof r.floor_p50_ns !== "number") return "";
  return `; ${times(r.floor_multiple)}× ipc.floor (${formatNs(r.floor_p50_ns)})`;
}

/** A rate in its unit, or a percentage. */
function formatValue(v: number, unit: string): string {
  return unit === "%" ? formatPercent(v) : formatRate(v, unit);
}

/** Enough decimals to show three significant digits of a small share. */
export function formatPercent(pct: number): string {
  const a = Math.abs(pct);
  const decimals = a >= 1 || a === 0 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(a)));
  return `${pct.toFixed(decimals)} %`;
}

export function comparison(r: Pick<BenchResult, "peer" | "ratio">): string {
  if (r.peer === null || r.ratio === null) return "no peer measured";
  if (r.ratio >= 1) return `quark is ${times(r.ratio)}× faster than ${r.peer}`;
  return `quark is ${times(1 / r.ratio)}× slower than ${r.peer}`;
}

function times(x: number): string {
  if (x >= 100) return Math.round(x).toString();
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns >= 100 ? 0 : ns >= 10 ? 1 : 2)} ns`;
}

export function formatRate(value: number, unit: string): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G ${unit}`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M ${unit}`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} k ${unit}`;
  return `${value.toFixed(1)} ${unit}`;
}
