import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import {
  appendCustomSections, checkHeader, customSections, encodeCustomSection, encodeU32, HEADER_BYTES, isWasm,
  readImports, readMemoryLimits, readSections, readU32, SECTION_CUSTOM, stripCustomSections, WasmFormatError,
} from "../../tools/lib/wasm-sections";

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): object; imports(m: object): { module: string; name: string; kind: string }[] };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function fromWat(wat: string): Uint8Array {
  const mod = binaryen.parseText(wat);
  try {
    mod.setFeatures(binaryen.Features.MutableGlobals);
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

const SMALL = fromWat(`(module
  (memory (export "memory") 2 9)
  (func (export "answer") (result i32) (i32.const 42)))`);

describe("LEB128", () => {
  it("round-trips u32 values across byte boundaries", () => {
    for (const v of [0, 1, 127, 128, 255, 16383, 16384, 624485, 2 ** 31, 2 ** 32 - 1]) {
      const bytes = encodeU32(v);
      expect(readU32(bytes, 0)).toEqual({ value: v, next: bytes.length });
    }
  });

  it("rejects truncated, overlong and wider-than-32-bit encodings", () => {
    expect(() => readU32(Uint8Array.of(0x80, 0x80), 0)).toThrow(/truncated/);
    expect(() => readU32(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toThrow(WasmFormatError);
    expect(() => readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), 0)).toThrow(/32 bits/);
  });
});

describe("header", () => {
  it("accepts a module and refuses other files with a reason", () => {
    expect(isWasm(SMALL)).toBe(true);
    expect(() => checkHeader(SMALL)).not.toThrow();
    expect(() => checkHeader(new TextEncoder().encode("#!/bin/sh\necho hi\n"))).toThrow(/not a WebAssembly module/);
    expect(() => checkHeader(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0))).toThrow(/version 2/);
    expect(() => checkHeader(Uint8Array.of(0, 0x61))).toThrow(/not a WebAssembly module/);
  });
});

describe("readSections", () => {
  it("lists sections back to back from the header to the end of the file", () => {
    const sections = readSections(SMALL);
    expect(sections[0].offset).toBe(HEADER_BYTES);
    for (let i = 1; i < sections.length; i++) expect(sections[i].offset).toBe(sections[i - 1].end);
    expect(sections.at(-1)!.end).toBe(SMALL.length);
    for (const s of sections) expect(s.end - s.start).toBe(s.size);
    expect(sections.map((s) => s.id)).toEqual(expect.arrayContaining([1, 3, 5, 7, 10]));
  });

  it("reports a section that runs past the end of the file", () => {
    const truncated = SMALL.slice(0, SMALL.length - 3);
    expect(() => readSections(truncated)).toThrow(/declares \d+ bytes but only \d+ remain/);
  });
});

describe("custom sections", () => {
  const big = new Uint8Array(70_000).map((_, i) => i & 0xff);
  const name = "quark.mod.ünïcode";
  const added = appendCustomSections(SMALL, [
    { name: "quark.a", data: Uint8Array.of(1, 2, 3) },
    { name, data: big },
    { name: "other", data: new Uint8Array(0) },
  ]);

  it("appends sections that read back with their names and data, and keeps the module valid", () => {
    const found = customSections(added);
    expect(found.map((s) => s.name)).toEqual(["quark.a", name, "other"]);
    expect(found[1].data).toEqual(big);
    expect(found[2].data.length).toBe(0);
    expect(wasmApi.validate(added)).toBe(true);
    expect(readSections(added).filter((s) => s.id === SECTION_CUSTOM)).toHaveLength(3);
  });

  it("encodes a section as id 0, payload size, name, data", () => {
    expect([...encodeCustomSection("ab", Uint8Array.of(9))]).toEqual([0, 4, 2, 0x61, 0x62, 9]);
  });

  it("strips by name prefix and leaves everything else byte for byte", () => {
    const stripped = stripCustomSections(added, "quark.");
    expect(customSections(stripped).map((s) => s.name)).toEqual(["other"]);
    expect(stripCustomSections(stripped, "other")).toEqual(SMALL);
    expect(stripCustomSections(SMALL, "quark.")).toEqual(SMALL);
  });
});

describe("readMemoryLimits", () => {
  it("reads initial and maximum pages", () => {
    expect(readMemoryLimits(SMALL)).toEqual({ initial: 2, maximum: 9, shared: false, memory64: false });
  });

  it("reports no maximum, and no memory at all", () => {
    expect(readMemoryLimits(fromWat("(module (memory 3))"))).toMatchObject({ initial: 3, maximum: null });
    expect(readMemoryLimits(fromWat("(module)"))).toBeNull();
  });
});

describe("readImports", () => {
  it("lists imports of every kind as the engine does", () => {
    const wasm = fromWat(`(module
      (import "env" "abort" (func (param i32 i32 i32 i32)))
      (import "host" "tbl" (table 2 8 funcref))
      (import "quark" "mem" (memory 1 4))
      (import "env" "g" (global (mut i32)))
      (import "hal" "now" (func (result f64))))`);
    const engine = wasmApi.Module.imports(new wasmApi.Module(wasm));
    expect(readImports(wasm)).toEqual(engine.map((i) => ({ module: i.module, name: i.name, kind: i.kind })));
    expect(readImports(SMALL)).toEqual([]);
  });
});
