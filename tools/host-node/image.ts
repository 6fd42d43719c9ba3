// The Node engine's image: the board has read and checked it
// (tools/board/image.ts); V8 compiles the kernel (the image itself) and the
// HAL here. Services are compiled by the machine only after the loader has
// rewritten them (machine.ts), so compiling them here would be wasted.
import type { BoardImage } from "../board/image";

export interface BootImage {
  kernel: WebAssembly.Module;
  /** `module` is compiled for the HAL only; services go through the loader first (machine.ts). */
  modules: { name: string; kind: string; module?: WebAssembly.Module; bytes: Uint8Array; sha256?: string }[];
  bootTable: Uint8Array;
  abi: Record<string, number>;
}

/** The board's image, compiled where V8 needs it; the board has validated every module. */
export function compileImage(image: BoardImage): BootImage {
  const compile = (b: Uint8Array) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>);
  return {
    kernel: compile(image.kernel),
    modules: image.modules.map((m) => ({ name: m.name, kind: m.kind, bytes: m.bytes, sha256: m.sha256, module: m.kind === "hal" ? compile(m.bytes) : undefined })),
    bootTable: image.bootTable,
    abi: image.abi,
  };
}
