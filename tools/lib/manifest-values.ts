// The values a manifest's keys take (sizes, durations, rights, driver
// conditions) and the settings when a manifest gives none: what the parser
// (manifest.ts) checks against and what a reader of a built image
// (inspect.ts, the boot table's decoder) needs, kept apart from the parser
// so that `quark inspect` loads neither it nor the TOML reader.
import * as abi from "../../kernel/abi";
import * as keys from "./manifest-keys";
import * as proto from "../../userland/lib/proto/index";
import type { QpuServiceView } from "./manifest-qpu";

export const PAGE_BYTES = 64 * 1024;

export const U32_MAX = 0xffffffff;

export const RIGHTS: Record<string, number> = {
  call: abi.R_CALL, send: abi.R_SEND, grant: abi.R_GRANT, control: abi.R_CONTROL,
  signal: abi.R_SIGNAL, read: abi.R_READ, write: abi.R_WRITE,
};

/** The parsed defaults of a table's keys (abi/manifest.ts), by their fields. */
export function defaultsOf(table: Record<string, keys.KeySpec>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.values(table)) {
    if (!k.field || k.default === undefined) continue;
    out[k.field] = typeof k.default !== "string" ? k.default
      : k.type === "duration" ? parseDuration(k.default) : k.type === "size" ? parseMemory(k.default) : k.default;
  }
  return out;
}

/**
 * A service's settings when its manifest gives none: the defaults of
 * abi/manifest.ts, parsed. The boot-table encoder fills a spec from an image
 * built before a key existed with these.
 */
export function serviceDefaults(): Omit<keys.ServiceSettings, "interface"> {
  return defaultsOf(keys.SERVICE) as unknown as Omit<keys.ServiceSettings, "interface">;
}

/** The [image] settings when the manifest gives none. */
export function imageDefaults(): keys.ImageSettings {
  return defaultsOf(keys.IMAGE) as unknown as keys.ImageSettings;
}

export const MEMORY_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024 };
// Decimal and abbreviated spellings users reach for, and the unit they most likely mean.
const MEMORY_ALIASES: Record<string, string> = {
  b: "B", k: "KiB", K: "KiB", kb: "KiB", kB: "KiB", KB: "KiB", Ki: "KiB",
  m: "MiB", M: "MiB", mb: "MiB", MB: "MiB", Mi: "MiB",
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const DURATION_ALIASES: Record<string, string> = {
  msec: "ms", millis: "ms", milliseconds: "ms", sec: "s", secs: "s", second: "s", seconds: "s",
  min: "m", mins: "m", minute: "m", minutes: "m",
};

// Own properties only: a unit or right spelt "constructor" must not find Object.prototype.
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export interface Problem {
  message: string;
  hint: string;
}

/** Bytes for a size such as "256KiB", or what is wrong with it. */
export function parseMemory(text: string): number | Problem {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const shown = `"${text}"`;
  if (!m) {
    return { message: `invalid size ${shown}`, hint: 'write a whole number and a unit (B, KiB or MiB), e.g. "256KiB" or "1MiB"' };
  }
  const unit = m[2] === "" ? "B" : m[2];
  const scale = own(MEMORY_UNITS, unit);
  if (scale === undefined) {
    // Units are too short for edit distance: "GiB" is one letter from "KiB" and means neither.
    const near = own(MEMORY_ALIASES, unit) ?? Object.keys(MEMORY_UNITS).find((u) => u.toLowerCase() === unit.toLowerCase());
    const rest = "Units: B, KiB, MiB (powers of 1024)";
    return { message: `unknown unit "${m[2]}" in ${shown}`, hint: near ? `did you mean "${m[1]}${near}"? ${rest}` : rest };
  }
  if (m[1].includes(".")) {
    return { message: `${shown} is not a whole number`,
      hint: `use a smaller unit, e.g. "${Math.round(Number(m[1]) * scale / 1024)}KiB"` };
  }
  return checkMemoryBytes(Number(m[1]) * scale, shown);
}

/** Bytes for a size such as "16MiB", with no range of its own (the caller checks it). */
export function parseSize(text: string): number | Problem {
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(text.trim());
  const scale = m ? own(MEMORY_UNITS, m[2] === "" ? "B" : m[2]) : undefined;
  if (!m || scale === undefined) {
    return { message: `invalid size "${text}"`, hint: 'write a whole number and a unit (B, KiB or MiB), e.g. "16MiB"' };
  }
  return Number(m[1]) * scale;
}

export function checkMemoryBytes(bytes: number, shown: string): number | Problem {
  if (bytes < keys.SERVICE.memory.min || bytes > keys.SERVICE.memory.max) {
    return { message: `${shown} is out of range`, hint: "a service's memory must be between 64KiB and 256MiB" };
  }
  if (bytes % PAGE_BYTES !== 0) {
    const down = Math.floor(bytes / PAGE_BYTES) * PAGE_BYTES;
    const choices = down === 0 ? `"${formatSize(PAGE_BYTES)}"` : `"${formatSize(down)}" or "${formatSize(down + PAGE_BYTES)}"`;
    return { message: `${shown} is not a multiple of 64KiB (the WebAssembly page size)`, hint: `round it to ${choices}` };
  }
  return bytes;
}

export function formatSize(bytes: number): string {
  return bytes % MEMORY_UNITS.MiB === 0 ? `${bytes / MEMORY_UNITS.MiB}MiB` : `${bytes / 1024}KiB`;
}

/** Milliseconds for a duration such as "30s", or what is wrong with it. */
export function parseDuration(text: string): number | Problem {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const example = 'write a whole number and a unit (ms, s or m), e.g. "500ms", "30s" or "2m"';
  const shown = `"${text}"`;
  if (!m) return { message: `invalid duration ${shown}`, hint: example };
  const alias = own(DURATION_ALIASES, m[2]);
  if (alias) return { message: `unknown unit "${m[2]}" in ${shown}`, hint: `write "${m[1]}${alias}"; units: ms, s, m` };
  const scale = own(DURATION_UNITS, m[2]);
  if (scale === undefined) {
    return { message: m[2] ? `unknown unit "${m[2]}" in ${shown}` : `${shown} has no unit`, hint: example };
  }
  const ms = Number(m[1]) * scale;
  if (!Number.isInteger(ms)) return { message: `${shown} is not a whole number of milliseconds`, hint: example };
  if (ms > U32_MAX) return { message: `${shown} is too long`, hint: `at most ${U32_MAX}ms (about 49 days)` };
  return ms;
}

export const BIND_PROPERTIES: Record<string, number> = { id: proto.DEVP_ID, slot: proto.DEVP_SLOT, sectors: proto.DEVP_SECTORS };
export const BIND_OPS: Record<string, number> = { "==": proto.BIND_EQ, "!=": proto.BIND_NE, "<": proto.BIND_LT, ">=": proto.BIND_GE };

/** The service that plugs the image's QPU: the one granted the bus. */
export function qpuPlugger<T extends QpuServiceView>(services: T[]): T | undefined {
  return services.find((s) => s.caps.some((c) => c.kind === "device" && c.name === "bus"));
}
