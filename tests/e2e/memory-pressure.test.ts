// Memory pressure, end to end: on a 1 MiB machine a client takes every page
// it can; the memory manager sees free frames fall below a tenth, asks the
// reclaimable client for pages, and reports what came back. Both hosts.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "memory-pressure", "image.toml");

describe("memory pressure", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("asks reclaimable clients for pages and reports what came back (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/hog: holding \d+ objects of 8 pages; the next allocation got -22\n/);
    const asked = /memory: pressure: (\d+) of (\d+) frames free; asked 1 clients for (\d+) pages/.exec(out);
    expect(asked, out).not.toBeNull();
    expect(Number(asked![1]) * 10).toBeLessThan(Number(asked![2]));
    const released = /hog: asked for (\d+) pages, released (\d+)/.exec(out);
    expect(released, out).not.toBeNull();
    expect(Number(released![2])).toBeGreaterThanOrEqual(Number(released![1]));
    const over = /memory: pressure over: (\d+) frames free; (\d+) pages came back/.exec(out);
    expect(over, out).not.toBeNull();
    // Pressure is over as soon as a tenth is free, possibly before the client's last release.
    expect(Number(over![2])).toBeGreaterThan(0);
    expect(Number(over![2])).toBeLessThanOrEqual(Number(released![2]));
    expect(Number(over![1]) * 10).toBeGreaterThanOrEqual(Number(asked![2]));
    expect(out.indexOf(asked![0])).toBeLessThan(out.indexOf(over![0]));
  });
});
