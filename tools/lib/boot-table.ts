// The boot table: the binary form of a manifest that init reads through
// boot_read. Its layout is defined once, by the BT_* and GRANT_* constants of
// kernel/abi.ts: a header, one fixed-size record per service in manifest
// order, then the dependency arrays, the grant records and the names, each
// addressed by its byte offset from the start of the table. An empty array
// has offset 0.

import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import type { CapSpec, Manifest, RestartPolicy, ServiceSpec } from "./manifest";

export interface BootGrant {
  kind: number; // GRANT_*
  target: number; // service index for GRANT_SERVICE, device id for GRANT_DEVICE, 0 otherwise
  rights: number;
  label: number;
}

export interface BootService {
  name: string;
  label: number;
  module: number;
  memPages: number;
  restart: number; // RESTART_*
  maxRestarts: number;
  windowMs: number;
  delayMs: number;
  pageQuota: number;
  cpuBudget: number;
  backoff: number;
  delayMaxMs: number;
  stableMs: number;
  stopMs: number;
  disabled: number;
  binds: number;
  group: number;
  queueDepth: number;
  qubits: number;
  version: number;
  heartbeatMs: number;
  startTimeoutMs: number;
  ready: number; // READY_*
  instances: number;
  ranges: { min: number; max: number }[]; // per required, then per optional dependency
  tags: string;
  iface: number;
  registrations: number; // registry entries it may add besides its manifest entry
  deps: number[];
  optional: number[];
  grants: BootGrant[];
}

export interface BootTable {
  size: number; // bytes, as the header records it
  version: number;
  initModule: number;
  flags: number;
  ramFrames: number; // 4 KiB frames of kernel-managed memory
  healthMs: number; // init's health-check interval
  services: BootService[];
}

