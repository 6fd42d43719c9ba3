import binaryen from "binaryen";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { decodeBootTable } from "../../tools/lib/boot-table";
import { buildImage, defaultOut } from "../../tools/lib/build";
import { abiConstants, linkImage, readImage, sha256, type ImageParts } from "../../tools/lib/image";
import { formatInspect, inspectImage } from "../../tools/lib/inspect";
import { customSections, readMemoryLimits, readSections, stripCustomSections } from "../../tools/lib/wasm-sections";

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): object; customSections(m: object, name: string): ArrayBuffer[] };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

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

function moduleReturning(n: number, maxPages = 4): Uint8Array {
  const mod = binaryen.parseText(`(module
    (memory (export "memory") 1 ${maxPages})
    (func (export "quark_start") (param i32 i32) (result i32) (i32.const ${n})))`);
  try {
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

const parts = (): ImageParts => ({
  kernel: moduleReturning(100, 16),
  hal: moduleReturning(1),
  init: moduleReturning(2),
  services: [
    { name: "log", wasm: moduleReturning(3) },
    { name: "echo", wasm: moduleReturning(4) },
  ],
  manifestJson: { name: "test", services: [{ name: "log" }, { name: "echo", requires: ["log"] }] },
  bootTable: bootTable(),
});

/** A boot table's header as the image check wants it (the magic; the rest is not read here). */
function bootTable(): Uint8Array {
  const t = new Uint8Array(abi.BT_HEADER_BYTES + 3);
  new DataView(t.buffer).setUint32(abi.BT_MAGIC_OFF, abi.BT_MAGIC, true);
  t.set([1, 2, 3], abi.BT_HEADER_BYTES);
  return t;
}

function sectionOf(image: Uint8Array, name: string) {
  return readSections(image).find((s) => s.name === name)!;
}

describe("linkImage and readImage", () => {
  it("round-trips every part, with hal at 0, init at 1, then the services in order", () => {
    const p = parts();
    const image = readImage(linkImage(p));
    expect(image.modules.map((m) => [m.index, m.name, m.kind])).toEqual([
      [0, "hal", "hal"], [1, "init", "service"], [2, "log", "service"], [3, "echo", "service"],
    ]);
    expect(image.modules.map((m) => m.bytes)).toEqual([p.hal, p.init, p.services[0].wasm, p.services[1].wasm]);
    for (const m of image.modules) {
      expect(m.size).toBe(m.bytes.length);
      expect(m.sha256).toBe(sha256(m.bytes));
    }
    expect(image.kernel.bytes).toEqual(p.kernel);
    expect(image.kernel.sha256).toBe(sha256(p.kernel));
    expect(image.manifest).toEqual(p.manifestJson);
    expect(image.bootTable).toEqual(p.bootTable);
    expect(image.abiVersion).toBe(abi.ABI_VERSION);
    expect(image.abi).toEqual(abiConstants());
  });

  it("carries every numeric constant of kernel/abi.ts in quark.abi, keys sorted", () => {
    const image = linkImage(parts());
    const text = new TextDecoder().decode(customSections(image).find((s) => s.name === "quark.abi")!.data);
    const table = JSON.parse(text) as Record<string, number>;
    const numeric = Object.entries(abi).filter(([, v]) => typeof v === "number");
    expect(Object.keys(table)).toHaveLength(numeric.length);
    for (const [k, v] of numeric) expect(table[k]).toBe(v);
    expect(Object.keys(table)).toEqual([...Object.keys(table)].sort());
  });

  it("is deterministic: linking the same parts twice gives the same bytes", () => {
    expect(linkImage(parts())).toEqual(linkImage(parts()));
  });

  it("gives an image that engines and binaryen validate, and that runs as the kernel", () => {
    const image = linkImage(parts());
    expect(wasmApi.validate(image)).toBe(true);
    expect(binaryenValid(image)).toBe(true);
    for (const m of readImage(image).modules) {
      expect(wasmApi.validate(m.bytes)).toBe(true);
      expect(binaryenValid(m.bytes)).toBe(true);
    }
    const mod = new wasmApi.Module(image);
    expect(wasmApi.Module.customSections(mod, "quark.mod.echo")).toHaveLength(1);
    expect(wasmApi.Module.customSections(mod, "quark.boot")).toHaveLength(1);
  });

  it("relinks an image given as the kernel without doubling its sections", () => {
    const p = parts();
    const once = linkImage(p);
    expect(linkImage({ ...p, kernel: once })).toEqual(once);
  });

  it("refuses two modules with the same name", () => {
    expect(() => linkImage({ ...parts(), services: [{ name: "init", wasm: moduleReturning(5) }] })).toThrow(/two modules are named "init"/);
  });

  it("refuses a part that is not a module, naming it", () => {
    expect(() => linkImage({ ...parts(), hal: new TextEncoder().encode("not wasm") })).toThrow(/module "hal": not a WebAssembly module/);
  });
});

describe("readImage errors", () => {
  it("refuses a file that is not WebAssembly", () => {
    expect(() => readImage(new TextEncoder().encode("[image]\nname = \"x\"\n"), "x.wasm")).toThrow(/^x\.wasm: not a WebAssembly module/);
  });

  it("refuses a plain module, naming the missing section", () => {
    expect(() => readImage(moduleReturning(1))).toThrow(/missing section quark\.abi: not a quark image/);
  });

  it("names any missing section", () => {
    const image = linkImage(parts());
    for (const name of ["quark.modules", "quark.mod.log", "quark.boot"]) {
      expect(() => readImage(stripCustomSections(image, name))).toThrow(`missing section ${name}: not a quark image`);
    }
  });

  it("reads an image without quark.manifest, which only the tools use", () => {
    expect(readImage(stripCustomSections(linkImage(parts()), "quark.manifest")).manifest).toBeUndefined();
  });

  it("detects a module whose bytes do not match its sha256", () => {
    const image = linkImage(parts());
    const s = sectionOf(image, "quark.mod.init");
    image[s.end - 2] ^= 0xff;
    expect(() => readImage(image)).toThrow(/module init does not match its sha256 in quark\.modules/);
  });
});

// ---------------------------------------------------------------- the build

let root: string;

function write(rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const MANIFEST = `
[image]
name = "tiny"
description = "two services"

[service.alpha]
module = "../userland/alpha"
memory = "128KiB"
restart = "always"
caps = ["console"]

[service.beta]
module = "../userland/beta"
memory = "256KiB"
requires = ["alpha"]
caps = ["alpha"]
`;

const SERVICE = (n: number) => `export function quark_start(pid: i32, restarts: i32): i32 { return pid + ${n}; }\n`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "quark-image-"));
  copyFileSync(join(repo, "asconfig.json"), join(root, "asconfig.json"));
  for (const f of ["abi.ts", "abi-boot.ts", "abi-hal.ts"]) write(`kernel/${f}`, readFileSync(join(repo, "kernel", f), "utf8"));
  write("kernel/index.ts", 'import { ABI_VERSION } from "./abi";\nexport function run(): i32 { return ABI_VERSION; }\n');
  write("hal/index.ts", "export function hal_init(): void {}\n");
  write("userland/init/index.ts", SERVICE(1));
  write("userland/alpha/index.ts", SERVICE(2));
  write("userland/beta/index.ts", SERVICE(3));
  write("images/tiny.toml", MANIFEST);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const build = (opts: Parameters<typeof buildImage>[1] = {}) =>
  buildImage(join(root, "images/tiny.toml"), { root, cacheDir: join(root, "build/cache"), ...opts });

describe("buildImage", () => {
  it("compiles every module and links an image next to the manifest", async () => {
    const lines: string[] = [];
    const r = await build({ force: true, log: (s) => lines.push(s) });
    expect(r.out).toBe(join(root, "images/tiny.wasm"));
    expect(r.bytes).toBe(readFileSync(r.out).length);
    expect(r.modules.map((m) => [m.name, m.kind])).toEqual([
      ["kernel", "kernel"], ["hal", "hal"], ["init", "service"], ["alpha", "service"], ["beta", "service"],
    ]);
    expect(lines.filter((l) => /^ {2}compile \S+ \d+ ms$/.test(l))).toHaveLength(5);
    expect(readdirSync(join(root, "images")).sort()).toEqual(["tiny.toml", "tiny.wasm"]);
  });

  it("answers an unchanged build from the cache with the same bytes", async () => {
    const first = readFileSync((await build()).out);
    const lines: string[] = [];
    const r = await build({ log: (s) => lines.push(s) });
    expect(r.modules.every((m) => m.cached)).toBe(true);
    expect(lines).toContain("  compile beta (cached)");
    expect(readFileSync(r.out)).toEqual(first);
  });

  it("is deterministic: a forced rebuild gives the same bytes", async () => {
    const a = readFileSync((await build({ force: true })).out);
    const b = readFileSync((await build({ force: true, out: join(root, "out/again.wasm") })).out);
    expect(b).toEqual(a);
  });

  it("sets each service's memory maximum from the manifest and indexes the boot table by module", async () => {
    const image = readImage(readFileSync((await build()).out));
    const byName = Object.fromEntries(image.modules.map((m) => [m.name, m]));
    expect(readMemoryLimits(byName.alpha.bytes)!.maximum).toBe(2);
    expect(readMemoryLimits(byName.beta.bytes)!.maximum).toBe(4);
    const table = decodeBootTable(image.bootTable);
    expect(table.initModule).toBe(1);
    expect(table.services.map((s) => [s.name, s.module])).toEqual([["alpha", 2], ["beta", 3]]);
  });

  it("produces an image and modules that engines and binaryen validate", async () => {
    const bytes = new Uint8Array(readFileSync((await build()).out));
    expect(wasmApi.validate(bytes)).toBe(true);
    expect(binaryenValid(bytes)).toBe(true);
    for (const m of readImage(bytes).modules) {
      expect(wasmApi.validate(m.bytes)).toBe(true);
      expect(binaryenValid(m.bytes)).toBe(true);
    }
  });

  it("keeps absolute paths out of the embedded manifest", async () => {
    const image = readImage(readFileSync((await build()).out));
    const text = JSON.stringify(image.manifest);
    expect(text).not.toContain(root);
    expect(text).not.toMatch(/"\//);
    expect(image.manifest).toMatchObject({
      name: "tiny",
      file: "images/tiny.toml",
      init: { module: "userland/init", entry: "userland/init/index.ts" },
      services: [{ name: "alpha", entry: "userland/alpha/index.ts" }, { name: "beta", requires: ["alpha"] }],
    });
  });

  it("defaults the output to the manifest path with .wasm", () => {
    expect(defaultOut("images/default.toml")).toBe("images/default.wasm");
  });
});

describe("inspectImage", () => {
  it("lists the kernel and every module with kind, size, sha256 and memory, and the manifest", async () => {
    const r = await build();
    const report = inspectImage(r.out);
    expect(report.abiVersion).toBe(abi.ABI_VERSION);
    expect(report.modules.map((m) => [m.index, m.name, m.kind])).toEqual([
      [null, "kernel", "kernel"], [0, "hal", "hal"], [1, "init", "service"], [2, "alpha", "service"], [3, "beta", "service"],
    ]);
    expect(report.modules.map((m) => m.size)).toEqual(r.modules.map((m) => m.size));
    expect(report.modules[3].memory).toMatchObject({ maximum: 2 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    const text = formatInspect(report);
    expect(text).toContain(`ABI version ${abi.ABI_VERSION}`);
    for (const m of report.modules) expect(text).toContain(m.sha256.slice(0, 12));
    expect(text).toMatch(/service\s+version\s+requires\s+wants\s+restart\s+memory\s+caps\s+tags/);
    expect(text).toMatch(/beta\s+-\s+alpha\s+-\s+on-failure/);
    expect(text).toMatch(/alpha\s+-\s+-\s+-\s+always .*128 KiB\s+console\(write\)\s+-/);
  });

  it("names the file when it is not an image", () => {
    const path = join(root, "images/tiny.toml");
    expect(() => inspectImage(path)).toThrow(`${path}: not a WebAssembly module`);
  });
});
