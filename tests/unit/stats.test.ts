import { describe, expect, it } from "vitest";
import { mean, percentile, percentileOfSorted, summarize } from "../../tools/lib/stats.js";
import { parseConsole } from "../../tools/lib/results.js";
import {
  benchResult, comparison, formatBenchTable, formatNs, machineInfo, resultFromSeries, toBenchJson, withTarget, type MachineInfo,
} from "../../tools/bench/report.js";

const ONE_TO_HUNDRED = Array.from({ length: 100 }, (_, i) => i + 1);

describe("percentiles (nearest rank)", () => {
  it("picks the sample at rank ceil(p/100 * n)", () => {
    expect(percentile(ONE_TO_HUNDRED, 50)).toBe(50);
    expect(percentile(ONE_TO_HUNDRED, 99)).toBe(99);
    expect(percentile(ONE_TO_HUNDRED, 100)).toBe(100);
    expect(percentile([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(percentile([15, 20, 35, 40, 50], 40)).toBe(20);
    expect(percentile([15, 20, 35, 40, 50], 50)).toBe(35);
  });

  it("never interpolates: every percentile is a measured sample", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([10, 20], 75)).toBe(20);
  });

  it("gives the minimum at p0 and the maximum as p99 of fewer than 100 samples", () => {
    expect(percentile([3, 1, 2], 0)).toBe(1);
    expect(percentile([5, 1, 9, 3], 99)).toBe(9);
  });

  it("does not reorder the caller's samples", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("refuses empty input, non-finite samples and p outside 0..100", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1, NaN], 50)).toThrow(/sample 1/);
    expect(() => percentile([1, Infinity], 50)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], 101)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], -1)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("reports count, min, max, mean, p50 and p99", () => {
    expect(summarize([...ONE_TO_HUNDRED].reverse())).toEqual({ count: 100, min: 1, max: 100, mean: 50.5, p50: 50, p99: 99 });
    expect(summarize([7])).toEqual({ count: 1, min: 7, max: 7, mean: 7, p50: 7, p99: 7 });
  });

  it("computes the mean", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
  });
});

const INFO: MachineInfo = {
  cpu: "Test CPU @ 3.00GHz", cores: 8, memory_bytes: 16 * 2 ** 30, os: "Linux 6.1.0 x64",
  node: "20.20.0", v8: "11.3.244.8-node.33", wasmtime: null,
};

