// A service module made ready for an engine, the same for every engine: the
// service loader (build/loader.wasm, run here in Node for both engines:
// tools/host-node/loader.ts) adds the CPU and stack charges, and the link
// policy (tools/lib/linkable.ts) decides which imports it may have. What
// passes both is kept on disk (loader-cache.ts), so booting an image seen
// before costs one file read per service. An engine then only compiles the
// bytes and links each import by name.
import { bytesOfLoader, instrumentService, loaderCacheDir, loaderIdentity } from "../host-node/loader";
import { LoaderCache } from "../host-node/loader-cache";
import { ENV_IMPORTS, LOADER_IMPORTS, linkTarget, syscallExports } from "../lib/linkable";
import { ABI_SHA256 } from "../lib/abi-json";
import { ENTRY_EXPORTS } from "../lib/abi-texts";
import { readImports, WasmFormatError } from "../lib/wasm-sections";
import { entryRefusal } from "./entries";

export interface PreparedService {
  /** The module as the loader rewrote it; empty when the loader refused it. */
  wasm: Uint8Array;
  /** Why every spawn of it answers E_LINK (said under --verbose), or undefined. */
  refused?: string;
  /** When it may link: a name for exactly these bytes (the cache's), which an engine may key its compiled code by. */
  key?: string;
}

const SYSCALLS = syscallExports();

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

let cache: LoaderCache | undefined;

/** The cache of prepared services: keyed by the loader, and by everything the link check reads, so an ABI change misses. */
function preparedCache(): LoaderCache {
  cache ??= new LoaderCache(loaderCacheDir(), loaderIdentity() ?? bytesOfLoader(), JSON.stringify([ABI_SHA256, [...ENTRY_EXPORTS], LOADER_IMPORTS, ENV_IMPORTS]));
  return cache;
}

/**
 * `flags`: the loader's LOADER_* flags (only `quark bench` sets one).
 * `sha256`: the bytes' sha256 as the image check verified it, which keys the cache.
 * A refusal is never kept: it is said every time.
 */
export function prepareService(bytes: Uint8Array, name: string, flags: number, sha256?: string): PreparedService {
  const cache = preparedCache();
  const kept = cache.get(bytes, flags, sha256);
  if (kept) return { wasm: kept, key: cache.key(bytes, flags, sha256) };
  let wasm: Uint8Array;
  try {
    wasm = instrumentService(bytes, name, flags);
  } catch (e) {
    return { wasm: new Uint8Array(0), refused: (e as Error).message };
  }
  const refused = linkRefusal(wasm);
  if (refused !== undefined) return { wasm, refused };
  cache.put(bytes, flags, wasm, sha256);
  return { wasm, key: cache.key(bytes, flags, sha256) };
}
