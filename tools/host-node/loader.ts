// The service loader under Node: runs build/loader.wasm (tools/loader/, the
// same module the wasmtime host runs) on a service module's bytes before the
// host compiles it. The loader adds the CPU and stack charges and refuses
// what it cannot vouch for; a refusal is a LoadError naming the module.
import { join } from "node:path";
import { statSync } from "node:fs";
import { RACY_MS } from "../board/image-mark";
import { repoRoot } from "../lib/root";
import { fileBytes } from "../lib/file-bytes";

export class LoadError extends Error {
  override name = "LoadError";
}

interface LoaderExports {
  memory: WebAssembly.Memory;
  alloc(len: number): number;
  instrument(ptr: number, len: number, flags: number): number;
  output_ptr(): number;
  error_ptr(): number;
  error_len(): number;
  max_export_weight(): number;
}

export interface Instrumented {
  wasm: Uint8Array<ArrayBuffer>;
  /** The largest stack weight (8-byte slots) of any exported function: what the kernel charges an entry. */
  entryWeight: number;
}

let loader: LoaderExports | undefined;
let loaderBytes: Uint8Array<ArrayBuffer> | undefined;
const utf8 = new TextDecoder();

export function loaderPath(): string {
  return join(repoRoot(), "build", "loader.wasm");
}

/** Where the loader's outputs are kept (loader-cache.ts). */
export function loaderCacheDir(): string {
  return join(repoRoot(), "build", "loader-cache");
}

/**
 * build/loader.wasm's identity (device, inode, size, modification time), which
 * changes whenever its bytes do: the loader cache names its entries by it
 * rather than by hashing the bytes at every boot. Undefined for a file
 * changed less than two seconds ago (two writes within one tick of the file
 * times look alike: git's rule for a racily clean file) or one that cannot
 * be read: the bytes are hashed then.
 */
export function loaderIdentity(): string | undefined {
  try {
    const s = statSync(loaderPath(), { bigint: true });
    if (Date.now() - Number(s.mtimeMs) < RACY_MS) return undefined;
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** build/loader.wasm's bytes, read once; a LoadError when it is missing. */
export function bytesOfLoader(): Uint8Array<ArrayBuffer> {
  if (loaderBytes) return loaderBytes;
  try {
    loaderBytes = fileBytes(loaderPath());
  } catch (e) {
    throw new LoadError(`the service loader ${loaderPath()} is missing (${(e as Error).message}); run \`node tools/build-tools.mjs\``);
  }
  return loaderBytes;
}

function instance(): LoaderExports {
  if (loader) return loader;
  loader = new WebAssembly.Instance(new WebAssembly.Module(bytesOfLoader()), {}).exports as unknown as LoaderExports;
  return loader;
}

/** The module `name`'s bytes, instrumented, with its entry weight; throws LoadError if the loader refuses them. */
export function instrumentDetailed(bytes: Uint8Array, name: string, flags = 0): Instrumented {
  const l = instance();
  const ptr = l.alloc(bytes.length);
  if (ptr === 0) throw new LoadError(`service ${name}: the loader has no memory for a module of ${bytes.length} bytes`);
  new Uint8Array(l.memory.buffer, ptr, bytes.length).set(bytes);
  const n = l.instrument(ptr, bytes.length, flags);
  if (n < 0) {
    const message = utf8.decode(new Uint8Array(l.memory.buffer, l.error_ptr(), l.error_len()));
    throw new LoadError(`service ${name} refused by the loader: ${message}`);
  }
  // Copy out: the loader's memory is reused by the next module.
  return { wasm: new Uint8Array(l.memory.buffer, l.output_ptr(), n).slice(), entryWeight: l.max_export_weight() };
}

/** The module `name`'s bytes, instrumented; throws LoadError if the loader refuses them. `flags`: 0, or LOADER_NO_STACK_GUARD (only `quark bench`). */
export function instrumentService(bytes: Uint8Array, name: string, flags = 0): Uint8Array<ArrayBuffer> {
  return instrumentDetailed(bytes, name, flags).wasm;
}
