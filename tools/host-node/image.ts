// Reading an image with the engine's own API: the image is the kernel module,
// everything else is in its quark.* custom sections (docs/machine-abi.md).
import * as abi from "../../kernel/abi";

export interface BootImage {
  kernel: WebAssembly.Module;
  modules: { name: string; kind: string; module: WebAssembly.Module }[];
  bootTable: Uint8Array;
  abi: Record<string, number>;
}

const utf8 = new TextDecoder();

function section(mod: WebAssembly.Module, name: string, file: string): Uint8Array<ArrayBuffer> {
  const found = WebAssembly.Module.customSections(mod, name);
  if (found.length !== 1) throw new Error(`${file}: not a quark image (section ${name} ${found.length === 0 ? "missing" : "repeated"})`);
  return new Uint8Array(found[0]);
}

export function loadImage(bytes: Uint8Array<ArrayBuffer>, file = "image"): BootImage {
  let kernel: WebAssembly.Module;
  try {
    kernel = new WebAssembly.Module(bytes);
  } catch (e) {
    throw new Error(`${file}: not a valid WebAssembly module (${(e as Error).message})`);
  }
  const abiTable = JSON.parse(utf8.decode(section(kernel, "quark.abi", file))) as Record<string, number>;
  if (abiTable.ABI_VERSION !== abi.ABI_VERSION) {
    throw new Error(`${file}: built for ABI version ${abiTable.ABI_VERSION}, this host speaks version ${abi.ABI_VERSION}; rebuild the image with this checkout's \`quark build\``);
  }
  const list = JSON.parse(utf8.decode(section(kernel, "quark.modules", file))) as { name: string; kind: string }[];
  const modules = list.map((m) => ({
    name: m.name,
    kind: m.kind,
    module: new WebAssembly.Module(section(kernel, `quark.mod.${m.name}`, file)),
  }));
  if (modules.length === 0 || modules[0].kind !== "hal") throw new Error(`${file}: module 0 must be the HAL`);
  return { kernel, modules, bootTable: section(kernel, "quark.boot", file), abi: abiTable };
}
