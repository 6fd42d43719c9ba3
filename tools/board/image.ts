// The image as the board reads it, for every engine: the one check
// (tools/lib/image-check.ts: sections, sizes, sha256s, the ABI against this
// checkout), then V8's validation of the kernel and every module, so a module
// no engine could compile is refused before any engine starts, with the same
// line under both (`FILE: module NAME does not compile: <reason>`). Nothing
// is compiled here: validation generates no code, and a module validated by
// an earlier boot is not validated again (validate).
import { checkImage, compileError, readIdentified, type CheckedModule } from "../lib/image-check";
import { recall, remember, type CheckedParts } from "./image-mark";
import { KERNEL_REFUSAL_NAME } from "../lib/abi-texts";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loaderCacheDir } from "../host-node/loader";

export interface BoardImage {
  file: string;
  /** The kernel module: the image's bytes up to its quark.* sections (tools/lib/image-check.ts kernelEnd). */
  kernel: Uint8Array;
  /** The sha256 of the kernel's sections but the quark.* ones: what its compiled code depends on. */
  kernelSha256: string;
  /** Index 0 is the HAL; the rest are services, as the image gives them. */
  modules: CheckedModule[];
  bootTable: Uint8Array;
}

/** V8's reason for refusing `bytes`, or undefined when it validates. */
export function engineRefusal(bytes: Uint8Array): string | undefined {
  const b = bytes as Uint8Array<ArrayBuffer>;
  if (WebAssembly.validate(b)) return undefined;
  try {
    new WebAssembly.Module(b);
    return "refused by the engine";
  } catch (e) {
    // V8 prefixes its reason with the API's name ("WebAssembly.Module(): "); the reason is the rest.
    return String((e as Error).message).replace(/^WebAssembly\.Module\(\): /, "");
  }
}

/**
 * A module validated once is valid again: a mark in the loader's cache
 * folder, named by this V8's version and the sha256 the image check has just
 * computed or verified, spares the next boot the validation (the folder is
 * the host's own, as trusted as the loader's outputs kept there:
 * loader-cache.ts). The kernel's sha256 covers its sections but the custom
 * ones, which are all its validity depends on.
 */
function validate(bytes: Uint8Array, name: string, sha256: string, file: string): void {
  const mark = join(loaderCacheDir(), `valid-${process.versions.v8}-${sha256}`);
  if (existsSync(mark)) return;
  const why = engineRefusal(bytes);
  if (why !== undefined) throw compileError(file, name, why);
  try {
    mkdirSync(loaderCacheDir(), { recursive: true });
    writeFileSync(mark, "");
  } catch {
    // a read-only checkout: validate every time
  }
}

/** The image's parts, checked and validated; every refusal is an ImageCheckError naming `file`. */
function check(bytes: Uint8Array, file: string): CheckedParts {
  const checked = checkImage(bytes, file);
  validate(bytes.subarray(0, checked.kernelEnd), KERNEL_REFUSAL_NAME, checked.kernelSha256, file);
  for (const m of checked.modules) validate(m.bytes, m.name, m.sha256, file);
  return checked;
}

// The check refuses an image whose quark.abi differs from this checkout's in
// any constant, so a checked image's table is abiConstants(): an engine that
// needs it takes it from there (the wasmtime host), and a boot under Node
// parses none.
function fromParts(file: string, bytes: Uint8Array, parts: CheckedParts): BoardImage {
  return {
    file, kernel: bytes.subarray(0, parts.kernelEnd), kernelSha256: parts.kernelSha256, modules: parts.modules, bootTable: parts.bootTable.slice(),
  };
}

/** Checks an image's bytes; every refusal is an ImageCheckError naming `file`. */
export function boardImage(bytes: Uint8Array, file: string): BoardImage {
  return fromParts(file, bytes, check(bytes, file));
}

/**
 * Reads and checks an image file; every failure, the file's own included, is
 * an ImageCheckError. A file checked before and unchanged since is taken from
 * its mark instead (image-mark.ts).
 */
export function readBoardImage(file: string): BoardImage {
  const { bytes, identity, changedMs } = readIdentified(file);
  const known = identity === undefined ? undefined : recall(identity, bytes);
  if (known) return fromParts(file, bytes, known);
  const parts = check(bytes, file);
  if (identity !== undefined) remember(identity, changedMs, bytes, parts);
  return fromParts(file, bytes, parts);
}
