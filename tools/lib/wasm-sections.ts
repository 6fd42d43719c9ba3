// The section layer of the WebAssembly binary format: enough to list a
// module's sections, carry payloads in custom sections and read a memory's
// limits, without pulling a full decoder into the tools. Every offset and
// length is checked, so a truncated or foreign file gives a clear error
// instead of a wrong answer.

const MAGIC = [0x00, 0x61, 0x73, 0x6d]; // "\0asm"
const VERSION = 1;
export const HEADER_BYTES = 8;

export const SECTION_CUSTOM = 0;
export const SECTION_IMPORT = 2;
export const SECTION_MEMORY = 5;

export class WasmFormatError extends Error {
  override name = "WasmFormatError";
}

export interface Section {
  id: number;
  /** Set for custom sections (id 0). */
  name?: string;
  /** Where the section starts: its id byte. */
  offset: number;
  /** Payload length as declared in the section header. */
  size: number;
  /** First byte of the payload. */
  start: number;
  /** One past the last byte of the payload (and of the section). */
  end: number;
  /** First byte of a custom section's data, after its name. */
  dataStart?: number;
}

export interface MemoryLimits {
  initial: number;
  maximum: number | null;
  shared: boolean;
  memory64: boolean;
}

export interface Import {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
}

export interface CustomSection {
  name: string;
  data: Uint8Array;
}

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_BYTES && MAGIC.every((b, i) => bytes[i] === b);
}

export function checkHeader(bytes: Uint8Array): void {
  if (!isWasm(bytes)) {
    throw new WasmFormatError("not a WebAssembly module (the file does not start with \\0asm)");
  }
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== VERSION) {
    throw new WasmFormatError(`unsupported WebAssembly binary version ${version} (expected ${VERSION})`);
  }
}

/** Decodes an unsigned LEB128 of at most 32 bits at `offset`. */
export function readU32(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const at = offset + i;
    if (at >= bytes.length) throw new WasmFormatError(`truncated LEB128 at offset ${offset}`);
    const b = bytes[at];
    if (i === 4 && b > 0x0f) throw new WasmFormatError(`LEB128 at offset ${offset} exceeds 32 bits`);
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: at + 1 };
  }
  throw new WasmFormatError(`LEB128 at offset ${offset} is longer than 5 bytes`);
}

