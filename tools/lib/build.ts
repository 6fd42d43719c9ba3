// `quark build`: compiles the kernel, the HAL, init and every service of a
// manifest (in parallel, unchanged ones from the cache) and links them into
// one image. The same sources and manifest give the same image bytes, on any
// checkout: nothing in the image depends on where the repository lives.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBootTable } from "./boot-table";
import { compileModule, type ModuleKind } from "./compile";
import { linkImage } from "./image";
import { HAL_MODULE_NAME, KERNEL_MODULE_NAME } from "./abi-texts";
import { withModuleName } from "./wasm-sections";
import { parseManifest, type Diagnostic, type Manifest } from "./manifest";

export interface BuildOptions {
  /** Defaults to the manifest path with .toml replaced by .wasm; a directory (or a path ending in /) means NAME.wasm in it. */
  out?: string;
  /** The repository: kernel/, hal/, asconfig.json. Defaults to the one holding these tools. */
  root?: string;
  log?: (s: string) => void;
  /** Compile every module even when the cache holds it. */
  force?: boolean;
  cacheDir?: string;
  /** Told what compiles as the work starts and as each compile ends (the CLI's progress lines). */
  progress?: BuildProgress;
  /** The manifest as parsed, changed before the build (quark qpu run --calibration: another [qpu]). */
  edit?: (m: Manifest) => Manifest;
}

export interface BuildProgress {
  /** Once the cache has answered: the modules that compile now, and those it held. */
  planned(compiling: string[], cached: string[]): void;
  /** One compile ended: the modules it gave (several services may share one source). */
  compiled(names: string[], ms: number): void;
}

/** An image that cannot be written where it was asked to go. */
export class OutputError extends Error {}

export interface BuiltModule {
  name: string;
  kind: ModuleKind;
  size: number;
  cached: boolean;
  ms: number;
}

export interface BuildResult {
  out: string;
  bytes: number;
  /** In image order: kernel, hal, init, then the services in manifest order. */
  modules: BuiltModule[];
  ms: number;
  warnings: Diagnostic[];
}

interface Job {
  name: string;
  kind: ModuleKind;
  entry: string;
  memoryMaxPages?: number;
}

// Module indices fixed by docs/machine-abi.md: 0 is the HAL, then init.
const INIT_MODULE = 1;
// init keeps a table of every service and its restart history: 1 MiB is ample.
const INIT_MEMORY_PAGES = 16;
const FIRST_SERVICE_MODULE = 2;

export async function buildImage(manifestPath: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const root = resolve(opts.root ?? repositoryRoot());
  const parsed = parseManifest(manifestPath, { root });
  const manifest = opts.edit ? opts.edit(parsed) : parsed;
  const out = outputPath(manifestPath, opts.out);
  checkWritable(out);
  const jobs = moduleJobs(manifest, root);
  const modules = await compileAll(jobs, root, opts);
  // Each module is named in its "name" section: engines print it in trap
  // backtraces, which is how a host tells a kernel trap from a service's.
  const named = modules.map((m, i) => withModuleName(m.wasm, moduleName(jobs[i])));
  const [kernel, hal, init, ...services] = named;
  const image = linkImage({
    kernel,
    hal,
    init,
    services: manifest.services.map((s, i) => ({ name: s.name, wasm: services[i] })),
    manifestJson: imageManifest(manifest, root),
    bootTable: encodeBootTable(manifest, serviceIndex(manifest), INIT_MODULE),
  });
  writeAtomic(out, image);
  return {
    out,
    bytes: image.length,
    modules: jobs.map((j, i) => ({ name: j.name, kind: j.kind, size: named[i].length, cached: modules[i].cached, ms: modules[i].ms })),
    ms: Math.round(performance.now() - started),
    warnings: manifest.warnings,
  };
}

function moduleName(j: Job): string {
  return j.kind === "kernel" ? KERNEL_MODULE_NAME : j.kind === "hal" ? HAL_MODULE_NAME : j.name;
}

/** Where the image goes: --out as given, NAME.wasm inside a directory given as --out, or next to the manifest. */
export function outputPath(manifestPath: string, out?: string): string {
  if (out === undefined) return resolve(defaultOut(manifestPath));
  const isDir = out.endsWith("/") || out.endsWith(sep) || (existsSync(out) && statSync(out).isDirectory());
  return isDir ? join(resolve(out), basename(defaultOut(manifestPath))) : resolve(out);
}

export function defaultOut(manifestPath: string): string {
  return manifestPath.endsWith(".toml") ? `${manifestPath.slice(0, -".toml".length)}.wasm` : `${manifestPath}.wasm`;
}

function moduleJobs(m: Manifest, root: string): Job[] {
  return [
    { name: "kernel", kind: "kernel", entry: join(root, "kernel", "index.ts") },
    { name: "hal", kind: "hal", entry: join(root, "hal", "index.ts") },
    { name: "init", kind: "service", entry: m.init.entry, memoryMaxPages: INIT_MEMORY_PAGES },
    ...m.services.map((s): Job => ({ name: s.name, kind: "service", entry: s.entry, memoryMaxPages: s.memoryPages })),
  ];
}

