// The arithmetic of `compare.mjs`, apart from its processes so a test can
// drive it: the p50 of each figure from several `quark bench --json` runs of
// two builds, reduced to one value per figure, host and build, and the table
// that sets them side by side.

/** Figures whose larger value is the better one (a rate); every other is a time or a share. */
const HIGHER_IS_BETTER = new Set(["msg/s", "ops/s", "B/s"]);

/** The value a figure is compared by: its p50 (in ns where it is a time). */
function valueOf(result) {
  if (typeof result.p50_ns === "number") return { value: result.p50_ns, unit: "ns" };
  if (typeof result.p50 === "number") return { value: result.p50, unit: result.unit ?? "" };
  return undefined;
}

/**
 * Collects the p50 of every figure of one `quark bench --json` report into
 * `into` (figure -> host -> samples), one entry per run.
 */
export function collect(report, into) {
  for (const r of report.results ?? []) {
    const v = valueOf(r);
    if (!v || typeof r.name !== "string" || typeof r.host !== "string") continue;
    const key = `${r.name}\u0000${r.host}`;
    const slot = into.get(key) ?? { name: r.name, host: r.host, unit: v.unit, values: [] };
    slot.values.push(v.value);
    into.set(key, slot);
  }
  return into;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One row per figure and host that both builds report: the median over the
 * runs of each build, the ratio new/old, and whether the new build is slower
 * (a larger time or a smaller rate) by more than `tolerance` (a fraction).
 * Figures only one build has are listed with the other side empty.
 */
export function compareRows(oldRuns, newRuns, tolerance = 0) {
  const rows = [];
  const keys = new Set([...oldRuns.keys(), ...newRuns.keys()]);
  for (const key of keys) {
    const o = oldRuns.get(key);
    const n = newRuns.get(key);
    const any = o ?? n;
    const oldV = o ? median(o.values) : undefined;
    const newV = n ? median(n.values) : undefined;
    const ratio = oldV !== undefined && newV !== undefined && oldV > 0 ? newV / oldV : undefined;
    const higher = HIGHER_IS_BETTER.has(any.unit);
    const slower = ratio === undefined ? undefined : higher ? ratio < 1 - tolerance : ratio > 1 + tolerance;
    rows.push({ name: any.name, host: any.host, unit: any.unit, old: oldV, new: newV, ratio, slower, runs: [o?.values.length ?? 0, n?.values.length ?? 0] });
  }
  const hostOrder = (h) => (h === "node" ? 0 : 1);
  return rows.sort((a, b) => hostOrder(a.host) - hostOrder(b.host) || a.host.localeCompare(b.host));
}

function format(v, unit) {
  if (v === undefined) return "-";
  if (unit === "ns") {
    if (v >= 1e6) return `${(v / 1e6).toPrecision(3)} ms`;
    if (v >= 1e3) return `${(v / 1e3).toPrecision(3)} µs`;
    return `${v.toPrecision(3)} ns`;
  }
  return `${v.toPrecision(4)} ${unit}`.trim();
}

/** The side-by-side table, one line per figure and host. */
export function formatCompare(rows, oldName, newName) {
  const headers = ["figure", "host", `old (${oldName})`, `new (${newName})`, "new/old", ""];
  const cells = rows.map((r) => [
    r.name, r.host, format(r.old, r.unit), format(r.new, r.unit),
    r.ratio === undefined ? "-" : r.ratio.toFixed(2), r.slower ? "SLOWER" : "",
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n";
}
