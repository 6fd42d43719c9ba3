// Dependency cycles at run time: the build refuses them, but a boot table is
// data and could hold one anyway (written by another tool, or damaged). init
// must not wait forever: it names the cycle, starts nothing caught in it or
// waiting on it, starts everything else, and reports ready.
import { describe, expect, it, beforeAll } from "vitest";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../tools/lib/build";
import { parseManifest } from "../../tools/lib/manifest";
import { encodeBootTable } from "../../tools/lib/boot-table";
import { readImage, linkImage } from "../../tools/lib/image";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "cycle", "image.toml");
const cyclic = join(root, "build", "test-cycle", "cycle.wasm");

describe("a dependency cycle in the boot table", () => {
  beforeAll(async () => {
    const built = await buildImage(manifest, { root });
    const img = readImage(new Uint8Array(readFileSync(built.out)));
    const m = parseManifest(manifest, { root });
    m.services.find((s) => s.name === "c")!.requires = ["a"]; // what the build would refuse
    const table = encodeBootTable(m, (name) => 2 + m.services.findIndex((s) => s.name === name), 1);
    const mod = (i: number) => img.modules[i].bytes;
    const bytes = linkImage({
      kernel: img.kernel.bytes, hal: mod(0), init: mod(1),
      services: m.services.map((s, i) => ({ name: s.name, wasm: mod(2 + i) })),
      manifestJson: img.manifest, bootTable: table,
    });
    mkdirSync(join(root, "build", "test-cycle"), { recursive: true });
    writeFileSync(cyclic, bytes);
  });

  it.each(["node", "wasmtime"])("is named by init, which starts everything else (%s)", (runtime) => {
    const r = quark(["boot", cyclic, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("init: dependency cycle: a -> b -> c -> a; none of them can start");
    expect(r.stdout).toContain("init: not starting d: it requires a, which is not running");
    expect(r.stdout).toMatch(/init: started e \(pid \d+\)/);
    expect(r.stdout).toMatch(/init: ready: 3 of 7 services running/);
  });
});
