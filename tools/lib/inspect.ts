// `quark inspect`: what an image holds — its modules with their sizes, hashes
// and memory limits, the ABI version, a summary of the manifest it was built
// from, and the machine's devices (the description generated from
// abi/hal.ts, which the image's ABI check ties to this checkout). The report
// object is also the `--json` output.
import { formatVersion } from "./versions";
import { decodeBootTable, type BootTable } from "./boot-table";
import { readImage } from "./image";
import { readBytes } from "./image-check";
import { RIGHTS, serviceDefaults, BIND_PROPERTIES, BIND_OPS } from "./manifest-values";
import { SERVICE, type KeySpec } from "./manifest-keys";
import { readMemoryLimits } from "./wasm-sections";
import { BUS, DEVICES, PLUGGABLE_MODELS, STATIC_DEVICES, type DeviceDescription } from "./devices";
import { inspectQpu, qpuLines, type InspectQpu } from "./inspect-qpu";

export interface InspectModule {
  /** Module index in the image (null for the kernel, which is the image itself). */
  index: number | null;
  name: string;
  kind: "kernel" | "hal" | "service";
  size: number;
  sha256: string;
  /** Memory limits in 64 KiB pages as the module declares them. */
  memory: { initial: number; maximum: number | null } | null;
}

export interface InspectReport {
  file: string;
  size: number;
  abiVersion: number;
  modules: InspectModule[];
  manifest: unknown;
  /** Per service, each key of abi/manifest.ts it sets to other than its default, as a manifest writes it. */
  settings: Record<string, Record<string, string>>;
  bootTable: { size: number; decoded: unknown; error?: string };
  devices: InspectDevices;
  /** The image's QPU ([qpu]) with its calibration's figures; null when it has none. */
  qpu: InspectQpu | null;
}

/** The machine's devices: the bus's shape, each static device with the services granted it, the models a plug can add. */
export interface InspectDevices {
  bus: typeof BUS;
  static: Array<DeviceDescription & { grantedTo: string[] }>;
  /** Each model with the driver rules of the image's services for its type (docs/devices.md: bind rules). */
  pluggable: Array<DeviceDescription & { drivenBy: { service: string; match: string[] }[] }>;
}

export function inspectImage(path: string): InspectReport {
  // The hosts' own check (image-check.ts): an ImageCheckError naming the file, as a boot would give.
  const bytes = readBytes(path);
  const image = readImage(bytes, path);
  const boot = bootTable(image.bootTable);
  let qpu: InspectQpu | null = null;
  try { qpu = inspectQpu(image.manifest, boot.table); } catch (e) { boot.error = (e as Error).message; }
  return {
    file: path,
    size: bytes.length,
    abiVersion: image.abiVersion,
    modules: [
      describe(null, "kernel", "kernel", image.kernel),
      ...image.modules.map((m) => describe(m.index, m.name, m.kind, m)),
    ],
    manifest: image.manifest,
    settings: settings(image.manifest),
    bootTable: { size: boot.size, decoded: boot.decoded, ...(boot.error ? { error: boot.error } : {}) },
    devices: devices(image.manifest),
    qpu,
  };
}

/** The description, with the services whose manifest caps name each device. */
function devices(manifest: unknown): InspectDevices {
  const services = (manifest as { services?: unknown })?.services;
  const list = Array.isArray(services) ? services as Array<{ name?: unknown; caps?: unknown }> : [];
  const grantedTo = (d: DeviceDescription): string[] => (d.id === null || DEVICES[d.name] !== d.id ? [] : list
    .filter((s) => Array.isArray(s.caps) && s.caps.some((c: { name?: unknown }) => c?.name === d.name))
    .map((s) => String(s.name)));
  const drivenBy = (d: DeviceDescription) => list
    .map((s) => s as { name?: unknown; driver?: { type?: unknown; match?: { property: number; op: number; value: number }[] } })
    .filter((s) => s.driver?.type === d.typeValue)
    .map((s) => ({ service: String(s.name), match: (s.driver?.match ?? []).map(matchText) }));
  return {
    bus: BUS, static: STATIC_DEVICES.map((d) => ({ ...d, grantedTo: grantedTo(d) })),
    pluggable: PLUGGABLE_MODELS.map((d) => ({ ...d, drivenBy: drivenBy(d) })),
  };
}

