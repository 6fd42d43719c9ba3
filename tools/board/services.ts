// A service module made ready for an engine, the same for every engine: the
// service loader (build/loader.wasm, run here in Node for both engines, with
// its cache: tools/host-node/loader.ts) adds the CPU and stack charges, and
// the link policy (tools/lib/linkable.ts) decides which imports it may have.
// An engine then only compiles the bytes and links each import by name.
import * as abi from "../../kernel/abi";
import { instrumentService } from "../host-node/loader";
import { linkTarget, syscallExports } from "../lib/linkable";
import { readImports, WasmFormatError } from "../lib/wasm-sections";

export interface PreparedService {
  /** The module as the loader rewrote it; empty when the loader refused it. */
  wasm: Uint8Array;
  /** Why every spawn of it answers E_LINK (said under --verbose), or undefined. */
  refused?: string;
}

const SYSCALLS = syscallExports(abi);

/** The first import the link policy refuses, in its words; undefined when every one may link. */
export function linkRefusal(wasm: Uint8Array): string | undefined {
  let imports;
  try {
    imports = readImports(wasm);
  } catch (e) {
    if (e instanceof WasmFormatError) return `cannot be linked: ${e.message}`;
    throw e;
  }
  for (const imp of imports) {
    const t = linkTarget(SYSCALLS, imp.module, imp.name);
    if ("refused" in t) return t.refused;
  }
  return undefined;
}

/** `flags`: the loader's LOADER_* flags (only `quark bench` sets one). */
export function prepareService(bytes: Uint8Array, name: string, flags: number): PreparedService {
  let wasm: Uint8Array;
  try {
    wasm = instrumentService(bytes, name, flags);
  } catch (e) {
    return { wasm: new Uint8Array(0), refused: (e as Error).message };
  }
  return { wasm, refused: linkRefusal(wasm) };
}
