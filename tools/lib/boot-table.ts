// The boot table: the binary form of a manifest that init reads through
// boot_read. Its layout is defined once, in abi/boot-table.ts: a header, one
// fixed-size record per service in manifest order, then the dependency
// arrays, the grant records and the names, each addressed by its byte offset
// from the start of the table. An empty array has offset 0. The fields that
// carry a manifest setting are written and read by the generated
// boot-record.ts; this file plans the layout around them.

import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import {
  headerValues, readHeaderValues, readRecordLayout, readRecordValues, recordValues, writeHeaderValues, writeRecordLayout, writeRecordValues,
  type BootHeaderValues, type BootRecordValues,
} from "./boot-record";
import { fnv1a } from "./fnv1a";
import type { CapSpec, Manifest, ServiceSpec } from "./manifest";
import { imageDefaults, serviceDefaults, qpuPlugger } from "./manifest-values";
import { STRATEGY_CODES } from "./manifest-keys";

export { fnv1a };

export interface BootGrant {
  kind: number; // GRANT_*
  target: number; // service index for GRANT_SERVICE, device id for GRANT_DEVICE, line for GRANT_IRQ, 0 otherwise
  rights: number;
  label: number;
}

/** A record as decoded: its settings (BootRecordValues, generated) and its lists. */
export interface BootService extends BootRecordValues {
  name: string;
  ranges: { min: number; max: number }[]; // per required, then per optional dependency
  tags: string;
  deps: number[];
  optional: number[];
  grants: BootGrant[];
}