/** A driver_match condition as the manifest writes it ("sectors >= 64"). */
function matchText(m: { property: number; op: number; value: number }): string {
  const name = (table: Record<string, number>, v: number) => Object.keys(table).find((k) => table[k] === v) ?? String(v);
  return `${name(BIND_PROPERTIES, m.property)} ${name(BIND_OPS, m.op)} ${m.value}`;
}

function describe(
  index: number | null, name: string, kind: InspectModule["kind"],
  m: { size: number; sha256: string; bytes: Uint8Array },
): InspectModule {
  // A module's own bytes are the engine's to judge at boot; inspect lists it even when they are not Wasm.
  let limits: ReturnType<typeof readMemoryLimits> = null;
  try { limits = readMemoryLimits(m.bytes); } catch { /* listed without its memory */ }
  const memory = limits && { initial: limits.initial, maximum: limits.maximum };
  return { index, name, kind, size: m.size, sha256: m.sha256, memory };
}

// A table this tool cannot decode is still worth listing: the image may come
// from a newer build.
// The QPU's calibration is shown decoded (the qpu part of the report), so the
// decoded table gives its length rather than its bytes.
function bootTable(bytes: Uint8Array): InspectReport["bootTable"] & { table: BootTable | null } {
  try {
    const table = decodeBootTable(bytes);
    const decoded = table.qpu ? { ...table, qpu: { qubits: table.qpu.qubits, calibrationBytes: table.qpu.calibration.length } } : table;
    return { size: bytes.length, decoded, table };
  } catch (e) {
    return { size: bytes.length, decoded: null, error: (e as Error).message, table: null };
  }
}

// ---------------------------------------------------------------- settings

// The keys with a plain value; lists, capabilities and names are in the summary table.
const PLAIN = new Set(["integer", "duration", "size", "pages", "enum", "boolean"]);

/** Every plain key a service of `manifest` sets to other than its default (keys from abi/manifest.ts). */
function settings(manifest: unknown): InspectReport["settings"] {
  const services = (manifest as { services?: unknown })?.services;
  if (!Array.isArray(services)) return {};
  const defaults = serviceDefaults() as unknown as Record<string, unknown>;
  const keys = (Object.values(SERVICE) as KeySpec[]).filter((k) => k.field && PLAIN.has(k.type));
  return Object.fromEntries(services.map((s: Record<string, unknown>) => [String(s.name), Object.fromEntries(keys
    .filter((k) => s[k.field!] !== undefined && s[k.field!] !== defaults[k.field!])
    .map((k) => [k.key, written(k, s[k.field!])]))]));
}

/** A value as a manifest writes it. */
function written(k: KeySpec, v: unknown): string {
  if (typeof v !== "number") return typeof v === "string" ? JSON.stringify(v) : String(v);
  if (k.type === "duration") return `"${duration(v)}"`;
  if (k.type === "size") return `"${bytes(v).replace(" ", "")}"`;
  if (k.type === "pages") return `"${bytes(v * 4096).replace(" ", "")}"`;
  return String(v);
}

// ---------------------------------------------------------------- text form

export function formatInspect(r: InspectReport): string {
  const lines = [`${r.file}: ${r.size} bytes, ABI version ${r.abiVersion}`, ""];
  lines.push(...table(
    ["#", "name", "kind", "size", "pages", "sha256"],
    r.modules.map((m) => [
      m.index === null ? "-" : String(m.index), m.name, m.kind, String(m.size),
      m.memory ? `${m.memory.initial}/${m.memory.maximum ?? "-"}` : "-", m.sha256.slice(0, 12),
    ]),
    new Set([3]),
  ));
  lines.push("", ...manifestSummary(r.manifest));
  const set = Object.entries(r.settings).filter(([, keys]) => Object.keys(keys).length > 0);
  if (set.length > 0) {
    lines.push("", "settings besides the defaults:");
    const width = Math.max(...set.map(([name]) => name.length));
    for (const [name, keys] of set) lines.push(`  ${name.padEnd(width)}  ${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join(", ")}`);
  }
  const boot = r.bootTable.error ? `boot table: ${r.bootTable.size} bytes, unreadable: ${r.bootTable.error}` : `boot table: ${r.bootTable.size} bytes`;
  lines.push("", boot);
  lines.push("", ...deviceLines(r.devices));
  lines.push("", ...qpuLines(r.qpu, table));
  return lines.join("\n");
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The devices as a table: one row per static slot, then the pluggable models. */
function deviceLines(d: InspectDevices): string[] {
  const free = `${d.bus.staticSlots}-${d.bus.slots - 1}`;
  return [
    `devices (bus: ${d.bus.slots} slots, slot s raises line s; slots ${free} free for hot-plug, ids from ${d.bus.firstId})`,
    ...table(
      ["slot", "device", "type", "id", "window", "line", "power", "dma", "granted to"],
      d.static.map((x) => [String(x.slot), x.name, x.type, x.id === null ? "-" : String(x.id),
        x.base === null ? "-" : `${hex(x.base)}..${hex(x.base + x.size - 1)}`, x.line === null ? "-" : String(x.line),
        x.power.join(","), x.dma, x.grantedTo.length ? x.grantedTo.join(",") : "-"]),
      new Set([0, 3, 5]),
    ),
    `pluggable models (BUS_PLUG a type; each plug takes the lowest free slot, its window ${hex(d.bus.slotBase)} + slot * ${hex(d.bus.slotStride)}):`,
    ...table(
      ["model", "type", "window", "line", "power", "dma", "driven by"],
      d.pluggable.map((x) => [x.name, `${x.type} (${x.typeValue})`, `${hex(x.size)} bytes`, x.line === null ? "-" : "its slot's", x.power.join(","), x.dma,
        x.drivenBy.length ? x.drivenBy.map((r) => r.service + (r.match.length ? ` (${r.match.join(", ")})` : "")).join(", ") : "-"]),
      new Set(),
    ),
  ];
}

function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) =>
    "  " + row.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd(),
  );
}

