// Bundles the TypeScript tools (CLI, Node host) into dist/ with esbuild.
// Runs on `npm ci` (the `prepare` script) and whenever bin/quark.mjs finds dist/ stale.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildTools() {
  await build({
    entryPoints: [join(root, "tools/quark/cli.ts")],
    outfile: join(root, "dist/quark.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildTools();
}
