// Compiles one AssemblyScript module (kernel, HAL or service) to Wasm with the
// options of its target in asconfig.json, applies a service's memory limit,
// and caches the result by everything that can change the output bytes.
//
// asc runs in worker threads (the asc pool at the end of this file), so independent modules
// compile on separate cores, and a compiler crash, which asc answers with
// process.exit, ends a worker rather than the build.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { readImports, readSections, readMemoryLimits, encodeU32 } from "./wasm-sections";

export type ModuleKind = "kernel" | "hal" | "service";

export interface CompileOptions {
  kind: ModuleKind;
  /** Absolute path of the module's .ts entry file. */
  entry: string;
  /** Repository root: holds asconfig.json; asc's base directory. */
  root: string;
  /** A service's memory maximum in 64 KiB pages (services only). */
  memoryMaxPages?: number;
  /** Defaults to <root>/build/cache. */
  cacheDir?: string;
  /** Used in messages; defaults to the entry's path. */
  name?: string;
  /** Compile even when the cache holds a result. */
  force?: boolean;
  log?: (s: string) => void;
}

export interface CompileResult {
  wasm: Uint8Array;
  cached: boolean;
  ms: number;
}

export class CompileError extends Error {
  override name = "CompileError";
}

// Bump when the post-processing below changes what a cache entry holds
// (4: services are no longer metered at build time).
const CACHE_FORMAT = 4;

const MAX_WORKERS = 4;

// Import modules each kind may use (docs/machine-abi.md). The kernel and the
// HAL are linked by the host to `hal` and `host` only, so an `env` import
// (Math.random's seed, trace) would fail at boot; refuse it here instead.
const FORBIDDEN_IMPORTS: Record<ModuleKind, string[]> = { kernel: ["env"], hal: ["env"], service: [] };

export async function compileModule(opts: CompileOptions): Promise<CompileResult> {
  const started = performance.now();
  checkMemoryOption(opts);
  const options = targetOptions(opts.root, opts.kind);
  const cacheDir = opts.cacheDir ?? join(opts.root, "build", "cache");
  const lookup = lookupKey(opts, options);
  const hit = opts.force ? null : readCache(cacheDir, lookup, opts.root);
  if (hit) return { wasm: hit, cached: true, ms: Math.round(performance.now() - started) };

  const run = await ascPool().run(ascRequest(opts, options));
  // Time spent waiting for a free worker is not this module's compile time.
  const compiled = performance.now();
  const label = opts.name ?? posixRelative(opts.root, opts.entry);
  if (run.error !== null || run.wasm === null) {
    const detail = outsidePathsAbsolute(run.stderr || run.error || "no output", opts.root);
    throw new CompileError(`asc could not compile ${opts.kind} ${label}:\n${detail}${packageHint(detail, opts.root)}`);
  }
  if (run.stderr.trim() && opts.log) opts.log(outsidePathsAbsolute(run.stderr.trimEnd(), opts.root));
  checkImports(run.wasm, opts.kind, label);
  // Services are not instrumented here: each host runs the service loader
  // (tools/loader/) on every service module at spawn, so hand-made modules are metered too.
  const wasm = opts.memoryMaxPages === undefined ? run.wasm : setMemoryMax(run.wasm, opts.memoryMaxPages, label);
  writeCache(cacheDir, lookup, opts.root, run.reads, wasm);
  return { wasm, cached: false, ms: Math.round(run.ms + performance.now() - compiled) };
}

function checkMemoryOption(opts: CompileOptions): void {
  const max = opts.memoryMaxPages;
  if (max === undefined) return;
  if (opts.kind !== "service") throw new CompileError(`memoryMaxPages applies to services, not to the ${opts.kind}`);
  if (!Number.isInteger(max) || max < 1 || max > 65536) {
    throw new CompileError(`memoryMaxPages must be an integer from 1 to 65536, not ${max}`);
  }
}

// ---------------------------------------------------------------- asconfig

type OptionValue = string | number | boolean | string[];

/** The merged options of asconfig.json's `options` and `targets[kind]`, keys sorted. */
export function targetOptions(root: string, kind: ModuleKind): Record<string, OptionValue> {
  const file = join(root, "asconfig.json");
  let config: { options?: Record<string, OptionValue>; targets?: Record<string, Record<string, OptionValue>>; extends?: string };
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CompileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (config.extends) throw new CompileError(`${file}: "extends" is not supported; write the options out`);
  const target = config.targets?.[kind];
  if (!target) throw new CompileError(`${file} has no target "${kind}"`);
  const merged = { ...config.options, ...target };
  return Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
}