interface SummaryService {
  name?: unknown; requires?: unknown; wants?: unknown; restart?: unknown; maxRestarts?: unknown;
  restartWindowMs?: unknown; memoryBytes?: unknown; caps?: unknown; version?: unknown; instances?: unknown;
  ranges?: unknown; tags?: unknown; registrations?: unknown;
}

function manifestSummary(manifest: unknown): string[] {
  const m = (manifest ?? {}) as { name?: unknown; description?: unknown; services?: unknown };
  if (!Array.isArray(m.services)) return ["manifest: no service list"];
  const title = `image ${String(m.name ?? "?")}${typeof m.description === "string" ? ` — ${m.description}` : ""}`;
  const services = m.services as SummaryService[];
  return [
    title,
    ...table(
      ["service", "version", "requires", "wants", "restart", "memory", "caps", "tags", "registrations"],
      services.map((s) => [name(s), typeof s.version === "number" ? formatVersion(s.version) : "-", deps(s, s.requires),
        deps(s, s.wants), restart(s), bytes(s.memoryBytes), caps(s.caps), list(s.tags), registrations(s)]),
      new Set([5, 8]),
    ),
  ];
}

/** The name, with the number of instances when there are several. */
function name(s: SummaryService): string {
  return typeof s.instances === "number" && s.instances > 1 ? `${String(s.name)} x${s.instances}` : String(s.name);
}

/** Dependencies with their version constraints: "log ^1.0". */
function deps(s: SummaryService, v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return "-";
  const ranges = (s.ranges ?? {}) as Record<string, { text?: string }>;
  return v.map((d) => (ranges[d]?.text ? `${d} ${ranges[d].text}` : String(d))).join(",");
}

/** Registry entries each process may add: the manifest's, or the default for an image built before the key. */
function registrations(s: SummaryService): string {
  return String(typeof s.registrations === "number" ? s.registrations : SERVICE.registrations.default);
}

function list(v: unknown): string {
  return Array.isArray(v) && v.length ? v.join(",") : "-";
}

function restart(s: SummaryService): string {
  if (typeof s.restart !== "string") return "?";
  if (s.restart === "never") return "never";
  const window = typeof s.restartWindowMs === "number" ? `/${duration(s.restartWindowMs)}` : "";
  return typeof s.maxRestarts === "number" ? `${s.restart} ${s.maxRestarts}${window}` : s.restart;
}

function bytes(v: unknown): string {
  if (typeof v !== "number") return "?";
  if (v % (1024 * 1024) === 0) return `${v / (1024 * 1024)} MiB`;
  if (v % 1024 === 0) return `${v / 1024} KiB`;
  return `${v} B`;
}

function duration(ms: number): string {
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function rightNames(rights: number): string {
  const names = Object.entries(RIGHTS).filter(([, bit]) => (rights & bit) !== 0).map(([name]) => name);
  return names.length ? names.join("+") : "none";
}

function caps(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return "-";
  return v.map((c: { name?: unknown; rights?: unknown }) =>
    typeof c.rights === "number" ? `${String(c.name)}(${rightNames(c.rights)})` : String(c.name)).join(" ");
}
