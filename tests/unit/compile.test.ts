import binaryen from "binaryen";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModule, CompileError, optionsToArgv, targetOptions } from "../../tools/lib/compile";
import { readImports, readMemoryLimits } from "../../tools/lib/wasm-sections";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

// The features asc enables by default: what a module may use and still run in Node 20 and wasmtime.
const ASC_FEATURES =
  binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt;

function binaryenValid(wasm: Uint8Array): boolean {
  const mod = binaryen.readBinary(wasm);
  try {
    mod.setFeatures(ASC_FEATURES);
    return mod.validate() === 1;
  } finally {
    mod.dispose();
  }
}

let dir: string;
let cacheDir: string;

function write(rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const SERVICE = `
import { scale } from "./util";
const greeting = "hello";
let calls: i32 = 0;
export function quark_start(pid: i32, restarts: i32): i32 {
  const a = new Array<i32>(4);
  a[0] = pid;
  assert(restarts >= 0, "restarts is never negative");
  calls += scale(a[0]) + greeting.length;
  return calls;
}
`;

const KERNEL = `
let ticks: i32 = 0;
export function run(): i32 {
  ticks += 1;
  store<i32>(64, ticks);
  return load<i32>(64);
}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quark-compile-"));
  cacheDir = join(dir, "cache");
  write("svc/index.ts", SERVICE);
  write("svc/util.ts", "export function scale(x: i32): i32 { return x * 3 + 1; }\n");
  write("kern/index.ts", KERNEL);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const service = (extra: Partial<Parameters<typeof compileModule>[0]> = {}) =>
  compileModule({ kind: "service", entry: join(dir, "svc/index.ts"), root, cacheDir, memoryMaxPages: 4, name: "svc", ...extra });

describe("asconfig targets", () => {
  it("has a target for every kind, with the options the image relies on", () => {
    expect(targetOptions(root, "kernel")).toMatchObject({ runtime: "stub", optimizeLevel: 3, noAssert: true, use: ["abort="] });
    expect(targetOptions(root, "hal")).toMatchObject({ runtime: "stub", optimizeLevel: 3, noAssert: true, use: ["abort="] });
    expect(targetOptions(root, "service")).toMatchObject({ runtime: "incremental", optimizeLevel: 3 });
  });

  it("turns options into asc arguments the way asc reads asconfig.json", () => {
    expect(optionsToArgv({ noAssert: true, debug: false, optimizeLevel: 3, use: ["abort=", "x=1"], runtime: "stub" }))
      .toEqual(["--noAssert", "--optimizeLevel", "3", "--use", "abort=", "--use", "x=1", "--runtime", "stub"]);
  });
});

describe("compileModule", () => {
  it("compiles a service and sets its memory maximum, keeping the initial size", async () => {
    const r = await service({ force: true });
    expect(r.cached).toBe(false);
    expect(wasmApi.validate(r.wasm)).toBe(true);
    expect(binaryenValid(r.wasm)).toBe(true);
    const limits = readMemoryLimits(r.wasm)!;
    expect(limits.maximum).toBe(4);
    expect(limits.initial).toBeGreaterThanOrEqual(1);
    expect(limits.initial).toBeLessThanOrEqual(4);
  });

  it("answers the second compile from the cache with the same bytes", async () => {
    const first = await service();
    const second = await service();
    expect(second.cached).toBe(true);
    expect(second.wasm).toEqual(first.wasm);
  });

  it("compiles again when a source it read changes", async () => {
    const before = await service();
    write("svc/util.ts", "export function scale(x: i32): i32 { return x * 5 + 2; }\n");
    const after = await service();
    expect(after.cached).toBe(false);
    expect(after.wasm).not.toEqual(before.wasm);
    expect((await service()).cached).toBe(true);
  });

  it("keys the cache on the memory limit", async () => {
    await service();
    const other = await service({ memoryMaxPages: 8 });
    expect(other.cached).toBe(false);
    expect(readMemoryLimits(other.wasm)!.maximum).toBe(8);
  });

  it("notices a new file that shadows an import it resolved elsewhere", async () => {
    write("shadow/index.ts", 'import { v } from "./dep";\nexport function quark_start(a: i32, b: i32): i32 { return v(); }\n');
    write("shadow/dep/index.ts", "export function v(): i32 { return 1; }\n");
    const entry = join(dir, "shadow/index.ts");
    const first = await compileModule({ kind: "service", entry, root, cacheDir });
    expect((await compileModule({ kind: "service", entry, root, cacheDir })).cached).toBe(true);
    write("shadow/dep.ts", "export function v(): i32 { return 2; }\n");
    const second = await compileModule({ kind: "service", entry, root, cacheDir });
    expect(second.cached).toBe(false);
    expect(second.wasm).not.toEqual(first.wasm);
  });

  it("is deterministic: two fresh compiles give the same bytes", async () => {
    const a = await service({ force: true });
    const b = await service({ force: true });
    expect(b.wasm).toEqual(a.wasm);
  });

  it("keeps one cached module per entry, replacing the stale one", async () => {
    write("svc/util.ts", "export function scale(x: i32): i32 { return x * 7; }\n");
    await service({ memoryMaxPages: 4 });
    const wasmFiles = () => readdirSync(cacheDir).filter((f) => f.endsWith(".wasm")).length;
    const count = wasmFiles();
    write("svc/util.ts", "export function scale(x: i32): i32 { return x * 9; }\n");
    await service({ memoryMaxPages: 4 });
    expect(wasmFiles()).toBe(count);
  });

  it("compiles kernel and HAL modules with no env imports and an exported memory", async () => {
    for (const kind of ["kernel", "hal"] as const) {
      const r = await compileModule({ kind, entry: join(dir, "kern/index.ts"), root, cacheDir });
      expect(readImports(r.wasm).filter((i) => i.module === "env")).toEqual([]);
      expect(wasmApi.validate(r.wasm)).toBe(true);
      expect(binaryenValid(r.wasm)).toBe(true);
      expect(readMemoryLimits(r.wasm)).not.toBeNull();
    }
  });

  it("compiles several modules at once, each from its own source", async () => {
    const names = ["p1", "p2", "p3"];
    const entries = names.map((n, i) => write(`${n}/index.ts`, `export function quark_start(a: i32, b: i32): i32 { return a + ${i * 1000}; }\n`));
    const results = await Promise.all(entries.map((entry) => compileModule({ kind: "service", entry, root, cacheDir })));
    for (const r of results) expect(wasmApi.validate(r.wasm)).toBe(true);
    expect(new Set(results.map((r) => Buffer.from(r.wasm).toString("hex"))).size).toBe(names.length);
  });

  it("refuses an env import in the kernel, naming it", async () => {
    const entry = write("kern-rand/index.ts", "export function roll(): f64 { return Math.random(); }\n");
    await expect(compileModule({ kind: "kernel", entry, root, cacheDir })).rejects.toThrow(/env\.seed/);
  });

  it("reports asc's diagnostics in full when the source does not compile", async () => {
    const entry = write("broken/index.ts", "export function f(): i32 {\n  return undefinedThing + 1;\n}\n");
    const err = await compileModule({ kind: "service", entry, root, cacheDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    const message = (err as Error).message;
    expect(message).toContain("undefinedThing");
    expect(message).toContain("broken/index.ts");
    expect(message).toMatch(/TS2304|Cannot find name/);
  });

  it("fails when a service's initial memory exceeds its limit, naming both numbers", async () => {
    const entry = write("big/index.ts", "const table = memory.data(300000);\nexport function quark_start(a: i32, b: i32): i32 { return load<u8>(table + a); }\n");
    const err = await compileModule({ kind: "service", entry, root, cacheDir, memoryMaxPages: 1, name: "big" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/service big needs \d+ pages \(\d+ KiB\) of memory at start, more than its limit of 1 page \(64 KiB\)/);
  });

  it("rejects a memory limit on the kernel", async () => {
    await expect(compileModule({ kind: "kernel", entry: join(dir, "kern/index.ts"), root, cacheDir, memoryMaxPages: 4 }))
      .rejects.toThrow(/services/);
  });
});
