// The Node engine's image: the board has read and checked it
// (tools/board/image.ts); V8 compiles it here, every module at once before
// the kernel boots. The compiles run on V8's background threads side by side
// (WebAssembly.compile), so a boot waits for the longest of them rather than
// their sum, as it did when each service compiled synchronously at its first
// spawn, one after the other on the main thread. A service module is compiled
// as the service loader rewrote it (tools/board/services.ts); a module the
// loader or the link policy refuses carries the reason instead, which its
// spawn answers with E_LINK.
import type { BoardImage } from "../board/image";
import { prepareService } from "../board/services";

export interface BootImage {
  kernel: WebAssembly.Module;
  hal: WebAssembly.Module;
  modules: { name: string; kind: string; bytes: Uint8Array; sha256?: string }[];
  /** Per module index (0, the HAL, is not a service): the loaded service compiled, or why it cannot be. */
  services: (WebAssembly.Module | string | undefined)[];
  bootTable: Uint8Array;
}

/** A service module through the loader, compiled; a string says why it cannot be. */
async function compileService(m: BoardImage["modules"][number], loaderFlags: number): Promise<WebAssembly.Module | string> {
  const prepared = prepareService(m.bytes, m.name, loaderFlags, m.sha256);
  if (prepared.refused !== undefined) return prepared.refused;
  try {
    return await WebAssembly.compile(prepared.wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return (e as Error).message;
  }
}

/** The board's image with every module compiled; the board has validated them all. */
export async function compileImage(image: BoardImage, loaderFlags: number): Promise<BootImage> {
  const compile = (b: Uint8Array) => WebAssembly.compile(b as Uint8Array<ArrayBuffer>);
  const [kernel, hal, ...services] = await Promise.all([
    compile(image.kernel),
    compile(image.modules[0].bytes),
    ...image.modules.slice(1).map((m) => compileService(m, loaderFlags)),
  ]);
  return {
    kernel: kernel as WebAssembly.Module,
    hal: hal as WebAssembly.Module,
    modules: image.modules.map((m) => ({ name: m.name, kind: m.kind, bytes: m.bytes, sha256: m.sha256 })),
    services: [undefined, ...(services as (WebAssembly.Module | string)[])],
    bootTable: image.bootTable,
  };
}