export interface BootTable extends BootHeaderValues {
  size: number; // bytes, as the header records it
  version: number;
  initModule: number;
  flags: number;
  services: BootService[];
  /** The image's QPU ([qpu]): its qubits and the encoded calibration table (empty: ideal); absent when it has none. */
  qpu?: { qubits: number; calibration: Uint8Array };
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------- encoding

interface Layout {
  deps: number[];
  optional: number[];
  grants: number[];
  ranges: number[];
  tags: number[];
  names: number[];
  calibration: number;
  size: number;
}

export function encodeBootTable(m: Manifest, moduleIndex: (serviceName: string) => number, initModule: number): Uint8Array {
  const services = expandInstances(m.services);
  const index = new Map(services.map((s, i) => [s.name, i]));
  const rows = services.map((s) => resolveService(s, index, moduleIndex));
  const plugger = m.qpu && qpuPlugger(services);
  // The device manager plugs the image's QPU at its first start (GRANT_PLUG, read with TAG_INIT_CAPS).
  if (plugger) rows[services.indexOf(plugger)].grants.push({ kind: abi.GRANT_PLUG, target: abi.DEV_TYPE_QPU, rights: 0, label: 0 });
  const calibration = m.qpu?.table ?? new Uint8Array(0);
  const layout = planLayout(rows, calibration.length);
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  const u32 = (off: number, v: number): void => view.setUint32(off, checkU32(v, `field at byte ${off}`), true);
  writeHeader(u32, rows.length, checkU32(initModule, "init module index"), layout.size);
  // A manifest from an image built before an [image] key existed lacks it: the key's default applies.
  writeHeaderValues(u32, headerValues({ ...imageDefaults(), ...m }));
  rows.forEach((row, i) => writeService(u32, bytes, row, i, layout));
  if (m.qpu) {
    u32(abi.BT_QPU_QUBITS, m.qpu.qubits);
    u32(abi.BT_QPU_CAL_OFF, layout.calibration);
    u32(abi.BT_QPU_CAL_LEN, calibration.length);
    bytes.set(calibration, layout.calibration);
  }
  return bytes;
}

/** A table of the header alone (no services): what a test bench boots the bare kernel with. */
export function headerOnlyBootTable(initModule: number, ramFrames: number): Uint8Array {
  const bytes = new Uint8Array(abi.BT_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const u32 = (off: number, v: number): void => view.setUint32(off, checkU32(v, `field at byte ${off}`), true);
  writeHeader(u32, 0, initModule, bytes.length);
  writeHeaderValues(u32, { ramFrames, healthMs: 0 });
  return bytes;
}

// A service with its references turned into indices.
interface Row {
  spec: ServiceSpec;
  name: Uint8Array;
  module: number;
  deps: number[];
  optional: number[];
  ranges: { min: number; max: number }[];
  tags: Uint8Array;
  grants: BootGrant[];
}

/**
 * A service with `instances = N` is N records: NAME, NAME#2 .. NAME#N, each
 * a process of the same module with the same settings, supervised on its own
 * and registered under NAME. Grants and dependencies naming NAME mean the
 * first; clients reach all of them through the registry.
 */
function expandInstances(services: ServiceSpec[]): ServiceSpec[] {
  const sep = String.fromCharCode(proto.INSTANCE_SEPARATOR);
  return services.flatMap((s) => Array.from({ length: Math.max(1, s.instances ?? 1) }, (_, k) =>
    k === 0 ? s : { ...s, name: `${s.name}${sep}${k + 1}`, interface: s.interface ?? s.name }));
}

function baseName(name: string): string { return name.split(String.fromCharCode(proto.INSTANCE_SEPARATOR))[0]; }

function resolveService(s: ServiceSpec, index: Map<string, number>, moduleIndex: (name: string) => number): Row {
  const at = (dep: string): number => {
    const i = index.get(dep);
    if (i === undefined) throw new Error(`boot table: service "${s.name}" refers to "${dep}", which is not in the image`);
    return i;
  };
  return {
    spec: s,
    name: utf8.encode(s.name),
    module: checkU32(moduleIndex(baseName(s.name)), `module index of service "${s.name}"`),
    deps: s.requires.map(at),
    // Optional dependencies outside the image were warned about; init has nothing to wait for.
    optional: s.wants.filter((w) => index.has(w)).map(at),
    tags: utf8.encode((s.tags ?? []).join(" ")),
    ranges: [...s.requires, ...s.wants.filter((w) => index.has(w))].map((d) => s.ranges?.[d] ?? { min: 0, max: abi.VERSION_ANY_MAX }),
    grants: [
      ...s.caps.map((c) => ({ ...grantTarget(c, s.name, at), rights: c.rights, label: c.label })),
      // The lines it drives, after its device grants: init mints each (irq_mint) at spawn.
      ...(s.interrupts ?? []).map((i) => ({ kind: abi.GRANT_IRQ, target: i.line, rights: abi.R_CONTROL, label: i.label })),
      // Its bind rule: no capability, a record the device manager reads through init (TAG_INIT_CAPS).
      ...(s.driver ? [{ kind: abi.GRANT_DRIVER, target: s.driver.type, rights: 0, label: 0 },
        ...s.driver.match.map((m) => ({ kind: abi.GRANT_MATCH, target: m.property, rights: m.op, label: m.value >>> 0 }))] : []),
    ],
  };
}

function grantTarget(c: CapSpec, holder: string, at: (name: string) => number): { kind: number; target: number } {
  if (c.kind === "console") return { kind: abi.GRANT_CONSOLE, target: 0 };
  if (c.kind === "init") return { kind: abi.GRANT_INIT, target: 0 };
  if (c.kind === "service") return { kind: abi.GRANT_SERVICE, target: at(c.name) };
  if (c.device === undefined) throw new Error(`boot table: device capability "${c.name}" of service "${holder}" has no device id`);
  return { kind: abi.GRANT_DEVICE, target: c.device };
}

function planLayout(rows: Row[], calibrationBytes: number): Layout {
  let off = abi.BT_HEADER_BYTES + rows.length * abi.BT_RECORD_BYTES;
  const place = (bytes: number): number => {
    const at = bytes === 0 ? 0 : off;
    off += bytes;
    return at;
  };
  const deps = rows.map((r) => place(r.deps.length * 4));
  const optional = rows.map((r) => place(r.optional.length * 4));
  const grants = rows.map((r) => place(r.grants.length * abi.BT_GRANT_BYTES));
  const ranges = rows.map((r) => place(r.ranges.length * 8));
  const names = rows.map((r) => place(r.name.length));
  const tags = rows.map((r) => place(r.tags.length));
  // The calibration's f64 figures at an 8-byte boundary, as the QPU reads them.
  if (calibrationBytes > 0) off = (off + 7) & ~7;
  const calibration = place(calibrationBytes);
  return { deps, optional, grants, ranges, tags, names, calibration, size: (off + 3) & ~3 };
}

type Put = (off: number, v: number) => void;

function writeHeader(u32: Put, nservices: number, initModule: number, size: number): void {
  u32(abi.BT_MAGIC_OFF, abi.BT_MAGIC);
  u32(abi.BT_ABI_VERSION, abi.ABI_VERSION);
  u32(abi.BT_COUNT, nservices);
  u32(abi.BT_INIT_MODULE, initModule);
  u32(abi.BT_FLAGS, 0);
  u32(abi.BT_SIZE, size);
}

function writeService(u32: Put, bytes: Uint8Array, row: Row, i: number, layout: Layout): void {
  const r = abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES;
  // A manifest from an image built before a key existed lacks it: the key's default applies.
  const s = { ...serviceDefaults(), ...row.spec, interface: row.spec.interface ?? row.spec.name };
  writeRecordValues(u32, r, recordValues(s, { module: row.module, label: fnv1a(s.name), binds: binds(s), group: group(s) }));
  writeRecordLayout(u32, r, {
    nameOff: layout.names[i], nameLen: row.name.length,
    ndeps: row.deps.length, depsOff: layout.deps[i], nopt: row.optional.length, optOff: layout.optional[i],
    ngrants: row.grants.length, grantsOff: layout.grants[i], rangesOff: layout.ranges[i],
    tagsOff: layout.tags[i], tagsLen: row.tags.length,
  });
  bytes.set(row.tags, layout.tags[i]);
  row.ranges.forEach((g, k) => { u32(layout.ranges[i] + 8 * k, g.min); u32(layout.ranges[i] + 8 * k + 4, g.max); });
  row.deps.forEach((d, k) => u32(layout.deps[i] + 4 * k, d));
  row.optional.forEach((d, k) => u32(layout.optional[i] + 4 * k, d));
  row.grants.forEach((g, k) => writeGrant(u32, layout.grants[i] + k * abi.BT_GRANT_BYTES, g));
  bytes.set(row.name, layout.names[i]);
}

/** BT_GROUP: its group's number + 1 (0: none) | strategy << 16 | position << 24. */
function group(s: ServiceSpec): number {
  return s.group ? ((s.group.index + 1) | (STRATEGY_CODES[s.group.strategy] << 16) | (s.group.position << 24)) >>> 0 : 0;
}

/** BT_BINDS: bit k set when the service is restarted with its k-th required dependency. */
function binds(s: ServiceSpec): number {
  return (s.requires ?? []).reduce((m, d, k) => ((s.bindsTo ?? []).includes(d) && k < 32 ? (m | (1 << k)) >>> 0 : m), 0);
}

function writeGrant(u32: Put, at: number, g: BootGrant): void {
  u32(at + abi.GRANT_KIND, g.kind);
  u32(at + abi.GRANT_TARGET, g.target);
  u32(at + abi.GRANT_RIGHTS, g.rights);
  u32(at + abi.GRANT_LABEL, g.label);
}

function checkU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`boot table: ${what} is not a u32: ${v}`);
  return v;
}