export function encodeU32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${value} is not a u32`);
  }
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return Uint8Array.from(out);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

function readName(bytes: Uint8Array, offset: number, limit: number): { name: string; next: number } {
  const { value: len, next } = readU32(bytes, offset);
  if (next + len > limit) throw new WasmFormatError(`name at offset ${offset} runs past its section`);
  try {
    return { name: utf8.decode(bytes.subarray(next, next + len)), next: next + len };
  } catch {
    throw new WasmFormatError(`name at offset ${offset} is not valid UTF-8`);
  }
}

function readSection(bytes: Uint8Array, offset: number): Section {
  const id = bytes[offset];
  const { value: size, next: start } = readU32(bytes, offset + 1);
  const end = start + size;
  if (end > bytes.length) {
    throw new WasmFormatError(
      `section ${id} at offset ${offset} declares ${size} bytes but only ${bytes.length - start} remain`,
    );
  }
  if (id !== SECTION_CUSTOM) return { id, offset, size, start, end };
  const { name, next } = readName(bytes, start, end);
  return { id, name, offset, size, start, end, dataStart: next };
}

export function readSections(bytes: Uint8Array): Section[] {
  checkHeader(bytes);
  const sections: Section[] = [];
  for (let offset = HEADER_BYTES; offset < bytes.length; ) {
    const section = readSection(bytes, offset);
    sections.push(section);
    offset = section.end;
  }
  return sections;
}

export function customSections(bytes: Uint8Array): CustomSection[] {
  return readSections(bytes)
    .filter((s) => s.id === SECTION_CUSTOM)
    .map((s) => ({ name: s.name!, data: bytes.subarray(s.dataStart!, s.end) }));
}

export function encodeCustomSection(name: string, data: Uint8Array): Uint8Array {
  const nameBytes = utf8Encoder.encode(name);
  const nameLen = encodeU32(nameBytes.length);
  const payloadSize = nameLen.length + nameBytes.length + data.length;
  const sizeBytes = encodeU32(payloadSize);
  const out = new Uint8Array(1 + sizeBytes.length + payloadSize);
  let at = 0;
  out[at++] = SECTION_CUSTOM;
  for (const part of [sizeBytes, nameLen, nameBytes, data]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Returns a copy of `bytes` with the sections appended, in order, at the end. */
export function appendCustomSections(bytes: Uint8Array, sections: CustomSection[]): Uint8Array {
  checkHeader(bytes);
  return concat([bytes, ...sections.map((s) => encodeCustomSection(s.name, s.data))]);
}

/** Returns a copy of `bytes` without the custom sections whose name starts with `prefix`. */
export function stripCustomSections(bytes: Uint8Array, prefix: string): Uint8Array {
  const kept = readSections(bytes).filter((s) => s.id !== SECTION_CUSTOM || !s.name!.startsWith(prefix));
  return concat([bytes.subarray(0, HEADER_BYTES), ...kept.map((s) => bytes.subarray(s.offset, s.end))]);
}

/**
 * The limits of the module's own (defined, not imported) memory, or null when
 * it defines none. Multi-memory modules report their first memory.
 */
export function readMemoryLimits(bytes: Uint8Array): MemoryLimits | null {
  const section = readSections(bytes).find((s) => s.id === SECTION_MEMORY);
  if (!section) return null;
  const { value: count, next } = readU32(bytes, section.start);
  if (count === 0) return null;
  if (next >= section.end) throw new WasmFormatError(`memory section at offset ${section.offset} is truncated`);
  const flags = bytes[next];
  if (flags > 0x07) {
    throw new WasmFormatError(`memory section at offset ${section.offset} has unknown limit flags ${flags}`);
  }
  const initial = readU32(bytes, next + 1);
  const maximum = flags & 1 ? readU32(bytes, initial.next).value : null;
  return { initial: initial.value, maximum, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
}

const IMPORT_KINDS = ["function", "table", "memory", "global", "tag"] as const;

/** Skips any LEB128 (signed or unsigned, any width). */
function skipLeb(bytes: Uint8Array, offset: number, limit: number): number {
  for (let at = offset; at < limit; at++) if ((bytes[at] & 0x80) === 0) return at + 1;
  throw new WasmFormatError(`truncated LEB128 at offset ${offset}`);
}

function skipLimits(bytes: Uint8Array, offset: number, limit: number): number {
  const flags = bytes[offset];
  const next = skipLeb(bytes, offset + 1, limit);
  return flags & 1 ? skipLeb(bytes, next, limit) : next;
}

// A value or reference type: one byte, or 0x63/0x64 followed by a heap type (GC proposal).
function skipValType(bytes: Uint8Array, offset: number, limit: number): number {
  const b = bytes[offset];
  return b === 0x63 || b === 0x64 ? skipLeb(bytes, offset + 1, limit) : offset + 1;
}

function skipImportDesc(bytes: Uint8Array, kind: number, offset: number, limit: number): number {
  switch (kind) {
    case 0: return skipLeb(bytes, offset, limit); // type index
    case 1: return skipLimits(bytes, skipValType(bytes, offset, limit), limit);
    case 2: return skipLimits(bytes, offset, limit);
    case 3: return skipValType(bytes, offset, limit) + 1; // type, mutability
    case 4: return skipLeb(bytes, offset + 1, limit); // attribute, type index
    default: throw new WasmFormatError(`import at offset ${offset} has unknown kind ${kind}`);
  }
}

/** The module's imports, in order, without needing an engine to compile it. */
export function readImports(bytes: Uint8Array): Import[] {
  const section = readSections(bytes).find((s) => s.id === SECTION_IMPORT);
  if (!section) return [];
  const imports: Import[] = [];
  let { value: count, next: at } = readU32(bytes, section.start);
  for (; count > 0; count--) {
    const mod = readName(bytes, at, section.end);
    const field = readName(bytes, mod.next, section.end);
    const kind = bytes[field.next];
    at = skipImportDesc(bytes, kind, field.next + 1, section.end);
    if (at > section.end) throw new WasmFormatError(`import section at offset ${section.offset} is truncated`);
    imports.push({ module: mod.name, name: field.name, kind: IMPORT_KINDS[kind] });
  }
  return imports;
}

/**
 * `bytes` with a "name" section naming the module `name`, unless it already
 * has one. Engines print that name in trap backtraces, which is how a host
 * tells a trap in the kernel from a trap in a service.
 */
export function withModuleName(bytes: Uint8Array, name: string): Uint8Array {
  if (customSections(bytes).some((s) => s.name === "name")) return bytes;
  const nameBytes = utf8Encoder.encode(name);
  const sub = concat([encodeU32(nameBytes.length), nameBytes]);
  // Subsection 0 (the module name): id, size, then the name as a vector of bytes.
  const payload = concat([Uint8Array.of(0), encodeU32(sub.length), sub]);
  return appendCustomSections(bytes, [{ name: "name", data: payload }]);
}