/** asc's own conversion: true → flag, false → omitted, arrays repeat the flag. */
export function optionsToArgv(options: Record<string, OptionValue>): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === false) continue;
    if (value === true) argv.push(`--${key}`);
    else if (Array.isArray(value)) for (const v of value) argv.push(`--${key}`, String(v));
    else argv.push(`--${key}`, String(value));
  }
  return argv;
}

// ---------------------------------------------------------------- stable import paths
//
// A service imports the library as "quark/service" and a protocol as
// "quark/proto/NAME", wherever its source sits. asc resolves a non-relative
// import `P/REST` by reading node_modules/P/REST.ts (then REST/index.ts) in
// each directory from the importing file's (the root, for a service's own
// files) up; the first of those reads is answered here, whichever folder it is
// in: `quark/REST` is this checkout's userland/lib/REST, for a service's files
// and for the packages they use alike. The answer is a one-line re-export of
// the real file by its ordinary path, so the library compiles once under the
// same names as for an in-tree service's relative import, and the cache hashes
// the real file.
export const PACKAGES: Record<string, string> = { quark: "userland/lib" };

function packageMaps(): PackageMap[] {
  return Object.entries(PACKAGES).map(([name, to]) => ({ name, to }));
}

/**
 * asc names sources relative to its base directory, the root; a source
 * outside the checkout (a service written elsewhere) would read as
 * ../../home/..., a path that means nothing where the user stands: make those absolute.
 */
function outsidePathsAbsolute(stderr: string, root: string): string {
  return stderr.replace(/(?<= in )((?:\.\.\/)+[^\s()]+)(?=\(\d+,\d+\))/g, (p) => resolve(root, p));
}

/** asc names a missing `quark/X` import ~lib/quark/X.ts; say where that is looked for. */
function packageHint(stderr: string, root: string): string {
  const names = Object.keys(PACKAGES).filter((name) => stderr.includes(`'~lib/${name}/`));
  return names.map((name) => `\n"${name}/X" is ${join(root, PACKAGES[name])}/X.ts (or X/index.ts): see docs/writing-a-service.md`).join("");
}

/**
 * asc looks for packages in node_modules folders above its base directory
 * (the root) only; a service outside the checkout also finds the AssemblyScript
 * packages installed beside it, in the node_modules folders above its entry.
 * After the root's: "quark/" stays this checkout's library.
 */
function ownPackages(root: string, entry: string): string[] {
  if (!relative(root, entry).startsWith("..")) return [];
  const dirs: string[] = [];
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") dirs.push(join(dir, "node_modules"));
    if (dirname(dir) === dir) return dirs;
  }
}

function ascRequest(opts: CompileOptions, options: Record<string, OptionValue>): AscRequest {
  return {
    packages: packageMaps(),
    // Entries relative to the root keep checkout paths out of the binary
    // (asc embeds source names in assertion messages); an entry outside the
    // checkout is named by its path from the root (../../...), bytes that
    // change when either moves.
    argv: [
      posixRelative(opts.root, opts.entry), ...optionsToArgv(options),
      "--baseDir", opts.root, "--outFile", "module.wasm", "--noColors",
      ...ownPackages(opts.root, opts.entry).flatMap((dir) => ["--path", dir]),
    ],
    // The options come from targetOptions(); asc must not merge asconfig.json again.
    hidden: resolve(opts.root, "asconfig.json"),
  };
}

// ---------------------------------------------------------------- checks and memory limit

function checkImports(wasm: Uint8Array, kind: ModuleKind, label: string): void {
  const forbidden = FORBIDDEN_IMPORTS[kind];
  const bad = readImports(wasm).filter((i) => forbidden.includes(i.module));
  if (bad.length) {
    const names = bad.map((i) => `${i.module}.${i.name}`).join(", ");
    throw new CompileError(
      `${kind} ${label} imports ${names}; the ${kind} may not import from ${forbidden.join(", ")} ` +
        "(avoid Math.random, trace and other env-backed builtins there)",
    );
  }
}

function pages(n: number): string {
  return n === 1 ? "1 page (64 KiB)" : `${n} pages (${n * 64} KiB)`;
}

/**
 * Sets the maximum of a service's memory by rewriting the memory section's
 * limits in place; every other byte of the module stays as asc wrote it (a
 * round trip through binaryen would re-encode the module with whatever
 * proposals binaryen enables, which engines may not accept).
 */
