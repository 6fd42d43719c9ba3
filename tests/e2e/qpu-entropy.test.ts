// The QPU as an entropy source (docs/entropy.md: Fed sources) under both
// hosts, through the CLI (tests/fixtures/qpu-entropy): the quantum scheduler
// measures |+> on idle qubits in unseeded runs and feeds the bits to the
// memory service's pool, which tests them as it tests its other sources and
// credits them at the min-entropy the calibration's readout errors allow. On
// a QPU whose readout is stuck on 1 the repetition count test keeps them out,
// logged, and the pool serves from its other sources, until a recalibration
// that fixes the readout brings them back. Two boots harvest
// different bits while a seeded job gives the same counts; a service without
// the right is refused, and the feed call's edge values get their errors.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quark, root } from "./helpers";

/** kolkata's calibration with every readout stuck on 1: a qubit in 0 reads 1, one in 1 never reads 0; stuck.toml boots it. */
function writeStuckReadout(): void {
  const kolkata = readFileSync(join(root, "hal", "qpu", "calibrations", "kolkata.toml"), "utf8");
  const stuck = kolkata.replace(/^prob_meas1_prep0 = .*$/gm, "prob_meas1_prep0 = 1").replace(/^prob_meas0_prep1 = .*$/gm, "prob_meas0_prep1 = 0")
    .replace(/^source = .*$/m, 'source = "ibmq_kolkata with its readout stuck on 1 (a test fixture)"');
  const out = join(root, "build", "test", "qpu-entropy");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "stuck-readout.toml"), stuck);
}

const dir = join(root, "tests", "fixtures", "qpu-entropy");
const good = join(dir, "image.toml");
const stuck = join(dir, "stuck.toml");
const wasm = (m: string): string => m.replace(/\.toml$/, ".wasm");

/** The lines of `who`, without their time stamps. */
function linesOf(stdout: string, who: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => l.startsWith(who + ": ")).map((l) => l.slice(who.length + 2));
}

const EDGES = [
  "feed 0 bits: E_ARG",
  "feed -1 bits: E_ARG",
  "feed ENT_FEED_MAX_BITS + 1: E_ARG",
  "feed 2^40 bits: E_ARG",
  "feed at -1 ppm: E_ARG",
  "feed at 1000001 ppm: E_ARG",
  "feed without a lease: E_NOLEASE",
  "feed 16 bits through a 1-byte lease: E_ARG",
  "feed through a write-only lease: E_RIGHTS",
  "lease of unmapped memory: OK; feed through it: E_FAULT",
  "source -1, 8, 2^40: E_ARG E_ARG E_ARG",
  "source 2 into a read-only lease: E_RIGHTS",
  "source 3: E_ARG",
];
const CLOCK = "bell started at virtual 0 ns; the clock is its end: yes";

const HOSTILE = ["feed 8192 bits at 1 bit each: E_PERM", "edge values: E_PERM E_PERM E_PERM E_PERM"];

