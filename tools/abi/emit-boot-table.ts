// Emits, from abi/boot-table.ts and abi/manifest.ts, the boot table's
// constants (kernel/abi-boot.ts), its TypeScript writer and reader
// (tools/lib/boot-record.ts, used by tools/lib/boot-table.ts), init's
// AssemblyScript reader with the Spec it fills (userland/init/spec.ts, used
// by bootinfo.ts), and the layout table of docs/manifest.md (written by
// emit-manifest.ts, which owns that file's generated sections).
import { bootTable } from "../../abi/boot-table";
import { manifestKeys } from "../../abi/manifest";
import type { BootField, ManifestKey } from "../../abi/schema-boot";
import type { Tables } from "./tables";
import { header } from "./text";

const SRC = "abi/boot-table.ts";

export function emitBootTable(_t: Tables): Array<[string, string]> {
  checkFormat();
  return [
    ["kernel/abi-boot.ts", constants()],
    ["tools/lib/boot-record.ts", tsCodec()],
    ["userland/init/spec.ts", asSpec()],
    ["tests/harness/as/boot-spec.ts", asHarness()],
  ];
}

// ---------------------------------------------------------------- helpers (emit-manifest.ts and emit-hal.ts use them too)

/** The first line of every generated file (without its newline). */
export function generatedHeader(src: string): string {
  return header([src]).trimEnd();
}

/** `export const NAME = VALUE; // doc`, in the subset AssemblyScript and TypeScript share. */
export function constLine(name: string, value: number, doc?: string, hex = false): string {
  const v = hex ? `0x${value.toString(16)}` : String(value);
  return `export const ${name} = ${v};${doc ? ` // ${doc}` : ""}`;
}

/**
 * `text` with what lies between `<!-- marker -->` and `<!-- /marker -->`
 * replaced by `body`, so the prose around a generated table stays hand-written.
 */
export function spliceSection(text: string, file: string, marker: string, body: string): string {
  const open = `<!-- ${marker} -->`;
  const close = `<!-- /${marker} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${file}: no ${open} ... ${close} section to generate`);
  return `${text.slice(0, a + open.length)}\n${body}\n${text.slice(b)}`;
}

// ---------------------------------------------------------------- checks

/** A table the generator cannot turn into a consistent layout is refused here, naming the row. */
function checkFormat(): void {
  const seen = new Set<string>();
  for (const f of [...bootTable.header, ...bootTable.record]) {
    if (seen.has(f.name)) throw new Error(`${SRC}: field BT_${f.name} is listed twice`);
    seen.add(f.name);
  }
  for (const k of manifestKeys) {
    if (k.boot && !seen.has(k.boot)) throw new Error(`abi/manifest.ts: key ${k.key} lands in BT_${k.boot}, which ${SRC} does not define`);
    if (k.boot && !k.field) throw new Error(`abi/manifest.ts: key ${k.key} lands in BT_${k.boot} but names no field to take it from`);
  }
  for (const f of [...bootTable.header, ...bootTable.record]) {
    if (f.source === undefined && !sourceKey(f)) throw new Error(`${SRC}: BT_${f.name} has no source: no key of abi/manifest.ts lands in it`);
  }
}

/** The manifest key whose value a field carries. */
export function sourceKey(f: BootField): ManifestKey | undefined {
  return manifestKeys.find((k) => k.boot === f.name);
}

const offset = (list: BootField[], f: BootField): number => list.indexOf(f) * bootTable.width;

// ---------------------------------------------------------------- kernel/abi-boot.ts

