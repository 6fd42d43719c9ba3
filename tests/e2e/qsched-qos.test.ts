// The scheduler's arrivals in virtual time, its hold and its recalibration
// (tests/fixtures/qsched/timeline.toml, on line5.toml's line), and the
// workload benchmark's image (images/qos.toml) under both hosts: the same
// virtual-time figures, and the results docs/quantum.md reports.
import { beforeAll, describe, expect, it } from "vitest";
import { qsPolicyNames } from "../../userland/lib/proto/qsched";
import { join } from "node:path";
import { quark, root } from "./helpers";
import { parseQos, findRun, qosResults, type QosRun } from "../../tools/bench/qos";

function linesOf(stdout: string, who: string): string[] {
  return stdout.split("\n").map((x) => x.replace(/^\[\s*[\d.]+\] /, "")).filter((x) => x.startsWith(who + ": ")).map((x) => x.slice(who.length + 2));
}

describe("arrivals, the hold and recalibration", () => {
  const m = join(root, "tests", "fixtures", "qsched", "timeline.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });
  const seen: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("runs jobs at their arrivals, holds, recalibrates (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const tl = linesOf(r.stdout, "tl");
    seen[runtime] = tl;
    expect(tl[0]).toBe("arrival -1: E_ARG; 2^62 + 1: E_ARG; hold -2: E_ARG");
    expect(tl[1]).toBe("hold at 5 s: OK, reply 5000000000");
    expect(tl[2]).toBe("submitted arriving at 10000000000 and 2000000000");
    // The clock passed the idle QPU's time to 2 s; the job at 10 s is past the hold and waits.
    const held = /^held: the job arriving at 2 s state 3, start 2000000000, end (\d+); the one at 10 s state 1, start 10000000000, end \d+$/.exec(tl[3]);
    expect(held, tl[3]).not.toBeNull();
    expect(Number(held![1])).toBeGreaterThan(2000000000 + 1000 * 250000);
    expect(tl[4]).toBe("recalibrate: 4 qubits E_ARG, a negative T1 E_ARG, 31 bytes E_ARG, at -1 E_ARG");
    expect(tl[5]).toBe("recalibrate at 8..15 s: " + [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `OK (${n} pending)`).join(" ") + "; at 16 s E_NOSPACE; at 7 s E_ARG");
    expect(tl[6]).toBe("released: OK");
    // At 10 s qubit 0 is in its defect: coherence-aware keeps the Bell off it (and off bad qubit 1).
    const late = /^the job arriving at 10 s state 3, start 10000000000, end \d+, on (\d) (\d), success (\d+) ppm$/.exec(tl[7]);
    expect(late, tl[7]).not.toBeNull();
    expect([late![1], late![2]]).not.toContain("0");
    expect(tl[8]).toBe("a long job arriving at 40 s: OK; recalibrate at 30 s: OK (6 pending); released OK");
    expect(tl[9]).toMatch(/^the long job state 4, start \d+, end \d+, reason 5: after a recalibration no qubits of this QPU can run it$/);
    expect(linesOf(r.stdout, "peon")).toEqual([
      "read the hold: OK; set it: E_PERM; recalibrate: E_PERM",
      "an arrival ahead of the clock: E_PERM (12: an arrival ahead of the virtual clock needs the admin right (qsched:call+control))",
    ]);
    expect(r.stdout).toMatch(/audit: pid \d+ \(peon\) may not hold the scheduler/);
  });

  it("gives the same lines under both hosts", () => {
    expect(seen.node).toBeDefined();
    expect(seen.wasmtime).toEqual(seen.node);
  });
});

describe("the workload benchmark's image", () => {
  const m = join(root, "images", "qos.toml");
  beforeAll(() => {
    const b = quark(["build", m]);
    expect(b.code, b.stderr).toBe(0);
  });
  const runs: Record<string, QosRun[]> = {};

  it.each(["node", "wasmtime"])("runs every policy without and with multiprogramming (%s)", (runtime) => {
    const r = quark(["boot", m.replace(/\.toml$/, ".wasm"), "--runtime", runtime, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    runs[runtime] = parseQos(r.stdout);
    expect(runs[runtime].length).toBe(4 * qsPolicyNames().length); // each policy, without and with multiprogramming, under both arrivals
  });

  it("gives the same virtual-time figures under both hosts", () => {
    expect(runs.node).toBeDefined();
    expect(runs.wasmtime).toEqual(runs.node);
  });

  it("shows what docs/quantum.md reports", () => {
    const all = runs.node;
    for (const r of all) {
      expect(r.jobs).toBe(r.arrivals === "poisson" ? 300 : 100);
      expect(r.wait_p95_ns).toBeGreaterThanOrEqual(0);
      expect(r.esp_ppm).toBeGreaterThan(0);
      expect(r.util_ppm).toBeGreaterThan(0);
      expect(r.util_ppm).toBeLessThanOrEqual(1e6);
    }
    // Coherence-aware never runs a job past its qubits' window, so none of its runs is useless.
    for (const arrivals of ["poisson", "backlog"]) for (const mix of ["none", "multi"]) expect(findRun(all, arrivals, "coherence", mix).useless).toBe(0);
    const [wait, esp, tput] = qosResults(all, "node");
    expect(wait.target_met).toBe(true);
    expect(esp.target_met).toBe(true);
    expect(tput.ratio).toBeGreaterThanOrEqual(1.5);
    expect(tput.fidelity_loss_percent).toBeLessThanOrEqual(5);
    expect(tput.target_met).toBe(true);
    // Under Poisson arrivals at this load the QPU carries what arrives: sharing shortens waits, not the makespan.
    const alone = findRun(all, "poisson", "coherence", "none"), shared = findRun(all, "poisson", "coherence", "multi");
    expect(shared.wait_mean_ns).toBeLessThan(alone.wait_mean_ns);
    expect(shared.device_runs).toBeLessThan(alone.device_runs);
  });
});
