import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { decodeBootTable, encodeBootTable, fnv1a } from "../../tools/lib/boot-table";
import {
  formatDiagnostics, ManifestError, parseManifest, parseManifestText, startOrder,
  type Diagnostic, type Manifest,
} from "../../tools/lib/manifest";

// A scratch repository: userland modules with an index.ts each, and images/.
let root: string;
let file: string; // where each test's manifest lives

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "quark-manifest-"));
  for (const s of ["init", "log", "echo", "a", "b", "c", "d"]) {
    mkdirSync(join(root, "userland", s), { recursive: true });
    writeFileSync(join(root, "userland", s, "index.ts"), "export function quark_start(): i32 { return 0; }\n");
  }
  mkdirSync(join(root, "userland", "empty"));
  writeFileSync(join(root, "userland", "single.ts"), "\n");
  writeFileSync(join(root, "userland", "notes.txt"), "\n");
  mkdirSync(join(root, "images"));
  file = join(root, "images", "test.toml");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function toml(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

function write(text: string): string {
  writeFileSync(file, text);
  return file;
}

function parse(text: string): Manifest {
  return parseManifest(write(text), { root });
}

function errorsOf(text: string): Diagnostic[] {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ManifestError) return e.diagnostics;
    throw e;
  }
  throw new Error("the manifest was accepted");
}

function only(text: string): Diagnostic {
  const diags = errorsOf(text);
  expect(diags.map((d) => d.message)).toHaveLength(1);
  return diags[0];
}

const HEAD = ['[image]', 'name = "test"', ""];
const LOG = ['[service.log]', 'module = "../userland/log"', ""];

describe("a valid manifest", () => {
  const text = toml(
    "# the test image",
    "[image]",
    'name = "test"',
    'description = "a test image"',
    "",
    "[service.log]",
    'module = "../userland/log"',
    'description = "console log"',
    'memory = "256KiB"',
    'restart = "always"',
    "caps = [\"console\"]",
    "",
    "[service.echo]",
    'module = "../userland/echo"',
    'requires = ["log"]',
    'wants = ["a"]',
    'caps = ["log", "console:read+write", "a:call+send+grant"]',
    "max_restarts = 3",
    'restart_window = "2m"',
    'restart_delay = "250ms"',
    "",
    "[service.a]",
    'module = "../userland/single.ts"',
    "memory = 131072",
  );

  it("yields every setting, with defaults for the rest", () => {
    const m = parse(text);
    expect(m.file).toBe(file);
    expect(m.dir).toBe(join(root, "images"));
    expect(m.name).toBe("test");
    expect(m.description).toBe("a test image");
    expect(m.init).toEqual({ module: join(root, "userland", "init"), entry: join(root, "userland", "init", "index.ts") });
    expect(m.warnings).toEqual([]);
    expect(m.services.map((s) => s.name)).toEqual(["log", "echo", "a"]);
    const [log, echo, a] = m.services;
    expect(log).toEqual({
      name: "log", line: 6, module: join(root, "userland", "log"), entry: join(root, "userland", "log", "index.ts"),
      description: "console log", memoryBytes: 256 * 1024, memoryPages: 4, restart: "always",
      maxRestarts: 5, restartWindowMs: 30_000, restartDelayMs: 0, pageQuota: abi.DEFAULT_PAGE_QUOTA, cpuBudget: abi.DEFAULT_CPU_BUDGET,
      restartBackoff: "fixed", restartDelayMaxMs: 30_000, stableAfterMs: 10_000, stopTimeoutMs: 1000, enabled: true, bindsTo: [], queueDepth: abi.QUEUE_DEPTH, qubits: 0, heartbeatMs: 0, ready: "started", startTimeoutMs: 10_000, instances: 1, ranges: {}, tags: [], interface: "log", registrations: abi.DEFAULT_REGISTRATIONS, pingFuel: abi.PING_FUEL, requires: [], wants: [],
      caps: [{ name: "console", kind: "console", rights: abi.R_WRITE, label: fnv1a("console") }],
    });
    expect(echo).toMatchObject({
      line: 13, memoryBytes: 1024 * 1024, memoryPages: 16, restart: "on-failure", maxRestarts: 3,
      restartWindowMs: 120_000, restartDelayMs: 250, requires: ["log"], wants: ["a"],
    });
    expect(echo.caps).toEqual([
      { name: "log", kind: "service", rights: abi.R_CALL | abi.R_SEND, label: fnv1a("log") },
      { name: "console", kind: "console", rights: abi.R_READ | abi.R_WRITE, label: fnv1a("console") },
      { name: "a", kind: "service", rights: abi.R_CALL | abi.R_SEND | abi.R_GRANT, label: fnv1a("a") },
    ]);
    expect(a).toMatchObject({ module: join(root, "userland", "single.ts"), entry: join(root, "userland", "single.ts"), memoryPages: 2 });
  });

  it("is the same through parseManifestText", () => {
    expect(parseManifestText(text, file, { root })).toEqual(parse(text));
  });

  it("takes init's module from [init]", () => {
    const m = parse(toml(...HEAD, "[init]", 'module = "../userland/d"', "", ...LOG));
    expect(m.init).toEqual({ module: join(root, "userland", "d"), entry: join(root, "userland", "d", "index.ts") });
  });

  it("accepts a table written inline and with dotted keys", () => {
    const m = parse(toml('image = { name = "test" }', 'service.log.module = "../userland/log"', 'service.log.caps = ["console"]'));
    expect(m.services.map((s) => [s.name, s.caps.length])).toEqual([["log", 1]]);
  });
});