describe("bench figures (tools/bench/report.ts)", () => {
  const latency = benchResult({
    name: "ipc.call.roundtrip", host: "node", unit: "ns", batch: 1000,
    samples: [5, 6, 7, 8], peer: { name: "MessageChannel", samples: [10_000, 12_000, 14_000, 16_000] },
  });
  const rate = benchResult({
    name: "ipc.send.throughput", host: "node", unit: "msg/s", batch: 1000,
    samples: [2e6, 3e6], peer: { name: "MessageChannel posts", samples: [1e6, 2e6] },
  });

  it("puts ratio = peer p50 / quark p50 for latency, so above 1 means quark is faster", () => {
    expect(latency).toMatchObject({ p50_ns: 6, p99_ns: 8, peer_p50_ns: 12_000, ratio: 2000, samples: 4, batch: 1000 });
    expect(comparison(latency)).toBe("quark is 2000× faster than MessageChannel");
  });

  it("puts ratio = quark / peer for throughput", () => {
    expect(rate).toMatchObject({ p50: 2e6, p99: 3e6, peer_p50: 1e6, ratio: 2, unit: "msg/s" });
    expect(comparison({ peer: "X", ratio: 0.25 })).toBe("quark is 4.00× slower than X");
  });

  it("converts time units to ns and rejects units it cannot compare", () => {
    const r = benchResult({ name: "x", host: "wasmtime", unit: "us", batch: 1, samples: [1.5] });
    expect(r).toMatchObject({ p50_ns: 1500, unit: "ns", peer: null, ratio: null });
    expect(() => benchResult({ name: "x", host: "node", unit: "bytes", batch: 1, samples: [1] })).toThrow(/unit "bytes"/);
  });

  it("builds a figure from a console series, carrying its extra attributes", () => {
    const [series] = parseConsole("#bench ipc.call.roundtrip unit=ns batch=100 samples=4,5,6 engine=v8").bench;
    const r = resultFromSeries(series, "node", { name: "MessageChannel", samples: [5000] });
    expect(r).toMatchObject({ name: "ipc.call.roundtrip", host: "node", p50_ns: 5, ratio: 1000, engine: "v8" });
  });

  it("writes JSON with the machine and results in the published key order", () => {
    const json = JSON.parse(toBenchJson([latency, rate], INFO));
    expect(Object.keys(json)).toEqual(["machine", "results"]);
    expect(json.machine).toEqual(INFO);
    expect(Object.keys(json.results[0])).toEqual([
      "name", "host", "p50_ns", "p99_ns", "unit", "samples", "batch", "peer", "peer_p50_ns", "ratio",
    ]);
    expect(json.results[1]).toEqual({
      name: "ipc.send.throughput", host: "node", p50: 2e6, p99: 3e6, unit: "msg/s", samples: 2, batch: 1000,
      peer: "MessageChannel posts", peer_p50: 1e6, ratio: 2,
    });
  });

  it("prints a table with the machine, engines, sample counts, peer and ratio", () => {
    const table = formatBenchTable([latency, rate], INFO);
    expect(table).toContain("machine: Test CPU @ 3.00GHz, 8 cores, 16.0 GiB RAM, Linux 6.1.0 x64");
    expect(table).toContain("engines: Node 20.20.0, V8 11.3.244.8-node.33, wasmtime not measured");
    expect(table).toMatch(/ipc\.call\.roundtrip\s+node\s+6\.00 ns\s+8\.00 ns\s+4 × 1000\s+12\.00 µs\s+quark is 2000× faster than MessageChannel/);
    expect(table).toMatch(/ipc\.send\.throughput\s+node\s+2\.00 M msg\/s\s+3\.00 M msg\/s\s+2 × 1000\s+1\.00 M msg\/s\s+quark is 2\.00× faster/);
  });

  it("sets a figure beside its issue's bound: a p99 under a maximum, a ratio to the peer over a minimum, and prints which", () => {
    const series = (name: string, samples: number[]) => ({ name, unit: "ns", batch: 1, samples, line: 0, attrs: {} });
    const irq = withTarget(resultFromSeries(series("irq.deliver", [200, 210, 220, 6000]), "node"));
    expect([irq.target, irq.target_met]).toEqual(["p99 < 5 µs, interrupt raised in the HAL to the driver's handler", false]);
    const quick = withTarget(resultFromSeries(series("irq.deliver", [200, 210, 220, 4999]), "node"));
    expect(quick.target_met).toBe(true);
    const qc = (peerNs: number) => withTarget(resultFromSeries(series("qpu.gate.20q.qc", [1]), "node", { name: "quantum-circuit", samples: [peerNs] }));
    expect([qc(100).target_met, qc(99).target_met]).toEqual([true, false]);
    const table = formatBenchTable([irq, qc(99)], INFO);
    expect(table).toMatch(/^ {2}irq\.deliver +node +p99 6\.00 µs +target p99 < 5 µs, .* +NOT MET$/m);
    expect(table).toMatch(/^ {2}qpu\.gate\.20q\.qc +node +99\.0× the peer +target ≥ 100× npm quantum-circuit \(same run\) +NOT MET$/m);
  });

  it("formats durations in a readable unit", () => {
    expect(formatNs(5.234)).toBe("5.23 ns");
    expect(formatNs(227)).toBe("227 ns");
    expect(formatNs(6_500)).toBe("6.50 µs");
    expect(formatNs(1_200_000)).toBe("1.20 ms");
  });

  it("describes this machine with the wasmtime version the caller passes", () => {
    const info = machineInfo({ wasmtime: "49.0.0" });
    expect(info.node).toBe(process.versions.node);
    expect(info.v8).toBe(process.versions.v8);
    expect(info.wasmtime).toBe("49.0.0");
    expect(info.cores).toBeGreaterThan(0);
    expect(machineInfo().wasmtime).toBeNull();
  });
});
