// Hostile services written from the docs (tests/fixtures/hostile), under both
// hosts: a service that imports what the host drives is not linked; console
// output needs the console capability; an abort is a trap even when the module
// carries on after it, and is reported once.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";
import * as abi from "../../kernel/abi";

const manifest = join(root, "tests", "fixtures", "hostile", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

describe("hostile services", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("cannot link the host's kernel exports, forge console lines, or survive an abort (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime, "--verbose"], { input: "sleep 20\nsvc status grab --json\n" });
    expect(r.code, r.stderr).toBe(0);
    // grab imports quark.boot and quark.run: refused at spawn, named on stderr, the rest runs.
    expect(r.stdout).toContain("init: cannot create grab: E_LINK\n");
    expect(r.stderr).toMatch(/quark: pid \d+ \(grab\) import quark\.(boot|run) is not a syscall/);
    expect(r.stdout).toMatch(/init: ready: 5 of 6 services running/);
    // tracer has no console capability: its traces go nowhere.
    expect(r.stdout).not.toContain("forged");
    // It calls abort 1000 times and returns 42: one report, a trap all the same.
    expect(r.stdout.match(/kernel: tracer \(pid \d+\) aborted: tracer gives up at tracer:1:1\n/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/kernel: fault: tracer \(pid \d+\) aborted\n/);
    expect(r.stdout).toContain(`driver: abort-and-return: ${abi.E_CRASHED}\n`);
    expect(r.stdout).toContain(`driver: after it: ${abi.E_DEAD}\n`);
    expect(r.stdout).toMatch(/init: tracer \(pid \d+\) crashed: aborted\n/);
  });
});