describe("unknown keys", () => {
  it("point at the key and suggest the nearest valid one", () => {
    const d = only(toml(...HEAD, "[service.log]", 'modul = "../userland/log"'));
    expect(d).toEqual({
      file, line: 5, col: 1,
      message: 'unknown key "modul" in [service.log]',
      hint: 'did you mean "module"? Valid keys: module, description, memory, restart, max_restarts, ' +
        "restart_window, restart_delay, restart_backoff, restart_delay_max, stable_after, stop_timeout, enabled, page_quota, cpu_budget, queue_depth, qubits, requires, binds_to, wants, caps, interrupts, driver, driver_match, version, heartbeat, ready, start_timeout, instances, tags, interface, registrations, ping_fuel",
    });
  });

  it("list the valid keys when nothing is close", () => {
    const d = only(toml(...HEAD, ...LOG, "colour = 3"));
    expect(d).toMatchObject({ line: 7, col: 1, message: 'unknown key "colour" in [service.log]' });
    expect(d.hint).toBe("Valid keys: module, description, memory, restart, max_restarts, restart_window, restart_delay, restart_backoff, restart_delay_max, stable_after, stop_timeout, enabled, page_quota, cpu_budget, queue_depth, qubits, requires, binds_to, wants, caps, interrupts, driver, driver_match, version, heartbeat, ready, start_timeout, instances, tags, interface, registrations, ping_fuel");
  });

  it("name a misspelt top-level table without also calling it missing", () => {
    const d = only(toml("[imgae]", 'name = "test"', ...LOG));
    expect(d).toEqual({
      file, line: 1, col: 2, message: "unknown table [imgae] at the top level",
      hint: 'did you mean "image"? Valid top-level tables: image, init, service, group, qpu',
    });
  });

  it("are checked in [image] and [init] too", () => {
    const diags = errorsOf(toml("[image]", 'nmae = "test"', "[init]", 'modle = "../userland/init"', ...LOG));
    expect(diags.map((d) => [d.line, d.col, d.message, d.hint.split("?")[0]])).toEqual([
      [2, 1, 'unknown key "nmae" in [image]', 'did you mean "name"'],
      [4, 1, 'unknown key "modle" in [init]', 'did you mean "module"'],
    ]);
  });
});

describe("modules", () => {
  it("must exist: the message shows the resolved path and the hint a near name", () => {
    const d = only(toml(...HEAD, "[service.log]", 'module = "../userland/lgo"'));
    const resolved = join(root, "userland", "lgo");
    expect(d).toEqual({
      file, line: 5, col: 10,
      message: `module "../userland/lgo" not found: ${resolved} does not exist`,
      hint: `did you mean "../userland/log"? module paths are relative to the manifest's directory, ${join(root, "images")}; ` +
        "a module is a directory holding index.ts, or a .ts file",
    });
  });

  it("must hold index.ts when a directory, or be a .ts file", () => {
    const diags = errorsOf(toml(...HEAD,
      "[service.log]", 'module = "../userland/empty"',
      "[service.echo]", 'module = "../userland/notes.txt"'));
    expect(diags.map((d) => [d.line, d.col, d.message])).toEqual([
      [5, 10, `module "../userland/empty" has no entry: ${join(root, "userland", "empty", "index.ts")} does not exist`],
      [7, 10, `module "../userland/notes.txt" is not a .ts file: ${join(root, "userland", "notes.txt")}`],
    ]);
  });

  it("is required", () => {
    const d = only(toml(...HEAD, "[service.log]", 'memory = "1MiB"'));
    expect(d).toMatchObject({ line: 4, col: 10, message: 'service "log" has no module' });
    expect(d.hint).toBe(`add module = "../userland/log" (a directory holding index.ts, or a .ts file, relative to ${join(root, "images")})`);
  });

  it("must be a string", () => {
    expect(only(toml(...HEAD, "[service.log]", "module = 7"))).toMatchObject({
      line: 5, col: 10, message: 'module of service "log" must be a string, found an integer',
      hint: 'write e.g. module = "../userland/log"',
    });
  });

  it("of init is checked when given", () => {
    expect(only(toml(...HEAD, "[init]", 'module = "../userland/nope"', ...LOG))).toMatchObject({
      line: 5, col: 10, message: `module "../userland/nope" not found: ${join(root, "userland", "nope")} does not exist`,
    });
  });
});