function setMemoryMax(wasm: Uint8Array, maxPages: number, label: string): Uint8Array {
  const section = readSections(wasm).find((s) => s.id === SECTION_MEMORY_ID);
  const limits = readMemoryLimits(wasm);
  if (!section || !limits) throw new CompileError(`service ${label} defines no memory; a service must define its own`);
  if (limits.memory64) throw new CompileError(`service ${label} has a 64-bit memory, which quark does not support`);
  if (limits.initial > maxPages) {
    throw new CompileError(
      `service ${label} needs ${pages(limits.initial)} of memory at start, more than its limit of ${pages(maxPages)}; ` +
        "raise the service's memory limit in the manifest",
    );
  }
  const body = [0x01, 0x01 | (limits.shared ? 0x02 : 0), ...encodeU32(limits.initial), ...encodeU32(maxPages)];
  const head = [SECTION_MEMORY_ID, ...encodeU32(body.length)];
  const out = new Uint8Array(wasm.length - (section.end - section.offset) + head.length + body.length);
  out.set(wasm.subarray(0, section.offset), 0);
  out.set([...head, ...body], section.offset);
  out.set(wasm.subarray(section.end), section.offset + head.length + body.length);
  return out;
}

const SECTION_MEMORY_ID = 5;

// ---------------------------------------------------------------- cache
//
// A lookup key names one module build (kind, asc and binaryen versions,
// options, memory limit, entry); its JSON entry lists every file the last compile asked asc
// to read, with its sha256 (null: the file was looked for and absent, so a
// new file that would now shadow an import also invalidates the entry).
// Hashing those files again yields the full key, which names the cached Wasm.

type FileHash = [path: string, sha256: string | null];

interface CacheEntry {
  key: string;
  sha256: string;
  files: FileHash[];
}

function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function posixRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

const versions = new Map<string, string>();

/** The installed version of a package: asc's decides the code, binaryen's the post-processing. */
function packageVersion(name: string): string {
  let v = versions.get(name);
  if (v === undefined) {
    const pkg = createRequire(import.meta.url).resolve(`${name}/package.json`);
    v = JSON.parse(readFileSync(pkg, "utf8")).version as string;
    versions.set(name, v);
  }
  return v;
}

function lookupKey(opts: CompileOptions, options: Record<string, OptionValue>): string {
  return sha256(
    JSON.stringify({
      format: CACHE_FORMAT,
      kind: opts.kind,
      asc: packageVersion("assemblyscript"),
      binaryen: packageVersion("binaryen"),
      options,
      memoryMaxPages: opts.memoryMaxPages ?? null,
      entry: posixRelative(opts.root, opts.entry),
    }),
  );
}

function fullKey(lookup: string, files: FileHash[]): string {
  return sha256([lookup, ...files.map(([p, h]) => `${p}\0${h ?? "-"}`)].join("\n"));
}

