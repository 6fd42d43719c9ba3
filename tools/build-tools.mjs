// Builds what the tools run: the TypeScript tools (CLI, hosts, benchmarks)
// bundled by esbuild into one CommonJS file, dist/quark.cjs, which
// bin/quark.mjs runs through node:vm with a V8 code cache beside it (one per
// command: the cache of `quark boot` holds the boot path compiled, that of
// `quark --version` only the CLI's first steps); and the service loader
// (tools/loader/, AssemblyScript) compiled to build/loader.wasm, which both
// hosts run on every service module.
// Runs on `npm ci` (the `prepare` script) and whenever bin/quark.mjs finds dist/ stale.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LOADER = join(root, "build/loader.wasm");

export async function buildTools() {
  await Promise.all([buildLoader(), buildCli()]);
}

// One file, not ES modules split into chunks: Node 20 keeps no compiled code
// for an ES module from one start to the next, and V8 does for a script
// (vm.Script's cachedData), which spares every start the parse and compile
// of the code it runs. A CommonJS module has no import.meta: the bundle's
// own URL stands in for it.
async function buildCli() {
  const dist = join(root, "dist");
  const out = join(dist, "quark.cjs");
  const result = await build({
    entryPoints: [join(root, "tools/quark/cli.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    define: { "import.meta.url": "__quark_bundle_url" },
    banner: { js: '"use strict";\nconst __quark_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
    charset: "ascii",
    sourcemap: true,
    logLevel: "warning",
    write: false,
  });
  mkdirSync(dist, { recursive: true });
  // bin/quark.mjs reads the bundle as Latin-1, which costs a start half of what decoding UTF-8 does:
  // esbuild escapes every other character (charset "ascii"), so a byte past 0x7f is a bug here.
  const code = result.outputFiles.find((f) => f.path === out).contents;
  const wide = code.findIndex((b) => b > 0x7f);
  if (wide >= 0) throw new Error(`dist/quark.cjs: a byte past ASCII at offset ${wide}; bin/quark.mjs reads the bundle as Latin-1`);
  // The bundle is renamed into place last, after its map: a CLI starting meanwhile runs the old one or the new one whole.
  const files = result.outputFiles.sort((a, b) => Number(a.path === out) - Number(b.path === out));
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  // What builds before this one left, when the CLI was ES modules in chunks (bin/quark.mjs removes code caches of other builds).
  rmSync(join(dist, "chunks"), { recursive: true, force: true });
  rmSync(join(dist, "quark.mjs"), { force: true });
  rmSync(join(dist, "quark.mjs.map"), { force: true });
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
