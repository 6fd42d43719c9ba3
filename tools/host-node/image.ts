// The Node engine's image: the board has read and checked it
// (tools/board/image.ts); V8 compiles the kernel (the image itself) and the
// HAL here. A service is compiled only when first spawned, after the loader
// has rewritten it (machine.ts): a boot compiles nothing it does not run.
import type { BoardImage } from "../board/image";

export interface BootImage {
  kernel: WebAssembly.Module;
  hal: WebAssembly.Module;
  modules: { name: string; kind: string; bytes: Uint8Array; sha256?: string }[];
  bootTable: Uint8Array;
  abi: Record<string, number>;
}

/** The board's image with its kernel and HAL compiled; the board has validated every module. */
export function compileImage(image: BoardImage): BootImage {
  const compile = (b: Uint8Array) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>);
  return {
    kernel: compile(image.kernel),
    hal: compile(image.modules[0].bytes),
    modules: image.modules.map((m) => ({ name: m.name, kind: m.kind, bytes: m.bytes, sha256: m.sha256 })),
    bootTable: image.bootTable,
    abi: image.abi,
  };
}
