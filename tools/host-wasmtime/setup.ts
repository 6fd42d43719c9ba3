// Installs what the wasmtime host needs, as node-gyp does for a native addon:
// a Python virtual environment in <root>/.venv with the pinned `wasmtime`
// wheel, and the C trampoline (shim.c) compiled against the engine library
// that the wheel ships. Each step is skipped when its result is in place, so
// the check on every boot touches a few files and runs no process.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join } from "node:path";

export const WASMTIME_VERSION = "49.0.0";

export interface WasmtimeSetup {
  /** The virtual environment's Python, which runs the engine (engine.py). */
  python: string;
  /** The compiled trampoline, or null when none could be built. */
  shim: string | null;
  /** Why there is no shim. */
  reason?: string;
  /** The steps this call took (none when everything was in place): quark setup reports them. */
  done: string[];
}

export interface SetupOptions {
  root: string;
  quiet?: boolean;
  log?: (s: string) => void;
}

/** Where setup puts things; launch.ts starts engine.py with the same paths. */
export function wasmtimePaths(root: string) {
  const out = join(root, "build", "host-wasmtime");
  return {
    venv: join(root, ".venv"),
    python: join(root, ".venv", "bin", "python"),
    shimSource: join(root, "tools", "host-wasmtime", "shim.c"),
    shimHeader: join(root, "tools", "host-wasmtime", "quark_abi.h"),
    shim: join(out, "libquarkshim.so"),
    stamp: join(out, "libquarkshim.stamp"),
    // The engine's compiled modules (codecache.py), one folder per wasmtime version.
    codeCache: join(out, `compiled-${WASMTIME_VERSION}`),
  };
}

export async function ensureWasmtime(opts: SetupOptions): Promise<WasmtimeSetup> {
  const quietLog = opts.quiet ? () => {} : (opts.log ?? ((s: string) => process.stderr.write(s + "\n")));
  // Each step announces itself as it starts ("quark: installing ... ..."); the list is what was done.
  const done: string[] = [];
  const log = (s: string) => { if (s.endsWith(" ...")) done.push(s.replace(/^quark: /, "").slice(0, -4)); quietLog(s); };
  const paths = wasmtimePaths(opts.root);
  if (!existsSync(paths.python)) await createVenv(paths.venv, log);
  let engine = findEngineLibrary(paths.venv);
  if (!engine) {
    await installWheel(paths.python, log);
    engine = findEngineLibrary(paths.venv);
    if (!engine) throw new Error(`quark: wasmtime ${WASMTIME_VERSION} installed, but its engine library is not in ${paths.venv}`);
  }
  return { python: paths.python, ...(await ensureShim(paths, engine, log)), done };
}

// ---------------------------------------------------------------- processes
interface Ran {
  code: number | null;
  output: string;
  missing: boolean;
}

function run(cmd: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e: NodeJS.ErrnoException) => resolve({ code: null, output: e.message, missing: e.code === "ENOENT" }));
    child.on("close", (code) => resolve({ code, output, missing: false }));
  });
}

function tail(output: string): string {
  return output.trim().split("\n").slice(-15).join("\n");
}

function onPath(cmd: string): boolean {
  if (cmd.includes("/")) return existsSync(cmd);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && isAbsolute(dir) && existsSync(join(dir, cmd)));
}

// ---------------------------------------------------------------- python
async function createVenv(venv: string, log: (s: string) => void): Promise<void> {
  log("quark: creating .venv ...");
  const r = await run("python3", ["-m", "venv", venv]);
  if (r.missing) {
    throw new Error("quark: python3 not found; the wasmtime host needs Python 3.9 or newer with venv (e.g. apt-get install python3 python3-venv)");
  }
  if (r.code !== 0) {
    rmSync(venv, { recursive: true, force: true });
    throw new Error(`quark: python3 -m venv failed (on Debian, apt-get install python3-venv):\n${tail(r.output)}`);
  }
}

async function installWheel(python: string, log: (s: string) => void): Promise<void> {
  log(`quark: installing wasmtime ${WASMTIME_VERSION} ...`);
  const r = await run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", `wasmtime==${WASMTIME_VERSION}`]);
  if (r.code !== 0) throw new Error(`quark: pip install wasmtime==${WASMTIME_VERSION} failed:\n${tail(r.output)}`);
}

/** The wheel's engine library, if the pinned version is installed. */
function findEngineLibrary(venv: string): string | null {
  const lib = join(venv, "lib");
  if (!existsSync(lib)) return null;
  for (const py of readdirSync(lib)) {
    const site = join(lib, py, "site-packages");
    if (!existsSync(join(site, `wasmtime-${WASMTIME_VERSION}.dist-info`))) continue;
    const pkg = join(site, "wasmtime");
    if (!existsSync(pkg)) continue;
    for (const platform of readdirSync(pkg, { withFileTypes: true })) {
      if (!platform.isDirectory()) continue;
      const file = readdirSync(join(pkg, platform.name)).find((f) => f.startsWith("_libwasmtime."));
      if (file) return join(pkg, platform.name, file);
    }
  }
  return null;
}

// ---------------------------------------------------------------- the shim
type Paths = ReturnType<typeof wasmtimePaths>;

// What the shim was built from: its source and the generated header it includes,
// and the engine library it links by path.
function stampOf(paths: Paths, engine: string): string {
  const source = createHash("sha256").update(readFileSync(paths.shimSource)).update(readFileSync(paths.shimHeader)).digest("hex");
  const lib = statSync(engine);
  return JSON.stringify({ source, engine, size: lib.size, mtime: lib.mtimeMs, version: WASMTIME_VERSION });
}

async function ensureShim(paths: Paths, engine: string, log: (s: string) => void): Promise<{ shim: string | null; reason?: string }> {
  const stamp = stampOf(paths, engine);
  if (existsSync(paths.shim) && existsSync(paths.stamp) && readFileSync(paths.stamp, "utf8") === stamp) {
    return { shim: paths.shim };
  }
  // A shim built from other sources must not be loaded, even if no new one can be built.
  rmSync(paths.shim, { force: true });
  rmSync(paths.stamp, { force: true });
  const cc = process.env.CC || "cc";
  // Looked up without running it, so a machine without one pays nothing on each boot;
  // the engine (engine.py) announces the slow fallback itself.
  if (!onPath(cc)) return { shim: null, reason: "no C compiler found" };
  log("quark: compiling the wasmtime trampoline ...");
  mkdirSync(dirname(paths.shim), { recursive: true });
  const tmp = `${paths.shim}.${process.pid}.tmp`;
  const r = await run(cc, ["-O2", "-shared", "-fPIC", "-o", tmp, paths.shimSource, engine]);
  if (r.missing || r.code !== 0) {
    rmSync(tmp, { force: true });
    const reason = r.missing ? "no C compiler found" : `${cc} failed on shim.c:\n${tail(r.output)}`;
    log(`quark: ${reason}; the wasmtime host will use the slow Python trampoline`);
    return { shim: null, reason };
  }
  renameSync(tmp, paths.shim);
  writeFileSync(paths.stamp, stamp);
  return { shim: paths.shim };
}