function constants(): string {
  const w = bootTable.width;
  const lines = [
    generatedHeader(SRC),
    "// The boot table: a header, one record per service, then arrays and strings",
    "// addressed by byte offsets from the table's start. Every field is a u32,",
    "// little-endian; the numbers below are byte offsets of fields.",
    constLine("BT_MAGIC", bootTable.magic, '"QBT1"', true),
    constLine("BT_HEADER_BYTES", bootTable.header.length * w, "the header's size"),
    ...bootTable.header.map((f) => constLine(`BT_${f.name}`, offset(bootTable.header, f), `header: ${f.doc}`)),
    constLine("BT_RECORD_BYTES", bootTable.record.length * w, "one service's record"),
    ...bootTable.record.map((f) => constLine(`BT_${f.name}`, offset(bootTable.record, f), f.doc)),
    constLine("BT_GRANT_BYTES", bootTable.grant.length * w, "one grant record"),
    ...bootTable.grant.map((f) => constLine(`GRANT_${f.name}`, offset(bootTable.grant, f), f.doc)),
    "// values the fields hold",
    ...bootTable.values.map((v) => constLine(v.name, v.value, v.doc, v.value > 0xffffff)),
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------- tools/lib/boot-record.ts

const carried = (list: BootField[]): BootField[] => list.filter((f) => f.source !== "layout");
const layoutOf = (list: BootField[]): BootField[] => list.filter((f) => f.source === "layout");
const derived = (): BootField[] => bootTable.record.filter((f) => f.source === "derived");

/** How the encoder turns the parsed manifest's value of `k` into the field's u32. */
function encodeExpr(k: ManifestKey, from: string): string {
  const v = `${from}.${k.field}`;
  if (k.type === "enum") return `${k.key.toUpperCase()}_CODES[${v}]`;
  switch (k.encode) {
    case "not": return `${v} ? 0 : 1`;
    case "wasm-pages": return `${v} / WASM_PAGE_BYTES`;
    case "fnv1a": return `fnv1a(${v})`;
    case "or-zero": return `${v} ?? 0`;
  }
  return k.type === "boolean" ? `${v} ? 1 : 0` : v;
}

function tsCodec(): string {
  const rec = carried(bootTable.record);
  const head = carried(bootTable.header);
  const keyed = rec.filter((f) => f.source === undefined);
  const enums = [...new Set(keyed.map(sourceKey).filter((k): k is ManifestKey => k!.type === "enum"))];
  const field = (f: BootField): string => `  ${f.field}: number; // ${f.doc}`;
  const out = [
    generatedHeader(SRC),
    "// The boot table's fields that carry a value, written and read by their",
    "// offsets (BT_*); tools/lib/boot-table.ts plans the layout (offsets, counts,",
    "// arrays, strings) around them.",
    'import * as abi from "../../kernel/abi";',
    'import { fnv1a } from "./fnv1a";',
    `import { ${enums.map((k) => `${k.key.toUpperCase()}_CODES`).join(", ")}, type ImageSettings, type ServiceSettings } from "./manifest-keys";`,
    "",
    "const WASM_PAGE_BYTES = 65536;",
    "",
    "export type Put = (off: number, v: number) => void;",
    "export type Read = (off: number) => number;",
    "",
    "/** The header's fields besides its layout. */",
    "export interface BootHeaderValues {",
    ...head.map(field),
    "}",
    "",
    "/** A record's fields besides its layout, as decoded. */",
    "export interface BootRecordValues {",
    ...rec.map(field),
    "}",
    "",
    "/** The fields no manifest key gives as it is: the encoder computes them. */",
    "export interface BootDerived {",
    ...derived().map(field),
    "}",
    "",
    "/** A record's offsets and counts, which the encoder plans. */",
    "export interface BootRecordLayout {",
    ...layoutOf(bootTable.record).map(field),
    "}",
    "",
    "/** The record's values for a service: each key's value as the boot table carries it. */",
    "export function recordValues(s: ServiceSettings, d: BootDerived): BootRecordValues {",
    "  return {",
    ...rec.map((f) => `    ${f.field}: ${f.source === "derived" ? `d.${f.field}` : encodeExpr(sourceKey(f)!, "s")},`),
    "  };",
    "}",
    "",
    "/** The header's values for an image: each [image] key's value as the boot table carries it. */",
    "export function headerValues(m: ImageSettings): BootHeaderValues {",
    "  return {",
    ...head.map((f) => `    ${f.field}: ${encodeExpr(sourceKey(f)!, "m")},`),
    "  };",
    "}",
    "",
    "export function writeHeaderValues(put: Put, v: BootHeaderValues): void {",
    ...head.map((f) => `  put(abi.BT_${f.name}, v.${f.field});`),
    "}",
    "",
    "export function readHeaderValues(read: Read): BootHeaderValues {",
    "  return {",
    ...head.map((f) => `    ${f.field}: read(abi.BT_${f.name}),`),
    "  };",
    "}",
    "",
    "/** Writes the record at byte `r`. */",
    "export function writeRecordValues(put: Put, r: number, v: BootRecordValues): void {",
    ...rec.map((f) => `  put(r + abi.BT_${f.name}, v.${f.field});`),
    "}",
    "",
    "export function readRecordValues(read: Read, r: number): BootRecordValues {",
    "  return {",
    ...rec.map((f) => `    ${f.field}: read(r + abi.BT_${f.name}),`),
    "  };",
    "}",
    "",
    "export function writeRecordLayout(put: Put, r: number, v: BootRecordLayout): void {",
    ...layoutOf(bootTable.record).map((f) => `  put(r + abi.BT_${f.name}, v.${f.field});`),
    "}",
    "",
    "export function readRecordLayout(read: Read, r: number): BootRecordLayout {",
    "  return {",
    ...layoutOf(bootTable.record).map((f) => `    ${f.field}: read(r + abi.BT_${f.name}),`),
    "  };",
    "}",
  ];
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- userland/init/spec.ts

const initName = (f: BootField): string => (typeof f.init === "object" ? f.init.field : f.field);
const initType = (f: BootField): string => (typeof f.init === "object" || f.init === "bool" ? "bool" : f.init!);

function initRead(f: BootField): string {
  const at = `field(at, BT_${f.name})`;
  if (typeof f.init === "object") return `${at} == ${f.init.is}`;
  if (f.init === "bool") return `${at} != 0`;
  return f.init === "u32" ? `<u32>${at}` : at;
}

const headerInit = (): BootField[] => bootTable.header.filter((f) => f.init !== undefined);

function asSpec(): string {
  const fields = bootTable.record.filter((f) => f.init !== undefined);
  const read = [...headerInit(), ...fields];
  const imports = [...read.map((f) => `BT_${f.name}`), ...read.flatMap((f) => (typeof f.init === "object" ? [f.init.is] : []))];
  const out = [
    generatedHeader(SRC),
    "// What the manifest says of a service, as init reads it from its boot-table",
    "// record (bootinfo.ts decodes the lists and strings and calls readSpec).",
    `import { ${imports.join(", ")} } from "../lib";`,
    'import { Grant } from "./service";',
    "",
    "/**",
    " * Every field is readonly, so the compiler refuses a change after boot: what",
    " * init does at run time (a `svc disable`, a restart) lives in `Service`, never",
    " * here. The lists are fixed too: nothing pushes to them after decoding.",
    " */",
    "export class Spec {",
    "  readonly name: string;",
    "  readonly deps: i32[]; // requires: indices into `services`",
    "  readonly wants: i32[];",
    "  readonly ranges: u32[]; // version min, max per required then optional dependency",
    "  readonly tags: string; // space-separated",
    "  readonly grants: Grant[];",
    ...fields.map((f) => `  readonly ${initName(f)}: ${initType(f)}; // ${typeof f.init === "object" ? `BT_${f.name} == ${f.init.is}` : f.doc}`),
    "}",
    "",
    "/** What the manifest's [image] says, as init reads it from the boot table's header. */",
    "export class ImageSpec {",
    ...headerInit().map((f) => `  readonly ${initName(f)}: ${initType(f)}; // ${f.doc}`),
    "}",
    "",
    "/** The image's settings in the header at address `at` (init's copy of the table). */",
    "export function readImageSpec(at: usize): ImageSpec {",
    "  return {",
    ...headerInit().map((f) => `    ${initName(f)}: ${initRead(f)},`),
    "  };",
    "}",
    "",
    "/** The lists and strings of a record, which bootinfo.ts follows. */",
    "export class SpecLists {",
    "  constructor(readonly name: string, readonly deps: i32[], readonly wants: i32[], readonly ranges: u32[], readonly tags: string, readonly grants: Grant[]) {}",
    "}",
    "",
    "@inline function field(at: usize, off: i32): i32 { return <i32>load<u32>(at + <usize>off); }",
    "",
    "/** The spec in the record at address `at` (in init's copy of the table), with its lists. */",
    "export function readSpec(at: usize, l: SpecLists): Spec {",
    "  return {",
    "    name: l.name, deps: l.deps, wants: l.wants, ranges: l.ranges, tags: l.tags, grants: l.grants,",
    ...fields.map((f) => `    ${initName(f)}: ${initRead(f)},`),
    "  };",
    "}",
  ];
  return out.join("\n") + "\n";
}

/** The record fields init reads, in record order: what the harness reports (the header's: headerInit). */
export function initFields(): BootField[] {
  return bootTable.record.filter((f) => f.init !== undefined);
}

/**
 * A test harness around init's own reader: tests/unit/boot-record.test.ts
 * writes a table with the build's encoder, and this reports every setting
 * readSpec found, as u32s in record order (a flag as 0 or 1).
 */
function asHarness(): string {
  const out = [
    generatedHeader(SRC),
    "// For tests/unit/boot-record.test.ts: init's readSpec (userland/init/spec.ts) over a",
    "// boot table the test writes at scratch(), every setting it read stored as a u32",
    "// in record order (a flag as 0 or 1).",
    'import { readImageSpec, readSpec, SpecLists } from "../../../userland/init/spec";',
    'import { Grant } from "../../../userland/init/service";',
    "",
    "const buf = new StaticArray<u8>(1 << 16);",
    "const out = new StaticArray<u32>(" + Math.max(initFields().length, headerInit().length) + ");",
    "",
    "export function scratch(): usize { return changetype<usize>(buf); }",
    "export function results(): usize { return changetype<usize>(out); }",
    "",
    "/** Reads the record at byte `r` of the table at scratch(). */",
    "export function read(r: i32): void {",
    '  const s = readSpec(changetype<usize>(buf) + <usize>r, new SpecLists("", [], [], [], "", new Array<Grant>()));',
    ...initFields().map((f, i) => `  out[${i}] = ${initType(f) === "bool" ? `s.${initName(f)} ? 1 : 0` : `<u32>s.${initName(f)}`};`),
    "}",
    "",
    "/** Reads the header of the table at scratch(): the [image] settings, in header order. */",
    "export function readHeader(): void {",
    "  const s = readImageSpec(changetype<usize>(buf));",
    ...headerInit().map((f, i) => `  out[${i}] = ${initType(f) === "bool" ? `s.${initName(f)} ? 1 : 0` : `<u32>s.${initName(f)}`};`),
    "}",
  ];
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- docs

/** The layout as a Markdown table, for docs/manifest.md. */
export function layoutDoc(): string {
  const row = (list: BootField[], prefix: string) => (f: BootField): string => {
    const k = sourceKey(f);
    const from = k ? `\`${k.key}\`` : f.source === "derived" ? "computed" : "layout";
    return `| ${offset(list, f)} | \`${prefix}${f.name}\` | ${from} | ${f.doc} |`;
  };
  return [
    `Header (\`BT_HEADER_BYTES\` = ${bootTable.header.length * bootTable.width}), record (\`BT_RECORD_BYTES\` = ${bootTable.record.length * bootTable.width}) and grant record (\`BT_GRANT_BYTES\` = ${bootTable.grant.length * bootTable.width}); every field a u32, little-endian, at the byte offset shown.`,
    "",
    "| offset | field | from | meaning |",
    "|---|---|---|---|",
    ...bootTable.header.map(row(bootTable.header, "BT_")),
    ...bootTable.record.map(row(bootTable.record, "BT_")),
    ...bootTable.grant.map(row(bootTable.grant, "GRANT_")),
  ].join("\n");
}