describe("dependencies", () => {
  it("must name services of the image", () => {
    const text = toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'requires=["lgo"]');
    const err = (() => {
      try {
        parse(text);
      } catch (e) {
        return e as ManifestError;
      }
    })()!;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.message).toBe(
      `${file}:9:11: error: unknown dependency "lgo" of service "echo"\n` +
      '  hint: did you mean "log"? Services in this image: log, echo',
    );
  });

  it("cannot include the service itself or init", () => {
    const diags = errorsOf(toml(...HEAD, "[service.log]", 'module = "../userland/log"', 'requires = ["log", "init"]'));
    expect(diags.map((d) => [d.line, d.col, d.message, d.hint])).toEqual([
      [6, 13, 'service "log" requires itself', 'remove "log" from its own requires'],
      [6, 20, 'service "log" cannot require init', "init starts every service and is always running; remove it"],
    ]);
  });

  it("may not repeat", () => {
    const d = only(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'requires = ["log", "log"]'));
    expect(d).toMatchObject({
      line: 9, col: 20, message: 'duplicate dependency "log" in requires of service "echo"',
      hint: "first listed at line 9, column 13; remove one",
    });
  });

  it("report a cycle once, in full, at its first edge", () => {
    const diags = errorsOf(toml(...HEAD,
      "[service.a]", 'module = "../userland/a"', 'requires = ["b"]', "",
      "[service.b]", 'module = "../userland/b"', 'requires = ["c"]', "",
      "[service.c]", 'module = "../userland/c"', 'requires = ["a"]'));
    expect(diags).toEqual([{
      file, line: 6, col: 13, message: "dependency cycle: a -> b -> c -> a",
      hint: "no service of a cycle could ever start: a requires b (line 6), b requires c (line 10), c requires a (line 14); " +
        "remove one of these, or move it to wants",
    }]);
  });

  it("report every distinct cycle", () => {
    const diags = errorsOf(toml(...HEAD,
      "[service.a]", 'module = "../userland/a"', 'requires = ["b"]',
      "[service.b]", 'module = "../userland/b"', 'requires = ["a", "c"]',
      "[service.c]", 'module = "../userland/c"', 'requires = ["b"]'));
    expect(diags.map((d) => d.message)).toEqual(["dependency cycle: a -> b -> a", "dependency cycle: b -> c -> b"]);
  });

  it("in wants may be absent: a warning with its position, not an error", () => {
    const m = parse(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'wants = ["log", "lgo", "net"]'));
    expect(m.services[1].wants).toEqual(["log", "lgo", "net"]);
    expect(m.warnings).toEqual([
      { file, line: 9, col: 17, message: 'optional dependency "lgo" of service "echo" is not in this image',
        hint: 'did you mean "log"? it is ignored; Services in this image: log, echo' },
      { file, line: 9, col: 24, message: 'optional dependency "net" of service "echo" is not in this image',
        hint: "it is ignored; Services in this image: log, echo" },
    ]);
    expect(formatDiagnostics(m.warnings.slice(1), "warning")).toBe(
      `${file}:9:24: warning: optional dependency "net" of service "echo" is not in this image\n` +
      "  hint: it is ignored; Services in this image: log, echo");
  });

  it("in wants must not repeat requires", () => {
    expect(only(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'requires = ["log"]', 'wants = ["log"]')))
      .toMatchObject({ line: 10, col: 10, message: '"log" is in both requires and wants of service "echo"' });
  });

  it("must be an array of strings", () => {
    const diags = errorsOf(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'requires = "log"', "wants = [1]"));
    expect(diags.map((d) => [d.line, d.col, d.message])).toEqual([
      [9, 12, 'requires of service "echo" must be an array of strings, found a string'],
      [10, 10, 'wants of service "echo" must hold strings, found an integer'],
    ]);
  });
});

