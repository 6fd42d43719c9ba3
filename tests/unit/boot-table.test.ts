import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { decodeBootTable, encodeBootTable, fnv1a } from "../../tools/lib/boot-table";
import { parseManifest, type Manifest } from "../../tools/lib/manifest";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "quark-boot-table-"));
  for (const s of ["init", "log", "echo", "timer"]) {
    mkdirSync(join(root, "userland", s), { recursive: true });
    writeFileSync(join(root, "userland", s, "index.ts"), "\n");
  }
  mkdirSync(join(root, "images"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const TEXT = [
  "[image]",
  'name = "boot"',
  "",
  "[service.log]",
  'module = "../userland/log"',
  'memory = "256KiB"',
  'restart = "always"',
  "max_restarts = 9",
  'caps = ["console"]',
  "",
  "[service.timer]",
  'module = "../userland/timer"',
  'restart = "never"',
  'requires = ["log"]',
  "",
  "[service.echo]",
  'module = "../userland/echo"',
  'requires = ["log", "timer"]',
  'wants = ["net", "timer-2", "log-2"]',
  'caps = ["log:call", "console:read+write", "timer:call+send+grant"]',
  'restart_window = "1m"',
  'restart_delay = "20ms"',
  "",
].join("\n");

function manifest(text = TEXT, name = "boot.toml"): Manifest {
  const file = join(root, "images", name);
  writeFileSync(file, text);
  return parseManifest(file, { root });
}

// Module 0 is the HAL; services follow in manifest order after init.
const moduleOf = (m: Manifest) => (name: string): number => 2 + m.services.findIndex((s) => s.name === name);

function u32(bytes: Uint8Array, off: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(off, true);
}

describe("fnv1a", () => {
  it("matches the published FNV-1a 32-bit vectors", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("hashes UTF-8 bytes and is unsigned", () => {
    expect(fnv1a("é")).toBe(0x1e9de8c1);
    expect(fnv1a("log")).toBe(0x3f515151);
    expect(fnv1a("console")).toBe(0x2e329b2a);
  });
});

describe("encodeBootTable", () => {
  it("writes the header the ABI describes", () => {
    const m = manifest();
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    expect(u32(bytes, 0)).toBe(abi.BT_MAGIC);
    expect(u32(bytes, 4)).toBe(abi.ABI_VERSION);
    expect(u32(bytes, 8)).toBe(3);
    expect(u32(bytes, 12)).toBe(1);
    expect(u32(bytes, 16)).toBe(0);
    expect(u32(bytes, abi.BT_SIZE)).toBe(bytes.length);
    expect(u32(bytes, abi.BT_RAM_FRAMES)).toBe(abi.DEFAULT_RAM_FRAMES);
    expect(u32(bytes, abi.BT_HEALTH_MS)).toBe(abi.DEFAULT_HEALTH_MS);
    expect(abi.BT_QPU_CAL_LEN + 4).toBe(abi.BT_HEADER_BYTES);
    // An image without [qpu] has no QPU.
    expect([abi.BT_QPU_QUBITS, abi.BT_QPU_CAL_OFF, abi.BT_QPU_CAL_LEN].map((o) => u32(bytes, o))).toEqual([0, 0, 0]);
    expect(bytes.length % 4).toBe(0);
  });

  it("writes one record per service in manifest order, with arrays and names by offset", () => {
    const m = manifest();
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    const rec = (i: number, field: number): number => u32(bytes, abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES + field);
    const name = (i: number): string =>
      new TextDecoder().decode(bytes.subarray(rec(i, abi.BT_NAME_OFF), rec(i, abi.BT_NAME_OFF) + rec(i, abi.BT_NAME_LEN)));
    expect([0, 1, 2].map(name)).toEqual(["log", "timer", "echo"]);
    expect(rec(2, abi.BT_NDEPS)).toBe(2);
    expect([0, 1].map((k) => u32(bytes, rec(2, abi.BT_DEPS_OFF) + 4 * k))).toEqual([0, 1]);
    expect(rec(0, abi.BT_NDEPS)).toBe(0);
    expect(rec(0, abi.BT_DEPS_OFF)).toBe(0);
    expect(rec(2, abi.BT_LABEL)).toBe(fnv1a("echo"));
    const firstArray = abi.BT_HEADER_BYTES + 3 * abi.BT_RECORD_BYTES;
    expect(rec(1, abi.BT_DEPS_OFF)).toBe(firstArray);
    for (let i = 0; i < 3; i++) {
      for (const off of [abi.BT_NAME_OFF, abi.BT_DEPS_OFF, abi.BT_OPT_OFF, abi.BT_GRANTS_OFF]) {
        expect(rec(i, off) === 0 || (rec(i, off) >= firstArray && rec(i, off) < bytes.length)).toBe(true);
      }
    }
  });

  it("writes each service's registrations quota, DEFAULT_REGISTRATIONS when the manifest has none", () => {
    const m = manifest(TEXT.replace('restart = "never"', 'restart = "never"\nregistrations = 0').replace('restart_delay = "20ms"', 'restart_delay = "20ms"\nregistrations = 11'));
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    const rec = (i: number, field: number): number => u32(bytes, abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES + field);
    expect([0, 1, 2].map((i) => rec(i, abi.BT_REGISTRATIONS))).toEqual([abi.DEFAULT_REGISTRATIONS, 0, 11]);
    expect(decodeBootTable(bytes).services.map((s) => s.registrations)).toEqual([abi.DEFAULT_REGISTRATIONS, 0, 11]);
  });

  it("round-trips through decodeBootTable", () => {
    const m = manifest();
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    const t = decodeBootTable(bytes);
    expect(t).toEqual({
      size: bytes.length,
      version: abi.ABI_VERSION,
      initModule: 1,
      flags: 0,
      ramFrames: abi.DEFAULT_RAM_FRAMES,
      healthMs: abi.DEFAULT_HEALTH_MS,
      services: [
        {
          name: "log", label: fnv1a("log"), module: 2, memPages: 4, restart: abi.RESTART_ALWAYS, maxRestarts: 9,
          windowMs: 30_000, delayMs: 0, pageQuota: abi.DEFAULT_PAGE_QUOTA, cpuBudget: abi.DEFAULT_CPU_BUDGET,
          backoff: abi.BACKOFF_FIXED, delayMaxMs: 30_000, stableMs: 10_000, stopMs: 1000, disabled: 0, binds: 0, group: 0, queueDepth: abi.QUEUE_DEPTH, qubits: 0, version: 0, heartbeatMs: 0, startTimeoutMs: 10_000, ready: 0, instances: 1, tags: "", iface: fnv1a("log"), registrations: abi.DEFAULT_REGISTRATIONS, pingFuel: abi.PING_FUEL, ranges: [], deps: [], optional: [],
          grants: [{ kind: abi.GRANT_CONSOLE, target: 0, rights: abi.R_WRITE, label: fnv1a("console") }],
        },
        {
          name: "timer", label: fnv1a("timer"), module: 3, memPages: 16, restart: abi.RESTART_NEVER, maxRestarts: 5,
          windowMs: 30_000, delayMs: 0, pageQuota: abi.DEFAULT_PAGE_QUOTA, cpuBudget: abi.DEFAULT_CPU_BUDGET,
          backoff: abi.BACKOFF_FIXED, delayMaxMs: 30_000, stableMs: 10_000, stopMs: 1000, disabled: 0, binds: 0, group: 0, queueDepth: abi.QUEUE_DEPTH, qubits: 0, version: 0, heartbeatMs: 0, startTimeoutMs: 10_000, ready: 0, instances: 1, tags: "", iface: fnv1a("timer"), registrations: abi.DEFAULT_REGISTRATIONS, pingFuel: abi.PING_FUEL, ranges: [{ min: 0, max: abi.VERSION_ANY_MAX }], deps: [0], optional: [], grants: [],
        },
        {
          name: "echo", label: fnv1a("echo"), module: 4, memPages: 16, restart: abi.RESTART_ON_FAILURE, maxRestarts: 5,
          windowMs: 60_000, delayMs: 20, pageQuota: abi.DEFAULT_PAGE_QUOTA, cpuBudget: abi.DEFAULT_CPU_BUDGET,
          backoff: abi.BACKOFF_FIXED, delayMaxMs: 30_000, stableMs: 10_000, stopMs: 1000, disabled: 0, binds: 0, group: 0, queueDepth: abi.QUEUE_DEPTH, qubits: 0, version: 0, heartbeatMs: 0, startTimeoutMs: 10_000, ready: 0, instances: 1, tags: "", iface: fnv1a("echo"), registrations: abi.DEFAULT_REGISTRATIONS, pingFuel: abi.PING_FUEL, ranges: [{ min: 0, max: abi.VERSION_ANY_MAX }, { min: 0, max: abi.VERSION_ANY_MAX }], deps: [0, 1], optional: [],
          grants: [
            { kind: abi.GRANT_SERVICE, target: 0, rights: abi.R_CALL, label: fnv1a("log") },
            { kind: abi.GRANT_CONSOLE, target: 0, rights: abi.R_READ | abi.R_WRITE, label: fnv1a("console") },
            { kind: abi.GRANT_SERVICE, target: 1, rights: abi.R_CALL | abi.R_SEND | abi.R_GRANT, label: fnv1a("timer") },
          ],
        },
      ],
    });
  });

  it("keeps optional dependencies that are in the image, as indices", () => {
    const text = TEXT.replace('wants = ["net", "timer-2", "log-2"]', 'wants = ["net", "timer"]')
      .replace('requires = ["log", "timer"]', 'requires = ["log"]');
    const m = manifest(text, "wants.toml");
    expect(m.warnings.map((w) => w.message)).toEqual(['optional dependency "net" of service "echo" is not in this image']);
    expect(decodeBootTable(encodeBootTable(m, moduleOf(m), 1)).services[2]).toMatchObject({ deps: [0], optional: [1] });
  });

  it("writes a device grant as GRANT_DEVICE with the device id as its target", () => {
    const m = manifest(TEXT.replace('caps = ["console"]', 'caps = ["console", "entropy:read"]'), "device.toml");
    expect(decodeBootTable(encodeBootTable(m, moduleOf(m), 1)).services[0].grants).toEqual([
      { kind: abi.GRANT_CONSOLE, target: 0, rights: abi.R_WRITE, label: fnv1a("console") },
      { kind: abi.GRANT_DEVICE, target: abi.DEV_ENTROPY, rights: abi.R_READ, label: fnv1a("entropy") },
    ]);
  });

  it("refuses a device capability without a device id", () => {
    const m = manifest();
    m.services[0].caps.push({ name: "entropy", kind: "device", rights: abi.R_READ, label: fnv1a("entropy") });
    expect(() => encodeBootTable(m, moduleOf(m), 1)).toThrow(/device capability "entropy" of service "log" has no device id/);
  });

  it("is deterministic: the same manifest gives the same bytes", () => {
    const a = manifest();
    const b = manifest(TEXT, "again.toml");
    const first = encodeBootTable(a, moduleOf(a), 1);
    expect(encodeBootTable(a, moduleOf(a), 1)).toEqual(first);
    expect(encodeBootTable(b, moduleOf(b), 1)).toEqual(first);
  });

  it("refuses a module index that is not a u32", () => {
    const m = manifest();
    expect(() => encodeBootTable(m, () => -1, 1)).toThrow(/module index of service "log" is not a u32: -1/);
    expect(() => encodeBootTable(m, () => 2, 1.5)).toThrow(/init module index is not a u32/);
  });
});

describe("decodeBootTable", () => {
  it("rejects a table without the magic", () => {
    expect(() => decodeBootTable(new Uint8Array(abi.BT_HEADER_BYTES))).toThrow(/bad magic/);
  });

  it("rejects a truncated table", () => {
    const m = manifest();
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    expect(() => decodeBootTable(bytes.subarray(0, bytes.length - 4))).toThrow(/the header says \d+ bytes but only \d+ are present/);
    const lying = bytes.slice(0, abi.BT_HEADER_BYTES + abi.BT_RECORD_BYTES);
    new DataView(lying.buffer).setUint32(abi.BT_SIZE, lying.length, true);
    expect(() => decodeBootTable(lying)).toThrow(/past its end/);
  });

  it("reads a table that is a view into a larger buffer", () => {
    const m = manifest();
    const bytes = encodeBootTable(m, moduleOf(m), 1);
    const big = new Uint8Array(bytes.length + 12);
    big.set(bytes, 12);
    expect(decodeBootTable(big.subarray(12))).toEqual(decodeBootTable(bytes));
  });
});
