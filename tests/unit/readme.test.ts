// The README's manifest example is a manifest: it parses, and it shows every
// key a service or an image can have.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifestText, SERVICE_KEYS, IMAGE_KEYS } from "../../tools/lib/manifest";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
const readme = readFileSync(join(root, "README.md"), "utf8");
const example = /## The manifest[\s\S]*?```toml\n([\s\S]*?)```/.exec(readme)![1];

describe("README's manifest example", () => {
  it("is a valid manifest", () => {
    const m = parseManifestText(example, join(root, "images", "readme-example.toml"), { root });
    expect(m.services.map((s) => s.name)).toEqual(["log", "echo"]);
    expect(m.services[1].instances).toBe(3);
  });

  it("shows every service key and every [image] key", () => {
    const keys = new Set([...example.matchAll(/^([a-z_]+) =/gm)].map((k) => k[1]));
    for (const k of [...SERVICE_KEYS, ...IMAGE_KEYS]) expect(keys, k).toContain(k);
  });
});
