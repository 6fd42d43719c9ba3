// The conformance suite, run the way a user runs it, under both hosts.
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { image, quark } from "./helpers";

let wasm: string;
beforeAll(async () => { wasm = await image("default"); });

// Rules the suite must cover; each must be reported, and pass.
const REQUIRED = [
  "caps.revoke-removes-every-derived-capability",
  "caps.forged-slot-numbers-are-errors",
  "ipc.a-call-returns-all-six-reply-words",
  "ipc.a-full-queue-is-reported-and-nothing-accepted-is-lost",
  "lease.access-past-the-end-is-refused",
  "faults.the-caller-survives-a-servers-trap",
  "faults.a-crashed-server-is-restarted-and-answers-through-the-same-capability",
  "badargs.random-syscalls-do-not-trap-the-kernel",
  "badargs.qc-peer-still-answers-after-random-syscalls",
  "badargs.log-still-answers-after-random-syscalls",
  "memory.demand-zero-pages-read-as-zeros-and-take-a-frame-only-on-first-write",
  "memory.a-shared-memory-object-is-visible-both-ways-between-two-processes",
  "memory.revoking-the-parent-capability-removes-the-other-processes-mapping",
  "memory.a-copy-on-write-clone-keeps-both-versions-after-a-write",
  "memory.going-over-the-page-quota-is-e-nomem-not-a-crash",
  "memory.the-frames-of-a-crashed-process-come-back",
  "memory.no-frame-leaks-across-the-suite",
  "entropy.get-returns-the-bytes-asked-for-and-debits-the-available-bits",
  "entropy.two-gets-return-different-bytes",
  "entropy.status-reports-every-source-healthy",
  "entropy.a-stuck-source-fails-the-repetition-count-test-and-leaves-the-pool",
  "entropy.the-pool-keeps-serving-from-the-healthy-source",
  "entropy.a-cleared-source-stays-out-until-it-passes-a-whole-window",
  "entropy.a-biased-source-fails-the-adaptive-proportion-test",
];

describe.each(["node", "wasmtime"])("quark conformance under %s", (runtime) => {
  let tap: { code: number | null; stdout: string; stderr: string };
  beforeAll(() => { tap = quark(["conformance", wasm, "--runtime", runtime, "--reporter", "tap"], { timeoutMs: 600_000 }); });

  it("passes every test and exits 0", () => {
    expect(tap.stderr + tap.stdout).not.toMatch(/^not ok/m);
    expect(tap.code, tap.stdout + tap.stderr).toBe(0);
  });

  it("reports valid TAP: a plan matching the number of results", () => {
    const plan = /^1\.\.(\d+)$/m.exec(tap.stdout);
    expect(plan).not.toBeNull();
    const results = tap.stdout.split("\n").filter((l) => /^(not )?ok \d+ /.test(l));
    expect(results.length).toBe(Number(plan![1]));
    expect(results.length).toBeGreaterThanOrEqual(30);
  });

  it("covers capabilities, IPC, leases, faults, kernel-managed memory, bad syscall arguments and the entropy pool", () => {
    for (const suite of ["caps", "ipc", "lease", "faults", "memory", "badargs", "entropy"]) expect(tap.stdout).toMatch(new RegExp(`^ok \\d+ - ${suite}\\.`, "m"));
    for (const name of REQUIRED) expect(tap.stdout).toMatch(new RegExp(`^ok \\d+ - ${name.replace(/\./g, "\\.")}\\b`, "m"));
  });

  it("survives 100 000 seeded random syscalls from a hostile service, and everything still answers", () => {
    expect(tap.stdout).toMatch(/^ok \d+ - badargs\.random-syscalls-do-not-trap-the-kernel$/m);
  });
});

describe("conformance reporters", () => {
  it("writes JUnit XML to --out and a readable summary to the terminal", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-qc-"));
    const out = join(dir, "report.xml");
    const junit = quark(["conformance", wasm, "--reporter", "junit", "--out", out], { timeoutMs: 600_000 });
    expect(junit.code, junit.stderr).toBe(0);
    const xml = readFileSync(out, "utf8");
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    expect(xml).toMatch(/<testsuites[^>]*>/);
    expect(xml).toMatch(/<testcase [^>]*name="[^"]+"/);
    expect(xml).not.toMatch(/<failure/);
    const pretty = quark(["conformance", wasm], { timeoutMs: 600_000 });
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/passed/i);
  });
});
