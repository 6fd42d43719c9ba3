// The Node host's image: the one check every host runs (tools/lib/image-check.ts),
// then V8 compiles the kernel (the image itself) and the HAL, and validates each
// service (the machine compiles services only after the loader has rewritten
// them: compiling them here as well would be wasted). A module V8 refuses is
// refused as image.py refuses it under wasmtime: one line,
// `FILE: module NAME does not compile: <V8's reason>`.
import { checkImage, compileError, readBytes } from "../lib/image-check";

export interface BootImage {
  kernel: WebAssembly.Module;
  /** `module` is compiled for the HAL only; services go through the loader first (machine.ts). */
  modules: { name: string; kind: string; module?: WebAssembly.Module; bytes: Uint8Array }[];
  bootTable: Uint8Array;
  abi: Record<string, number>;
}

/** The module's name as refusals give it: "kernel" for the image itself. */
export const KERNEL = "kernel";

/** Compiles one module, or throws the shared refusal naming it. */
export function compile(bytes: Uint8Array, name: string, file: string): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    // V8 prefixes its reason with the API's name ("WebAssembly.Module(): "); the reason is the rest.
    throw compileError(file, name, String((e as Error).message).replace(/^WebAssembly\.Module\(\): /, ""));
  }
}

/** Validates a service module (no code generated); compiles it only to say why V8 refuses it. */
function validated(bytes: Uint8Array, name: string, file: string): undefined {
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) compile(bytes, name, file);
  return undefined;
}

export function loadImage(bytes: Uint8Array, file = "image"): BootImage {
  const checked = checkImage(bytes, file);
  const kernel = compile(bytes, KERNEL, file);
  const modules = checked.modules.map((m) => ({
    name: m.name, kind: m.kind, bytes: m.bytes,
    module: m.kind === "service" ? validated(m.bytes, m.name, file) : compile(m.bytes, m.name, file),
  }));
  return { kernel, modules, bootTable: checked.bootTable.slice(), abi: checked.abi };
}

/** Reads, checks and compiles an image file; every failure is an ImageCheckError. */
export function loadImageFile(path: string): BootImage {
  return loadImage(readBytes(path), path);
}
