// Builds what the tools run: the TypeScript tools (CLI, Node host) bundled
// into dist/ with esbuild (dist/quark.mjs, and in dist/chunks/ what a command
// imports when it runs, so `quark help` loads none of the rest), and the service loader (tools/loader/, AssemblyScript)
// compiled to build/loader.wasm, which both hosts run on every service module.
// Runs on `npm ci` (the `prepare` script) and whenever bin/quark.mjs finds dist/ stale.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LOADER = join(root, "build/loader.wasm");

export async function buildTools() {
  await Promise.all([buildLoader(), buildCli()]);
}

async function buildCli() {
  const dist = join(root, "dist");
  const result = await build({
    entryPoints: { quark: join(root, "tools/quark/cli.ts") },
    outdir: dist,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    write: false,
  });
  // Chunks are named by their content, so an older dist/quark.mjs still finds
  // its own; the entry is renamed into place last, once every chunk it
  // imports is there (CLIs may be starting while this runs).
  const entry = join(dist, "quark.mjs");
  const files = result.outputFiles.sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  pruneChunks(join(dist, "chunks"), new Set(files.map((f) => f.path)));
}

// Chunks of older builds: kept for an hour, for a CLI started before this
// build that has yet to import the code of its command, then removed.
function pruneChunks(dir, current) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (current.has(p)) continue;
    try { if (statSync(p).mtimeMs < hourAgo) rmSync(p, { force: true }); } catch { /* removed by another build */ }
  }
}

/** Compiles tools/loader/index.ts with asconfig.json's "loader" target; throws with asc's report if it fails. */
export async function buildLoader() {
  const { default: asc } = await import("assemblyscript/asc");
  let wasm;
  let stderr = "";
  const result = await asc.main(
    ["tools/loader/index.ts", "--config", "asconfig.json", "--target", "loader", "--outFile", "loader.wasm", "--baseDir", root],
    {
      writeFile: (_name, contents) => { wasm = contents; },
      stderr: { write: (s) => { stderr += s; return true; } },
    },
  );
  if (result.error || !wasm) throw new Error(`cannot build the service loader:\n${stderr || result.error}`);
  mkdirSync(dirname(LOADER), { recursive: true });
  // The same bytes are left as they are: the file keeps its identity, which names the loader cache's entries
  // (tools/host-node/loader.ts loaderIdentity), so a rebuild that changes nothing costs no boot a re-instrumentation.
  try { if (Buffer.compare(readFileSync(LOADER), wasm) === 0) return; } catch { /* none yet */ }
  // Written whole, then renamed: a host reading it meanwhile sees the old or the new loader, never half of one.
  const tmp = `${LOADER}.${process.pid}.tmp`;
  writeFileSync(tmp, wasm);
  renameSync(tmp, LOADER);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildTools();
}