const RESTART_CODES: Record<RestartPolicy, number> = {
  never: abi.RESTART_NEVER,
  "on-failure": abi.RESTART_ON_FAILURE,
  always: abi.RESTART_ALWAYS,
};
const GROUP_CODES: Record<string, number> = {
  "one-for-one": abi.GROUP_ONE_FOR_ONE, "one-for-all": abi.GROUP_ONE_FOR_ALL, "rest-for-one": abi.GROUP_REST_FOR_ONE,
};
const BACKOFF_CODES: Record<string, number> = {
  none: abi.BACKOFF_NONE, fixed: abi.BACKOFF_FIXED, linear: abi.BACKOFF_LINEAR, exponential: abi.BACKOFF_EXPONENTIAL,
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`; unsigned. */
export function fnv1a(s: string): number {
  let h = FNV_OFFSET;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, FNV_PRIME);
  return h >>> 0;
}

// ---------------------------------------------------------------- encoding

interface Layout {
  deps: number[];
  optional: number[];
  grants: number[];
  ranges: number[];
  tags: number[];
  names: number[];
  size: number;
}

export function encodeBootTable(m: Manifest, moduleIndex: (serviceName: string) => number, initModule: number): Uint8Array {
  const services = expandInstances(m.services);
  const index = new Map(services.map((s, i) => [s.name, i]));
  const rows = services.map((s) => resolveService(s, index, moduleIndex));
  const layout = planLayout(rows);
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  const u32 = (off: number, v: number): void => view.setUint32(off, checkU32(v, `field at byte ${off}`), true);
  writeHeader(u32, rows.length, checkU32(initModule, "init module index"), layout.size, m.ramFrames ?? abi.DEFAULT_RAM_FRAMES);
  u32(abi.BT_HEALTH_MS, m.healthMs ?? abi.DEFAULT_HEALTH_MS);
  rows.forEach((row, i) => writeService(u32, bytes, row, i, layout));
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
    grants: s.caps.map((c) => ({ ...grantTarget(c, s.name, at), rights: c.rights, label: c.label })),
  };
}

function grantTarget(c: CapSpec, holder: string, at: (name: string) => number): { kind: number; target: number } {
  if (c.kind === "console") return { kind: abi.GRANT_CONSOLE, target: 0 };
  if (c.kind === "init") return { kind: abi.GRANT_INIT, target: 0 };
  if (c.kind === "service") return { kind: abi.GRANT_SERVICE, target: at(c.name) };
  if (c.device === undefined) throw new Error(`boot table: device capability "${c.name}" of service "${holder}" has no device id`);
  return { kind: abi.GRANT_DEVICE, target: c.device };
}

function planLayout(rows: Row[]): Layout {
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
  return { deps, optional, grants, ranges, tags, names, size: (off + 3) & ~3 };
}

type Put = (off: number, v: number) => void;

function writeHeader(u32: Put, nservices: number, initModule: number, size: number, ramFrames: number): void {
  u32(abi.BT_MAGIC_OFF, abi.BT_MAGIC);
  u32(abi.BT_ABI_VERSION, abi.ABI_VERSION);
  u32(abi.BT_COUNT, nservices);
  u32(abi.BT_INIT_MODULE, initModule);
  u32(abi.BT_FLAGS, 0);
  u32(abi.BT_SIZE, size);
  u32(abi.BT_RAM_FRAMES, ramFrames);
}

function writeService(u32: Put, bytes: Uint8Array, row: Row, i: number, layout: Layout): void {
  const r = abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES;
  const s = row.spec;
  u32(r + abi.BT_NAME_OFF, layout.names[i]);
  u32(r + abi.BT_NAME_LEN, row.name.length);
  u32(r + abi.BT_MODULE, row.module);
  u32(r + abi.BT_MEM_PAGES, s.memoryPages);
  u32(r + abi.BT_RESTART, RESTART_CODES[s.restart]);
  u32(r + abi.BT_MAX_RESTARTS, s.maxRestarts);
  u32(r + abi.BT_WINDOW_MS, s.restartWindowMs);
  u32(r + abi.BT_DELAY_MS, s.restartDelayMs);
  u32(r + abi.BT_PAGE_QUOTA, s.pageQuota ?? abi.DEFAULT_PAGE_QUOTA);
  u32(r + abi.BT_CPU_BUDGET, s.cpuBudget ?? abi.DEFAULT_CPU_BUDGET);
  u32(r + abi.BT_BACKOFF, BACKOFF_CODES[s.restartBackoff ?? "fixed"]);
  u32(r + abi.BT_DELAY_MAX_MS, s.restartDelayMaxMs ?? 30_000);
  u32(r + abi.BT_STABLE_MS, s.stableAfterMs ?? 10_000);
  u32(r + abi.BT_STOP_MS, s.stopTimeoutMs ?? 1000);
  u32(r + abi.BT_DISABLED, s.enabled === false ? 1 : 0);
  u32(r + abi.BT_QUEUE_DEPTH, s.queueDepth ?? abi.QUEUE_DEPTH);
  u32(r + abi.BT_QUBITS, s.qubits ?? 0);
  u32(r + abi.BT_VERSION, s.version ?? 0);
  u32(r + abi.BT_HEARTBEAT_MS, s.heartbeatMs ?? 0);
  u32(r + abi.BT_START_TIMEOUT_MS, s.startTimeoutMs ?? 10_000);
  u32(r + abi.BT_READY, s.ready === "notify" ? abi.READY_NOTIFY : abi.READY_STARTED);
  u32(r + abi.BT_INSTANCES, s.instances ?? 1);
  u32(r + abi.BT_RANGES_OFF, layout.ranges[i]);
  u32(r + abi.BT_TAGS_OFF, layout.tags[i]);
  u32(r + abi.BT_TAGS_LEN, row.tags.length);
  u32(r + abi.BT_IFACE, fnv1a(s.interface ?? s.name));
  u32(r + abi.BT_REGISTRATIONS, s.registrations ?? abi.DEFAULT_REGISTRATIONS);
  bytes.set(row.tags, layout.tags[i]);
  row.ranges.forEach((g, k) => { u32(layout.ranges[i] + 8 * k, g.min); u32(layout.ranges[i] + 8 * k + 4, g.max); });
  u32(r + abi.BT_GROUP, s.group ? ((s.group.index + 1) | (GROUP_CODES[s.group.strategy] << 16) | (s.group.position << 24)) >>> 0 : 0);
  u32(r + abi.BT_BINDS, (s.requires ?? []).reduce((m, d, k) => ((s.bindsTo ?? []).includes(d) && k < 32 ? (m | (1 << k)) >>> 0 : m), 0));
  u32(r + abi.BT_LABEL, fnv1a(s.name));
  u32(r + abi.BT_NDEPS, row.deps.length);
  u32(r + abi.BT_DEPS_OFF, layout.deps[i]);
  u32(r + abi.BT_NOPT, row.optional.length);
  u32(r + abi.BT_OPT_OFF, layout.optional[i]);
  u32(r + abi.BT_NGRANTS, row.grants.length);
  u32(r + abi.BT_GRANTS_OFF, layout.grants[i]);
  row.deps.forEach((d, k) => u32(layout.deps[i] + 4 * k, d));
  row.optional.forEach((d, k) => u32(layout.optional[i] + 4 * k, d));
  row.grants.forEach((g, k) => writeGrant(u32, layout.grants[i] + k * abi.BT_GRANT_BYTES, g));
  bytes.set(row.name, layout.names[i]);
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
  return { size, version: read(abi.BT_ABI_VERSION), initModule: read(abi.BT_INIT_MODULE), flags: read(abi.BT_FLAGS), ramFrames: read(abi.BT_RAM_FRAMES), healthMs: read(abi.BT_HEALTH_MS), services };
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
  const field = (f: number): number => read(r + f);
  const span = (off: number, count: number, size: number): number => {
    if (off + count * size > bytes.byteLength) throw new Error(`boot table: an array of the record at byte ${r} lies past its end`);
    return count;
  };
  const words = (off: number, count: number): number[] =>
    Array.from({ length: span(off, count, 4) }, (_, k) => read(off + 4 * k));
  const nameOff = field(abi.BT_NAME_OFF);
  const nameLen = field(abi.BT_NAME_LEN);
  if (nameOff + nameLen > bytes.byteLength) throw new Error(`boot table: name of the record at byte ${r} lies past its end`);
  const grantsOff = field(abi.BT_GRANTS_OFF);
  return {
    name: new TextDecoder().decode(bytes.subarray(nameOff, nameOff + nameLen)),
    label: field(abi.BT_LABEL),
    module: field(abi.BT_MODULE),
    memPages: field(abi.BT_MEM_PAGES),
    restart: field(abi.BT_RESTART),
    maxRestarts: field(abi.BT_MAX_RESTARTS),
    windowMs: field(abi.BT_WINDOW_MS),
    delayMs: field(abi.BT_DELAY_MS),
    pageQuota: field(abi.BT_PAGE_QUOTA),
    cpuBudget: field(abi.BT_CPU_BUDGET),
    backoff: field(abi.BT_BACKOFF),
    delayMaxMs: field(abi.BT_DELAY_MAX_MS),
    stableMs: field(abi.BT_STABLE_MS),
    stopMs: field(abi.BT_STOP_MS),
    disabled: field(abi.BT_DISABLED),
    binds: field(abi.BT_BINDS),
    group: field(abi.BT_GROUP),
    queueDepth: field(abi.BT_QUEUE_DEPTH),
    qubits: field(abi.BT_QUBITS),
    version: field(abi.BT_VERSION),
    heartbeatMs: field(abi.BT_HEARTBEAT_MS),
    startTimeoutMs: field(abi.BT_START_TIMEOUT_MS),
    ready: field(abi.BT_READY),
    instances: field(abi.BT_INSTANCES),
    tags: (() => {
      const off = field(abi.BT_TAGS_OFF), len = field(abi.BT_TAGS_LEN);
      if (off + len > bytes.byteLength) throw new Error(`boot table: the tags of the record at byte ${r} lie past its end`);
      return new TextDecoder().decode(bytes.subarray(off, off + len));
    })(),
    iface: field(abi.BT_IFACE),
    registrations: field(abi.BT_REGISTRATIONS),
    ranges: (() => {
      const n = field(abi.BT_NDEPS) + field(abi.BT_NOPT);
      const w = words(field(abi.BT_RANGES_OFF), 2 * n);
      return Array.from({ length: n }, (_, k) => ({ min: w[2 * k], max: w[2 * k + 1] }));
    })(),
    deps: words(field(abi.BT_DEPS_OFF), field(abi.BT_NDEPS)),
    optional: words(field(abi.BT_OPT_OFF), field(abi.BT_NOPT)),
    grants: Array.from({ length: span(grantsOff, field(abi.BT_NGRANTS), abi.BT_GRANT_BYTES) }, (_, k) => {
      const g = grantsOff + k * abi.BT_GRANT_BYTES;
      return { kind: read(g + abi.GRANT_KIND), target: read(g + abi.GRANT_TARGET), rights: read(g + abi.GRANT_RIGHTS), label: read(g + abi.GRANT_LABEL) };
    }),
  };
}
