// Emits, from abi/manifest.ts: the key schema the manifest parser reads
// (tools/lib/manifest-keys.ts: key lists for "did you mean", types, defaults,
// ranges, enum words with their ABI codes, the settings' types) and the key
// tables of docs/manifest.md, with the boot table's layout beside them.
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import * as qpu from "../../hal/qpu/job-format";
import { bootTable } from "../../abi/boot-table";
import { manifestKeys } from "../../abi/manifest";
import type { AbiRef, ManifestKey } from "../../abi/schema-boot";
import { generatedHeader, layoutDoc, spliceSection } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/manifest.ts";
const TABLES = ["image", "init", "service", "group", "qpu"] as const;

export function emitManifest(t: Tables): Array<[string, string]> {
  checkKeys();
  const doc = "docs/manifest.md";
  let text = t.read(doc);
  for (const table of TABLES) text = spliceSection(text, doc, `abi:manifest-${table}`, keyTable(table));
  text = spliceSection(text, doc, "abi:boot-table", layoutDoc());
  return [["tools/lib/manifest-keys.ts", schema()], [doc, text]];
}

function checkKeys(): void {
  const seen = new Set<string>();
  for (const k of manifestKeys) {
    const id = `[${k.table}] ${k.key}`;
    if (seen.has(id)) throw new Error(`${SRC}: key ${id} is listed twice`);
    seen.add(id);
    if (k.type === "enum" && !k.values?.length) throw new Error(`${SRC}: enum key ${id} lists no values`);
    if (k.required && k.default !== undefined) throw new Error(`${SRC}: key ${id} is required and has a default`);
    for (const ref of [k.default, k.min, k.max]) if (isRef(ref)) value(ref);
    checkFits(k, id);
  }
}

const I32_MAX = 0x7fffffff;

/** A number init holds as an i32 must not reach 2^31, or it turns negative there: its key needs such a bound. */
function checkFits(k: ManifestKey, id: string): void {
  const field = [...bootTable.header, ...bootTable.record].find((f) => f.name === k.boot);
  if (!field || field.init !== "i32" || !["integer", "duration", "pages"].includes(k.type)) return;
  if (k.max === undefined || (isRef(k.max) ? value(k.max) : k.max) > I32_MAX) {
    throw new Error(`${SRC}: key ${id} lands in BT_${k.boot}, which init reads as an i32: give it a max of at most ${I32_MAX}`);
  }
}

// ---------------------------------------------------------------- ABI numbers

const isRef = (v: unknown): v is AbiRef => typeof v === "object" && v !== null && "abi" in v;

// Where the generated TypeScript finds a name: the kernel's ABI or a service protocol's.
const MODULES: Record<string, Record<string, unknown>> = { abi, proto, qpu };

function moduleOf(name: string): string {
  const m = Object.keys(MODULES).find((k) => typeof MODULES[k][name] === "number");
  if (!m) throw new Error(`${SRC}: ${name} is not a constant of kernel/abi.ts or userland/lib/proto`);
  return m;
}

/** The number an ABI name stands for, from the tables or the generated constants. */
function value(ref: AbiRef): number {
  const own = bootTable.values.find((v) => v.name === ref.abi)?.value;
  return own ?? (MODULES[moduleOf(ref.abi)][ref.abi] as number);
}

/** A default or bound as TypeScript: an ABI reference stays a name. */
function tsValue(v: string | number | boolean | AbiRef | undefined): string {
  if (v === undefined) return "undefined";
  return isRef(v) ? `${moduleOf(v.abi)}.${v.abi}` : JSON.stringify(v);
}

// ---------------------------------------------------------------- tools/lib/manifest-keys.ts

const constName = (k: ManifestKey): string => k.key.toUpperCase();
const typeName = (k: ManifestKey): string => k.key.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");

/** The TypeScript type of a key's parsed value. */
function fieldType(k: ManifestKey): string {
  if (k.type === "enum") return typeName(k);
  if (k.type === "boolean") return "boolean";
  if (k.type === "string" || k.type === "path") return "string";
  if (k.type === "names" || k.type === "strings") return "string[]";
  return "number";
}

function keyObject(k: ManifestKey): string {
  const parts = [`key: "${k.key}"`, `type: "${k.type}"`];
  if (k.required) parts.push("required: true");
  if (k.default !== undefined) parts.push(`default: ${tsValue(k.default)}`);
  if (k.min !== undefined) parts.push(`min: ${tsValue(k.min)}`);
  if (k.max !== undefined) parts.push(`max: ${tsValue(k.max)}`);
  if (k.values) parts.push(`values: ${constName(k)}_VALUES`);
  if (k.counts) parts.push(`counts: ${JSON.stringify(k.counts)}`);
  if (k.field) parts.push(`field: "${k.field}"`);
  return `  ${k.key}: { ${parts.join(", ")} },`;
}

