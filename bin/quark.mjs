#!/usr/bin/env node
// The quark CLI. Rebuilds dist/ from tools/ when a source is newer, so a
// checkout always runs its own code; then hands over to tools/quark/cli.ts.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist/quark.mjs");

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
// constants (kernel/abi.ts and the files it re-exports) and the protocols.
const abiFiles = readdirSync(join(root, "kernel")).filter((n) => /^abi.*\.ts$/.test(n)).map((n) => statSync(join(root, "kernel", n)).mtimeMs);
const stale = !existsSync(bundle) ||
  statSync(bundle).mtimeMs < Math.max(newest(join(root, "tools")), newest(join(root, "userland/lib/proto")), ...abiFiles);
if (stale) {
  const { buildTools } = await import(pathToFileURL(join(root, "tools/build-tools.mjs")).href);
  await buildTools();
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
