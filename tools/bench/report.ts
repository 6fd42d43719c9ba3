// Turns benchmark samples into the figures quark publishes: percentiles, the
// peer measured in the same run, and the ratio between them, as a table for
// people and as JSON for machines. A figure without the machine and engine it
// was measured on means nothing, so both formats always carry them.

import { cpus, arch, availableParallelism, release, totalmem, type as osType } from "node:os";
import { summarize } from "../lib/stats.js";
import type { BenchSeries } from "../lib/results.js";

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

// ---------------------------------------------------------------- JSON

const LEADING = ["name", "host", "p50_ns", "p99_ns", "p50", "p99", "unit", "samples", "batch"];
const TRAILING = ["peer", "peer_p50_ns", "peer_p50", "ratio"];

/** `{"machine": {...}, "results": [{"name", "host", "p50_ns", "p99_ns", ..., "peer", "peer_p50_ns", "ratio"}]}` */
export function toBenchJson(results: readonly BenchResult[], info: MachineInfo): string {
  return JSON.stringify({ machine: info, results: results.map(orderedResult) }, null, 2) + "\n";
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

export function formatBenchTable(results: readonly BenchResult[], info: MachineInfo): string {
  const rows = results.map(tableRow);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out = [...machineLines(info), ""];
  out.push(line(HEADERS), line(widths.map((w) => "-".repeat(w))), ...rows.map(line));
  out.push("", "p50/p99: nearest-rank percentiles over the samples; each sample is the per-operation value of one batch.");
  return out.join("\n") + "\n";
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
  const show = (v: number | undefined) => (v === undefined ? "—" : rate ? formatRate(v, r.unit) : formatNs(v));
  const peerP50 = rate ? r.peer_p50 : r.peer_p50_ns;
  return [
    r.name, r.host, show(rate ? r.p50 : r.p50_ns), show(rate ? r.p99 : r.p99_ns),
    `${r.samples} × ${r.batch}`, r.peer === null ? "—" : show(peerP50), comparison(r),
  ];
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
