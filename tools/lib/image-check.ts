// The one check of an image file (docs/machine-abi.md, "The image"), run by
// both hosts and every tool before anything is compiled: the Wasm section
// walk (bounds-checked, its own words, never an engine's), one of each
// `quark.*` section, the ABI constants against this checkout's
// kernel/abi.ts, and every module's size and sha256.
// The board (tools/board/image.ts) runs it for every engine;
// tests/e2e/bad-images.test.ts drives it through both.
//
// Every refusal is an ImageCheckError: one line naming the file, the section
// or module, what is wrong and what to do, with a stable `code` for tests and
// --json, and exit status EXIT_BAD_IMAGE in every command.
import { createHash, type Hash } from "node:crypto";
import { closeSync, fstatSync, openSync, type BigIntStats } from "node:fs";
import * as abi from "../../kernel/abi";
import { ABI_JSON } from "./abi-json";
import { fileBytes } from "./file-bytes";
import { SECTION_ABI, SECTION_BOOT, SECTION_MANIFEST, SECTION_MODULE_PREFIX, SECTION_MODULES, SECTION_PREFIX } from "./abi-texts";

// The section names are the machine ABI's (abi/machine.ts, generated into abi-texts.ts).
export { SECTION_ABI, SECTION_BOOT, SECTION_MANIFEST, SECTION_MODULE_PREFIX, SECTION_MODULES, SECTION_PREFIX };

export const REBUILD = "rebuild the image with this checkout's `quark build`";
const DAMAGED = `the image is damaged; ${REBUILD}`;
const NOT_IMAGE = "give the .wasm file that `quark build` wrote";

export type ModuleKind = "hal" | "service";

/** One entry of `quark.modules`. */
export interface ModuleEntry {
  name: string;
  kind: ModuleKind;
  size: number;
  sha256: string;
}

export interface CheckedModule extends ModuleEntry {
  index: number;
  bytes: Uint8Array;
}

export interface CheckedImage {
  abi: Record<string, number>;
  modules: CheckedModule[];
  bootTable: Uint8Array;
  /** The parsed `quark.manifest`, or undefined when the image carries none (hosts do not need it). */
  manifest: unknown;
  /** The sha256 of the kernel's own sections (every one but the custom ones): what its validity depends on. */
  kernelSha256: string;
  /**
   * Where the kernel module ends: bytes [0, kernelEnd) are the kernel with
   * none of the quark.* sections, since the image writer puts those after it
   * (tools/lib/image.ts); the whole file's length when another section
   * follows a quark.* one. An engine compiles that prefix, and neither copies
   * nor hashes every service's bytes along with the kernel's.
   */
  kernelEnd: number;
}

