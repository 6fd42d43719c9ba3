// A driver that crashes 1 000 times under load, under both hosts
// (tests/fixtures/drivers-crash, docs/devices.md: The driver contract).
// crashy traps in the middle of every third request of each instance, with a
// command completed and its line raised; init restarts it at once and the
// devmgr binds the new instance when it announces itself. Two clients write
// and read back their own sectors throughout: every answer is a result with
// the right data, E_CRASHED (the request the driver died in) or E_STATE (no
// driver bound yet); no instance starts with a line still bound (the kernel's
// take-down) or a copy of one (the devmgr revoked it at the crash), each holds
// its line again once bound; and at the end every sector holds what was last
// written to it (a write that crashed between its two sectors: the first new).
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { quark, root } from "./helpers";

const dir = join(root, "tests", "fixtures", "drivers-crash");
const manifest = join(dir, "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");
const CRASHES = Number(readFileSync(join(dir, "proto.ts"), "utf8").match(/export const CRASHES = (\d+);/)![1]);

function serviceLines(stdout: string, who: string[]): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => who.some((w) => l.startsWith(`${w}: `)));
}

describe("a driver crashing under load", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};

  it.each(["node", "wasmtime"])(`crashes ${CRASHES} times; its clients get results or clear errors and lose nothing (%s)`, (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    // Sorted: the two clients finish in either order.
    const summary = serviceLines(r.stdout, ["c1", "c2"]).filter((l) => !l.includes(": counts: ")).sort();
    const verdict = "every answer a result, E_CRASHED or E_STATE: true; other errors 0, wrong data 0, line not held after a rebind 0, " +
      "starts with a line still bound 0, with a line capability 0; pairs read back as last written 32 of 32";
    expect(summary).toEqual([`c1: ${verdict}`, `c2: ${verdict}`]);
    // The crashes happened, under load, and each was a restart of crashy that the clients lived through.
    const counts = serviceLines(r.stdout, ["c1", "c2"]).filter((l) => l.includes(": counts: "));
    expect(counts).toHaveLength(2);
    const crashed = counts.map((l) => Number(l.match(/E_CRASHED (\d+)/)![1])).reduce((a, b) => a + b, 0);
    const results = counts.map((l) => Number(l.match(/results (\d+)/)![1]));
    expect(crashed).toBeGreaterThanOrEqual(CRASHES - 1); // the last crash may fall in the read-back, retried there
    for (const n of results) expect(n).toBeGreaterThan(CRASHES / 2);
    const restarts = [...r.stdout.matchAll(/init: restarted crashy \(restart (\d+)\)/g)].map((m) => Number(m[1]));
    expect(Math.max(...restarts)).toBeGreaterThanOrEqual(CRASHES);
    expect(r.stdout).not.toMatch(/kernel: fault: (c1|c2|devmgr)|trapped: (?!unreachable)/);
    logs[runtime] = summary.join("\n");
  });

  it("prints the same verdict under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});
