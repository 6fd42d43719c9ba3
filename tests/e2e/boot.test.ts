// Booting the default image the way a user does: the CLI, both hosts.
import { describe, expect, it, beforeAll } from "vitest";
import { image, quark, withoutTimings } from "./helpers";

let wasm: string;
beforeAll(async () => { wasm = await image("default"); });

describe("quark boot", () => {
  it("boots the default image under Node: services in dependency order, then the ready line, exit 0", () => {
    const r = quark(["boot", wasm, "--until-ready"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\[\s*\d+\.\d{6}\] kernel: quark kernel, ABI 1/);
    const log = lines.findIndex((l) => /init: started log \(pid 2\) in [\d.]+ µs$/.test(l));
    const echo = lines.findIndex((l) => /init: started echo \(pid 3\) in [\d.]+ µs$/.test(l));
    const memory = lines.findIndex((l) => /init: started memory \(pid 4\) in [\d.]+ µs$/.test(l));
    expect(log).toBeGreaterThan(0);
    expect(echo).toBeGreaterThan(log);
    expect(memory).toBeGreaterThan(echo);
    expect(r.stdout).toMatch(/memory: entropy: 2 of 2 sources healthy, pool seeded; cutoffs for H = 0\.5, α = 2\^-20: repetition 41, proportion 410 of 512\n/);
    expect(r.stdout).toMatch(/init: ready: 7 of 7 services running, boot took [\d.]+ ms\n/);
    expect(lines.at(-1)).toMatch(/kernel: halting after ready \(--until-ready\)$/);
  });

  it("boots the same image under wasmtime and prints the same log, timings aside", () => {
    const node = quark(["boot", wasm, "--until-ready"]);
    const wt = quark(["boot", wasm, "--until-ready", "--runtime", "wasmtime"]);
    expect(wt.code).toBe(0);
    expect(withoutTimings(wt.stdout)).toBe(withoutTimings(node.stdout));
  });

  it("builds and boots a manifest in one step; with no input the shell halts the system cleanly", () => {
    const r = quark(["boot", "images/default.toml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("init: ready: 7 of 7 services running");
    expect(r.stdout).not.toContain("halting after ready");
    expect(r.stdout).toMatch(/init: halting, code 0 \(asked by pid \d+\)\n/);
  });

  it("--quiet keeps services' log lines off the console (an image without a shell then prints nothing)", () => {
    const r = quark(["boot", wasm, "--until-ready", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
  });

  it("rejects a file that is not an image with one clear line, under both hosts", () => {
    for (const runtime of ["node", "wasmtime"]) {
      const r = quark(["boot", "package.json", "--runtime", runtime]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/package\.json.*(not a valid WebAssembly|not wasm|not a WebAssembly)/i);
    }
  });

  it("names an unknown option instead of ignoring it", () => {
    const r = quark(["boot", wasm, "--untill-ready"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option --untill-ready");
  });
});
