// The image check (tools/lib/image-check.ts) on small hand-made images: one
// case per fault, each with its stable code and message; and the board's
// reading of an image (tools/board/image.ts), the only one any engine gets.
import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import binaryen from "binaryen";
import { beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { abiConstants, checkImage, compileError, ImageCheckError, readIdentified, readImageFile, sha256 } from "../../tools/lib/image-check";
import { markPath, RACY_MS } from "../../tools/board/image-mark";
import { linkImage } from "../../tools/lib/image";
import { encodeCustomSection, readSections, stripCustomSections } from "../../tools/lib/wasm-sections";
import { boardImage, readBoardImage } from "../../tools/board/image";
const enc = new TextEncoder();

function moduleReturning(n: number): Uint8Array {
  const mod = binaryen.parseText(`(module (memory (export "memory") 1 4)
    (func (export "quark_start") (param i32 i32) (result i32) (i32.const ${n})))`);
  try { return mod.emitBinary(); } finally { mod.dispose(); }
}

function bootTable(): Uint8Array {
  const t = new Uint8Array(abi.BT_HEADER_BYTES);
  new DataView(t.buffer).setUint32(0, abi.BT_MAGIC, true);
  return t;
}

const good = () => linkImage({
  kernel: moduleReturning(100), hal: moduleReturning(1), init: moduleReturning(2),
  services: [{ name: "echo", wasm: moduleReturning(3) }],
  manifestJson: { name: "t" }, bootTable: bootTable(),
});

const section = (b: Uint8Array, name: string) => readSections(b).find((s) => s.name === name)!;

function replaced(b: Uint8Array, name: string, data: Uint8Array): Uint8Array {
  const s = section(b, name);
  const e = encodeCustomSection(name, data);
  return Uint8Array.from([...b.subarray(0, s.offset), ...e, ...b.subarray(s.end)]);
}

const withText = (name: string, text: string) => (b: Uint8Array) => replaced(b, name, enc.encode(text));
const withAbi = (edit: (a: Record<string, unknown>) => void) => (b: Uint8Array) => {
  const a: Record<string, unknown> = { ...abiConstants() };
  edit(a);
  return replaced(b, "quark.abi", enc.encode(JSON.stringify(a)));
};
const abiText = (edit: (text: string) => string) => (b: Uint8Array) =>
  replaced(b, "quark.abi", enc.encode(edit(JSON.stringify(abiConstants()))));
const withModules = (edit: (m: any[]) => void) => (b: Uint8Array) => {
  const s = section(b, "quark.modules");
  const list = JSON.parse(new TextDecoder().decode(b.subarray(s.dataStart!, s.end)));
  edit(list);
  return replaced(b, "quark.modules", enc.encode(JSON.stringify(list)));
};
const appended = (bytes: number[]) => (b: Uint8Array) => Uint8Array.from([...b, ...bytes]);

// [name, how to make it from the good image, code, message after "FILE: "]
const CASES: [string, (b: Uint8Array) => Uint8Array, string, RegExp][] = [
  ["empty", () => new Uint8Array(0), "empty", /^the file is empty; give the \.wasm file/],
  ["not Wasm", () => enc.encode("hello"), "not-wasm", /^not a WebAssembly module/],
  ["three bytes of the magic", () => Uint8Array.of(0, 0x61, 0x73), "truncated", /^truncated: the file ends inside the WebAssembly header/],
  ["binary version 2", (b) => Uint8Array.from([...b.subarray(0, 4), 2, 0, 0, 0, ...b.subarray(8)]), "wasm-version", /^WebAssembly binary version 2, not 1/],
  ["a section header cut after its id", appended([0]), "truncated", /^truncated: the file ends inside the section header at byte \d+/],
  ["a section longer than the file", appended([0, 0x10, 1]), "truncated", /^truncated: the section at byte \d+ needs 16 bytes, the file has 1/],
  ["a size LEB of six bytes", appended([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0]), "malformed", /^malformed section header at byte \d+/],
  ["a size LEB past 32 bits", appended([1, 0x80, 0x80, 0x80, 0x80, 0x10]), "malformed", /^malformed section header/],
  ["a custom name longer than its section", appended([0, 2, 5, 0x71]), "malformed", /^the custom section at byte \d+ has a malformed name/],
  ["a quark.* name that is not UTF-8", appended([0, 8, 7, ...enc.encode("quark."), 0xff]), "malformed", /has a malformed name/],
  ["a repeated quark.boot", (b) => Uint8Array.from([...b, ...encodeCustomSection("quark.boot", bootTable())]), "duplicate-section", /^section quark\.boot appears twice/],
  ["a repeated section with an unprintable name", (b) => { const n = "quark.x\ny"; return Uint8Array.from([...b, ...encodeCustomSection(n, new Uint8Array(1)), ...encodeCustomSection(n, new Uint8Array(1))]); }, "duplicate-section", /^section quark\.x\?y appears twice/],
  ["no quark.abi", (b) => stripCustomSections(b, "quark.abi"), "missing-section", /^missing section quark\.abi: not a quark image, or a damaged one; rebuild/],
  ["quark.abi not JSON", withText("quark.abi", "{"), "bad-json", /^section quark\.abi is not UTF-8 JSON/],
  ["quark.abi with a BOM", abiText((t) => "\ufeff" + t), "bad-json", /^section quark\.abi is not UTF-8 JSON/],
  ["quark.abi with NaN", abiText((t) => t.replace('"OK":0', '"OK":NaN')), "bad-json", /is not UTF-8 JSON/],
  ["quark.abi an array", withText("quark.abi", "[1]"), "abi-format", /^section quark\.abi is not a JSON object/],
  ["quark.abi with a lower-case key after a bad value", abiText((t) => t.replace("{", '{"OK2":1.5,"1":2,')), "abi-format", /has a key that is not a constant name/],
  ["quark.abi with a fraction", withAbi((a) => { a.OK = 0.5; }), "abi-format", /^section quark\.abi gives OK a value that is not an integer/],
  ["quark.abi with true", withAbi((a) => { a.OK = true; }), "abi-format", /gives OK a value that is not an integer/],
  ["quark.abi with 2^53", abiText((t) => t.replace('"OK":0', '"OK":9007199254740992')), "abi-format", /gives OK a value that is not an integer/],
  ["quark.abi with a 5000-digit number", abiText((t) => t.replace('"OK":0', `"OK":${"9".repeat(5000)}`)), "abi-format", /gives OK a value that is not an integer/],
  ["quark.abi with 1.0 and 1e0 (integers still)", abiText((t) => t.replace('"OK":0', '"OK":0.0').replace(`"ABI_VERSION":${abi.ABI_VERSION}`, `"ABI_VERSION":${abi.ABI_VERSION}e0`)), "", /^$/],
  ["quark.abi without ABI_VERSION", withAbi((a) => { delete a.ABI_VERSION; }), "abi-format", /^section quark\.abi has no ABI_VERSION/],
  ["another ABI_VERSION", withAbi((a) => { a.ABI_VERSION = 7; }), "abi-version", new RegExp(`^built for ABI_VERSION 7, this host speaks ABI_VERSION ${abi.ABI_VERSION}; rebuild the image with this checkout's \`quark build\`$`)],
  ["a changed constant", withAbi((a) => { a.E_ARG = 5; a.OK = 9; }), "abi-constant", new RegExp(`^ABI constant E_ARG is 5 in the image but ${abi.E_ARG} in this checkout's kernel/abi\\.ts; rebuild`)],
  ["a missing constant", withAbi((a) => { delete a.RUN_BUSY; }), "abi-constant", /^ABI constant RUN_BUSY is missing from the image \(this checkout's kernel\/abi\.ts has 1\)/],
  ["an extra constant", withAbi((a) => { a.AAA = 1; }), "abi-constant", /^ABI constant AAA is 1 in the image and absent from this checkout's kernel\/abi\.ts/],
  ["quark.modules empty", withText("quark.modules", "[]"), "modules-format", /^section quark\.modules is not a non-empty JSON array/],
  ["an entry without sha256", withModules((m) => { delete m[1].sha256; }), "modules-format", /^section quark\.modules entry 1 lacks a valid name/],
  ["an entry with a bad name", withModules((m) => { m[1].name = "Init"; }), "modules-format", /entry 1 lacks a valid name/],
  ["an entry with a negative size", withModules((m) => { m[1].size = -1; }), "modules-format", /entry 1 lacks/],
  ["a module listed twice", withModules((m) => { m.push({ ...m[1] }); }), "modules-format", /^section quark\.modules lists module init twice/],
  ["module 0 a service", withModules((m) => { m[0].kind = "service"; }), "hal-first", /^module 0 is hal, not the HAL/],
  ["a second HAL", withModules((m) => { m[2].kind = "hal"; }), "hal-first", /^module 2 \(echo\) is a HAL; only module 0 may be/],
  ["a listed module without its section", withModules((m) => { m.push({ ...m[1], name: "ghost" }); }), "missing-section", /^missing section quark\.mod\.ghost: not a quark image/],
  ["a module's size", withModules((m) => { m[2].size += 1; }), "module-size", /^module echo is \d+ bytes, but quark\.modules says \d+; the image is damaged/],
  ["a module's sha256", withModules((m) => { m[2].sha256 = "0".repeat(64); }), "module-sha256", /^module echo does not match its sha256 in quark\.modules/],
  ["a module section no entry lists", (b) => Uint8Array.from([...b, ...encodeCustomSection("quark.mod.stray", moduleReturning(9))]), "stray-module", /^section quark\.mod\.stray names no module of quark\.modules/],
  ["quark.manifest not JSON", withText("quark.manifest", "{"), "bad-json", /^section quark\.manifest is not UTF-8 JSON/],
  ["an unknown quark.* section, and a foreign one", (b) => Uint8Array.from([...b, ...encodeCustomSection("quark.later", new Uint8Array(1)), ...encodeCustomSection("producers", new Uint8Array(1))]), "", /^$/],
];

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "quark-image-check-")); });

