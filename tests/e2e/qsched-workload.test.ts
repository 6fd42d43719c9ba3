// A thousand small jobs through the quantum scheduler on IBM's manila, in
// virtual time (tests/fixtures/qsched/workload.toml): the virtual clock, the
// jobs' times and their counts come out the same in two runs and under both
// hosts, and every job runs.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "qsched", "workload.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function summary(stdout: string): string {
  const l = stdout.split("\n").map((x) => x.replace(/^\[\s*[\d.]+\] /, "")).filter((x) => x.startsWith("load: "));
  expect(l.length, stdout).toBe(1);
  return l[0];
}

describe("a workload of a thousand jobs in virtual time", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it("is deterministic across runs and hosts", () => {
    const runs = ["node", "node", "wasmtime"].map((runtime) => {
      const r = quark(["boot", image, "--runtime", runtime]);
      expect(r.code, r.stderr).toBe(0);
      return summary(r.stdout);
    });
    const m = /^load: 1000 jobs done, the virtual clock at (\d+) ns, 1000 run; digest [0-9a-f]+$/.exec(runs[0]);
    expect(m, runs[0]).not.toBeNull();
    // Each job is 100 shots of at least the 250 µs between shots: at least 25 s of the QPU's time.
    expect(Number(m![1])).toBeGreaterThan(1000 * 100 * 250000);
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
  });
});
