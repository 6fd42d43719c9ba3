#!/usr/bin/env node
// The quark CLI. Rebuilds dist/ from tools/ when a source is newer, so a
// checkout always runs its own code; then runs the bundle, dist/quark.cjs,
// with V8's compiled code for it kept from an earlier start (below), and
// hands over to tools/quark/cli.ts.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist/quark.cjs");

// Paths are put together by hand: path.join normalises every one in JS, which
// cost more than all the stat calls together on every start (about 5 ms for
// the ~130 files here), and readdir's names need no normalising.
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith(".ts")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

// The bundle holds tools/ and what it imports from outside it: the ABI
// constants (kernel/abi.ts and the files it re-exports) and the protocols;
// tools/build-tools.mjs decides how it is made.
const abiFiles = readdirSync(join(root, "kernel")).filter((n) => /^abi.*\.ts$/.test(n)).map((n) => statSync(join(root, "kernel", n)).mtimeMs);
const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const stale = built < Math.max(newest(join(root, "tools")), newest(join(root, "userland/lib/proto")), ...abiFiles,
  statSync(join(root, "tools/build-tools.mjs")).mtimeMs);
if (stale) {
  const { buildTools } = await import(pathToFileURL(join(root, "tools/build-tools.mjs")).href);
  await buildTools();
}

// V8's code cache: the functions a start of this command compiled, kept in
// dist/cache/ after its first run, so later starts neither parse nor compile
// them. An entry is named by the command and by the bundle's identity (a
// rebuild renames a new file into place: another inode and time), and V8
// refuses one made by another V8 or under other flags; a refused or missing
// entry is written anew when the command ends. The folder is the build's own,
// as trusted as the bundle beside it.
const command = (process.argv[2] ?? "").replace(/^--?/, "");
const fd = openSync(bundle, "r");
const source = readFileSync(fd, "latin1");
const { ino, size, mtimeMs } = fstatSync(fd);
closeSync(fd);
const cacheDir = join(root, "dist/cache");
const build = `${ino}-${size}-${Math.floor(mtimeMs)}`;
const cacheFile = `${cacheDir}/${/^[a-z][a-z0-9-]{0,23}$/.test(command) ? command : "other"}-${build}.v8`;
let cachedData;
try { cachedData = readFileSync(cacheFile); } catch { /* none yet */ }

// The wrapper is CommonJS's own, on the source's first line, so line numbers in stack traces are the bundle's.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
// Inside a script, import() would need a hook Node 20 has only behind a
// warning: the bundle imports ES-module-only packages through this one
// (tools/lib/import-package.ts), which it reads when it imports, not before.
globalThis[module.exports.LENT_IMPORT] = (name) => import(name);
process.exitCode = await module.exports.main(process.argv.slice(2));
if (cachedData === undefined || script.cachedDataRejected) keepCache();

/** Best effort: a cache that cannot be written is only a slower start. Entries of other builds go. */
function keepCache() {
  try {
    mkdirSync(cacheDir, { recursive: true });
    for (const name of readdirSync(cacheDir)) if (!name.includes(`-${build}.`)) rmSync(`${cacheDir}/${name}`, { force: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only checkout: compile every time
  }
}