function tsVerdict(bytes: Uint8Array, file: string): { code: string; message: string } {
  try {
    checkImage(bytes, file);
    return { code: "", message: "" };
  } catch (e) {
    if (!(e instanceof ImageCheckError)) throw e;
    return { code: e.code, message: e.message };
  }
}

describe("checkImage", () => {
  it("accepts the image the build links, with every part", () => {
    const img = checkImage(good(), "t.wasm");
    expect(img.modules.map((m) => [m.index, m.name, m.kind])).toEqual([[0, "hal", "hal"], [1, "init", "service"], [2, "echo", "service"]]);
    expect(img.modules[2].sha256).toBe(sha256(img.modules[2].bytes));
    expect(img.abi).toEqual(abiConstants());
    expect(img.manifest).toEqual({ name: "t" });
    expect(img.bootTable).toEqual(bootTable());
  });

  it("accepts a quark.abi with the same table in other bytes (reordered keys), and refuses one changed value in it", () => {
    const reordered = Object.fromEntries(Object.entries(abiConstants()).reverse());
    const b = replaced(good(), "quark.abi", enc.encode(JSON.stringify(reordered, null, 1)));
    expect(checkImage(b, "t.wasm").abi).toEqual(abiConstants());
    const changed = replaced(good(), "quark.abi", enc.encode(JSON.stringify({ ...reordered, E_ARG: abi.E_ARG - 100 }, null, 1)));
    expect(tsVerdict(changed, "t.wasm").code).toBe("abi-constant");
  });

  it("judges the image's quark.abi against the table it is given, not only this checkout's", () => {
    const other = { ...abiConstants(), E_ARG: abi.E_ARG - 100 };
    expect(() => checkImage(good(), "t.wasm", other)).toThrow(/ABI constant E_ARG is -?\d+ in the image but -?\d+ in this checkout/);
  });

  it.each(CASES)("%s", (_, make, code, message) => {
    const v = tsVerdict(make(good()), "t.wasm");
    expect(v.code).toBe(code);
    if (code) {
      expect(v.message.startsWith("t.wasm: ")).toBe(true);
      expect(v.message.slice("t.wasm: ".length)).toMatch(message);
      expect(v.message).not.toContain("\n");
    }
  });

  it("refuses with exit code EXIT_BAD_IMAGE (2)", () => {
    const e = (() => { try { checkImage(new Uint8Array(0), "x"); } catch (err) { return err as ImageCheckError; } })()!;
    expect(e.exitCode).toBe(abi.EXIT_BAD_IMAGE);
    expect(abi.EXIT_BAD_IMAGE).toBe(2);
  });

  it("reads files: a missing one and a directory are refusals too", () => {
    const missing = join(dir, "none.wasm");
    expect(() => readImageFile(missing)).toThrow(`${missing}: cannot read: no such file; build the image with \`quark build MANIFEST.toml\``);
    expect(() => readImageFile(dir)).toThrow(`${dir}: cannot read: it is a directory; give the .wasm file that \`quark build\` wrote`);
  });

  it("puts an engine's reason on one line, its last", () => {
    expect(compileError("f.wasm", "echo", "Compiling failed\n  at 0x1: bad opcode\n").message).toBe("f.wasm: module echo does not compile: at 0x1: bad opcode");
  });
});

