// Runs tools/abi/main.ts the way tools/build-tools.mjs runs TypeScript: bundled
// by esbuild (to build/abi.mjs), then imported. `npm run abi [-- --check]`.
import { build } from "esbuild";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const outfile = join(root, "build", `abi.${process.pid}.mjs`);
await build({
  entryPoints: [join(root, "tools/abi/main.ts")], outfile, bundle: true, platform: "node", format: "esm",
  target: "node20", packages: "external", logLevel: "warning",
});
try {
  const { main } = await import(pathToFileURL(outfile).href);
  process.exitCode = main(process.argv.slice(2), root);
} finally {
  (await import("node:fs")).rmSync(outfile, { force: true });
}