describe("settings", () => {
  const bad = (key: string, value: string): Diagnostic =>
    only(toml(...HEAD, "[service.log]", 'module = "../userland/log"', `${key} = ${value}`));

  it.each([
    ['"100KiB"', 'memory of service "log": "100KiB" is not a multiple of 64KiB (the WebAssembly page size)', 'round it to "64KiB" or "128KiB"'],
    ['"32KiB"', 'memory of service "log": "32KiB" is out of range', "a service's memory must be between 64KiB and 256MiB"],
    ['"512MiB"', 'memory of service "log": "512MiB" is out of range', "a service's memory must be between 64KiB and 256MiB"],
    ['"256KB"', 'memory of service "log": unknown unit "KB" in "256KB"', 'did you mean "256KiB"? Units: B, KiB, MiB (powers of 1024)'],
    ['"4mib"', 'memory of service "log": unknown unit "mib" in "4mib"', 'did you mean "4MiB"? Units: B, KiB, MiB (powers of 1024)'],
    ['"4GiB"', 'memory of service "log": unknown unit "GiB" in "4GiB"', "Units: B, KiB, MiB (powers of 1024)"],
    ['"1.5MiB"', 'memory of service "log": "1.5MiB" is not a whole number', 'use a smaller unit, e.g. "1536KiB"'],
    ['"lots"', 'memory of service "log": invalid size "lots"', 'write a whole number and a unit (B, KiB or MiB), e.g. "256KiB" or "1MiB"'],
    ["100000", 'memory of service "log": 100000 is not a multiple of 64KiB (the WebAssembly page size)', 'round it to "64KiB" or "128KiB"'],
    ["true", 'memory of service "log" must be a size such as "256KiB" or an integer number of bytes, found a boolean', 'write e.g. memory = "1MiB"'],
  ])("memory = %s is rejected with the reason", (value, message, hint) => {
    expect(bad("memory", value)).toEqual({ file, line: 6, col: 10, message, hint });
  });

  it.each([
    ["65536", 1], ['"64KiB"', 1], ['"2MiB"', 32], ['"256MiB"', 4096], ['"131072B"', 2], ['"196608"', 3],
  ])("memory = %s is %i pages", (value, pages) => {
    const m = parse(toml(...HEAD, "[service.log]", 'module = "../userland/log"', `memory = ${value}`));
    expect(m.services[0].memoryPages).toBe(pages);
    expect(m.services[0].memoryBytes).toBe(pages * 65536);
  });

  it.each([
    ["restart_window", '"5sec"', 'restart_window of service "log": unknown unit "sec" in "5sec"', 'write "5s"; units: ms, s, m'],
    ["restart_window", '"30"', 'restart_window of service "log": "30" has no unit', 'write a whole number and a unit (ms, s or m), e.g. "500ms", "30s" or "2m"'],
    ["restart_window", '"0ms"', 'restart_window of service "log" must be at least 1ms', 'restarts are counted over this window; e.g. restart_window = "30s"'],
    ["restart_delay", '"1.5ms"', 'restart_delay of service "log": "1.5ms" is not a whole number of milliseconds', 'write a whole number and a unit (ms, s or m), e.g. "500ms", "30s" or "2m"'],
    ["restart_delay", "100", 'restart_delay of service "log" must be a string, found an integer', 'write e.g. restart_delay = "100ms"'],
  ])("%s = %s is rejected", (key, value, message, hint) => {
    expect(bad(key, value)).toMatchObject({ line: 6, message, hint });
  });

  it("accepts durations in ms, s and m", () => {
    const m = parse(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'restart_window = "1500ms"', 'restart_delay = "2s"'));
    expect(m.services[1]).toMatchObject({ restartWindowMs: 1500, restartDelayMs: 2000 });
  });

  it("restart must be a known policy", () => {
    expect(bad("restart", '"allways"')).toEqual({
      file, line: 6, col: 11, message: 'invalid restart policy "allways" for service "log"',
      hint: 'did you mean "always"? Policies: never, on-failure, always',
    });
  });

  it("max_restarts = 0 with restart = always is refused: unlimited restarts are not allowed", () => {
    const d = only(toml(...HEAD, "[service.log]", 'module = "../userland/log"', 'restart = "always"', "max_restarts = 0"));
    expect(d).toMatchObject({ line: 7, col: 16, hint: 'set max_restarts to 1 or more, or use restart = "never"' });
    expect(d.message).toContain("unlimited restarts are not allowed");
  });

  it("max_restarts = 0 means never restart under on-failure", () => {
    expect(parse(toml(...HEAD, ...LOG.slice(0, 2), "max_restarts = 0")).services[0].maxRestarts).toBe(0);
  });

  it("max_restarts must be a non-negative integer", () => {
    expect(bad("max_restarts", "-1")).toMatchObject({ col: 16, message: 'max_restarts of service "log" is out of range: -1' });
    expect(bad("max_restarts", "2.5")).toMatchObject({ col: 16, message: 'max_restarts of service "log" must be an integer, found a float' });
  });
});

