// The loader's outputs kept on disk (tools/host-node/loader-cache.ts): an
// entry is what this loader made of exactly these bytes with these flags;
// anything else misses, and the folder stays bounded.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { LoaderCache } from "../../tools/host-node/loader-cache";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("the loader cache", () => {
  it("gives back what was put for the same loader, module and flags, and misses otherwise", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "quark-lcache-")), "cache");
    const cache = new LoaderCache(dir, bytes(1, 2, 3));
    expect(cache.get(bytes(9), 0)).toBeUndefined();
    cache.put(bytes(9), 0, bytes(7, 7));
    expect(cache.get(bytes(9), 0)).toEqual(bytes(7, 7));
    expect(cache.get(bytes(9), 1)).toBeUndefined(); // other flags
    expect(cache.get(bytes(9, 0), 0)).toBeUndefined(); // other module bytes
    expect(new LoaderCache(dir, bytes(1, 2, 4)).get(bytes(9), 0)).toBeUndefined(); // another loader
    expect(new LoaderCache(dir, bytes(1, 2, 3), "another link policy").get(bytes(9), 0)).toBeUndefined();
    const salted = new LoaderCache(dir, bytes(1, 2, 3), "policy");
    salted.put(bytes(9), 0, bytes(5));
    expect(salted.get(bytes(9), 0)).toEqual(bytes(5));
    expect(cache.get(bytes(9), 0)).toEqual(bytes(7, 7)); // the unsalted entry is its own
  });

  it("finds an entry by the module's sha256 when the caller gives it, the same entry as by its bytes", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "quark-lcache-")), "cache");
    const cache = new LoaderCache(dir, bytes(1));
    const sha = createHash("sha256").update(bytes(9)).digest("hex");
    cache.put(bytes(9), 0, bytes(7), sha);
    expect(cache.get(bytes(9), 0)).toEqual(bytes(7));
    expect(cache.get(bytes(9), 0, sha)).toEqual(bytes(7));
    expect(cache.get(bytes(8), 0, createHash("sha256").update(bytes(8)).digest("hex"))).toBeUndefined();
  });

  it("keeps at most 512 entries", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "quark-lcache-")), "cache");
    const cache = new LoaderCache(dir, bytes(1));
    for (let i = 0; i < 600; i++) cache.put(bytes(i & 255, i >> 8), 0, bytes(i & 255));
    expect(readdirSync(dir).length).toBeLessThanOrEqual(512);
    expect(cache.get(bytes(599 & 255, 599 >> 8), 0)).toEqual(bytes(599 & 255)); // the newest stays
  });

  it("is only slower, never wrong, when the folder cannot be written", () => {
    // A folder inside a regular file: every write fails (ENOTDIR), as on a read-only checkout.
    const file = join(mkdtempSync(join(tmpdir(), "quark-lcache-")), "plain-file");
    writeFileSync(file, "x");
    const cache = new LoaderCache(join(file, "cache"), bytes(1));
    cache.put(bytes(9), 0, bytes(7));
    expect(cache.get(bytes(9), 0)).toBeUndefined();
  });
});
