// A table of bad images, made from images/default.wasm, driven through every
// way a user reads an image: `quark boot` under Node and under wasmtime, and
// `quark inspect`. Each row says what every reader must answer, and the two
// runtimes must answer it identically: the same exit code, the same standard
// error, byte for byte, and the same standard output (time stamps aside)
// (docs/machine-abi.md, "The image"; the board reads every image once, in
// tools/board/image.ts, whichever engine runs it). Besides the hand-made
// rows, one row per section of the image flips a byte in it: every section
// of the kernel module and every custom section, each module's included.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { ImageCheckError, readImageFile, sha256 } from "../../tools/lib/image-check";
import { encodeCustomSection, readSections } from "../../tools/lib/wasm-sections";
import { image, quark, root, bootInteractive, withoutTimings } from "./helpers";

type Runner = "node" | "wasmtime" | "inspect";
const RUNNERS: Runner[] = ["node", "wasmtime", "inspect"];
const HOSTS: Runner[] = ["node", "wasmtime"];

interface Row {
  name: string;
  /** The file's bytes, or a path made by the row itself. */
  make: (good: Uint8Array, dir: string) => Uint8Array | { path: string };
  /**
   * What every reader answers: refused by the image check; "boots", a valid
   * image; "kernel-refuses", a table only the kernel reads, whose boot() both
   * hosts report alike with exit 1 (inspect, which boots nothing, lists it);
   * "kernel-judges", bytes only the kernel reads (its data, its boot table),
   * whatever it makes of them, the same under both hosts.
   */
  expect: { code: string; message: RegExp } | "boots" | "kernel-refuses" | "kernel-judges";
  /** A fault only an engine can see: inspect (which compiles nothing) lists the image. */
  engineOnly?: boolean;
  why: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function section(b: Uint8Array, name: string) {
  const s = readSections(b).find((x) => x.name === name);
  if (!s) throw new Error(`the default image has no ${name}`);
  return s;
}

function codeSection(b: Uint8Array) {
  return readSections(b).find((x) => x.id === 10)!;
}

function changed(b: Uint8Array, at: number, value: (old: number) => number): Uint8Array {
  const out = b.slice();
  out[at] = value(out[at]);
  return out;
}

/** The image with section `name`'s data replaced, in place (the other sections keep their order). */
function replaced(b: Uint8Array, name: string, data: Uint8Array): Uint8Array {
  const s = section(b, name);
  const encoded = encodeCustomSection(name, data);
  const out = new Uint8Array(b.length - (s.end - s.offset) + encoded.length);
  out.set(b.subarray(0, s.offset));
  out.set(encoded, s.offset);
  out.set(b.subarray(s.end), s.offset + encoded.length);
  return out;
}

function json(b: Uint8Array, name: string): any {
  const s = section(b, name);
  return JSON.parse(dec.decode(b.subarray(s.dataStart!, s.end)));
}

const withJson = (name: string, edit: (v: any) => void) => (b: Uint8Array) => {
  const v = json(b, name);
  edit(v);
  return replaced(b, name, enc.encode(JSON.stringify(v)));
};

const truncatedIn = (name: string | null, cut: (s: { start: number; end: number }) => number) => (b: Uint8Array) => {
  const s = name === null ? codeSection(b) : section(b, name);
  return b.slice(0, cut(s));
};

const refused = (code: string, message: RegExp) => ({ code, message });

const ROWS: Row[] = [
  { name: "an empty file", make: () => new Uint8Array(0), expect: refused("empty", /: the file is empty; /), why: "nothing to read" },
  { name: "a text file", make: () => enc.encode("[image]\nname = \"x\"\n"), expect: refused("not-wasm", /: not a WebAssembly module \(it does not start with \\0asm\)/), why: "no Wasm magic" },
  { name: "a directory", make: (_, dir) => { const p = join(dir, "a-directory.wasm"); mkdirSync(p, { recursive: true }); return { path: p }; }, expect: refused("directory", /: cannot read: it is a directory; /), why: "not a file" },
  { name: "a missing file", make: (_, dir) => ({ path: join(dir, "no-such-image.wasm") }), expect: refused("missing-file", /: cannot read: no such file; /), why: "not there" },
  { name: "an unreadable file (a loop of symbolic links)", make: (_, dir) => { const p = join(dir, "loop.wasm"); symlinkSync(p, p); return { path: p }; }, expect: refused("unreadable", /: cannot read: a loop of symbolic links; /), why: "the system cannot open it (a permission the tests' root user would bypass gives the same code)" },
  { name: "truncated inside the Wasm header (6 bytes)", make: (b) => b.slice(0, 6), expect: refused("truncated", /: truncated: the file ends inside the WebAssembly header; /), why: "the 8-byte header is cut" },
  { name: "truncated inside the kernel's code section", make: truncatedIn(null, (s) => s.start + 10), expect: refused("truncated", /: truncated: the section at byte \d+ needs \d+ bytes, the file has 10; /), why: "the walk bounds-checks every section, the engine never sees it" },
  { name: "truncated inside a module (quark.mod.echo)", make: truncatedIn("quark.mod.echo", (s) => (s.start + s.end) >> 1), expect: refused("truncated", /: truncated: the section at byte \d+ needs/), why: "as above, in a module's section" },
  { name: "truncated by one byte (inside quark.boot, the last section)", make: (b) => b.slice(0, b.length - 1), expect: refused("truncated", /: truncated: the section at byte \d+ needs/), why: "the last section is one byte short" },
  { name: "truncated at a section boundary (quark.boot dropped)", make: (b) => b.slice(0, section(b, "quark.boot").offset), expect: refused("missing-section", /: missing section quark\.boot: not a quark image/), why: "a valid Wasm module that lacks the boot table" },
  { name: "a flipped byte in the kernel's code (its function count)", make: (b) => changed(b, codeSection(b).start, (v) => v ^ 1), expect: refused("compile", /: module kernel does not compile: \S/), engineOnly: true, why: "the code and function sections disagree: only the engine sees it, and both refuse it with their own reason" },
  { name: "a flipped byte in a module's bytes (echo)", make: (b) => { const s = section(b, "quark.mod.echo"); return changed(b, (s.dataStart! + s.end) >> 1, (v) => v ^ 0xff); }, expect: refused("module-sha256", /: module echo does not match its sha256 in quark\.modules; /), why: "every module is hashed" },
  { name: "a flipped byte in quark.abi (its opening brace)", make: (b) => changed(b, section(b, "quark.abi").dataStart!, (v) => v ^ 0xff), expect: refused("bad-json", /: section quark\.abi is not UTF-8 JSON; /), why: "the JSON no longer parses" },
  { name: "a flipped byte in quark.modules (its opening bracket)", make: (b) => changed(b, section(b, "quark.modules").dataStart!, (v) => v ^ 0xff), expect: refused("bad-json", /: section quark\.modules is not UTF-8 JSON; /), why: "the JSON no longer parses" },
  { name: "a changed byte in quark.modules (a digit of echo's sha256)", make: withJson("quark.modules", (v) => { const e = v.find((m: any) => m.name === "echo"); e.sha256 = (e.sha256[0] === "0" ? "1" : "0") + e.sha256.slice(1); }), expect: refused("module-sha256", /: module echo does not match its sha256/), why: "the recorded hash no longer matches the bytes" },
  { name: "a flipped byte in quark.boot (its magic)", make: (b) => changed(b, section(b, "quark.boot").dataStart!, (v) => v ^ 0xff), expect: "kernel-refuses", why: "the boot table is the kernel's to read: it refuses it (kernel/boot.ts), and both hosts say so alike" },
  { name: "a changed byte inside quark.manifest's description", make: (b) => { const s = section(b, "quark.manifest"); const at = dec.decode(b.subarray(s.dataStart!, s.end)).indexOf('"description":"') + 15; return changed(b, s.dataStart! + at, (v) => (v === 0x71 ? 0x51 : 0x71)); }, expect: "boots", why: "still a valid image: hosts do not read the manifest, and the text is still JSON" },
  { name: "a duplicated quark.* section (quark.abi twice)", make: (b) => { const s = section(b, "quark.abi"); const out = new Uint8Array(b.length + s.end - s.offset); out.set(b); out.set(b.subarray(s.offset, s.end), b.length); return out; }, expect: refused("duplicate-section", /: section quark\.abi appears twice; /), why: "which one counts would be up to the reader" },
  { name: "another ABI_VERSION", make: withJson("quark.abi", (v) => { v.ABI_VERSION = 99; }), expect: refused("abi-version", new RegExp(`: built for ABI_VERSION 99, this host speaks ABI_VERSION ${abi.ABI_VERSION}; rebuild the image`)), why: "another ABI" },
  { name: "a changed ABI constant (E_ARG)", make: withJson("quark.abi", (v) => { v.E_ARG = -99; }), expect: refused("abi-constant", new RegExp(`: ABI constant E_ARG is -99 in the image but ${abi.E_ARG} in this checkout's kernel/abi\\.ts; rebuild the image with this checkout's \`quark build\`$`)), why: "the image's kernel speaks other numbers than this host" },
  { name: "an ABI constant the checkout lacks", make: withJson("quark.abi", (v) => { v.A_NEW_CONSTANT = 1; }), expect: refused("abi-constant", /: ABI constant A_NEW_CONSTANT is 1 in the image and absent from this checkout's kernel\/abi\.ts; /), why: "built from another checkout" },
  { name: "a module whose size does not match", make: withJson("quark.modules", (v) => { v.find((m: any) => m.name === "log").size += 1; }), expect: refused("module-size", /: module log is (\d+) bytes, but quark\.modules says (\d+); /), why: "sizes are checked before hashes" },
  { name: "module 0 is not the HAL", make: withJson("quark.modules", (v) => { v[0].kind = "service"; }), expect: refused("hal-first", /: module 0 is hal, not the HAL; /), why: "the host instantiates module 0 as the HAL" },
  { name: "a module the engine does not compile (echo, hash and size consistent)", make: (b) => {
      const bad = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x04, 0x01, 0x60, 0x00, 0x7f);
      const withBytes = replaced(b, "quark.mod.echo", bad);
      return withJson("quark.modules", (v) => { const e = v.find((m: any) => m.name === "echo"); e.size = bad.length; e.sha256 = sha256(bad); })(withBytes);
    }, expect: refused("compile", /: module echo does not compile: \S/), engineOnly: true, why: "a truncated type section inside a module whose record matches: only the engine judges a module's code" },
];

const SECTION_NAMES: Record<number, string> = {
  1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element",
  10: "code", 11: "data", 12: "data count",
};

/**
 * One row per section of `good`: its payload's middle byte flipped. What each
 * reader must answer follows from whose the bytes are: a module's are hashed,
 * the JSON sections no longer decode (a flipped ASCII byte is not UTF-8), the
 * boot table and the kernel's data are the kernel's to judge, and the rest of
 * the kernel module is the engine's: V8 refuses it (validation, the same for
 * both runtimes), or it still validates and the kernel runs with it.
 */
function sectionRows(good: Uint8Array): Row[] {
  return readSections(good).map((s): Row => {
    const from = s.dataStart ?? s.start;
    const at = (from + s.end) >> 1;
    const make = (b: Uint8Array) => changed(b, at, (v) => v ^ 0xff);
    if (s.name === undefined || s.name === "name") {
      const what = s.name === undefined ? `the kernel's ${SECTION_NAMES[s.id] ?? `section ${s.id}`} section` : "the kernel's name section";
      const flipped = make(good) as Uint8Array<ArrayBuffer>;
      const judge = s.id === 11 || s.name === "name" || WebAssembly.validate(flipped);
      return {
        name: `a flipped byte in ${what}`, make,
        expect: judge ? "kernel-judges" : refused("compile", /: module kernel does not compile: \S/), engineOnly: !judge,
        why: judge ? "still valid WebAssembly: the kernel runs with what it now holds" : "the engine refuses the kernel module",
      };
    }
    const mod = s.name.startsWith("quark.mod.") ? s.name.slice("quark.mod.".length) : undefined;
    if (mod) return { name: `a flipped byte in ${s.name}`, make, expect: refused("module-sha256", new RegExp(`: module ${mod} does not match its sha256 in quark\\.modules; `)), why: "every module is hashed" };
    if (s.name === "quark.boot") return { name: "a flipped byte in quark.boot", make, expect: "kernel-judges", why: "the boot table is the kernel's to read" };
    return { name: `a flipped byte in ${s.name}`, make, expect: refused("bad-json", new RegExp(`: section ${s.name.replace(/\./g, "\\.")} is not UTF-8 JSON; `)), why: "its JSON no longer decodes" };
  });
}

// The image is built before the table is collected: the section rows come from it.
const good = new Uint8Array(readFileSync(await image("default")));
ROWS.push(...sectionRows(good));
let dir: string;

interface Result { code: number | null; stdout: string; stderr: string }

/** `quark ARGS...` as a user runs it, without blocking the other runners. */
function quarkAsync(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin", "quark.mjs"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function run(runner: Runner, file: string): Promise<Result> {
  if (runner === "inspect") return quarkAsync(["inspect", file]);
  return quarkAsync(["boot", file, "--runtime", runner, "--until-ready", "--quiet"]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quark-bad-images-"));
  quark(["setup", "wasmtime"]);
});

describe("a bad image is refused identically by both hosts, and alike by inspect", () => {
  it("has a row for every section of the image, each module's among them", () => {
    const names = ROWS.map((r) => r.name);
    for (const s of readSections(good)) expect(names.some((n) => n.includes(s.name ?? SECTION_NAMES[s.id])), s.name ?? String(s.id)).toBe(true);
    expect(names.filter((n) => n.startsWith("a flipped byte in quark.mod.")).length).toBe(json(good, "quark.modules").length);
  });

  it.each(ROWS.map((r, i) => [r.name, i] as const))("%s", async (_, i) => {
    const row = ROWS[i];
    const made = row.make(good, dir);
    const file = "path" in made ? made.path : join(dir, `row-${i}.wasm`);
    if (!("path" in made)) writeFileSync(file, made);
    const ran = await Promise.all(RUNNERS.map((r) => run(r, file)));
    const results = Object.fromEntries(RUNNERS.map((r, k) => [r, ran[k]])) as Record<Runner, Result>;
    // Both runtimes answer every row identically: status, standard error, standard output.
    const seen = (r: Runner) => ({ code: results[r].code, stderr: results[r].stderr, stdout: withoutTimings(results[r].stdout) });
    expect(seen("wasmtime"), `${row.name}: wasmtime against node`).toEqual(seen("node"));
    if (row.expect === "kernel-judges") {
      expect(results.node.code, `${row.name}: ${results.node.stderr}`).not.toBeNull();
      expect(results.node.stderr, row.name).not.toMatch(/quark (boot|inspect): /); // no host failure, whatever the kernel says
      return;
    }
    if (row.expect === "boots") {
      for (const r of RUNNERS) expect(results[r].code, `${r}: ${results[r].stderr}`).toBe(0);
      return;
    }
    if (row.expect === "kernel-refuses") {
      for (const r of HOSTS) {
        expect(results[r].code, `${r}: ${results[r].stderr}`).toBe(1);
        expect(results[r].stderr, r).toBe(`quark: kernel.boot() failed: E_ARG (${abi.E_ARG})\n`);
      }
      expect(results.inspect.code, results.inspect.stderr).toBe(0);
      return;
    }
    const refusers = RUNNERS.filter((r) => !(row.engineOnly && r === "inspect"));
    const lines = refusers.map((r) => results[r].stderr.trimEnd());
    for (const [k, r] of refusers.entries()) {
      expect(results[r].code, `${row.name}, ${r}: ${results[r].stderr}`).toBe(abi.EXIT_BAD_IMAGE);
      expect(lines[k].split("\n"), `${row.name}, ${r}`).toHaveLength(1);
      expect(lines[k].startsWith(`${file}: `), `${row.name}, ${r}: ${lines[k]}`).toBe(true);
      expect(lines[k], `${row.name}, ${r}`).toMatch(row.expect.message);
      expect(results[r].stdout, `${row.name}, ${r}`).toBe("");
    }
    // The same line from every reader, V8's reason included for an engine fault (the board validates for both).
    expect(new Set(lines).size, lines.join("\n")).toBe(1);
    if (row.engineOnly) expect(results.inspect.code, results.inspect.stderr).toBe(0);
    // The library's refusal is the same line, with the row's stable code (engine faults come from the hosts).
    if (!row.engineOnly) {
      const thrown = (() => { try { readImageFile(file); } catch (e) { return e; } })();
      expect(thrown).toBeInstanceOf(ImageCheckError);
      expect((thrown as ImageCheckError).code).toBe(row.expect.code);
      expect((thrown as ImageCheckError).message).toBe(lines[0]);
    }
  }, 120_000);
});

describe("the board's statuses and lines are the same under both runtimes", () => {
  const both = (args: string[], input = "") => HOSTS.map((r) => quark([...args, "--runtime", r], { input }));

  it("a control socket that cannot be opened: status 2 and one line naming it", () => {
    const sock = join(dir, "no-such-dir", "q.sock");
    const [n, w] = both(["boot", "images/default.wasm", "--control", sock]);
    expect(n.code).toBe(abi.EXIT_BAD_IMAGE);
    expect(n.stderr).toMatch(new RegExp(`^quark: cannot open the control socket ${sock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .+\n$`));
    expect(w).toEqual(n);
  });

  it.each(HOSTS)("a halt ends the process though its standard input stays open (%s)", async (runtime) => {
    const child = spawn(process.execPath, [join(root, "bin", "quark.mjs"), "boot", "images/default.wasm", "--runtime", runtime], { cwd: root, stdio: ["pipe", "ignore", "pipe"] });
    const code = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    child.stdin.write("halt 3\n"); // and never ended: a terminal left open
    expect(await code).toBe(3);
    child.stdin.destroy();
  });

  it("a halt with a code: that code, and the same console", () => {
    const [n, w] = both(["boot", "images/default.wasm"], "svc list\nhalt 42\nsvc list\n");
    expect(n.code).toBe(42);
    expect(n.stderr).toBe("");
    expect({ ...w, stdout: withoutTimings(w.stdout) }).toEqual({ ...n, stdout: withoutTimings(n.stdout) });
  });
});

/**
 * Boots a copy of the default image, replaces the file with `damaged` once
 * the shell answers, and asks for a hot reload of echo, which reads the file
 * again (SPAWN_STAGE) and must refuse it with the same check.
 */
async function reloadFrom(runtime: "node" | "wasmtime", damaged: Uint8Array, name: string) {
  const file = join(dir, `${name}-${runtime}.wasm`);
  writeFileSync(file, good);
  const child = bootInteractive(file, runtime);
  const until = child.until;
  child.stdin.write("svc status echo --json\n");
  await until(/^\{"name":"echo"/m);
  // Written whole, then renamed, as a build writes it: the reload never sees half a file.
  writeFileSync(`${file}.tmp`, damaged);
  renameSync(`${file}.tmp`, file);
  child.stdin.write("svc reload echo\n");
  await until(/^reload: echo .*$/m);
  child.stdin.end();
  return { code: await child.exited, out: child.out(), err: child.err(), file };
}

describe("a hot reload reads the image file again through the same check", () => {
  it("refuses a damaged rebuild alike under both hosts, and the old echo keeps running", async () => {
    const s = readSections(good).find((x) => x.name === "quark.mod.echo")!;
    const damaged = changed(good, (s.dataStart! + s.end) >> 1, (v) => v ^ 0xff);
    const runs = [];
    for (const runtime of ["node", "wasmtime"] as const) runs.push(await reloadFrom(runtime, damaged, "reload"));
    const said = runs.map((r) => {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`^reload: echo failed: E_NOMODULE; the old instance keeps running$`, "m"));
      const lines = r.err.split("\n").filter((l) => l.startsWith("quark: reload of pid"));
      expect(lines, r.err).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^quark: reload of pid \\d+: ${r.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: module echo does not match its sha256 in quark\\.modules; `));
      return lines[0].replace(r.file, "FILE");
    });
    expect(said[0]).toBe(said[1]);
  });
});