describe("the QPU as an entropy source", () => {
  beforeAll(() => {
    writeStuckReadout();
    for (const m of [good, stuck]) {
      const b = quark(["build", m]);
      expect(b.code, b.stderr).toBe(0);
    }
  });

  const firsts: Record<string, string> = {};
  const bells: Record<string, string> = {};

  it.each(["node", "wasmtime"])("feeds the pool bits that pass the health tests, credited from the readout errors (%s)", (runtime) => {
    const r = quark(["boot", wasm(good), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    // A source that starts well says nothing; only a failure (and a return after one) is logged.
    expect(linesOf(r.stdout, "qsched").filter((l) => l.startsWith("entropy harvest"))).toEqual([]);
    const probe = linesOf(r.stdout, "probe");
    // kolkata's qubits 0..7: the worst, qubit 6, reads |+> as 0 with P = 0.5061 (its P(0|1) is 0.0122 above its P(1|0)): H = −log2 P = 0.982505.
    // A test may fail by chance (α = 2^-20 a bit) and the source come back: the state is in, the reason any.
    expect(probe[0]).toMatch(/^source 2: OK, kind 2, state 1, why \d, bytes at least 128: yes, credited some, credit 982505 ppm of a bit$/);
    const first = /^first bytes: ([0-9a-f]{16})$/.exec(probe[1]);
    expect(first, probe[1]).not.toBeNull();
    firsts[runtime] = first![1];
    expect(probe.slice(2, 5)).toEqual([
      "source 0: kind 1, credit 500000 ppm of a bit",
      "status: OK, device sources in: 3, QPU source in: 1, sources past the QPU's: 0",
      "get 16 bytes: OK, not all zero",
    ]);
    expect(probe[5]).toMatch(/^bell, 1000 shots, seed 7: 00 \d+, 01 \d+, 10 \d+, 11 \d+$/);
    bells[runtime] = probe[5];
    // The harvests' QPU time is kept apart: the clock is the end of the one job run.
    expect(probe[6]).toBe(CLOCK);
    expect(probe.slice(7, 7 + EDGES.length)).toEqual(EDGES);
    // Stopped because the pool is full (QS_HARVEST_FULL), having fed it at least a window.
    expect(probe.slice(7 + EDGES.length)).toEqual([
      expect.stringMatching(/^harvest: OK, state 2, runs (1 to 3|at least 4), bits fed at least 1024: yes, QPU time apart: some, claim 982505 ppm, kept out 0 in a row$/),
      "done",
    ]);
    expect(linesOf(r.stdout, "hostile")).toEqual(HOSTILE);
  });

  it("harvests different bits in two boots, while the seeded job gives the same counts", () => {
    expect(firsts.node).toMatch(/^[0-9a-f]{16}$/);
    expect(firsts.wasmtime).toMatch(/^[0-9a-f]{16}$/);
    expect(firsts.wasmtime).not.toBe(firsts.node);
    expect(bells.wasmtime).toBe(bells.node);
  });

  it.each(["node", "wasmtime"])("keeps out the bits of a readout stuck on 1, and serves from the other sources (%s)", (runtime) => {
    const r = quark(["boot", wasm(stuck), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const out = "entropy: source 2 (fed by pid 5) out: the repetition count test failed (cutoff 41 equal bits in a row); its bits are not absorbed until a whole window passes";
    const memory = linesOf(r.stdout, "memory");
    expect(memory).toContain(out);
    // In only after the recalibration below fixed the readout: P(0) = (1 − 0.01 + 0.02) / 2, H = −log2 0.505.
    const back = "entropy: source 2 (fed by pid 5) back in: 1024 bits passed whole; credited 0.985644 bit per bit, cutoffs: repetition 22, proportion 594 of 1024";
    expect(memory.filter((l) => l.includes("source 2") && l.includes(" in: "))).toEqual([back]);
    expect(memory.lastIndexOf(out)).toBeLessThan(memory.indexOf(back));
    expect(linesOf(r.stdout, "qsched")).toContain(
      "entropy harvest: stopped: the pool kept the QPU's bits out 4 times in a row (the memory service's log says which test failed); again after a recalibration");
    const probe = linesOf(r.stdout, "probe");
    expect(probe.slice(0, 7)).toEqual([
      "source 2: OK, kind 2, state 2, why 1, bytes at least 128: yes, credited none, credit 0 ppm of a bit",
      "first bytes: ffffffffffffffff",
      "source 0: kind 1, credit 500000 ppm of a bit",
      "status: OK, device sources in: 3, QPU source in: 0, sources past the QPU's: 0",
      "get 16 bytes: OK, not all zero",
      "bell, 1000 shots, seed 7: 11 1000",
      CLOCK,
    ]);
    expect(probe.slice(7, 7 + EDGES.length)).toEqual(EDGES);
    // Stopped after QS_HARVEST_TRIES feeds kept out (QS_HARVEST_KEPT_OUT); a recalibration that fixes the
    // readout, taken at the next job's run, starts it again, and the source comes back in.
    expect(probe.slice(7 + EDGES.length)).toEqual([
      "harvest: OK, state 3, runs at least 4, bits fed at least 1024: yes, QPU time apart: some, claim 0 ppm, kept out 4 in a row",
      "recalibrated with every readout fixed: calibration OK, recalibrate OK, a job to take it OK",
      "source 2 back in, credit 985644 ppm of a bit; harvest claim 985644 ppm, kept out 0 in a row",
      "done",
    ]);
    expect(linesOf(r.stdout, "hostile")).toEqual(HOSTILE);
  });
});
