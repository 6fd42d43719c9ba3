// The image file (docs/machine-abi.md, "The image"): the kernel module with
// the HAL, the services, the ABI constants, the manifest and the boot table
// carried in `quark.*` custom sections, which engines ignore. Linking only
// appends sections, so the kernel's own bytes are untouched and the image is
// exactly as valid as the kernel module it wraps.
import { createHash } from "node:crypto";
import * as abi from "../../kernel/abi";
import { appendCustomSections, checkHeader, customSections, stripCustomSections, type CustomSection } from "./wasm-sections";

export const SECTION_PREFIX = "quark.";
export const SECTION_ABI = "quark.abi";
export const SECTION_MODULES = "quark.modules";
export const SECTION_MODULE_PREFIX = "quark.mod.";
export const SECTION_MANIFEST = "quark.manifest";
export const SECTION_BOOT = "quark.boot";
/** The kernel's name in its "name" section: hosts look for it in trap backtraces. */
export const KERNEL_MODULE_NAME = "quark-kernel";

export type ModuleKind = "hal" | "service";

/** One entry of `quark.modules`. */
export interface ModuleEntry {
  name: string;
  kind: ModuleKind;
  size: number;
  sha256: string;
}

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

export class ImageError extends Error {
  override name = "ImageError";
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Every numeric constant of kernel/abi.ts, keys sorted so the JSON is byte-stable. */
export function abiConstants(): Record<string, number> {
  const entries = Object.entries(abi).filter((e): e is [string, number] => typeof e[1] === "number");
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

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
    { name: SECTION_ABI, data: json(abiConstants()) },
    { name: SECTION_MODULES, data: json(entries) },
    ...modules.map((m) => ({ name: SECTION_MODULE_PREFIX + m.name, data: m.bytes })),
    { name: SECTION_MANIFEST, data: json(parts.manifestJson) },
    { name: SECTION_BOOT, data: parts.bootTable },
  ];
  // A kernel that already carries quark.* sections (an image given as the
  // kernel) would otherwise end up with two of each.
  return appendCustomSections(stripCustomSections(parts.kernel, SECTION_PREFIX), sections);
}

function quarkSections(bytes: Uint8Array): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const s of customSections(bytes)) {
    if (!s.name.startsWith(SECTION_PREFIX)) continue;
    if (found.has(s.name)) throw new ImageError(`the image has two "${s.name}" sections`);
    found.set(s.name, s.data);
  }
  return found;
}

function required(sections: Map<string, Uint8Array>, name: string): Uint8Array {
  const data = sections.get(name);
  if (!data) throw new ImageError(`the image has no "${name}" section (is it a quark image?)`);
  return data;
}

function parseJson(sections: Map<string, Uint8Array>, name: string): unknown {
  try {
    return JSON.parse(decoder.decode(required(sections, name)));
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(`section "${name}" is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
}

function parseAbi(sections: Map<string, Uint8Array>): Record<string, number> {
  const value = parseJson(sections, SECTION_ABI);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ImageError(`section "${SECTION_ABI}" is not a JSON object`);
  }
  const constants = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(constants)) {
    if (typeof v !== "number") throw new ImageError(`section "${SECTION_ABI}": ${k} is not a number`);
  }
  if (typeof constants.ABI_VERSION !== "number") {
    throw new ImageError(`section "${SECTION_ABI}" has no ABI_VERSION`);
  }
  return constants as Record<string, number>;
}

function isModuleEntry(e: unknown): e is ModuleEntry {
  const m = e as Partial<ModuleEntry> | null;
  return (
    typeof m === "object" && m !== null &&
    typeof m.name === "string" && (m.kind === "hal" || m.kind === "service") &&
    typeof m.size === "number" && typeof m.sha256 === "string"
  );
}

function parseModuleEntries(sections: Map<string, Uint8Array>): ModuleEntry[] {
  const value = parseJson(sections, SECTION_MODULES);
  if (!Array.isArray(value)) throw new ImageError(`section "${SECTION_MODULES}" is not a JSON array`);
  value.forEach((e, i) => {
    if (!isModuleEntry(e)) {
      throw new ImageError(`section "${SECTION_MODULES}": entry ${i} lacks name, kind (hal|service), size or sha256`);
    }
  });
  return value as ModuleEntry[];
}

function readModule(sections: Map<string, Uint8Array>, entry: ModuleEntry, index: number): ImageModule {
  const bytes = required(sections, SECTION_MODULE_PREFIX + entry.name).slice();
  const where = `module ${index} "${entry.name}"`;
  if (bytes.length !== entry.size) {
    throw new ImageError(`${where}: ${bytes.length} bytes, but its entry says ${entry.size}`);
  }
  const actual = sha256(bytes);
  if (actual !== entry.sha256) {
    throw new ImageError(`${where}: sha256 is ${actual}, but its entry says ${entry.sha256} (the image is corrupt)`);
  }
  return { index, ...entry, bytes };
}

export function readImage(bytes: Uint8Array): Image {
  try {
    checkHeader(bytes);
  } catch (e) {
    throw new ImageError(`not a quark image: ${(e as Error).message}`);
  }
  const sections = quarkSections(bytes);
  const abiTable = parseAbi(sections);
  const entries = parseModuleEntries(sections);
  if (entries[0]?.kind !== "hal") throw new ImageError("module 0 of the image is not the HAL");
  const kernel = stripCustomSections(bytes, SECTION_PREFIX);
  return {
    abiVersion: abiTable.ABI_VERSION,
    abi: abiTable,
    modules: entries.map((e, i) => readModule(sections, e, i)),
    kernel: { size: kernel.length, sha256: sha256(kernel), bytes: kernel },
    manifest: parseJson(sections, SECTION_MANIFEST),
    bootTable: required(sections, SECTION_BOOT).slice(),
  };
}