describe("capabilities", () => {
  const caps = (list: string): Diagnostic[] =>
    errorsOf(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', `caps = ${list}`));

  it("reject a right that does not apply, listing the allowed ones, at the right itself", () => {
    expect(caps('["console:call"]')).toEqual([{
      file, line: 9, col: 18, message: 'right "call" does not apply to the console ("console:call")',
      hint: "the console accepts: read, write",
    }]);
  });

  it("suggest a misspelt right", () => {
    expect(caps('["log:call+sned"]')).toEqual([{
      file, line: 9, col: 19, message: 'unknown right "sned" in "log:call+sned"',
      hint: 'did you mean "send"? a service endpoint accepts: call, send, grant, control',
    }]);
  });

  it("reject signal, read and write on a service endpoint", () => {
    expect(caps('["log:signal+write"]').map((d) => [d.col, d.message])).toEqual([
      [14, 'right "signal" does not apply to a service endpoint ("log:signal+write")'],
      [21, 'right "write" does not apply to a service endpoint ("log:signal+write")'],
    ]);
  });

  it("reject empty and repeated rights", () => {
    expect(caps('["log:", "console:write+write"]').map((d) => [d.col, d.message])).toEqual([
      [14, 'no rights after the colon in "log:"'],
      [32, 'right "write" is listed twice in "console:write+write"'],
    ]);
  });

  it("must name the console, a device or a service of the image", () => {
    expect(caps('["lgo:call"]')).toEqual([{
      file, line: 9, col: 9, message: 'unknown capability "lgo" of service "echo"',
      hint: 'did you mean "log"? a capability names the console, init, a device or a service in this image: console, init, entropy, bus, uart, log, echo',
    }]);
    expect(caps('["entrop"]')[0].hint).toMatch(/^did you mean "entropy"\?/);
  });

  it("grant a device by name, read+write by default, with the device's id", () => {
    const m = parse(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'caps = ["entropy", "log"]'));
    expect(m.services[1].caps).toEqual([
      { name: "entropy", kind: "device", rights: abi.R_READ | abi.R_WRITE, label: fnv1a("entropy"), device: abi.DEV_ENTROPY },
      { name: "log", kind: "service", rights: abi.R_CALL | abi.R_SEND, label: fnv1a("log") },
    ]);
    const ro = parse(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"', 'caps = ["entropy:read"]'));
    expect(ro.services[1].caps[0]).toMatchObject({ kind: "device", rights: abi.R_READ });
  });

  it("reject a right that does not apply to a device", () => {
    expect(caps('["entropy:call"]')).toEqual([{
      file, line: 9, col: 18, message: 'right "call" does not apply to a device ("entropy:call")',
      hint: "a device accepts: read, write",
    }]);
  });

  it("may not name the same object twice", () => {
    expect(caps('["log", "console", "log:grant"]')).toEqual([{
      file, line: 9, col: 27, message: 'duplicate capability "log" in caps of service "echo"',
      hint: "first listed at line 9, column 9; remove one",
    }]);
  });
});

describe("the image as a whole", () => {
  it("declares init implicitly", () => {
    expect(only(toml(...HEAD, ...LOG, "[service.init]", 'module = "../userland/init"'))).toEqual({
      file, line: 7, col: 10, message: "init is implicit: it cannot be declared as [service.init]",
      hint: 'remove [service.init]; to use another init module, write [init] with module = "..."',
    });
  });

  it("needs a service", () => {
    expect(only(toml(...HEAD))).toMatchObject({ line: 1, col: 1, message: "the image has no services" });
    expect(only(toml(...HEAD, "[service]"))).toMatchObject({ line: 4, col: 2, message: "the image has no services" });
  });

  it("needs [image] with a valid name", () => {
    expect(only(toml(...LOG))).toMatchObject({ line: 1, col: 1, message: "missing [image] table", hint: 'start the manifest with [image] and name = "test"' });
    expect(only(toml("[image]", 'description = "x"', ...LOG))).toMatchObject({ line: 1, col: 2, message: "missing name in [image]" });
    expect(only(toml("[image]", 'name = "Test_1"', ...LOG))).toMatchObject({ line: 2, col: 8, message: 'invalid image name "Test_1"' });
  });

  it("checks service names", () => {
    expect(only(toml(...HEAD, "[service.Log]", 'module = "../userland/log"'))).toMatchObject({
      line: 4, col: 10, message: 'invalid service name "Log"',
      hint: 'a service name is 1 to 32 characters: a lowercase letter, then lowercase letters, digits or -, e.g. "log"',
    });
    expect(only(toml(...HEAD, "[service.console]", 'module = "../userland/log"'))).toMatchObject({ message: 'service name "console" is reserved' });
    expect(only(toml(...HEAD, "[service.entropy]", 'module = "../userland/log"'))).toMatchObject({
      message: 'service name "entropy" is reserved', hint: 'in caps, "entropy" names the entropy device; choose another name',
    });
    expect(only(toml(...HEAD, `[service.${"x".repeat(33)}]`, 'module = "../userland/log"'))).toMatchObject({ message: `invalid service name "${"x".repeat(33)}"` });
  });

  it("wants services as tables", () => {
    expect(only(toml(...HEAD, "[service]", 'module = "../userland/log"'))).toMatchObject({
      line: 5, col: 1, message: '"module" under [service] is not a service table',
      hint: "service keys go inside a service's own table, e.g. [service.log] then module = ...",
    });
    expect(only(toml(...HEAD, "[[service]]", 'module = "../userland/log"'))).toMatchObject({
      line: 4, col: 3, message: "service must be a table, found an array of tables",
    });
  });

  it("reports every error at once, in file order, one block each", () => {
    const text = toml(
      "[image]",
      'name = "test"',
      'name = "again"',
      "[service.log]",
      'module = "../userland/log"',
      'memory = "100KiB"',
      "[service.echo]",
      'module = "../userland/echo"',
      'requires = ["lgo"]',
      'caps = ["console:call"]',
      'restart = "sometimes"',
    );
    const diags = errorsOf(text);
    expect(diags.map((d) => `${d.line}:${d.col}`)).toEqual(["3:1", "6:10", "9:13", "10:18", "11:11"]);
    let message = "";
    try {
      parse(text);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(formatDiagnostics(diags));
    expect(message.split("\n").filter((l) => l.startsWith(`${file}:`))).toHaveLength(5);
    expect(message.split("\n").filter((l) => l.startsWith("  hint: "))).toHaveLength(5);
  });
});

describe("syntax errors", () => {
  it("are reported with their position and a hint", () => {
    const d = only(toml(...HEAD, "[service.log]", 'module = "../userland/log'));
    expect(d).toEqual({
      file, line: 5, col: 10, message: "unterminated string",
      hint: 'close the string with " on the same line, or use """ for a string that spans lines',
    });
  });

  it("are all reported, without guesses about the lines they made unreadable", () => {
    const diags = errorsOf(toml("[image]", "name = test", ...LOG, "memory = 256KiB", 'restart = "always" "never"'));
    expect(diags.map((d) => [d.line, d.col, d.message, d.hint])).toEqual([
      [2, 8, "invalid value test", 'strings must be quoted: "test"'],
      [6, 10, "invalid value 256KiB", 'strings must be quoted: "256KiB"'],
      [7, 20, 'unexpected "\\"never\\"" after the value', "put each key = value (and each [table] header) on its own line; start comments with #"],
    ]);
  });

  it("include a duplicate key, reported alongside the manifest's own errors", () => {
    const diags = errorsOf(toml(...HEAD, "[service.log]", 'module = "../userland/log"', 'module = "../userland/echo"', 'requires = ["nope"]'));
    expect(diags).toEqual([
      { file, line: 6, col: 1, message: 'duplicate key "module" (first defined at line 5, column 1)', hint: "remove one of the two definitions" },
      { file, line: 7, col: 13, message: 'unknown dependency "nope" of service "log"', hint: "Services in this image: log" },
    ]);
  });

  it("include a table defined twice", () => {
    expect(only(toml(...HEAD, ...LOG, "[service.log]", 'memory = "2MiB"'))).toMatchObject({
      line: 7, col: 10, message: "table [service.log] is already defined at line 4, column 10",
    });
  });
});

describe("paths", () => {
  it("appear in messages as the caller gave them", () => {
    const rel = relative(process.cwd(), write(toml(...HEAD, "[service.log]", 'modul = "x"')));
    try {
      parseManifest(rel, { root });
      throw new Error("accepted");
    } catch (e) {
      expect((e as ManifestError).message.startsWith(`${rel}:5:1: error: unknown key "modul"`)).toBe(true);
      expect((e as ManifestError).diagnostics[0].file).toBe(rel);
    }
  });

  it("of a missing manifest give an error, not a crash", () => {
    const missing = join(root, "images", "missing.toml");
    expect(() => parseManifest(missing, { root })).toThrow(ManifestError);
    expect(() => parseManifest(missing, { root })).toThrow(/^.*missing\.toml:1:1: error: cannot read the manifest/);
  });

  it("for the default init are checked against the root", () => {
    const bare = mkdtempSync(join(tmpdir(), "quark-root-"));
    try {
      const err = (() => {
        try {
          parseManifest(write(toml(...HEAD, ...LOG)), { root: bare });
        } catch (e) {
          return e as ManifestError;
        }
      })()!;
      expect(err.diagnostics[0]).toMatchObject({
        line: 1, col: 1,
        message: `the default init module ${join(bare, "userland", "init")} is unusable: not found: ${join(bare, "userland", "init")} does not exist`,
      });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe("startOrder", () => {
  it("groups services whose required dependencies have started, in manifest order", () => {
    const m = parse(toml(...HEAD,
      "[service.echo]", 'module = "../userland/echo"', 'requires = ["log", "a"]',
      "[service.b]", 'module = "../userland/b"', 'requires = ["echo"]', 'wants = ["c"]',
      "[service.log]", 'module = "../userland/log"',
      "[service.a]", 'module = "../userland/a"', 'requires = ["log"]',
      "[service.c]", 'module = "../userland/c"', 'wants = ["b"]',
      "[service.d]", 'module = "../userland/d"'));
    expect(startOrder(m)).toEqual([["log", "c", "d"], ["a"], ["echo"], ["b"]]);
  });

  it("puts independent services in one group", () => {
    const m = parse(toml(...HEAD, ...LOG, "[service.echo]", 'module = "../userland/echo"'));
    expect(startOrder(m)).toEqual([["log", "echo"]]);
  });
});

describe("encoding", () => {
  it("rejects bytes that are not UTF-8, at their position", () => {
    const bad = join(root, "images", "latin1.toml");
    writeFileSync(bad, Buffer.concat([Buffer.from('[image]\nname = "t'), Buffer.from([0xe9]), Buffer.from('st"\n')]));
    try {
      parseManifest(bad, { root });
      throw new Error("accepted");
    } catch (e) {
      expect((e as ManifestError).diagnostics).toEqual([
        { file: bad, line: 2, col: 10, message: "the manifest is not valid UTF-8", hint: "save the file as UTF-8" },
      ]);
    }
  });

  it("accepts a byte-order mark", () => {
    expect(parse("\uFEFF" + toml(...HEAD, ...LOG)).name).toBe("test");
  });
});

describe("the repository's own images", () => {
  const repo = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
  const images = readdirSync(join(repo, "images")).filter((f) => f.endsWith(".toml"));

  it.each(images)("images/%s is valid, with init from the repository", (name) => {
    const m = parseManifest(join(repo, "images", name));
    expect(m.init.module).toBe(join(repo, "userland", "init"));
    expect(m.services.length).toBeGreaterThan(0);
    expect(startOrder(m).flat().sort()).toEqual(m.services.map((s) => s.name).sort());
  });
});

describe("registrations", () => {
  const svc = (name: string, ...lines: string[]): string[] => [`[service.${name}]`, `module = "../userland/${name}"`, ...lines, ""];

  it("defaults to DEFAULT_REGISTRATIONS and takes 0 to REG_QUOTA_MAX", () => {
    const m = parse(toml(...HEAD, ...svc("log"), ...svc("a", "registrations = 0"), ...svc("b", `registrations = ${abi.REG_QUOTA_MAX}`)));
    expect(m.services.map((s) => s.registrations)).toEqual([abi.DEFAULT_REGISTRATIONS, 0, abi.REG_QUOTA_MAX]);
  });

  it.each([["-1", "-1"], [`${abi.REG_QUOTA_MAX + 1}`, `${abi.REG_QUOTA_MAX + 1}`], ['"4"', "a string"], ["2.5", "a float"]])(
    "registrations = %s is refused with the range, at the value", (value, found) => {
      const d = only(toml(...HEAD, ...svc("log", `registrations = ${value}`)));
      expect(d).toMatchObject({ file, line: 6, col: 17 });
      expect(d.message).toBe(`registrations of service "log" must be a whole number from 0 to ${abi.REG_QUOTA_MAX}, found ${found}`);
      expect(d.hint).toMatch(/^registrations is the number of registry entries each of its processes may add/);
    });

  it("refuses an image whose registry would not hold every manifest entry and quota, naming the largest", () => {
    // 6 services of 8 instances (48 processes, which fit): one at the largest quota, the others at 8.
    const many = ["a", "b", "c", "d", "echo", "log"]
      .flatMap((n) => svc(n, "instances = 8", `registrations = ${n === "c" ? abi.REG_QUOTA_MAX : 8}`));
    const diags = errorsOf(toml(...HEAD, ...many));
    const d = diags.find((x) => x.message.startsWith("the registry would need"))!;
    expect(d.message).toBe(`the registry would need ${5 * 8 * 9 + 8 * 65} entries (each process's manifest entry and registrations): more than the ${abi.REG_ENTRIES} init keeps`);
    expect(d.hint).toBe(`lower registrations of service "c" (${abi.REG_QUOTA_MAX}, for 8 processes) or of others`);
    expect(d.line).toBe(lineOf(toml(...HEAD, ...many), 'registrations = 64'));
  });

  it("is encoded in the boot table for every instance", () => {
    const m = parse(toml(...HEAD, ...svc("log", "registrations = 2", "instances = 2")));
    const t = decodeBootTable(encodeBootTable(m, () => 0, 0));
    expect(t.services.map((s) => [s.name, s.registrations])).toEqual([["log", 2], ["log#2", 2]]);
  });
});

/** The 1-based line of the first line of `text` that contains `what`. */
function lineOf(text: string, what: string): number {
  return text.split("\n").findIndex((l) => l.includes(what)) + 1;
}

describe("the reference in docs/manifest.md", () => {
  const repo = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

  it("has a complete example that is valid as written", () => {
    const doc = readFileSync(join(repo, "docs", "manifest.md"), "utf8");
    const example = /```toml\n([\s\S]*?)```/.exec(doc)![1];
    const m = parseManifestText(example, join(repo, "images", "example.toml"));
    expect(m.services.map((s) => s.name)).toEqual(["log", "condrv", "echo"]);
    expect(m.warnings.map((w) => w.message)).toEqual(['optional dependency "stats" of service "echo" is not in this image']);
    expect(startOrder(m)).toEqual([["condrv"], ["log"], ["echo"]]);
  });
});

describe("kernel-managed memory settings", () => {
  it("takes [image] ram and page_quota as sizes or page counts", () => {
    const m = parse(toml('[image]', 'name = "test"', 'ram = "8MiB"', "", ...LOG, 'page_quota = "2MiB"'));
    expect(m.ramFrames).toBe(2048);
    expect(m.services[0].pageQuota).toBe(512);
    const n = parse(toml('[image]', 'name = "test"', 'ram = 100', "", ...LOG, "page_quota = 7"));
    expect(n.ramFrames).toBe(100);
    expect(n.services[0].pageQuota).toBe(7);
  });

  it("refuses sizes that are not whole pages or out of range, pointing at the value", () => {
    const d = only(toml('[image]', 'name = "test"', 'ram = "10000B"', "", ...LOG));
    expect(d).toMatchObject({ line: 3, col: 7, message: 'ram in [image] must be a whole number of 4 KiB pages, found "10000B"' });
    const q = only(toml(...HEAD, ...LOG, 'page_quota = "512MiB"'));
    expect(q.message).toMatch(/page_quota of service "log" must be from 0 to 65536 pages of 4 KiB, found 131072/);
  });
});

describe("binds_to", () => {
  it("must name services the service requires", () => {
    const d = only(toml(...HEAD, ...LOG, "", "[service.echo]", 'module = "../userland/log"', 'requires = ["log"]', 'binds_to = ["log", "echo2"]'));
    expect(d.message).toBe('service "echo" binds to "echo2", which it does not require');
    expect(d.hint).toMatch(/add "echo2" to requires too/);
  });
});

describe("supervision groups", () => {
  it("take a strategy and members, and refuse unknown ones", () => {
    const text = toml(...HEAD, ...LOG, "", "[group.g]", 'strategy = "one-for-al"', 'services = ["log", "nope"]');
    const diags = (() => { try { parse(text); return []; } catch (e) { return (e as { diagnostics: { message: string; hint: string }[] }).diagnostics; } })();
    expect(diags.map((d) => d.message)).toEqual([
      'invalid strategy "one-for-al" for group "g"',
      'group "g" names "nope", which is not a service of this image',
    ]);
    expect(diags[0].hint).toMatch(/did you mean "one-for-all"/);
  });

  it("record each member's group, strategy and position", () => {
    const m = parse(toml(...HEAD, ...LOG, "", "[group.g]", 'strategy = "rest-for-one"', 'services = ["log"]'));
    expect(m.services[0].group).toEqual({ index: 0, strategy: "rest-for-one", position: 0 });
  });
});
