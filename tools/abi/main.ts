// `npm run abi`: write every file generated from abi/. `npm run abi -- --check`
// writes nothing, lists the files that differ from a fresh generation and
// exits 1 if there are any (CI runs the same check in tests/unit/abi.test.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generate } from "./generate";

/** The generated files whose checked-out text differs from `files` (missing ones too). */
export function stale(root: string, files: Map<string, string>): string[] {
  return [...files].filter(([path, text]) => {
    const p = join(root, path);
    return !existsSync(p) || readFileSync(p, "utf8") !== text;
  }).map(([path]) => path);
}

function write(root: string, path: string, text: string): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  // Written whole, then renamed: a build reading it meanwhile sees the old or the new file.
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, p);
}

export function main(argv: string[], root: string): number {
  const bad = argv.filter((a) => a !== "--check");
  if (bad.length > 0) {
    process.stderr.write(`usage: npm run abi [-- --check]\nunknown argument: ${bad[0]}\n`);
    return 2;
  }
  const files = generate(root);
  const changed = stale(root, files);
  if (argv.includes("--check")) {
    for (const p of changed) process.stdout.write(`stale: ${p}\n`);
    if (changed.length > 0) process.stdout.write("run `npm run abi` and commit the result\n");
    return changed.length > 0 ? 1 : 0;
  }
  for (const p of changed) write(root, p, files.get(p)!);
  process.stdout.write(`abi: ${files.size} files, ${changed.length} written${changed.length ? ": " + changed.join(", ") : ""}\n`);
  return 0;
}
