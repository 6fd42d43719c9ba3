// A service module made ready for an engine, the same for every engine: the
// service loader (build/loader.wasm, run here in Node for both engines, with
// its cache: tools/host-node/loader.ts) adds the CPU and stack charges, and
// the link policy (tools/lib/linkable.ts) decides which imports it may have.
// An engine then only compiles the bytes and links each import by name.
import * as abi from "../../kernel/abi";
import { instrumentService } from "../host-node/loader";
import { linkTarget, syscallExports } from "../lib/linkable";
import { readImports, WasmFormatError } from "../lib/wasm-sections";
import { entryRefusal } from "./entries";

export interface PreparedService {
  /** The module as the loader rewrote it; empty when the loader refused it. */
  wasm: Uint8Array;
  /** Why every spawn of it answers E_LINK (said under --verbose), or undefined. */
  refused?: string;
}

const SYSCALLS = syscallExports(abi);

/**
 * The first import the link policy refuses, in its words, or the first entry
 * export of another type than an entry's; undefined when the module may link.
 */
export function linkRefusal(wasm: Uint8Array): string | undefined {
  try {
    for (const imp of readImports(wasm)) {
      const t = linkTarget(SYSCALLS, imp.module, imp.name);
      if ("refused" in t) return t.refused;
    }
    return entryRefusal(wasm);
  } catch (e) {
    if (e instanceof WasmFormatError) return `cannot be linked: ${e.message}`;
    throw e;
  }
}

/**
 * `flags`: the loader's LOADER_* flags (only `quark bench` sets one).
 * `sha256`: the bytes' sha256 as the image check verified it, which keys the loader's cache.
 */
export function prepareService(bytes: Uint8Array, name: string, flags: number, sha256?: string): PreparedService {
  let wasm: Uint8Array;
  try {
    wasm = instrumentService(bytes, name, flags, sha256);
  } catch (e) {
    return { wasm: new Uint8Array(0), refused: (e as Error).message };
  }
  return { wasm, refused: linkRefusal(wasm) };
}
