// `quark build`: compiles the kernel, the HAL, init and every service of a
// manifest (in parallel, unchanged ones from the cache) and links them into
// one image. The same sources and manifest give the same image bytes, on any
// checkout: nothing in the image depends on where the repository lives.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBootTable } from "./boot-table";
import { compileModule, type ModuleKind } from "./compile";
import { linkImage } from "./image";
import { HAL_MODULE_NAME, KERNEL_MODULE_NAME } from "./abi-texts";
import { withModuleName } from "./wasm-sections";
import { parseManifest, type Diagnostic, type Manifest } from "./manifest";

export interface BuildOptions {
  /** Defaults to the manifest path with .toml replaced by .wasm. */
  out?: string;
  /** The repository: kernel/, hal/, asconfig.json. Defaults to the one holding these tools. */
  root?: string;
  log?: (s: string) => void;
  /** Compile every module even when the cache holds it. */
  force?: boolean;
  cacheDir?: string;
}

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
  const manifest = parseManifest(manifestPath, { root });
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
  const out = resolve(opts.out ?? defaultOut(manifestPath));
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
  const shared = new Map<string, ReturnType<typeof compileModule>>();
  return Promise.all(
    jobs.map(async (j) => {
      const key = JSON.stringify([j.kind, j.entry, j.memoryMaxPages]);
      if (!shared.has(key)) {
        shared.set(key, compileModule({ ...j, root, cacheDir: opts.cacheDir, force: opts.force, log: opts.log }));
      }
      const r = await shared.get(key)!;
      opts.log?.(`  compile ${j.name} ${r.cached ? "(cached)" : `${r.ms} ms`}`);
      return r;
    }),
  );
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
  };
}

function writeAtomic(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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
