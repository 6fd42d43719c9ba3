// The loader's output, kept on disk beside the loader (build/loader-cache/),
// so a boot of an image already seen runs no loader and no link check at all:
// the same role as wasmtime's compiled-code cache. An entry is named by the
// loader (the sha256 of its bytes, or its file's identity: loader.ts), the
// link policy it was checked against (the salt), the flags and the sha256 of
// the module as given, so it is exactly what this loader makes of those
// bytes, and a changed module, loader or ABI simply misses. The folder is the host's own, as trusted as
// build/loader.wasm. The board runs the loader in Node for both engines, so
// one cache serves them both.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileBytes } from "../lib/file-bytes";
import { fnv1a } from "../lib/fnv1a";

/** Entries kept; past this, the older half goes at the next write. */
const KEEP = 512;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * 64 bits of a short text, as 16 hex digits: FNV-1a twice (tools/lib/fnv1a.ts,
 * the second over a different first byte). It names a cache entry, it guards
 * nothing (the entry's inputs are the loader's own build and this checkout's
 * ABI), so no cryptographic hash is needed on the way of every boot.
 */
function digest(text: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return hex(fnv1a(text)) + hex(fnv1a(`\u0001${text}`));
}

export class LoaderCache {
  private readonly loaderHash: string;

  // `loader`: its bytes, or a name that changes whenever they do (its file's
  // identity), which spares a boot hashing them. `salt`: whatever else decided
  // the entries (the board's link policy: tools/board/services.ts).
  constructor(private readonly dir: string, loader: Uint8Array | string, salt = "") {
    const id = typeof loader === "string" ? `name ${loader}` : `sha256 ${sha256(loader)}`;
    this.loaderHash = digest(`${id}\n${salt}`);
  }

  // `sha`: the bytes' sha256 when the caller has it already (the image check
  // verified every module's against quark.modules), so a boot hashes nothing twice.
  /** The entry's name: it names exactly this output, so an engine may key its compiled code by it too. */
  key(bytes: Uint8Array, flags: number, sha = sha256(bytes)): string {
    return `${this.loaderHash}-${flags}-${sha}`;
  }

  private path(bytes: Uint8Array, flags: number, sha?: string): string {
    return join(this.dir, `${this.key(bytes, flags, sha)}.wasm`);
  }

  get(bytes: Uint8Array, flags: number, sha?: string): Uint8Array<ArrayBuffer> | undefined {
    try {
      return fileBytes(this.path(bytes, flags, sha));
    } catch {
      return undefined;
    }
  }

  /** Best effort: a cache that cannot be written is only a slower boot. */
  put(bytes: Uint8Array, flags: number, out: Uint8Array, sha?: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const file = this.path(bytes, flags, sha);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, out);
      renameSync(tmp, file);
      this.prune();
    } catch {
      // read-only checkout, full disk: instrument every time
    }
  }

  private prune(): void {
    // The board's marks of validated modules and checked images (tools/board/image.ts, image-mark.ts) are kept within the same bound.
    const names = readdirSync(this.dir).filter((n) => n.endsWith(".wasm") || n.startsWith("valid-") || n.startsWith("checked-"));
    if (names.length <= KEEP) return;
    const byAge = names.map((n) => ({ n, t: statSync(join(this.dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { n } of byAge.slice(0, names.length - KEEP / 2)) rmSync(join(this.dir, n), { force: true });
  }
}