function hashFile(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

function readEntry(path: string): CacheEntry | null {
  try {
    const entry = JSON.parse(readFileSync(path, "utf8")) as CacheEntry;
    return typeof entry.key === "string" && Array.isArray(entry.files) ? entry : null;
  } catch {
    return null;
  }
}

function readCache(dir: string, lookup: string, root: string): Uint8Array | null {
  const entry = readEntry(join(dir, `${lookup}.json`));
  if (!entry) return null;
  const current = entry.files.map(([p]): FileHash => [p, hashFile(resolve(root, p))]);
  if (fullKey(lookup, current) !== entry.key) return null;
  try {
    const wasm = new Uint8Array(readFileSync(join(dir, `${entry.key}.wasm`)));
    return sha256(wasm) === entry.sha256 ? wasm : null;
  } catch {
    return null;
  }
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function writeCache(dir: string, lookup: string, root: string, reads: FileHash[], wasm: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  const byPath = new Map(reads.map(([p, h]): FileHash => [posixRelative(root, p), h]));
  const files = [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const entry: CacheEntry = { key: fullKey(lookup, files), sha256: sha256(wasm), files };
  const entryPath = join(dir, `${lookup}.json`);
  const previous = readEntry(entryPath)?.key;
  writeAtomic(join(dir, `${entry.key}.wasm`), wasm);
  writeAtomic(entryPath, JSON.stringify(entry));
  if (previous && previous !== entry.key) rmSync(join(dir, `${previous}.wasm`), { force: true });
}

// ---------------------------------------------------------------- asc pool

interface PackageMap {
  /** The package: asc looks for it in node_modules/NAME folders. */
  name: string;
  /** What it finds there: this folder, relative to the root (asc's base directory). */
  to: string;
}

interface AscRequest {
  argv: string[];
  packages: PackageMap[];
  /** A path asc's readFile must report as absent. */
  hidden: string;
}

interface AscRun {
  wasm: Uint8Array | null;
  /** Every path asc asked for, with the sha256 of what it got (null: absent). */
  reads: FileHash[];
  stderr: string;
  error: string | null;
  /** Time asc took, not counting the wait for a worker or loading asc. */
  ms: number;
}

// The worker's body is plain JavaScript in a string because the tools run
// both from TypeScript sources (tests) and from one esbuild bundle (the CLI),
// and neither leaves a loadable worker file behind. It hashes the bytes it
// hands to asc, so the cache records exactly what was compiled.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFile, readdir } = require("node:fs/promises");
const { createHash } = require("node:crypto");
const { resolve, join, sep } = require("node:path");
const ascReady = import(workerData.ascUrl).then((m) => m.default);
async function read(path, reads) {
  const bytes = await readFile(path).catch(() => null);
  reads.push([path, bytes && createHash("sha256").update(bytes).digest("hex")]);
  return bytes;
}
const marker = (p) => sep + "node_modules" + sep + p.name + sep;
// A read inside a mapped package: undefined when the path is in none. Inside
// the base directory (the checkout, which may itself be node_modules/quark
// of an npm project) only its own node_modules count.
async function readMapped(path, base, packages, reads) {
  const local = path.startsWith(base + sep) ? path.slice(base.length) : path;
  const map = packages.find((p) => local.includes(marker(p)));
  if (!map) return undefined;
  const rest = local.slice(local.lastIndexOf(marker(map)) + marker(map).length).split(sep);
  if (!rest[rest.length - 1].endsWith(".ts") || rest.includes("node_modules")) return null;
  const target = map.to + "/" + rest.join("/");
  if (!(await read(resolve(base, target), reads))) return null;
  // asc names this file ~lib/NAME/REST: climb to the base directory, then down.
  return 'export * from "' + "../".repeat(rest.length + 1) + target.slice(0, -3) + '";\\n';
}
parentPort.on("message", async ({ argv, hidden, packages }) => {
  const reads = [];
  let wasm = null;
  let started = performance.now();
  try {
    const asc = await ascReady;
    started = performance.now();
    const result = await asc.main(argv, {
      readFile: async (file, base) => {
        const path = resolve(base, file);
        if (path === hidden) return null;
        const mapped = await readMapped(path, base, packages, reads);
        if (mapped !== undefined) return mapped;
        const bytes = await read(path, reads);
        return bytes && bytes.toString("utf8");
      },
      writeFile: (file, contents) => { if (typeof contents !== "string") wasm = contents; },
      listFiles: async (dir, base) => {
        const names = await readdir(join(base, dir)).catch(() => null);
        return names && names.filter((n) => n.endsWith(".ts") && !n.endsWith(".d.ts"));
      },
    });
    const error = result.error ? String(result.error.message || result.error) : null;
    parentPort.postMessage({ wasm, reads, stderr: result.stderr.toString(), error, ms: performance.now() - started });
  } catch (e) {
    parentPort.postMessage({ wasm: null, reads, stderr: String((e && e.stack) || e), error: "asc threw", ms: performance.now() - started });
  }
});
`;

interface Job {
  request: AscRequest;
  resolve: (run: AscRun) => void;
  reject: (e: Error) => void;
}

/**
 * Runs asc in up to `size` workers, started on demand and kept for reuse.
 * Idle workers are unref'd, so they never keep the process alive.
 */
class AscPool {
  private idle: Worker[] = [];
  private busy = new Map<Worker, Job>();
  private queue: Job[] = [];

  constructor(private readonly size: number, private readonly ascUrl: string) {}

  run(request: AscRequest): Promise<AscRun> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.request);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ascUrl: this.ascUrl } });
    worker.on("message", (run: AscRun) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      job?.resolve(run);
      this.dispatch();
    });
    worker.on("error", (e) => this.lose(worker, e));
    worker.on("exit", (code) => this.lose(worker, new Error(`exit code ${code}`)));
    return worker;
  }

  private lose(worker: Worker, cause: Error): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    this.idle = this.idle.filter((w) => w !== worker);
    job?.reject(new CompileError(`the AssemblyScript compiler crashed (${cause.message}); its report is above`));
    this.dispatch();
  }
}

let pool: AscPool | undefined;

function ascPool(): AscPool {
  if (!pool) {
    const ascPath = createRequire(import.meta.url).resolve("assemblyscript/dist/asc.js");
    pool = new AscPool(Math.max(1, Math.min(availableParallelism(), MAX_WORKERS)), pathToFileURL(ascPath).href);
  }
  return pool;
}
