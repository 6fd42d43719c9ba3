// The repository root: the nearest directory above this code holding quark's
// package.json. Works from the sources (tools/lib) and from the bundle (dist/).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "quark") return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find quark's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}