function schema(): string {
  const enums = manifestKeys.filter((k) => k.type === "enum");
  const settings = manifestKeys.filter((k) => k.table === "service" && k.boot);
  const image = manifestKeys.filter((k) => k.table === "image" && k.boot);
  const out = [
    generatedHeader(SRC),
    "// The manifest's keys as tools/lib/manifest.ts checks them: which keys each",
    "// table accepts (the \"did you mean\" lists), their types, defaults (as a",
    "// manifest would write them; pages and ABI names as numbers) and ranges.",
    'import * as abi from "../../kernel/abi";',
    'import * as proto from "../../userland/lib/proto/index";',
    'import * as qpu from "../../hal/qpu/job-format";',
    "",
    `export type KeyType = ${[...new Set(manifestKeys.map((k) => `"${k.type}"`))].join(" | ")};`,
    "",
    "export interface KeySpec {",
    "  key: string;",
    "  type: KeyType;",
    "  required?: boolean;",
    "  default?: string | number | boolean;",
    "  min?: number;",
    "  max?: number;",
    "  values?: readonly string[];",
    "  counts?: string;",
    "  field?: string; // its property in the parsed manifest",
    "}",
    "",
    ...TABLES.map((t) => `export const ${t.toUpperCase()}_KEYS: string[] = [${manifestKeys.filter((k) => k.table === t).map((k) => `"${k.key}"`).join(", ")}];`),
    "",
    ...enums.flatMap((k) => [
      `export const ${constName(k)}_VALUES = [${k.values!.map(([w]) => `"${w}"`).join(", ")}] as const;`,
      `export type ${typeName(k)} = (typeof ${constName(k)}_VALUES)[number];`,
      `export const ${constName(k)}_CODES: Record<${typeName(k)}, number> = { ${k.values!.map(([w, c]) => `${JSON.stringify(w)}: abi.${c}`).join(", ")} };`,
    ]),
    "",
    ...TABLES.flatMap((t) => [
      `export const ${t.toUpperCase()} = {`,
      ...manifestKeys.filter((k) => k.table === t).map(keyObject),
      "} as const satisfies Record<string, KeySpec>;",
    ]),
    "",
    "/** The [image] settings the boot table's header carries. */",
    "export interface ImageSettings {",
    ...image.map((k) => `  ${k.field}: ${fieldType(k)}; // ${k.key}`),
    "}",
    "",
    ...(["service", "image"] as const).flatMap((t) => numbersReader(t)),
    "/** A service's settings the boot table carries, as the parser gives them. */",
    "export interface ServiceSettings {",
    ...settings.map((k) => `  ${k.field}${k.encode === "or-zero" ? "?" : ""}: ${fieldType(k)}; // ${k.key}`),
    "}",
  ];
  return out.join("\n") + "\n";
}

/**
 * readServiceNumbers / readImageNumbers: the integer and duration keys of a
 * table that no code of the parser's own checks, each read by `int` or `dur`
 * from its row, so such a key needs no parser code.
 */
function numbersReader(table: "service" | "image"): string[] {
  const name = table[0].toUpperCase() + table.slice(1);
  return [
    "/**",
    ` * The integer and duration settings of [${table}] that no code of the`,
    " * parser's own checks: each read by `int` or `dur` from its row.",
    " */",
    `export function read${name}Numbers(int: (k: KeySpec & { default: number; min: number; max: number }) => number,`,
    "  dur: (k: KeySpec & { default: string | number; min: number }) => number) {",
    "  return {",
    ...manifestKeys.filter((k) => k.table === table && k.field && !k.custom && (k.type === "integer" || k.type === "duration"))
      .map((k) => `    ${k.field}: ${k.type === "integer" ? "int" : "dur"}(${table.toUpperCase()}.${k.key}),`),
    "  };",
    "}",
    "",
  ];
}

// ---------------------------------------------------------------- docs/manifest.md

const TYPE_WORDS: Record<string, string> = {
  string: "string", path: "string", integer: "integer", boolean: "boolean", duration: "duration", size: "size",
  pages: "size or integer", enum: "string", names: "array of service names", strings: "array of strings",
  caps: "array of capability strings", version: "string",
};

function size(bytes: number): string {
  if (bytes === 0) return "0";
  if (bytes % (1024 * 1024) === 0) return `"${bytes / (1024 * 1024)}MiB"`;
  return bytes % 1024 === 0 ? `"${bytes / 1024}KiB"` : `"${bytes}B"`;
}

function duration(ms: number): string {
  if (ms !== 0 && ms % 60_000 === 0) return `"${ms / 60_000}m"`;
  return ms !== 0 && ms % 1000 === 0 ? `"${ms / 1000}s"` : `"${ms}ms"`;
}

/** A number as the manifest would say it, and the ABI name it comes from. */
function shown(k: ManifestKey, v: number | AbiRef): string {
  const n = isRef(v) ? value(v) : v;
  const notes = [k.type === "pages" ? `${n} pages` : "", isRef(v) ? `\`${v.abi}\`` : ""].filter(Boolean);
  const text = k.type === "pages" ? size(n * 4096) : k.type === "size" ? size(n) : k.type === "duration" ? duration(n) : String(n);
  return `\`${text}\`${notes.length ? ` (${notes.join(", ")})` : ""}`;
}

function defaultCell(k: ManifestKey): string {
  if (k.required) return "**required**";
  if (k.defaultText) return k.defaultText;
  const d = k.default;
  if (d === undefined) return ["names", "strings", "caps"].includes(k.type) ? "`[]`" : "none";
  if (typeof d === "string") return `\`"${d}"\``;
  if (typeof d === "boolean") return `\`${d}\``;
  return shown(k, d);
}

function rangeCell(k: ManifestKey): string {
  if (k.type === "enum") return k.values!.map(([w]) => `\`"${w}"\``).join(", ");
  if (k.max !== undefined) return `${shown(k, k.min ?? 0)} to ${shown(k, k.max)}`;
  return k.min ? `at least ${shown(k, k.min)}` : "";
}

function keyTable(t: (typeof TABLES)[number]): string {
  return [
    "| key | type | default | range | meaning |",
    "|---|---|---|---|---|",
    ...manifestKeys.filter((k) => k.table === t).map((k) =>
      `| \`${k.key}\` | ${TYPE_WORDS[k.type]} | ${defaultCell(k)} | ${rangeCell(k)} | ${k.doc} |`),
  ].join("\n");
}