// ---------------------------------------------------------------- decoding

export function decodeBootTable(bytes: Uint8Array): BootTable {
  const read = reader(bytes);
  if (read(abi.BT_MAGIC_OFF) !== abi.BT_MAGIC) {
    throw new Error(`boot table: bad magic 0x${read(abi.BT_MAGIC_OFF).toString(16)} (expected 0x${abi.BT_MAGIC.toString(16)})`);
  }
  const size = read(abi.BT_SIZE);
  if (size > bytes.byteLength) throw new Error(`boot table: the header says ${size} bytes but only ${bytes.byteLength} are present`);
  const n = read(abi.BT_COUNT);
  const services: BootService[] = [];
  for (let i = 0; i < n; i++) services.push(decodeService(bytes, read, abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES));
  const table = { size, version: read(abi.BT_ABI_VERSION), initModule: read(abi.BT_INIT_MODULE), flags: read(abi.BT_FLAGS), ...readHeaderValues(read), services };
  const qubits = read(abi.BT_QPU_QUBITS);
  if (qubits === 0) return table;
  const off = read(abi.BT_QPU_CAL_OFF), len = read(abi.BT_QPU_CAL_LEN);
  if (off + len > bytes.byteLength) throw new Error(`boot table: the QPU's calibration (${len} bytes at ${off}) lies past its end`);
  return { ...table, qpu: { qubits, calibration: bytes.slice(off, off + len) } };
}

type Read = (off: number) => number;

function reader(bytes: Uint8Array): Read {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (off) => {
    if (off < 0 || off + 4 > bytes.byteLength) {
      throw new Error(`boot table: read at byte ${off} past its end (${bytes.byteLength} bytes)`);
    }
    return view.getUint32(off, true);
  };
}

function decodeService(bytes: Uint8Array, read: Read, r: number): BootService {
  const span = (off: number, count: number, size: number): number => {
    if (off + count * size > bytes.byteLength) throw new Error(`boot table: an array of the record at byte ${r} lies past its end`);
    return count;
  };
  const words = (off: number, count: number): number[] =>
    Array.from({ length: span(off, count, 4) }, (_, k) => read(off + 4 * k));
  const text = (off: number, len: number, what: string): string => {
    if (off + len > bytes.byteLength) throw new Error(`boot table: ${what} of the record at byte ${r} lie${what === "name" ? "s" : ""} past its end`);
    return new TextDecoder().decode(bytes.subarray(off, off + len));
  };
  const l = readRecordLayout(read, r);
  const n = l.ndeps + l.nopt;
  const w = words(l.rangesOff, 2 * n);
  return {
    name: text(l.nameOff, l.nameLen, "name"),
    ...readRecordValues(read, r),
    tags: text(l.tagsOff, l.tagsLen, "the tags"),
    ranges: Array.from({ length: n }, (_, k) => ({ min: w[2 * k], max: w[2 * k + 1] })),
    deps: words(l.depsOff, l.ndeps),
    optional: words(l.optOff, l.nopt),
    grants: Array.from({ length: span(l.grantsOff, l.ngrants, abi.BT_GRANT_BYTES) }, (_, k) => {
      const g = l.grantsOff + k * abi.BT_GRANT_BYTES;
      return { kind: read(g + abi.GRANT_KIND), target: read(g + abi.GRANT_TARGET), rights: read(g + abi.GRANT_RIGHTS), label: read(g + abi.GRANT_LABEL) };
    }),
  };
}
