// `quark --version`: the tools' version (package.json) and the kernel ABI
// version the images they build speak.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ABI_VERSION } from "../../kernel/abi";
import { repoRoot } from "../lib/root";

export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  return `quark ${pkg.version} (kernel ABI ${ABI_VERSION}, node ${process.versions.node})`;
}
