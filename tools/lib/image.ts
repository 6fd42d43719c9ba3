// The image file (docs/machine-abi.md, "The image"): the kernel module with
// the HAL, the services, the ABI constants, the manifest and the boot table
// carried in `quark.*` custom sections, which engines ignore. Linking only
// appends sections, so the kernel's own bytes are untouched and the image is
// exactly as valid as the kernel module it wraps.
import { abiConstants, abiConstantsJson, checkImage, sha256, SECTION_ABI, SECTION_BOOT, SECTION_MANIFEST, SECTION_MODULES,
  SECTION_MODULE_PREFIX, SECTION_PREFIX, type ModuleEntry, type ModuleKind } from "./image-check";
import { appendCustomSections, checkHeader, stripCustomSections, type CustomSection } from "./wasm-sections";

export { abiConstants, sha256, SECTION_ABI, SECTION_BOOT, SECTION_MANIFEST, SECTION_MODULES, SECTION_MODULE_PREFIX, SECTION_PREFIX };
export type { ModuleEntry, ModuleKind };
/** The kernel's name in its "name" section: hosts look for it in trap backtraces. */
export { KERNEL_MODULE_NAME } from "./abi-texts";

export interface ImageModule extends ModuleEntry {
  index: number;
  bytes: Uint8Array;
}

export interface Image {
  abiVersion: number;
  abi: Record<string, number>;
  modules: ImageModule[];
  /** The kernel module as compiled: the image minus its `quark.*` sections. */
  kernel: { size: number; sha256: string; bytes: Uint8Array };
  /** The manifest as the build normalised it; undefined for an image made without one. */
  manifest: unknown;
  bootTable: Uint8Array;
}

export interface ImageParts {
  kernel: Uint8Array;
  hal: Uint8Array;
  init: Uint8Array;
  services: { name: string; wasm: Uint8Array }[];
  manifestJson: unknown;
  bootTable: Uint8Array;
}

/** A build that cannot be linked into an image (reading one refuses with image-check's ImageCheckError). */
export class ImageError extends Error {
  override name = "ImageError";
}

const encoder = new TextEncoder();

function moduleList(parts: ImageParts): { name: string; kind: ModuleKind; bytes: Uint8Array }[] {
  const modules = [
    { name: "hal", kind: "hal" as const, bytes: parts.hal },
    { name: "init", kind: "service" as const, bytes: parts.init },
    ...parts.services.map((s) => ({ name: s.name, kind: "service" as const, bytes: s.wasm })),
  ];
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new ImageError(`two modules are named "${m.name}"; module names must be unique`);
    seen.add(m.name);
    try {
      checkHeader(m.bytes);
    } catch (e) {
      throw new ImageError(`module "${m.name}": ${(e as Error).message}`);
    }
  }
  return modules;
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function linkImage(parts: ImageParts): Uint8Array {
  const modules = moduleList(parts);
  const entries: ModuleEntry[] = modules.map((m) => ({
    name: m.name,
    kind: m.kind,
    size: m.bytes.length,
    sha256: sha256(m.bytes),
  }));
  const sections: CustomSection[] = [
    { name: SECTION_ABI, data: abiConstantsJson() },
    { name: SECTION_MODULES, data: json(entries) },
    ...modules.map((m) => ({ name: SECTION_MODULE_PREFIX + m.name, data: m.bytes })),
    { name: SECTION_MANIFEST, data: json(parts.manifestJson) },
    { name: SECTION_BOOT, data: parts.bootTable },
  ];
  // A kernel that already carries quark.* sections (an image given as the
  // kernel) would otherwise end up with two of each.
  return appendCustomSections(stripCustomSections(parts.kernel, SECTION_PREFIX), sections);
}

/**
 * An image's parts for the tools, after the one check every host runs
 * (image-check.ts): an ImageCheckError naming `file` if it is not usable.
 */
export function readImage(bytes: Uint8Array, file = "image"): Image {
  const checked = checkImage(bytes, file);
  // The image writer puts the quark.* sections after the kernel's own: the kernel is then the prefix (checkImage's kernelEnd).
  const kernel = checked.kernelEnd < bytes.length ? bytes.slice(0, checked.kernelEnd) : stripCustomSections(bytes, SECTION_PREFIX);
  return {
    abiVersion: checked.abi.ABI_VERSION,
    abi: checked.abi,
    modules: checked.modules.map((m) => ({ ...m, bytes: m.bytes.slice() })),
    kernel: { size: kernel.length, sha256: sha256(kernel), bytes: kernel },
    manifest: checked.manifest,
    bootTable: checked.bootTable.slice(),
  };
}
