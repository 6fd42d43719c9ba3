// An image the board has checked once is not checked again while it is the
// same file: a mark in the loader's cache folder, named by the file's
// identity (device, inode, size, modification and change times: the same
// identity means the same bytes, as git's index assumes), this checkout's ABI
// and V8's version, records what the check found (each module's place and
// sha256, the boot table's, the kernel's sha256). A boot of an unchanged
// image then reads the file and the mark and slices the parts out, instead
// of hashing every module and walking every section again (about 1.5 ms of a
// ~17 ms boot). A file that changed in any way, a mark that does not fit the
// bytes, or any other ABI or engine, misses and gets the whole check.
//
// File times tick coarsely (a few ms on Linux, 2 s on some file systems), so
// two writes within one tick leave the same times: a file is marked only once
// it is older than RACY_MS, as git marks a racily clean file (a write after
// the mark then lands in a later tick, with other times). The
// folder is the host's own, as trusted as the loader's outputs and the
// validation marks kept there (docs/security.md).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ABI_SHA256 } from "../lib/abi-json";
import type { CheckedModule, ModuleKind } from "../lib/image-check";
import { loaderCacheDir } from "../host-node/loader";

/** Bump when what a mark records changes. */
const FORMAT = 2;
/** A file changed less than this long ago is checked whole every time, and not marked. */
export const RACY_MS = 2000;

export interface CheckedParts {
  kernelSha256: string;
  /** The kernel module's bytes end here (image-check.ts). */
  kernelEnd: number;
  modules: CheckedModule[];
  bootTable: Uint8Array;
}

interface Mark {
  kernelSha256: string;
  kernelEnd: number;
  modules: { name: string; kind: ModuleKind; sha256: string; at: number; size: number }[];
  boot: [number, number];
}

/**
 * Where the mark of a file with this identity is kept: the name spells the
 * identity out (digits and separators), with the ABI's generated digest and
 * V8's version, so no boot hashes anything to find it (the first sha256 of a
 * process costs about half a millisecond).
 */
export function markPath(identity: string): string {
  const id = identity.replace(/[^0-9]+/g, "-");
  return join(loaderCacheDir(), `checked-${FORMAT}-${id}-${ABI_SHA256.slice(0, 16)}-${process.versions.v8.replace(/[^0-9a-z.]+/gi, "_")}.json`);
}

const within = (at: unknown, size: unknown, length: number) =>
  Number.isSafeInteger(at) && Number.isSafeInteger(size) && (at as number) >= 0 && (size as number) >= 0 && (at as number) + (size as number) <= length;

/** The parts of `bytes` as the check found them when the file had this identity, or undefined. */
export function recall(identity: string, bytes: Uint8Array): CheckedParts | undefined {
  let mark: Mark;
  try {
    mark = JSON.parse(readFileSync(markPath(identity), "utf8")) as Mark;
  } catch {
    return undefined;
  }
  if (!Array.isArray(mark.modules) || !Array.isArray(mark.boot) || typeof mark.kernelSha256 !== "string") return undefined;
  if (!within(mark.boot[0], mark.boot[1], bytes.length) || !mark.modules.every((m) => within(m.at, m.size, bytes.length))) return undefined;
  if (!within(0, mark.kernelEnd, bytes.length)) return undefined;
  return {
    kernelSha256: mark.kernelSha256,
    kernelEnd: mark.kernelEnd,
    modules: mark.modules.map((m, index) => ({ index, name: m.name, kind: m.kind, size: m.size, sha256: m.sha256, bytes: bytes.subarray(m.at, m.at + m.size) })),
    bootTable: bytes.subarray(mark.boot[0], mark.boot[0] + mark.boot[1]),
  };
}

/** Best effort: a mark that cannot be written is only a slower boot. `changedMs`: when the file last changed. */
export function remember(identity: string, changedMs: number, bytes: Uint8Array, parts: CheckedParts): void {
  if (Date.now() - changedMs < RACY_MS) return;
  const at = (b: Uint8Array) => b.byteOffset - bytes.byteOffset;
  if (parts.bootTable.buffer !== bytes.buffer || parts.modules.some((m) => m.bytes.buffer !== bytes.buffer)) return;
  const mark: Mark = {
    kernelSha256: parts.kernelSha256,
    kernelEnd: parts.kernelEnd,
    modules: parts.modules.map((m) => ({ name: m.name, kind: m.kind, sha256: m.sha256, at: at(m.bytes), size: m.size })),
    boot: [at(parts.bootTable), parts.bootTable.length],
  };
  try {
    mkdirSync(loaderCacheDir(), { recursive: true });
    const file = markPath(identity);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(mark));
    renameSync(tmp, file);
  } catch {
    // a read-only checkout: check every time
  }
}
