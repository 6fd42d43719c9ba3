// What a user sees from `quark build` when a manifest is wrong, and the path
// from `quark new service` to a running service.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { quark, root } from "./helpers";

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "quark-m-"));
  mkdirSync(join(d, "svc"));
  writeFileSync(join(d, "svc", "index.ts"), "export function quark_start(a: i32, b: i32): i32 { return 0; }\n");
  return d;
}

describe("quark build with a bad manifest", () => {
  it("names the file, the line and the fix for an unknown dependency, and writes no image", () => {
    const d = scratch();
    const m = join(d, "bad.toml");
    writeFileSync(m, `[image]\nname = "bad"\n\n[service.log]\nmodule = "svc"\n\n[service.echo]\nmodule = "svc"\nrequires = ["lgo"]\n`);
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.toml:9:\d+: error: .*"lgo"/);
    expect(r.stderr).toMatch(/did you mean "log"/);
    expect(() => readFileSync(join(d, "bad.wasm"))).toThrow();
  });

  it("names a dependency cycle in full", () => {
    const d = scratch();
    const m = join(d, "cycle.toml");
    writeFileSync(m, `[image]\nname = "cycle"\n\n[service.a]\nmodule = "svc"\nrequires = ["b"]\n\n[service.b]\nmodule = "svc"\nrequires = ["c"]\n\n[service.c]\nmodule = "svc"\nrequires = ["a"]\n`);
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cycle\.toml:\d+:\d+: error: dependency cycle: a -> b -> c -> a/);
  });

  it("reports every error in the file at once", () => {
    const d = scratch();
    const m = join(d, "many.toml");
    writeFileSync(m, `[image]\nname = "many"\n\n[service.x]\nmodule = "missing-dir"\nmemroy = "1MiB"\nrestart = "sometimes"\n`);
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/many\.toml:5:\d+: error: .*missing-dir/);
    expect(r.stderr).toMatch(/many\.toml:6:\d+: error: .*memroy/);
    expect(r.stderr).toMatch(/did you mean "memory"/);
    expect(r.stderr).toMatch(/many\.toml:7:\d+: error: .*sometimes/);
  });
});

describe("quark inspect", () => {
  it("lists the keys each service sets besides their defaults, as the manifest writes them", () => {
    const d = scratch();
    const m = join(d, "keys.toml");
    writeFileSync(m, [
      "[image]", 'name = "keys"', "",
      "[service.a]", 'module = "svc"', 'memory = "128KiB"', 'restart_delay = "1500ms"', "ping_fuel = 2000000", "enabled = false", 'restart = "always"', "",
      "[service.b]", 'module = "svc"', 'memory = "1MiB"', "queue_depth = 16", "",
    ].join("\n"));
    expect(quark(["build", m]).code).toBe(0);
    const text = quark(["inspect", join(d, "keys.wasm")]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/settings besides the defaults:\n {2}a {2}memory = "128KiB", restart = "always", restart_delay = "1500ms", enabled = false, ping_fuel = 2000000\n/);
    expect(text.stdout.slice(text.stdout.indexOf("settings besides"))).not.toMatch(/\n {2}b /); // b's values are the defaults, written out
    const json = JSON.parse(quark(["inspect", join(d, "keys.wasm"), "--json"]).stdout);
    expect(json.settings).toEqual({
      a: { memory: '"128KiB"', restart: '"always"', restart_delay: '"1500ms"', enabled: "false", ping_fuel: "2000000" }, b: {},
    });
  });
});

describe("quark new service", () => {
  it("creates a service that builds, boots under both hosts, and logs through the log service", () => {
    const d = mkdtempSync(join(tmpdir(), "quark-new-"));
    const r = quark(["new", "service", "greeter", "--dir", join(d, "greeter")]);
    expect(r.code, r.stderr).toBe(0);
    const m = join(d, "image.toml");
    writeFileSync(m, [
      `[image]`, `name = "greeter"`, ``,
      `[service.log]`, `module = "${relative(d, join(root, "userland", "log"))}"`, `requires = ["condrv"]`, `caps = ["condrv"]`, ``,
      `[service.greeter]`, `module = "greeter"`, `requires = ["log"]`, `caps = ["log"]`, ``,
      `[service.condrv]`, `module = "${relative(d, join(root, "userland", "drivers", "console"))}"`, `caps = ["uart"]`, `interrupts = ["uart"]`, ``,
    ].join("\n"));
    const built = quark(["build", m]);
    expect(built.code, built.stderr).toBe(0);
    for (const runtime of ["node", "wasmtime"]) {
      const boot = quark(["boot", join(d, "image.wasm"), "--until-ready", "--runtime", runtime]);
      expect(boot.code, boot.stderr).toBe(0);
      expect(boot.stdout).toMatch(/\] greeter: greeter is up \(restart 0\)\n/);
      expect(boot.stdout).toContain("ready: 3 of 3 services running");
    }
  });

  it("refuses a name that is not a service name", () => {
    const r = quark(["new", "service", "Bad_Name", "--dir", join(tmpdir(), "never")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not a service name");
  });
});