export class ImageCheckError extends Error {
  override name = "ImageCheckError";
  readonly exitCode = abi.EXIT_BAD_IMAGE;
  constructor(readonly file: string, readonly code: string, what: string) {
    super(`${file}: ${what}`);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let constants: Readonly<Record<string, number>> | undefined;
let constantsJson: Uint8Array | undefined;

/**
 * Every numeric constant of kernel/abi.ts, keys sorted so the JSON is
 * byte-stable: parsed from the generator's ABI_JSON (tools/lib/abi-json.ts),
 * since walking the module's ~400 exports would cost a boot a millisecond or
 * two. Made once per process and frozen, since every caller shares it.
 */
export function abiConstants(): Readonly<Record<string, number>> {
  constants ??= Object.freeze(JSON.parse(ABI_JSON) as Record<string, number>);
  return constants;
}

/** abiConstants() as `quark build` writes it into `quark.abi` (image.ts). */
export function abiConstantsJson(): Uint8Array {
  constantsJson ??= new TextEncoder().encode(ABI_JSON);
  return constantsJson;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

// ---------------------------------------------------------------- the file

const FILE_ERRORS: Record<string, [string, string]> = {
  ENOENT: ["missing-file", "cannot read: no such file; build the image with `quark build MANIFEST.toml`"],
  EISDIR: ["directory", `cannot read: it is a directory; ${NOT_IMAGE}`],
  EACCES: ["unreadable", "cannot read: permission denied"],
  ELOOP: ["unreadable", `cannot read: a loop of symbolic links; ${NOT_IMAGE}`],
};

/** Reads and checks an image file; every failure, the file's own included, is an ImageCheckError. */
export function readImageFile(path: string, expected: Readonly<Record<string, number>> = abiConstants()): CheckedImage {
  return checkImage(readBytes(path), path, expected);
}

export function readBytes(path: string): Uint8Array {
  return readIdentified(path).bytes;
}

/**
 * A file's bytes and who it was while they were read: device, inode, size,
 * and the modification and change times in ns, the same before and after
 * the read, or undefined when the file changed meanwhile; `changedMs`, when
 * it last changed (the later of the two times, in ms since the epoch). The
 * change time is the kernel's to set, on every write, so the same identity
 * means the same bytes, as git's index assumes, once the file is older than
 * the clock's granularity (image-mark.ts).
 */
export function readIdentified(path: string): { bytes: Uint8Array; identity?: string; changedMs: number } {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const before = fstatSync(fd, { bigint: true });
    if (before.isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
    const bytes = fileBytes(fd);
    const after = fstatSync(fd, { bigint: true });
    const id = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    const same = id(before) === id(after) && after.size === BigInt(bytes.length);
    const changedMs = Number((after.mtimeNs > after.ctimeNs ? after.mtimeNs : after.ctimeNs) / 1_000_000n);
    return { bytes, identity: same ? id(after) : undefined, changedMs };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    const [reason, what] = FILE_ERRORS[code] ?? ["unreadable", `cannot read (${code})`];
    throw new ImageCheckError(path, reason, what);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The refusal of a module the engine will not compile: its reason on one line, in both hosts. */
export function compileError(file: string, name: string, engineMessage: string): ImageCheckError {
  const lines = engineMessage.split("\n").map((l) => l.trim()).filter(Boolean);
  return new ImageCheckError(file, "compile", `module ${name} does not compile: ${lines.at(-1) ?? "no reason given"}`);
}

// ---------------------------------------------------------------- the walk

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const HEADER = 8;
const PREFIX = new TextEncoder().encode(SECTION_PREFIX);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Fail = (code: string, what: string) => never;

function checkHeader(b: Uint8Array, fail: Fail): void {
  if (b.length === 0) fail("empty", `the file is empty; ${NOT_IMAGE}`);
  if (MAGIC.some((m, i) => i < b.length && b[i] !== m)) {
    fail("not-wasm", `not a WebAssembly module (it does not start with \\0asm); ${NOT_IMAGE}`);
  }
  if (b.length < HEADER) fail("truncated", `truncated: the file ends inside the WebAssembly header; ${DAMAGED}`);
  const version = b[4] + b[5] * 0x100 + b[6] * 0x10000 + b[7] * 0x1000000;
  if (version !== 1) fail("wasm-version", `WebAssembly binary version ${version}, not 1; ${NOT_IMAGE}`);
}

/** An unsigned LEB128 of at most 32 bits at `at`, read no further than `limit`; null if it runs past it. */
function leb(b: Uint8Array, at: number, limit: number, fail: Fail, where: number): [number, number] | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= limit) return null;
    const byte = b[at + i];
    if (i === 4 && byte > 0x0f) fail("malformed", `malformed section header at byte ${where}; ${DAMAGED}`);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return [value, at + i + 1];
  }
  return fail("malformed", `malformed section header at byte ${where}; ${DAMAGED}`);
}

/** A section name as a message shows it: one line of printable ASCII, whatever the image holds. */
function shown(name: string): string {
  return [...name].map((c) => (c >= "!" && c <= "~" ? c : "?")).join("");
}

function startsWithPrefix(b: Uint8Array, at: number, len: number): boolean {
  return len >= PREFIX.length && PREFIX.every((p, i) => b[at + i] === p);
}

/**
 * Every `quark.*` custom section by name; any other section is the engine's
 * business, and goes into `code`, the hash of the kernel's own sections
 * (custom ones included: an engine may read some, like "name").
 */
function quarkSections(b: Uint8Array, fail: Fail, code: Hash): { found: Map<string, Uint8Array>; kernelEnd: number } {
  const found = new Map<string, Uint8Array>();
  code.update(b.subarray(0, HEADER));
  let kernelEnd = b.length;
  let quarkSeen = false;
  for (let at = HEADER; at < b.length; ) {
    const size = leb(b, at + 1, b.length, fail, at);
    if (size === null) fail("truncated", `truncated: the file ends inside the section header at byte ${at}; ${DAMAGED}`);
    const [len, start] = size;
    const end = start + len;
    if (end > b.length) {
      fail("truncated", `truncated: the section at byte ${at} needs ${len} bytes, the file has ${b.length - start}; ${DAMAGED}`);
    }
    const quark = b[at] === 0 && addCustom(b, at, start, end, found, fail);
    if (!quark) code.update(b.subarray(at, end));
    if (quark && !quarkSeen) { quarkSeen = true; kernelEnd = at; }
    else if (!quark && quarkSeen) kernelEnd = b.length;
    at = end;
  }
  return { found, kernelEnd };
}

/** Adds a `quark.*` section to `found`; false for any other custom section. */
function addCustom(b: Uint8Array, at: number, start: number, end: number, found: Map<string, Uint8Array>, fail: Fail): boolean {
  const bad = () => fail("malformed", `the custom section at byte ${at} has a malformed name; ${DAMAGED}`);
  const n = leb(b, start, end, fail, at);
  if (n === null || n[1] + n[0] > end) return bad();
  const [len, nameAt] = n;
  if (!startsWithPrefix(b, nameAt, len)) return false;
  let name: string;
  try {
    name = utf8.decode(b.subarray(nameAt, nameAt + len));
  } catch {
    return bad();
  }
  if (found.has(name)) fail("duplicate-section", `section ${shown(name)} appears twice; ${REBUILD}`);
  found.set(name, b.subarray(nameAt + len, end));
  return true;
}

// ---------------------------------------------------------------- the sections

function required(s: Map<string, Uint8Array>, name: string, fail: Fail): Uint8Array {
  const data = s.get(name);
  if (data === undefined) fail("missing-section", `missing section ${name}: not a quark image, or a damaged one; ${REBUILD}`);
  return data;
}

function parseJson(data: Uint8Array, name: string, fail: Fail): unknown {
  try {
    return JSON.parse(utf8.decode(data));
  } catch {
    return fail("bad-json", `section ${name} is not UTF-8 JSON; ${DAMAGED}`);
  }
}

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function checkAbi(value: unknown, expected: Readonly<Record<string, number>>, fail: Fail): Record<string, number> {
  const format = (why: string) => fail("abi-format", `section ${SECTION_ABI} ${why}; ${DAMAGED}`);
  if (!isObject(value)) return format("is not a JSON object");
  // Keys first: JavaScript lists integer-like keys before the others, Python in file order.
  if (!Object.keys(value).every((k) => CONSTANT_NAME.test(k))) format("has a key that is not a constant name");
  for (const [k, v] of Object.entries(value)) {
    if (!Number.isSafeInteger(v)) format(`gives ${k} a value that is not an integer`);
  }
  const table = value as Record<string, number>;
  if (!Object.hasOwn(table, "ABI_VERSION")) format("has no ABI_VERSION");
  if (table.ABI_VERSION !== expected.ABI_VERSION) {
    fail("abi-version", `built for ABI_VERSION ${table.ABI_VERSION}, this host speaks ABI_VERSION ${expected.ABI_VERSION}; ${REBUILD}`);
  }
  const names = [...new Set([...Object.keys(table), ...Object.keys(expected)])].sort();
  for (const k of names) {
    if (table[k] === expected[k]) continue;
    const what = !Object.hasOwn(expected, k) ? `is ${table[k]} in the image and absent from this checkout's kernel/abi.ts`
      : !Object.hasOwn(table, k) ? `is missing from the image (this checkout's kernel/abi.ts has ${expected[k]})`
      : `is ${table[k]} in the image but ${expected[k]} in this checkout's kernel/abi.ts`;
    fail("abi-constant", `ABI constant ${k} ${what}; ${REBUILD}`);
  }
  return table;
}

/**
 * The image's ABI table. A section byte-equal to what this checkout's build
 * writes is this checkout's table, with nothing to parse or compare (every
 * boot of a fresh build); anything else gets the whole check and its refusal.
 */
function abiSection(data: Uint8Array, expected: Readonly<Record<string, number>>, fail: Fail): Record<string, number> {
  if (expected === constants && sameBytes(data, abiConstantsJson())) return expected as Record<string, number>;
  return checkAbi(parseJson(data, SECTION_ABI, fail), expected, fail);
}

const MODULE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function isEntry(e: unknown): e is ModuleEntry {
  return isObject(e) && typeof e.name === "string" && MODULE_NAME.test(e.name) &&
    (e.kind === "hal" || e.kind === "service") && Number.isSafeInteger(e.size) && (e.size as number) >= 0 &&
    typeof e.sha256 === "string" && SHA256.test(e.sha256);
}

function checkEntries(value: unknown, fail: Fail): ModuleEntry[] {
  const format = (why: string) => fail("modules-format", `section ${SECTION_MODULES} ${why}; ${DAMAGED}`);
  if (!Array.isArray(value) || value.length === 0) return format("is not a non-empty JSON array");
  const seen = new Set<string>();
  value.forEach((e, i) => {
    if (!isEntry(e)) format(`entry ${i} lacks a valid name, kind (hal or service), size or sha256`);
    if (seen.has(e.name)) format(`lists module ${e.name} twice`);
    seen.add(e.name);
    if ((i === 0) !== (e.kind === "hal")) {
      fail("hal-first", i === 0 ? `module 0 is ${e.name}, not the HAL; ${DAMAGED}` : `module ${i} (${e.name}) is a HAL; only module 0 may be; ${DAMAGED}`);
    }
  });
  return value as ModuleEntry[];
}

function checkModule(s: Map<string, Uint8Array>, e: ModuleEntry, index: number, fail: Fail): CheckedModule {
  const bytes = required(s, SECTION_MODULE_PREFIX + e.name, fail);
  if (bytes.length !== e.size) {
    fail("module-size", `module ${e.name} is ${bytes.length} bytes, but ${SECTION_MODULES} says ${e.size}; ${DAMAGED}`);
  }
  if (sha256(bytes) !== e.sha256) fail("module-sha256", `module ${e.name} does not match its sha256 in ${SECTION_MODULES}; ${DAMAGED}`);
  return { index, name: e.name, kind: e.kind, size: e.size, sha256: e.sha256, bytes };
}

function checkStray(s: Map<string, Uint8Array>, entries: ModuleEntry[], fail: Fail): void {
  const listed = new Set(entries.map((e) => SECTION_MODULE_PREFIX + e.name));
  // The first in file order.
  const stray = [...s.keys()].find((k) => k.startsWith(SECTION_MODULE_PREFIX) && !listed.has(k));
  if (stray !== undefined) fail("stray-module", `section ${shown(stray)} names no module of ${SECTION_MODULES}; ${DAMAGED}`);
}

/**
 * Checks an image's bytes and returns its parts; throws an ImageCheckError
 * naming `file` at the first fault.
 * `expected` is the ABI this checkout speaks.
 */
export function checkImage(bytes: Uint8Array, file: string, expected: Readonly<Record<string, number>> = abiConstants()): CheckedImage {
  const fail: Fail = (code, what) => { throw new ImageCheckError(file, code, what); };
  checkHeader(bytes, fail);
  const code = createHash("sha256");
  const { found: s, kernelEnd } = quarkSections(bytes, fail, code);
  const table = abiSection(required(s, SECTION_ABI, fail), expected, fail);
  const entries = checkEntries(parseJson(required(s, SECTION_MODULES, fail), SECTION_MODULES, fail), fail);
  const modules = entries.map((e, i) => checkModule(s, e, i, fail));
  checkStray(s, entries, fail);
  // The boot table's contents are the kernel's to judge (kernel/boot.ts): a refused
  // boot() exits 1 in both hosts, with the kernel's reason on the console.
  const bootTable = required(s, SECTION_BOOT, fail);
  const manifest = s.has(SECTION_MANIFEST) ? parseJson(s.get(SECTION_MANIFEST)!, SECTION_MANIFEST, fail) : undefined;
  return { abi: table, modules, bootTable, manifest, kernelSha256: code.digest("hex"), kernelEnd };
}
