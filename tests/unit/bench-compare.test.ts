// tools/bench/compare.mjs: the side-by-side reduction of two builds' bench
// reports, and the command's refusals of bad arguments.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/root";
// @ts-expect-error: a plain ES module without declarations
import { collect, compareRows, formatCompare, median } from "../../tools/bench/compare-table.mjs";

type Row = { name: string; host: string; old?: number; new?: number; ratio?: number; slower?: boolean };

const report = (figures: Record<string, number>, host = "node") => ({
  results: Object.entries(figures).map(([name, v]) =>
    name.endsWith("throughput") ? { name, host, unit: "msg/s", p50: v } : { name, host, unit: "ns", p50_ns: v }),
});

function runsOf(...reports: ReturnType<typeof report>[]) {
  const into = new Map();
  for (const r of reports) collect(r, into);
  return into;
}

describe("bench comparison", () => {
  it("takes the median of each figure's p50 over the runs", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const old = runsOf(report({ "vm.map_unmap": 30 }), report({ "vm.map_unmap": 90 }), report({ "vm.map_unmap": 26 }));
    const neu = runsOf(report({ "vm.map_unmap": 39 }), report({ "vm.map_unmap": 40 }), report({ "vm.map_unmap": 41 }));
    const [row] = compareRows(old, neu) as Row[];
    expect(row).toMatchObject({ name: "vm.map_unmap", host: "node", old: 30, new: 40, slower: true });
    expect(row.ratio).toBeCloseTo(4 / 3);
  });

  it("calls a time slower when it grows and a rate slower when it shrinks, beyond the tolerance", () => {
    const old = runsOf(report({ "a.time": 100, "send.throughput": 1000 }));
    const faster = runsOf(report({ "a.time": 90, "send.throughput": 1100 }));
    const slower = runsOf(report({ "a.time": 104, "send.throughput": 960 }));
    expect((compareRows(old, faster) as Row[]).map((r) => r.slower)).toEqual([false, false]);
    expect((compareRows(old, slower) as Row[]).map((r) => r.slower)).toEqual([true, true]);
    expect((compareRows(old, slower, 0.05) as Row[]).map((r) => r.slower)).toEqual([false, false]);
  });

  it("lists a figure only one build has, with the other side empty", () => {
    const rows = compareRows(runsOf(report({ old_only: 5 })), runsOf(report({ new_only: 7 }, "wasmtime"))) as Row[];
    expect(rows.map((r) => [r.name, r.old, r.new, r.slower])).toEqual([["old_only", 5, undefined, undefined], ["new_only", undefined, 7, undefined]]);
    const table = formatCompare(rows, "abc1234", "new");
    expect(table).toMatch(/old_only\s+node\s+5\.00 ns\s+-\s+-/);
    expect(table).toMatch(/new_only\s+wasmtime\s+-\s+7\.00 ns/);
  });

  it("marks a slower figure in the table", () => {
    const table = formatCompare(compareRows(runsOf(report({ f: 1000 })), runsOf(report({ f: 2_500_000 }))), "old", "new");
    expect(table).toMatch(/f\s+node\s+1\.00 µs\s+2\.50 ms\s+2500\.00\s+SLOWER/);
  });
});

describe("node tools/bench/compare.mjs", () => {
  const script = join(repoRoot(), "tools", "bench", "compare.mjs");
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

  it("describes itself with --help", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: node tools\/bench\/compare\.mjs REV/);
  });

  it.each([
    [[], /which revision/],
    [["HEAD", "--rounds", "0"], /--rounds must be a whole number from 1 to 99, not "0"/],
    [["HEAD", "--runtime", "v8"], /--runtime must be node, wasmtime or both/],
    [["HEAD", "--bogus"], /unknown option --bogus/],
    [["HEAD", "HEAD~1"], /one revision only/],
  ])("refuses %j with a usage line", (args, why) => {
    const r = run(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/usage:/);
  });

  it("refuses a revision git does not know, leaving no worktree behind", () => {
    const r = run("no-such-revision-anywhere");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^compare: git rev-parse/);
  });
});