describe("the board's image (tools/board/image.ts), read once for every engine", () => {
  const invalid = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x04, 0x01, 0x60, 0x00, 0x7f); // a cut type section

  it("is the checked image, every module and the kernel validated by V8", () => {
    const img = boardImage(good(), "t.wasm");
    expect(img.modules.map((m) => m.name)).toEqual(["hal", "init", "echo"]);
    // The kernel alone, the file's bytes up to its quark.* sections: an engine compiles no service's bytes with it.
    expect(img.kernel).toEqual(moduleReturning(100));
    expect(img.kernel.length).toBeLessThan(good().length);
    expect(img.bootTable).toEqual(bootTable());
  });

  it("takes the whole file as the kernel when a section of its own follows a quark.* one", () => {
    const b = good();
    const tail = encodeCustomSection("trailer", Uint8Array.of(1, 2, 3));
    const interleaved = Uint8Array.from([...b, ...tail]);
    expect(checkImage(interleaved, "t.wasm").kernelEnd).toBe(interleaved.length);
    expect(boardImage(interleaved, "t.wasm").kernel).toEqual(interleaved);
    expect(checkImage(b, "t.wasm").kernelEnd).toBe(moduleReturning(100).length);
  });

  it("refuses a module no engine could compile, naming it, with V8's reason for every engine", () => {
    const b = linkImage({
      kernel: moduleReturning(100), hal: moduleReturning(1), init: moduleReturning(2),
      services: [{ name: "echo", wasm: invalid }], manifestJson: { name: "t" }, bootTable: bootTable(),
    });
    expect(() => checkImage(b, "t.wasm")).not.toThrow(); // its record matches: only an engine judges its code
    const e = (() => { try { boardImage(b, "t.wasm"); } catch (err) { return err as ImageCheckError; } })()!;
    expect(e).toBeInstanceOf(ImageCheckError);
    expect(e.code).toBe("compile");
    expect(e.message).toMatch(/^t\.wasm: module echo does not compile: \S/);
    expect(e.message).not.toContain("WebAssembly.Module()");
    // Never marked as validated: the next boot refuses it again, with the same line.
    expect(() => boardImage(b, "t.wasm")).toThrow(e.message);
  });

  it("refuses an invalid module even when a valid one with its name was validated before", () => {
    const make = (echo: Uint8Array) => linkImage({
      kernel: moduleReturning(100), hal: moduleReturning(1), init: moduleReturning(2),
      services: [{ name: "echo", wasm: echo }], manifestJson: { name: "t" }, bootTable: bootTable(),
    });
    expect(() => boardImage(make(moduleReturning(7)), "t.wasm")).not.toThrow();
    expect(() => boardImage(make(moduleReturning(7)), "t.wasm")).not.toThrow(); // the second time from its mark
    expect(() => boardImage(make(invalid), "t.wasm")).toThrow(/^t\.wasm: module echo does not compile: \S/);
  });

  it("refuses a kernel no engine could compile as module kernel", () => {
    const b = good();
    const code = readSections(b).find((x) => x.id === 10)!;
    const bad = b.slice();
    bad[code.start] ^= 1; // the function count no longer matches the function section
    expect(() => boardImage(bad, "t.wasm")).toThrow(/^t\.wasm: module kernel does not compile: \S/);
  });

  it("takes an unchanged file from its mark once it is older than the clock's tick: the same parts as the whole check", async () => {
    const file = join(dir, "marked.wasm");
    writeFileSync(file, good());
    const { identity } = readIdentified(file);
    readBoardImage(file);
    expect(existsSync(markPath(identity!))).toBe(false); // racily new: checked whole, not marked
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    const first = readBoardImage(file); // checked, and marked
    expect(existsSync(markPath(identity!))).toBe(true);
    const again = readBoardImage(file);
    expect(again.modules.map((m) => [m.name, m.kind, m.sha256, Buffer.from(m.bytes).toString("hex")]))
      .toEqual(first.modules.map((m) => [m.name, m.kind, m.sha256, Buffer.from(m.bytes).toString("hex")]));
    expect(again.bootTable).toEqual(first.bootTable);
    expect(again.kernelSha256).toBe(first.kernelSha256);
    expect(again.kernel).toEqual(first.kernel);
  });

  it("checks a file changed in place again, even with its modification time put back, and refuses it", async () => {
    const file = join(dir, "tampered.wasm");
    writeFileSync(file, good());
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    readBoardImage(file);
    expect(existsSync(markPath(readIdentified(file).identity!))).toBe(true);
    const { mtime, atime } = statSync(file);
    const b = new Uint8Array(readFileSync(file));
    const echo = section(b, "quark.mod.echo");
    b[echo.end - 1] ^= 1; // the same size, one bit of the module's code
    writeFileSync(file, b);
    utimesSync(file, atime, mtime);
    // mtimeMs comes from nanoseconds as a float: 1796300284063 can read back as 1796300284062.999.
    expect(Math.round(statSync(file).mtimeMs)).toBe(mtime.getTime());
    expect(() => readBoardImage(file)).toThrow(/module echo does not match its sha256/);
  });

  it("ignores a mark that does not fit the file, and checks it whole", () => {
    const file = join(dir, "bad-mark.wasm");
    writeFileSync(file, good());
    const { identity } = readIdentified(file);
    writeFileSync(markPath(identity!), JSON.stringify({ kernelSha256: "x", modules: [{ name: "hal", kind: "hal", sha256: "y", at: 0, size: 1e9 }], boot: [0, 1] }));
    const img = readBoardImage(file);
    expect(img.modules.map((m) => m.name)).toEqual(["hal", "init", "echo"]);
    expect(img.bootTable).toEqual(bootTable());
  });

  it("refuses a file it cannot open, a loop of symbolic links too", () => {
    const loop = join(dir, "loop.wasm");
    symlinkSync(loop, loop);
    expect(() => readBoardImage(loop)).toThrow(`${loop}: cannot read: a loop of symbolic links; give the .wasm file that \`quark build\` wrote`);
  });
});