async function compileAll(jobs: Job[], root: string, opts: BuildOptions) {
  for (const j of jobs) {
    if (!existsSync(j.entry)) throw new Error(`the ${j.name} module's entry ${j.entry} does not exist`);
  }
  // Services built from the same source with the same limit share one compile.
  const shared = new Map<string, { names: string[]; run: ReturnType<typeof compileModule>; settled: boolean }>();
  const keys = jobs.map((j) => {
    const key = JSON.stringify([j.kind, j.entry, j.memoryMaxPages]);
    const s = shared.get(key);
    if (s) { s.names.push(j.name); return key; }
    const run = compileModule({ ...j, root, cacheDir: opts.cacheDir, force: opts.force, log: opts.log });
    const entry = { names: [j.name], run, settled: false };
    run.then(() => { entry.settled = true; }, () => {});
    shared.set(key, entry);
    return key;
  });
  if (opts.progress) await reportProgress([...shared.values()], opts.progress);
  return Promise.all(keys.map(async (k, i) => {
    const r = await shared.get(k)!.run;
    // Without a progress reporter, a line per module when it is ready (the library's callers, tests).
    if (!opts.progress) opts.log?.(`  compile ${jobs[i].name} ${r.cached ? "(cached)" : `${r.ms} ms`}`);
    return r;
  }));
}

// A cache hit resolves before any compile can: what has settled by the next
// turn of the event loop came from the cache, the rest is compiling.
async function reportProgress(runs: { names: string[]; run: Promise<{ cached: boolean; ms: number }>; settled: boolean }[], p: BuildProgress) {
  await new Promise((r) => setImmediate(r));
  const compiling = runs.filter((r) => !r.settled);
  p.planned(compiling.flatMap((r) => r.names), runs.filter((r) => r.settled).flatMap((r) => r.names));
  for (const r of compiling) r.run.then((c) => p.compiled(r.names, c.ms), () => {});
}

function serviceIndex(m: Manifest): (name: string) => number {
  const index = new Map(m.services.map((s, i) => [s.name, FIRST_SERVICE_MODULE + i]));
  return (name) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`no service "${name}" in the image`);
    return i;
  };
}

function posixRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

/**
 * The manifest as the build normalised it, with every path relative to the
 * repository root, so that two checkouts build the same image.
 */
export function imageManifest(m: Manifest, root: string): unknown {
  const rel = (p: string) => posixRelative(root, resolve(p));
  return {
    name: m.name,
    description: m.description,
    file: rel(m.file),
    init: { module: rel(m.init.module), entry: rel(m.init.entry) },
    services: m.services.map(({ line: _line, ...s }) => ({ ...s, module: rel(s.module), entry: rel(s.entry) })),
    // The QPU as the manifest gives it; its calibration table is in the boot table.
    ...(m.qpu ? { qpu: { qubits: m.qpu.qubits, calibration: m.qpu.calibration, conf: m.qpu.conf, source: m.qpu.source, deviceQubits: m.qpu.deviceQubits } } : {}),
  };
}

// Refused before any compile: the nearest existing directory on the way to
// the image must be a directory this process may write.
function checkWritable(out: string): void {
  let d = dirname(out);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  const fail = (why: string) => { throw new OutputError(`cannot write the image to ${out}: ${why}; give --out a file or directory you can write`); };
  if (!statSync(d).isDirectory()) fail("a part of the path is a file, not a directory");
  try { accessSync(d, constants.W_OK); } catch { fail(`${d} is not writable`); }
}

// Written whole into a temporary file in the target's own directory, then
// renamed: a reader sees the old image or the new one, and a failure at any
// step removes the temporary file. An image with the same bytes is left as
// it is: the same file keeps its identity, so a boot after `quark boot
// MANIFEST.toml` rebuilt nothing is not checked whole again (the board's
// image marks, tools/board/image-mark.ts).
function writeAtomic(path: string, data: Uint8Array): void {
  if (sameFile(path, data)) return;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* never created: its directory is not one */ }
    throw new OutputError(`cannot write the image to ${path}: ${writeFailure(e as NodeJS.ErrnoException)}; give --out a file or directory you can write`);
  }
}

function sameFile(path: string, data: Uint8Array): boolean {
  try {
    if (statSync(path).size !== data.length) return false;
    return Buffer.compare(readFileSync(path), data) === 0;
  } catch {
    return false; // missing or unreadable: written anew
  }
}

function writeFailure(e: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    EACCES: "permission denied", EPERM: "permission denied", EROFS: "read-only file system",
    ENOTDIR: "a part of the path is a file, not a directory", EEXIST: "a part of the path is a file, not a directory",
    EISDIR: "it is a directory", ENOSPC: "no space left on the device", ENOENT: "no file can be created there",
  };
  return reasons[e.code ?? ""] ?? `${e.code ?? "error"}`;
}

// The nearest directory above this module holding kernel/abi.ts: found the
// same way from tools/lib and from the CLI bundle in dist/.
function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let d = here; ; d = dirname(d)) {
    if (existsSync(join(d, "kernel", "abi.ts"))) return d;
    if (dirname(d) === d) return resolve(here, "..", "..");
  }
}
