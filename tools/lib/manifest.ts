// The image manifest: reads a TOML description of a bootable image, checks
// everything a build relies on, and reports every problem at once with its
// file:line:col and a way to fix it.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import * as abi from "../../kernel/abi";
import { fnv1a } from "./fnv1a";
import * as keys from "./manifest-keys";
// The values a manifest's keys take, and their defaults, kept apart so that inspect reads them without this parser.
import {
  PAGE_BYTES, RIGHTS, BIND_PROPERTIES, BIND_OPS, serviceDefaults, imageDefaults, own,
  parseMemory, parseSize, parseDuration, checkMemoryBytes,
} from "./manifest-values";
import { DEVICES, STATIC_DEVICES, PLUGGABLE_MODELS, BUS } from "./devices";
import * as proto from "../../userland/lib/proto/index";
import { repoRoot } from "./root";
import { checkQpuServices, qpuSection, QPU_KEYS, type QpuSpec } from "./manifest-qpu";
import { parseConstraint, parseVersion, formatVersion, satisfies, type Range } from "./versions";
import {
  describeKind, parseTomlPartial,
  type Position, type TomlArray, type TomlEntry, type TomlNode, type TomlString, type TomlTable,
} from "./toml";

// ---------------------------------------------------------------- types

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  hint: string;
}

export type RestartPolicy = keys.Restart;
export type Backoff = keys.RestartBackoff;

export type CapKind = "service" | "console" | "device" | "init";

export interface CapSpec {
  name: string; // "console", a device of DEVICES, or a service of the image
  kind: CapKind;
  rights: number; // R_* bits
  label: number; // fnv1a(name): how the holder finds it with cap_find
  device?: number; // DEV_* id, for kind "device"
}

/** A device whose interrupt line the service drives (`interrupts`): a K_IRQ capability, found by `DEVICE.irq`. */
export interface IrqSpec {
  device: string;
  line: number; // the line l (bit 1 << l of the interrupt controller)
  label: number; // fnv1a(`${device}.irq`)
}

/**
 * A service as the manifest gives it. The settings the boot table carries
 * (ServiceSettings) are generated from abi/manifest.ts; the rest are the
 * references and lists the build resolves.
 */
export interface ServiceSpec extends keys.ServiceSettings {
  name: string;
  line: number;
  module: string; // absolute path of the module directory or .ts file
  entry: string; // absolute path of the entry .ts file
  description?: string;
  memoryPages: number; // 64 KiB pages
  tags: string[]; // registry tags
  ranges: Record<string, Range>; // version constraints on its dependencies, by name
  requires: string[];
  bindsTo: string[]; // requires it is restarted with
  group?: { index: number; strategy: Strategy; position: number }; // its supervision group
  wants: string[]; // as written, including names absent from the image
  caps: CapSpec[];
  interrupts?: IrqSpec[]; // the lines it drives (none when absent)
  driver?: DriverSpec; // the devices it drives, bound by the device manager (none when absent)
}

/** driver = "block" with driver_match: a bind rule the device manager reads from init (GRANT_DRIVER, GRANT_MATCH). */
export interface DriverSpec {
  type: number; // DEV_TYPE_*
  match: { property: number; op: number; value: number }[]; // DEVP_*, BIND_*, the value
}

/** An image as the manifest gives it; its [image] settings (ImageSettings) are generated from abi/manifest.ts. */
export interface Manifest extends keys.ImageSettings {
  file: string; // as given by the caller
  dir: string; // absolute
  name: string;
  description?: string;
  init: { module: string; entry: string }; // absolute
  services: ServiceSpec[];
  qpu?: QpuSpec; // [qpu]: the image's QPU (none when absent)
  warnings: Diagnostic[];
}

export interface ManifestOptions {
  root?: string; // the repository root, for the default init module
}

export class ManifestError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(formatDiagnostics(diagnostics));
    this.name = "ManifestError";
  }
}

// ---------------------------------------------------------------- vocabulary

// pid 0 is the kernel and pid 1 is init.
export const MAX_SERVICES = abi.MAX_PROCS - 2;

// Keys, types, defaults and ranges: abi/manifest.ts, through the generated manifest-keys.ts.
const TOP_KEYS = ["image", "init", "service", "group", "qpu"];
const { GROUP_KEYS, IMAGE_KEYS, INIT_KEYS, SERVICE_KEYS } = keys;
export { IMAGE_KEYS, SERVICE_KEYS };
const STRATEGIES: readonly string[] = keys.STRATEGY_VALUES;
export type Strategy = keys.Strategy;
const POLICIES: readonly string[] = keys.RESTART_VALUES;
const S = keys.SERVICE;

const IMAGE_NAME = /^[a-z][a-z0-9-]*$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const CONSOLE = "console";
const INIT = "init"; // in caps: init's endpoint, for its control protocol (svc start, stop, ...)
// HAL devices a service can be granted by name (a K_DEVICE capability on the
// device's register window): generated from abi/hal.ts.
export { DEVICES };
const DEVICE_NAMES = Object.keys(DEVICES);

// The rights each kind of object can use; anything else would be dead weight
// in the holder's capability and most likely a typo for something else.
const RIGHTS_FOR = {
  // control: the service's admin right. The kernel leaves it out of the
  // endpoint; the service reads it from init's records (TAG_INIT_CAPS).
  service: { allowed: ["call", "send", "grant", "control"], defaults: abi.R_CALL | abi.R_SEND, what: "a service endpoint" },
  console: { allowed: ["read", "write"], defaults: abi.R_WRITE, what: "the console" },
  device: { allowed: ["read", "write"], defaults: abi.R_READ | abi.R_WRITE, what: "a device" },
  init: { allowed: ["call", "send"], defaults: abi.R_CALL, what: "init (the service manager)" },
};

/** What a capability name in `caps` refers to: the console, a HAL device, or else a service. */
export function capKind(name: string): CapKind {
  if (name === CONSOLE) return "console";
  if (name === INIT) return "init";
  return own(DEVICES, name) !== undefined ? "device" : "service";
}

// ---------------------------------------------------------------- entry points

export function parseManifest(path: string, opts: ManifestOptions = {}): Manifest {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ManifestError([{
      file: path, line: 1, col: 1, message: `cannot read the manifest: ${(e as Error).message}`,
      hint: "check the path; it is relative to the current directory",
    }]);
  }
  return parseManifestText(decodeUtf8(bytes, path), path, opts);
}

// TOML is UTF-8; a lenient decoder would turn a bad byte into U+FFFD silently.
function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstBadByte(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, at)).split("\n");
    throw new ManifestError([{
      file, line: before.length, col: [...before[before.length - 1]].length + 1,
      message: "the manifest is not valid UTF-8", hint: "save the file as UTF-8",
    }]);
  }
}

// Where the first undecodable character starts. Streaming mode lets a prefix
// end inside a character, so every prefix of a decodable prefix decodes too:
// search for the longest, then step back to the start of the character that
// the next byte breaks.
function firstBadByte(bytes: Uint8Array): number {
  const decodes = (end: number, stream: boolean): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (decodes(mid, true)) lo = mid;
    else hi = mid - 1;
  }
  while (lo > 0 && !decodes(lo, false)) lo--;
  return lo;
}

export function parseManifestText(text: string, path: string, opts: ManifestOptions = {}): Manifest {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const report = new Report(path, src);
  const doc = parseDocument(src, report);
  if (!doc) throw new ManifestError(sortByPosition(report.errors));
  const m = validate(doc, report, resolve(dirname(path)), opts.root ?? repoRoot());
  if (report.errors.length > 0) throw new ManifestError(sortByPosition(report.errors));
  m.warnings = sortByPosition(report.warnings);
  return m;
}

/** One block per diagnostic: `file:line:col: error: message` and an indented hint. */
export function formatDiagnostics(diags: Diagnostic[], severity: "error" | "warning" = "error"): string {
  return diags.map((d) => {
    const head = `${d.file}:${d.line}:${d.col}: ${severity}: ${d.message}`;
    return d.hint ? `${head}\n  hint: ${d.hint.replace(/\n/g, "\n        ")}` : head;
  }).join("\n");
}

/**
 * Groups of services that may start together: each group's required
 * dependencies all lie in earlier groups. Manifest order within a group.
 */
export function startOrder(m: Manifest): string[][] {
  const started = new Set<string>();
  const groups: string[][] = [];
  let waiting = m.services;
  while (waiting.length > 0) {
    const ready = waiting.filter((s) => s.requires.every((d) => started.has(d)));
    if (ready.length === 0) {
      throw new Error(`dependency cycle among ${waiting.map((s) => s.name).join(", ")}`);
    }
    for (const s of ready) started.add(s.name);
    groups.push(ready.map((s) => s.name));
    waiting = waiting.filter((s) => !started.has(s.name));
  }
  return groups;
}

/** The candidate closest to `word` if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  let best: string | undefined;
  let bestRank = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    // On a tie, a candidate with the same first letter is the likelier intent.
    const rank = d + (c[0]?.toLowerCase() === w[0] ? 0 : 0.5);
    if (d <= limit && rank < bestRank) [best, bestRank] = [c, rank];
  }
  return best;
}

// ---------------------------------------------------------------- reporting

class Report {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  private readonly lines: string[];

  constructor(readonly file: string, src: string) {
    this.lines = src.split("\n");
  }

  error(at: Position, message: string, hint: string): void {
    this.errors.push({ file: this.file, line: at.line, col: at.col, message, hint });
  }

  warn(at: Position, message: string, hint: string): void {
    this.warnings.push({ file: this.file, line: at.line, col: at.col, message, hint });
  }

  /**
   * The position of the `offset`-th character inside a string value, when the
   * source spells it without escapes; otherwise the string's own position.
   */
  inside(node: TomlString, offset: number): Position {
    const line = [...(this.lines[node.line - 1] ?? "")];
    const raw = line.slice(node.col, node.col + [...node.value].length).join("");
    return raw === node.value ? { line: node.line, col: node.col + 1 + offset } : node;
  }
}

function sortByPosition(diags: Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => a.line - b.line || a.col - b.col);
}

// The tree, unless a syntax error made the parser skip part of the file: then
// checking the rest would report things missing that are merely unreadable.
function parseDocument(src: string, report: Report): TomlTable | undefined {
  const { root, errors, complete } = parseTomlPartial(src);
  for (const err of errors) report.error({ line: err.line, col: err.column }, err.message, err.hint);
  return complete ? root : undefined;
}

// ---------------------------------------------------------------- the document

interface Context {
  report: Report;
  dir: string; // the manifest's directory
  names: string[]; // every service declared, valid name or not
  ranges: Map<string, Record<string, Range & { at: TomlString }>>; // per service: its dependencies' version constraints
  lines: Map<number, string>; // interrupt line -> the service that drives it
  uart: Map<string, TomlString>; // service -> its caps entry naming the UART
}

function validate(doc: TomlTable, report: Report, dir: string, root: string): Manifest {
  checkKeys(doc, TOP_KEYS, "at the top level", "Valid top-level tables", report, true);
  const image = imageSection(doc, report);
  const init = initSection(doc, report, dir, root);
  const entries = serviceEntries(doc, report);
  const ctx: Context = { report, dir, names: entries.map((e) => e.key).filter((n) => n !== "init"), ranges: new Map(), lines: new Map(), uart: new Map() };
  const services: ServiceSpec[] = [];
  for (const e of entries) {
    const spec = serviceSpec(e, ctx);
    if (spec) services.push(spec);
  }
  reportCycles(entries, ctx);
  checkVersions(services, ctx);
  checkProcesses(services, entries, ctx);
  checkRegistry(services, entries, ctx);
  supervisionGroups(doc, services, ctx);
  const qpu = qpuSection(doc.entries.get("qpu"), dir, report, (t) => checkKeys(t, QPU_KEYS, "in [qpu]", "Valid keys", report));
  if (qpu) checkQpuServices(qpu, services, abi.DEV_TYPE_QPU, report);
  return {
    file: report.file, dir, name: image.name, description: image.description,
    ...imageDefaults(), ...image.settings, init, services, warnings: [], ...(qpu ? { qpu } : {}),
  };
}

/** [group.NAME] tables: strategy and members; each service in at most one group. */
function supervisionGroups(doc: TomlTable, services: ServiceSpec[], ctx: Context): void {
  const entry = doc.entries.get("group");
  if (!entry) return;
  const groups = expectTable(entry, "[group]", '[group.web] with strategy = "one-for-all" and services = ["a", "b"]', ctx.report);
  if (!groups) return;
  let index = 0;
  for (const [name, g] of groups.entries) {
    const t = expectTable(g, `[group.${name}]`, 'strategy = "one-for-all" and services = ["a", "b"]', ctx.report);
    if (!t) continue;
    checkKeys(t, GROUP_KEYS, `in [group.${name}]`, "Valid keys", ctx.report);
    const st = t.entries.get("strategy");
    let strategy: Strategy = keys.GROUP.strategy.default;
    if (st) {
      const v = expectString(st, `strategy of group "${name}"`, 'strategy = "one-for-all"', ctx.report);
      if (v && STRATEGIES.includes(v.value)) strategy = v.value as Strategy;
      else if (v) ctx.report.error(v, `invalid strategy "${v.value}" for group "${name}"`, didYouMean(v.value, STRATEGIES, `Strategies: ${STRATEGIES.join(", ")}`));
    }
    const members = stringList(t, "services", `group "${name}"`, '["a", "b"]', ctx.report);
    members.forEach((m, position) => {
      const spec = services.find((s) => s.name === m.value);
      if (!spec) { ctx.report.error(m, `group "${name}" names "${m.value}", which is not a service of this image`, servicesHint(m.value, ctx)); return; }
      if (spec.group) { ctx.report.error(m, `service "${m.value}" is in two supervision groups`, "a service belongs to one group at most; remove it from one"); return; }
      spec.group = { index, strategy, position };
    });
    index++;
  }
}

function checkKeys(table: TomlTable, allowed: string[], where: string, listName: string, report: Report, topLevel = false): void {
  for (const [key, entry] of table.entries) {
    if (allowed.includes(key)) continue;
    const what = entry.value.kind === "table" && topLevel ? `table [${key}]` : `key "${key}"`;
    report.error(entry, `unknown ${what} ${where}`, didYouMean(key, allowed, `${listName}: ${allowed.join(", ")}`));
  }
}

// Whether an unknown key of `table` looks like a misspelling of `key`, whose
// absence is then already explained by the unknown-key error.
function misspelt(table: TomlTable, allowed: string[], key: string): boolean {
  return [...table.entries.keys()].some((k) => !allowed.includes(k) && suggest(k, allowed) === key);
}

function didYouMean(word: string, candidates: readonly string[], rest: string): string {
  const s = suggest(word, candidates);
  return s ? `did you mean "${s}"? ${rest}` : rest;
}

function imageSection(doc: TomlTable, report: Report): { name: string; description?: string; settings?: keys.ImageSettings } {
  const example = exampleImageName(report.file);
  const entry = doc.entries.get("image");
  if (!entry) {
    if (misspelt(doc, TOP_KEYS, "image")) return { name: "" };
    report.error({ line: 1, col: 1 }, "missing [image] table",
      `start the manifest with [image] and name = "${example}"`);
    return { name: "" };
  }
  const t = expectTable(entry, "[image]", `[image] with name = "${example}"`, report);
  if (!t) return { name: "" };
  checkKeys(t, IMAGE_KEYS, "in [image]", "Valid keys", report);
  const description = optionalString(t, "description", "description in [image]", report);
  const nameEntry = t.entries.get("name");
  if (!nameEntry) {
    if (!misspelt(t, IMAGE_KEYS, "name")) {
      report.error(entry, "missing name in [image]",
        `add name = "${example}" (a lowercase letter, then lowercase letters, digits or -)`);
    }
    return { name: "", description };
  }
  const name = expectString(nameEntry, "name in [image]", `name = "${example}"`, report);
  if (name && !IMAGE_NAME.test(name.value)) {
    report.error(name, `invalid image name "${name.value}"`,
      `an image name is a lowercase letter, then lowercase letters, digits or -, e.g. "${example}"`);
  }
  const settings = {
    ramFrames: ramFrames(t, report),
    // Every integer and duration key of [image] that no function here checks by itself.
    ...keys.readImageNumbers((k) => integerSetting(t, k, "[image]", report), (k) => durationSetting(t, k, "[image]", report)),
  };
  return { name: name?.value ?? "", description, settings };
}

function exampleImageName(file: string): string {
  const base = basename(file).replace(/\.toml$/, "");
  return IMAGE_NAME.test(base) ? base : "default";
}

function initSection(doc: TomlTable, report: Report, dir: string, root: string): { module: string; entry: string } {
  const fallback = join(root, "userland", "init");
  const entry = doc.entries.get("init");
  const t = entry && expectTable(entry, "[init]", '[init] with module = "../userland/init"', report);
  const moduleEntry = t?.entries.get("module");
  if (t) checkKeys(t, INIT_KEYS, "in [init]", "Valid keys", report);
  if (!moduleEntry) return defaultInit(fallback, report);
  const spec = expectString(moduleEntry, "module in [init]", 'module = "../userland/init"', report);
  const resolved = spec && resolveModule(spec, dir, report);
  return resolved ?? { module: fallback, entry: join(fallback, "index.ts") };
}

function defaultInit(module: string, report: Report): { module: string; entry: string } {
  const found = locateModule(module);
  if ("problem" in found) {
    report.error({ line: 1, col: 1 }, `the default init module ${module} is unusable: ${found.problem}`,
      'point [init] module = "..." at init\'s directory, relative to the manifest');
    return { module, entry: join(module, "index.ts") };
  }
  return { module, entry: found.entry };
}

function serviceEntries(doc: TomlTable, report: Report): TomlEntry[] {
  const entry = doc.entries.get("service");
  if (!entry) {
    if (misspelt(doc, TOP_KEYS, "service")) return [];
    report.error({ line: 1, col: 1 }, "the image has no services",
      'add at least one, e.g. [service.log] with module = "../userland/log"');
    return [];
  }
  const t = expectTable(entry, "service", "[service.NAME] tables, e.g. [service.log]", report);
  if (!t) return [];
  const services: TomlEntry[] = [];
  for (const e of t.entries.values()) {
    if (e.value.kind === "table") services.push(e);
    else report.error(e, `"${e.key}" under [service] is not a service table`, SERVICE_KEYS.includes(e.key)
      ? `service keys go inside a service's own table, e.g. [service.log] then ${e.key} = ...`
      : `declare each service as a table: [service.${e.key}]`);
  }
  if (t.entries.size === 0) {
    report.error(entry, "the image has no services", 'add at least one, e.g. [service.log] with module = "../userland/log"');
  }
  if (services.length > MAX_SERVICES) {
    report.error(services[MAX_SERVICES], `too many services: ${services.length}`,
      `an image holds at most ${MAX_SERVICES} services (MAX_PROCS = ${abi.MAX_PROCS}, less the kernel and init)`);
  }
  return services;
}

// ---------------------------------------------------------------- one service

function serviceSpec(entry: TomlEntry, ctx: Context): ServiceSpec | undefined {
  const name = entry.key;
  if (!checkServiceName(entry, ctx.report)) return undefined;
  const t = entry.value as TomlTable;
  const where = `service "${name}"`;
  checkKeys(t, SERVICE_KEYS, `in [service.${name}]`, "Valid keys", ctx.report);
  const mod = serviceModule(t, entry, ctx);
  const memoryBytes = memorySetting(t, where, ctx.report);
  const restart = restartPolicy(t, where, ctx.report);
  const spec: ServiceSpec = {
    name, line: entry.line, module: mod.module, entry: mod.entry,
    description: optionalString(t, "description", `description of ${where}`, ctx.report),
    memoryBytes, memoryPages: memoryBytes / PAGE_BYTES, restart,
    maxRestarts: maxRestarts(t, restart, where, ctx.report),
    // Every integer and duration key of abi/manifest.ts that no function here checks by itself.
    ...keys.readServiceNumbers((k) => integerSetting(t, k, where, ctx.report), (k) => durationSetting(t, k, where, ctx.report)),
    pageQuota: pagesSetting(t, S.page_quota, where, 'page_quota = "4MiB"', ctx.report),
    cpuBudget: cpuBudget(t, where, ctx.report),
    restartBackoff: backoff(t, where, ctx.report),
    enabled: enabledSetting(t, where, ctx.report),
    version: versionSetting(t, where, ctx.report),
    tags: tagList(t, where, ctx.report),
    interface: optionalString(t, "interface", `interface of ${where}`, ctx.report) ?? name,
    ready: readySetting(t, where, ctx.report),
    ranges: {},
    requires: dependencies(t, "requires", name, ctx),
    bindsTo: [],
    wants: [],
    caps: capabilities(t, name, ctx),
  };
  spec.ranges = ctx.ranges.get(name) ?? {};
  const lines = interruptLines(t, spec, ctx);
  if (lines.length > 0) spec.interrupts = lines;
  uartOnlyWithItsLine(spec, ctx);
  const driver = driverRule(t, spec, ctx.report);
  if (driver) spec.driver = driver;
  warnRestartStorm(t, spec, ctx.report);
  spec.wants = optionalDependencies(t, name, spec.requires, ctx);
  spec.bindsTo = bindings(t, name, spec.requires, ctx);
  return spec;
}

function checkServiceName(entry: TomlEntry, report: Report): boolean {
  const name = entry.key;
  if (name === "init") {
    report.error(entry, "init is implicit: it cannot be declared as [service.init]",
      'remove [service.init]; to use another init module, write [init] with module = "..."');
    return false;
  }
  if (name === CONSOLE) {
    report.error(entry, `service name "${CONSOLE}" is reserved`,
      `in caps, "${CONSOLE}" names the console device; choose another name`);
    return false;
  }
  if (capKind(name) === "device") {
    report.error(entry, `service name "${name}" is reserved`,
      `in caps, "${name}" names the ${name} device; choose another name`);
    return false;
  }
  if (!SERVICE_NAME.test(name)) {
    const lower = name.toLowerCase();
    const fix = SERVICE_NAME.test(lower) ? `, e.g. "${lower}"` : "";
    report.error(entry, `invalid service name "${name}"`,
      `a service name is 1 to 32 characters: a lowercase letter, then lowercase letters, digits or -${fix}`);
  }
  return true;
}

function serviceModule(t: TomlTable, svc: TomlEntry, ctx: Context): { module: string; entry: string } {
  const e = t.entries.get("module");
  const none = { module: "", entry: "" };
  if (!e) {
    if (misspelt(t, SERVICE_KEYS, "module")) return none;
    ctx.report.error(svc, `service "${svc.key}" has no module`,
      `add module = "../userland/${svc.key}" (a directory holding index.ts, or a .ts file, relative to ${ctx.dir})`);
    return none;
  }
  const spec = expectString(e, `module of service "${svc.key}"`, `module = "../userland/${svc.key}"`, ctx.report);
  return (spec && resolveModule(spec, ctx.dir, ctx.report)) ?? none;
}

function resolveModule(spec: TomlString, dir: string, report: Report): { module: string; entry: string } | undefined {
  if (spec.value === "") {
    report.error(spec, "module is empty", "name a directory holding index.ts, or a .ts file");
    return undefined;
  }
  const module = resolve(dir, spec.value);
  const found = locateModule(module);
  if ("problem" in found) {
    report.error(spec, `module "${spec.value}" ${found.problem}`, moduleHint(spec.value, module, dir));
    return undefined;
  }
  return { module, entry: found.entry };
}

function locateModule(module: string): { entry: string } | { problem: string } {
  if (!existsSync(module)) return { problem: `not found: ${module} does not exist` };
  if (statSync(module).isDirectory()) {
    const entry = join(module, "index.ts");
    return existsSync(entry) ? { entry } : { problem: `has no entry: ${entry} does not exist` };
  }
  return module.endsWith(".ts") ? { entry: module } : { problem: `is not a .ts file: ${module}` };
}

function moduleHint(spec: string, module: string, dir: string): string {
  const rest = `module paths are relative to the manifest's directory, ${dir}; a module is a directory holding index.ts, or a .ts file`;
  const parent = dirname(module);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) return rest;
  const near = suggest(basename(module), readdirSync(parent));
  if (!near || near === basename(module)) return rest;
  const cut = spec.replace(/\/+$/, "").lastIndexOf("/");
  return `did you mean "${cut < 0 ? near : spec.slice(0, cut + 1) + near}"? ${rest}`;
}

// ---------------------------------------------------------------- settings

const FRAME_BYTES = abi.PAGE_SIZE;

/** A count of 4 KiB pages given as an integer, or as a size ("4MiB"); what is wrong, or the count. */
function pagesOf(v: TomlNode, what: string, example: string, min: number, max: number, report: Report): number | undefined {
  let pages: number;
  if (v.kind === "integer") pages = v.value;
  else if (v.kind === "string") {
    const bytes = parseSize(v.value);
    if (typeof bytes !== "number") { report.error(v, `${what}: ${bytes.message}`, bytes.hint); return undefined; }
    if (bytes % FRAME_BYTES !== 0) {
      report.error(v, `${what} must be a whole number of 4 KiB pages, found "${v.value}"`, `e.g. ${example}`);
      return undefined;
    }
    pages = bytes / FRAME_BYTES;
  } else {
    report.error(v, `${what} must be a size such as "4MiB" or a number of 4 KiB pages, found ${describeKind(v)}`, `e.g. ${example}`);
    return undefined;
  }
  if (pages < min || pages > max) {
    report.error(v, `${what} must be from ${min} to ${max} pages of 4 KiB, found ${pages}`, `e.g. ${example}`);
    return undefined;
  }
  return pages;
}

/** A count of 4 KiB pages (a "pages" key: page_quota, ram), within the key's range. */
function pagesSetting(t: TomlTable, k: keys.KeySpec & { default: number; min: number; max: number }, where: string, example: string, report: Report): number {
  const e = t.entries.get(k.key);
  if (!e) return k.default;
  return pagesOf(e.value, `${k.key} ${where.startsWith("[") ? "in" : "of"} ${where}`, example, k.min, k.max, report) ?? k.default;
}

/** An "integer" key, within its range; its `counts` says what it counts, for the hint. */
function integerSetting(t: TomlTable, k: keys.KeySpec & { default: number; min: number; max: number }, where: string, report: Report): number {
  const e = t.entries.get(k.key);
  if (!e) return k.default;
  const v = e.value;
  if (v.kind !== "integer" || v.value < k.min || v.value > k.max) {
    report.error(v, `${k.key} of ${where} must be a whole number from ${k.min} to ${k.max}, found ${v.kind === "integer" ? v.value : describeKind(v)}`,
      `${k.key} is the number of ${k.counts}; e.g. ${k.key} = ${Math.max(k.min, Math.min(k.max, k.default || 1))}`);
    return k.default;
  }
  return v.value;
}

function enabledSetting(t: TomlTable, where: string, report: Report): boolean {
  const e = t.entries.get("enabled");
  if (!e) return S.enabled.default;
  if (e.value.kind !== "boolean") {
    report.error(e.value, `enabled of ${where} must be true or false, found ${describeKind(e.value)}`, "enabled = false");
    return S.enabled.default;
  }
  return e.value.value;
}

const BACKOFFS: readonly string[] = keys.RESTART_BACKOFF_VALUES;

function backoff(t: TomlTable, where: string, report: Report): Backoff {
  const dflt = S.restart_backoff.default;
  const e = t.entries.get("restart_backoff");
  if (!e) return dflt;
  const v = expectString(e, `restart_backoff of ${where}`, 'restart_backoff = "exponential"', report);
  if (!v) return dflt;
  if (BACKOFFS.includes(v.value)) return v.value as Backoff;
  report.error(v, `invalid restart_backoff "${v.value}" for ${where}`, didYouMean(v.value, BACKOFFS, `Backoffs: ${BACKOFFS.join(", ")}`));
  return dflt;
}

/** Fuel units per handler invocation, within cpu_budget's range. */
function cpuBudget(t: TomlTable, where: string, report: Report): number {
  const k = S.cpu_budget;
  const e = t.entries.get(k.key);
  if (!e) return k.default;
  const v = e.value;
  if (v.kind !== "integer" || v.value < k.min || v.value > k.max) {
    report.error(v, `cpu_budget of ${where} must be a whole number of fuel units from ${k.min} to ${k.max}, found ${v.kind === "integer" ? v.value : describeKind(v)}`,
      `a unit is one function entry or loop iteration, or a page or record a memory syscall visits; the default is ${k.default}, e.g. cpu_budget = 1000000`);
    return k.default;
  }
  return v.value;
}

/** The [image] ram: frames of kernel-managed memory. */
function ramFrames(t: TomlTable, report: Report): number {
  return pagesSetting(t, keys.IMAGE.ram, "[image]", 'ram = "16MiB"', report);
}

function memorySetting(t: TomlTable, where: string, report: Report): number {
  const e = t.entries.get("memory");
  const fallback = parseMemory(S.memory.default) as number;
  if (!e) return fallback;
  const v = e.value;
  if (v.kind !== "string" && v.kind !== "integer") {
    report.error(v, `memory of ${where} must be a size such as "256KiB" or an integer number of bytes, found ${describeKind(v)}`,
      'write e.g. memory = "1MiB"');
    return fallback;
  }
  const parsed = v.kind === "string" ? parseMemory(v.value) : checkMemoryBytes(v.value, String(v.value));
  if (typeof parsed === "number") return parsed;
  report.error(v, `memory of ${where}: ${parsed.message}`, parsed.hint);
  return fallback;
}

/** A "duration" key in milliseconds, at least its `min`; its default is as a manifest writes it, or ms. */
function durationSetting(t: TomlTable, k: keys.KeySpec & { default: string | number; min: number }, where: string, report: Report): number {
  const { key, min } = k;
  const dflt = typeof k.default === "number" ? k.default : parseDuration(k.default) as number;
  const fallback = typeof k.default === "number" ? `${k.default}ms` : k.default;
  const e = t.entries.get(key);
  if (!e) return dflt;
  const v = expectString(e, `${key} of ${where}`, `${key} = "${fallback === "0ms" ? "100ms" : fallback}"`, report);
  if (!v) return dflt;
  const ms = parseDuration(v.value);
  if (typeof ms !== "number") {
    report.error(v, `${key} of ${where}: ${ms.message}`, ms.hint);
    return dflt;
  }
  if (ms < min) {
    report.error(v, `${key} of ${where} must be at least ${min}ms`, `restarts are counted over this window; e.g. ${key} = "${fallback}"`);
    return dflt;
  }
  if (k.max !== undefined && ms > k.max) {
    report.error(v, `${key} of ${where} must be at most ${k.max}ms (about ${Math.floor(k.max / 86_400_000)} days), found ${ms}ms`, `e.g. ${key} = "${fallback}"`);
    return dflt;
  }
  return ms;
}

function restartPolicy(t: TomlTable, where: string, report: Report): RestartPolicy {
  const dflt = S.restart.default;
  const e = t.entries.get("restart");
  if (!e) return dflt;
  const v = expectString(e, `restart of ${where}`, 'restart = "on-failure"', report);
  if (!v) return dflt;
  if (POLICIES.includes(v.value)) return v.value as RestartPolicy;
  report.error(v, `invalid restart policy "${v.value}" for ${where}`,
    didYouMean(v.value, POLICIES, `Policies: ${POLICIES.join(", ")}`));
  return dflt;
}

function maxRestarts(t: TomlTable, restart: RestartPolicy, where: string, report: Report): number {
  const k = S.max_restarts;
  const e = t.entries.get(k.key);
  if (!e) return k.default;
  const v = e.value;
  if (v.kind !== "integer") {
    report.error(v, `max_restarts of ${where} must be an integer, found ${describeKind(v)}`, `write e.g. max_restarts = ${k.default}`);
    return k.default;
  }
  if (v.value < k.min || v.value > k.max) {
    report.error(v, `max_restarts of ${where} is out of range: ${v.value}`, `use ${k.min} to ${k.max}; 0 means never restart`);
    return k.default;
  }
  if (v.value === 0 && restart === "always") {
    report.error(v, `max_restarts = 0 contradicts restart = "always" for ${where}: 0 means never restart, and unlimited restarts are not allowed`,
      'set max_restarts to 1 or more, or use restart = "never"');
  }
  return v.value;
}

/** More restarts than this per second, with no delay, is a restart storm waiting to happen. */
const STORM_PER_SECOND = 100;

function warnRestartStorm(t: TomlTable, s: ServiceSpec, report: Report): void {
  if (s.restart !== "always" || s.restartDelayMs > 0) return;
  const perSecond = (s.maxRestarts * 1000) / s.restartWindowMs;
  if (perSecond <= STORM_PER_SECOND) return;
  const at = t.entries.get("max_restarts") ?? t.entries.get("restart");
  if (!at) return;
  report.warn(at.value, `service "${s.name}" may restart ${s.maxRestarts} times in ${s.restartWindowMs} ms with no delay: ` +
    `a crash loop would restart it about ${Math.round(perSecond)} times a second`,
    'set restart_delay (e.g. "50ms") with restart_backoff = "exponential", or lower max_restarts');
}

// ---------------------------------------------------------------- references

function stringList(t: TomlTable, key: string, where: string, example: string, report: Report): TomlString[] {
  const e = t.entries.get(key);
  if (!e) return [];
  if (e.value.kind !== "array" || e.value.ofTables) {
    report.error(e.value, `${key} of ${where} must be an array of strings, found ${describeKind(e.value)}`, `write e.g. ${key} = ${example}`);
    return [];
  }
  const out: TomlString[] = [];
  for (const item of (e.value as TomlArray).items) {
    if (item.kind === "string") out.push(item);
    else report.error(item, `${key} of ${where} must hold strings, found ${describeKind(item)}`, `write e.g. ${key} = ${example}`);
  }
  return out;
}

// Drops repeated entries, reporting each repeat at its own position.
function unique(items: TomlString[], keyOf: (s: TomlString) => string, what: string, where: string, report: Report): TomlString[] {
  const seen = new Map<string, TomlString>();
  for (const s of items) {
    const first = seen.get(keyOf(s));
    if (!first) {
      seen.set(keyOf(s), s);
      continue;
    }
    report.error(s, `duplicate ${what} "${keyOf(s)}" in ${where}`, `first listed at line ${first.line}, column ${first.col}; remove one`);
  }
  return [...seen.values()];
}

function servicesHint(word: string, ctx: Context): string {
  return didYouMean(word, ctx.names, `Services in this image: ${ctx.names.join(", ")}`);
}

/** A requires or wants list: each item "NAME" or "NAME CONSTRAINT"; the constraints go to ctx.ranges. */
function dependencyList(t: TomlTable, key: "requires" | "wants", name: string, ctx: Context): TomlString[] {
  const out: TomlString[] = [];
  for (const item of stringList(t, key, `service "${name}"`, '["log", "memory ^1.0"]', ctx.report)) {
    const m = /^\s*(\S*)\s*(.*)$/.exec(item.value)!;
    out.push({ ...item, value: m[1] });
    if (m[2] === "") continue;
    const r = parseConstraint(m[2]);
    if ("problem" in r) {
      ctx.report.error(item, `version constraint of ${key} "${m[1]}" of service "${name}": ${r.problem}`,
        'write e.g. "memory ^1.2" (1.2 or later within 1.x), "memory >=1.2 <3", "memory ~1.2" or "memory =1.2.3"');
      continue;
    }
    const mine = ctx.ranges.get(name) ?? {};
    mine[m[1]] = { ...r, at: item };
    ctx.ranges.set(name, mine);
  }
  return out;
}

/** Instances are processes too: all of them must fit in the process table. */
function checkProcesses(services: ServiceSpec[], entries: TomlEntry[], ctx: Context): void {
  const total = services.reduce((n, s) => n + s.instances, 0);
  if (total <= MAX_SERVICES || services.length > MAX_SERVICES) return;
  const many = services.reduce((a, b) => (b.instances > a.instances ? b : a));
  const e = entries.find((x) => x.key === many.name)!;
  const at = (e.value as TomlTable).entries.get("instances") ?? e;
  ctx.report.error(at.value ?? at, `${total} processes with every instance counted: more than the ${MAX_SERVICES} an image can run`,
    `lower instances of service "${many.name}" (${many.instances}) or remove services`);
}

/**
 * init sizes the registry so that every process's manifest entry and its whole
 * `registrations` quota fit at once (one service can exhaust only its own
 * quota); that sum must fit in the REG_ENTRIES init can keep.
 */
function checkRegistry(services: ServiceSpec[], entries: TomlEntry[], ctx: Context): void {
  const quota = (s: ServiceSpec): number => s.instances * (1 + (s.registrations ?? S.registrations.default));
  const total = services.reduce((n, s) => n + quota(s), 0);
  if (total <= abi.REG_ENTRIES || services.length === 0) return;
  const most = services.reduce((a, b) => (quota(b) > quota(a) ? b : a));
  const e = entries.find((x) => x.key === most.name)!;
  const at = (e.value as TomlTable).entries.get("registrations") ?? e;
  ctx.report.error(at.value ?? at, `the registry would need ${total} entries (each process's manifest entry and registrations): more than the ${abi.REG_ENTRIES} init keeps`,
    `lower registrations of service "${most.name}" (${most.registrations ?? S.registrations.default}, for ${most.instances} process${most.instances > 1 ? "es" : ""}) or of others`);
}

/** Every version constraint must be met by the version its dependency declares. */
function checkVersions(services: ServiceSpec[], ctx: Context): void {
  for (const s of services) {
    for (const [dep, r] of Object.entries(ctx.ranges.get(s.name) ?? {})) {
      const d = services.find((x) => x.name === dep);
      if (!d) continue;
      if (d.version === undefined) {
        ctx.report.error(r.at, `service "${s.name}" needs ${dep} ${r.text}, but ${dep} declares no version`,
          `add version = "1.0.0" (its interface version) to [service.${dep}], or drop the constraint`);
      } else if (!satisfies(d.version, r)) {
        ctx.report.error(r.at, `service "${s.name}" needs ${dep} ${r.text}, but ${dep} is version ${formatVersion(d.version)}`,
          `change the constraint, or build ${dep} with an interface version in range`);
      }
    }
  }
}

const TAG = /^[a-z0-9][a-z0-9._/-]{0,31}$/;

function tagList(t: TomlTable, where: string, report: Report): string[] {
  const items = unique(stringList(t, "tags", where, '["core", "storage"]', report), (s) => s.value, "tag", `tags of ${where}`, report);
  const out: string[] = [];
  for (const s of items) {
    if (TAG.test(s.value)) out.push(s.value);
    else report.error(s, `invalid tag "${s.value}" of ${where}`, "a tag is 1 to 32 characters: lowercase letters, digits, . _ / or -, starting with a letter or digit");
  }
  if (out.join(" ").length + 33 > abi.REG_NAME_MAX) {
    report.error(items[0], `the tags of ${where} are too long together`, `the name and tags must fit in ${abi.REG_NAME_MAX} bytes; use fewer or shorter tags`);
  }
  return out;
}

function versionSetting(t: TomlTable, where: string, report: Report): number | undefined {
  const e = t.entries.get("version");
  if (!e) return undefined;
  const v = expectString(e, `version of ${where}`, 'version = "1.0.0"', report);
  if (!v) return undefined;
  const packed = parseVersion(v.value);
  if (typeof packed === "number") return packed;
  report.error(v, `version of ${where}: ${packed.problem}`, 'the version of the interface it serves, e.g. version = "1.2.0"');
  return undefined;
}

function readySetting(t: TomlTable, where: string, report: Report): keys.Ready {
  const dflt = S.ready.default;
  const e = t.entries.get("ready");
  if (!e) return dflt;
  const v = expectString(e, `ready of ${where}`, 'ready = "notify"', report);
  if (v && (S.ready.values as readonly string[]).includes(v.value)) return v.value as keys.Ready;
  if (v) report.error(v, `invalid ready "${v.value}" for ${where}`,
    '"started": ready when quark_start returns; "notify": Starting until the service reports ready (registry.ready())');
  return dflt;
}

function dependencies(t: TomlTable, key: "requires", name: string, ctx: Context): string[] {
  const where = `requires of service "${name}"`;
  const items = unique(dependencyList(t, key, name, ctx), (s) => s.value, "dependency", where, ctx.report);
  const out: string[] = [];
  for (const s of items) {
    if (checkReference(s, name, "require", ctx)) out.push(s.value);
    else if (s.value !== "init" && s.value !== name) {
      ctx.report.error(s, `unknown dependency "${s.value}" of service "${name}"`, servicesHint(s.value, ctx));
    }
  }
  return out;
}

// The checks requires and wants share: init and the service itself are never dependencies.
function checkReference(s: TomlString, name: string, verb: string, ctx: Context): boolean {
  if (s.value === "init") {
    ctx.report.error(s, `service "${name}" cannot ${verb} init`, "init starts every service and is always running; remove it");
    return false;
  }
  if (s.value === name) {
    ctx.report.error(s, `service "${name}" ${verb}s itself`, `remove "${name}" from its own ${verb === "want" ? "wants" : "requires"}`);
    return false;
  }
  return ctx.names.includes(s.value);
}

/** binds_to: required dependencies the service is restarted with; each must be in requires. */
function bindings(t: TomlTable, name: string, requires: string[], ctx: Context): string[] {
  const items = unique(stringList(t, "binds_to", `service "${name}"`, '["log"]', ctx.report), (s) => s.value, "binding", `binds_to of service "${name}"`, ctx.report);
  const out: string[] = [];
  for (const s of items) {
    if (requires.includes(s.value)) { out.push(s.value); continue; }
    ctx.report.error(s, `service "${name}" binds to "${s.value}", which it does not require`,
      `add "${s.value}" to requires too: a service is bound only to what it cannot run without`);
  }
  return out;
}

function optionalDependencies(t: TomlTable, name: string, requires: string[], ctx: Context): string[] {
  const where = `wants of service "${name}"`;
  const items = unique(dependencyList(t, "wants", name, ctx), (s) => s.value, "dependency", where, ctx.report);
  const out: string[] = [];
  for (const s of items) {
    if (requires.includes(s.value)) {
      ctx.report.error(s, `"${s.value}" is in both requires and wants of service "${name}"`,
        `keep it in requires if "${name}" cannot work without it, in wants otherwise`);
      continue;
    }
    if (s.value === "init" || s.value === name) {
      checkReference(s, name, "want", ctx);
      continue;
    }
    if (!ctx.names.includes(s.value)) {
      ctx.report.warn(s, `optional dependency "${s.value}" of service "${name}" is not in this image`,
        didYouMean(s.value, ctx.names, `it is ignored; Services in this image: ${ctx.names.join(", ")}`));
    }
    out.push(s.value);
  }
  return out;
}

function capabilities(t: TomlTable, name: string, ctx: Context): CapSpec[] {
  const items = stringList(t, "caps", `service "${name}"`, '["console", "log:call"]', ctx.report);
  const distinct = unique(items, (s) => s.value.split(":")[0], "capability", `caps of service "${name}"`, ctx.report);
  const caps: CapSpec[] = [];
  for (const s of distinct) {
    const cap = capability(s, name, ctx);
    if (cap) caps.push(cap);
  }
  return caps;
}

function capability(s: TomlString, holder: string, ctx: Context): CapSpec | undefined {
  const colon = s.value.indexOf(":");
  const target = colon < 0 ? s.value : s.value.slice(0, colon);
  const kind = capKind(target);
  if (kind === "service" && target === CONSOLE_DRIVER && !ctx.names.includes(target)) {
    ctx.report.error(s, `service "${holder}" uses the console driver, and the image has no service "${CONSOLE_DRIVER}"`,
      `add it: [service.${CONSOLE_DRIVER}] with module = "<quark>/userland/drivers/console", caps = ["uart"], interrupts = ["uart"] (images/default.toml)`);
    return undefined;
  }
  if (kind === "console" && ctx.names.includes(CONSOLE_DRIVER)) {
    ctx.report.error(s, `service "${holder}" is granted the kernel's console in an image with the console driver: its writes would go around the driver`,
      `write through the driver: caps = ["${CONSOLE_DRIVER}"] and conWrite (userland/lib/console.ts); the kernel's console is init's, and the conformance runner's and quark bench's, which add it to their own services`);
    return undefined;
  }
  if (kind === "device" && target === UART) ctx.uart.set(holder, s);
  if (kind === "service" && !ctx.names.includes(target)) {
    const known = [CONSOLE, INIT, ...DEVICE_NAMES, ...ctx.names];
    ctx.report.error(s, `unknown capability "${target}" of service "${holder}"`,
      didYouMean(target, known, `a capability names the console, init, a device or a service in this image: ${known.join(", ")}`));
    return undefined;
  }
  const rights = colon < 0 ? RIGHTS_FOR[kind].defaults : parseRights(s, colon + 1, kind, ctx.report);
  if (rights === undefined) return undefined;
  const cap: CapSpec = { name: target, kind, rights, label: fnv1a(target) };
  if (kind === "device") cap.device = DEVICES[target];
  return cap;
}

/** A capability as the manifest would grant it, for a tool that adds one past the manifest's rules (the conformance runner, quark bench). */
export function capSpec(name: string, rights: number): CapSpec {
  const kind = capKind(name);
  const cap: CapSpec = { name, kind, rights, label: fnv1a(name) };
  if (kind === "device") cap.device = DEVICES[name];
  return cap;
}

// The console driver's service name, and the device only it may hold.
const CONSOLE_DRIVER = "condrv";
const UART = "uart";

/**
 * The UART's registers go only with its receive line: the one service that
 * drives it (interrupts = ["uart"]) is the console driver, and a second
 * holder could read the console's input or write past the driver's quiet mode.
 */
function uartOnlyWithItsLine(spec: ServiceSpec, ctx: Context): void {
  const at = ctx.uart.get(spec.name);
  if (!at || (spec.interrupts ?? []).some((i) => i.device === UART)) return;
  ctx.report.error(at, `service "${spec.name}" holds the UART without driving its line: the UART is the console driver's alone`,
    `reach the console through the console driver (caps = ["${CONSOLE_DRIVER}"]), or make this service the driver with interrupts = ["uart"]`);
}

/**
 * interrupts = ["bus"]: the devices whose lines the service drives. Each must
 * be granted in its caps (a driver reads its device's registers), have a line,
 * and be driven by no other service: the kernel binds a line to one process,
 * so a second driver would only ever be refused (E_PERM) or steal it first.
 */
function interruptLines(t: TomlTable, spec: ServiceSpec, ctx: Context): IrqSpec[] {
  const where = `interrupts of service "${spec.name}"`;
  const items = unique(stringList(t, "interrupts", `service "${spec.name}"`, '["bus"]', ctx.report), (s) => s.value, "device", where, ctx.report);
  const out: IrqSpec[] = [];
  for (const s of items) {
    if (s.value === SLOTS) { slotLines(s, spec, ctx, out); continue; }
    const id = own(DEVICES, s.value);
    const line = STATIC_DEVICES.find((d) => d.id !== null && d.id === id)?.line;
    if (id === undefined) {
      ctx.report.error(s, `unknown device "${s.value}" in ${where}`,
        didYouMean(s.value, DEVICE_NAMES, `devices a service can drive: ${DEVICE_NAMES.join(", ")}`));
    } else if (typeof line !== "number") {
      ctx.report.error(s, `device "${s.value}" raises no interrupt line`, `remove it from interrupts; keep it in caps to use its registers`);
    } else if (!spec.caps.some((c) => c.kind === "device" && c.name === s.value)) {
      ctx.report.error(s, `service "${spec.name}" drives the interrupts of "${s.value}" without its registers`, `add "${s.value}" to its caps`);
    } else if (ctx.lines.has(line)) {
      ctx.report.error(s, `the interrupt line of "${s.value}" is already driven by service "${ctx.lines.get(line)}"`,
        "a line goes to one driver: list it in the interrupts of one service only");
    } else if (spec.instances > 1) {
      ctx.report.error(s, `service "${spec.name}" has ${spec.instances} instances: only one can drive the line of "${s.value}"`,
        "set instances = 1, or move the driver to a service of its own");
    } else {
      ctx.lines.set(line, spec.name);
      out.push({ device: s.value, line, label: fnv1a(`${s.value}.irq`) });
    }
  }
  return out;
}

// interrupts = ["slots"]: every pluggable slot's line, for the device manager
// to pass each on to the driver it binds to that slot's device.
const SLOTS = "slots";

function slotLines(s: TomlString, spec: ServiceSpec, ctx: Context, out: IrqSpec[]): void {
  if (!spec.caps.some((c) => c.kind === "device" && c.name === "bus")) {
    ctx.report.error(s, `service "${spec.name}" takes the slots' lines without the bus`, `add "bus" to its caps: it binds the slots' devices`);
    return;
  }
  for (let slot = BUS.staticSlots; slot < BUS.slots; slot++) {
    const other = ctx.lines.get(slot);
    if (other !== undefined) {
      ctx.report.error(s, `the line of slot ${slot} is already driven by service "${other}"`, "a line goes to one service");
      return;
    }
    ctx.lines.set(slot, spec.name);
    out.push({ device: `slot${slot}`, line: slot, label: fnv1a(`slot${slot}.irq`) });
  }
}

/**
 * driver = "block", driver_match = ["sectors >= 64"]: the type must be one a
 * model can plug (the static devices have their users already), each
 * condition a known property, operator and a number that fits 32 bits.
 */
function driverRule(t: TomlTable, spec: ServiceSpec, report: Report): DriverSpec | undefined {
  const e = t.entries.get("driver");
  const conditions = stringList(t, "driver_match", `service "${spec.name}"`, '["sectors >= 64"]', report);
  if (!e) {
    if (conditions.length > 0) report.error(conditions[0], `driver_match of service "${spec.name}" without a driver`, 'add driver = "block"');
    return undefined;
  }
  const typeName = expectString(e, `driver of service "${spec.name}"`, 'driver = "block"', report);
  if (!typeName) return undefined;
  const model = PLUGGABLE_MODELS.find((m) => m.type === typeName.value);
  if (!model) {
    const types = [...new Set(PLUGGABLE_MODELS.map((m) => m.type))];
    report.error(typeName, `service "${spec.name}" drives "${typeName.value}", which no pluggable device model has as its type`,
      didYouMean(typeName.value, types, `a driver binds to a pluggable type: ${types.join(", ")}`));
    return undefined;
  }
  if (spec.instances > 1) {
    report.error(typeName, `driver "${spec.name}" has ${spec.instances} instances: the device manager binds one`, "set instances = 1");
    return undefined;
  }
  if (conditions.length > proto.DEVMGR_MATCH_MAX) {
    report.error(conditions[proto.DEVMGR_MATCH_MAX], `driver_match of service "${spec.name}" has ${conditions.length} conditions`, `at most ${proto.DEVMGR_MATCH_MAX}`);
    return undefined;
  }
  const match: DriverSpec["match"] = [];
  for (const c of conditions) {
    const m = /^\s*([a-z]+)\s*(==|!=|<|>=)\s*(-?[0-9]+)\s*$/.exec(c.value);
    const property = m ? own(BIND_PROPERTIES, m[1]) : undefined;
    const value = m ? Number(m[3]) : NaN;
    if (!m || property === undefined || !(value >= -0x80000000 && value <= 0x7fffffff)) {
      report.error(c, `driver_match condition "${c.value}" of service "${spec.name}" is not PROPERTY OP NUMBER`,
        `properties: ${Object.keys(BIND_PROPERTIES).join(", ")}; operators: ${Object.keys(BIND_OPS).join(" ")}; a 32-bit number, e.g. "sectors >= 64"`);
      continue;
    }
    match.push({ property, op: BIND_OPS[m[2]], value });
  }
  return { type: model.typeValue, match };
}

function parseRights(s: TomlString, start: number, kind: CapKind, report: Report): number | undefined {
  const { allowed, what } = RIGHTS_FOR[kind];
  const text = s.value.slice(start);
  if (text === "") {
    report.error(report.inside(s, start), `no rights after the colon in "${s.value}"`,
      `write rights joined by +, e.g. "${s.value}${allowed.join("+")}", or drop the colon for the defaults`);
    return undefined;
  }
  let rights = 0;
  let ok = true;
  let offset = start;
  for (const word of text.split("+")) {
    const at = report.inside(s, offset);
    offset += word.length + 1;
    const bit = own(RIGHTS, word);
    if (bit === undefined) {
      report.error(at, `unknown right "${word}" in "${s.value}"`,
        didYouMean(word, allowed, `${what} accepts: ${allowed.join(", ")}`));
    } else if (!allowed.includes(word)) {
      report.error(at, `right "${word}" does not apply to ${what} ("${s.value}")`, `${what} accepts: ${allowed.join(", ")}`);
    } else if (rights & bit) {
      report.error(at, `right "${word}" is listed twice in "${s.value}"`, "list each right once");
    } else {
      rights |= bit;
      continue;
    }
    ok = false;
  }
  return ok ? rights : undefined;
}

// ---------------------------------------------------------------- cycles

interface Edge {
  to: string;
  at: TomlString;
}

// Reports every elementary cycle of `requires` once, starting from its member
// that comes first in the manifest, positioned at that member's edge.
function reportCycles(entries: TomlEntry[], ctx: Context): void {
  const names = entries.map((e) => e.key);
  const edges = new Map(entries.map((e) => [e.key, requireEdges(e, names)]));
  for (const cycle of findCycles(names, edges)) {
    const steps = cycle.map((n, i) => ({ from: n, edge: edges.get(n)!.find((x) => x.to === cycle[(i + 1) % cycle.length])! }));
    const path = [...cycle, cycle[0]].join(" -> ");
    const where = steps.map((s) => `${s.from} requires ${s.edge.to} (line ${s.edge.at.line})`).join(", ");
    ctx.report.error(steps[0].edge.at, `dependency cycle: ${path}`,
      `no service of a cycle could ever start: ${where}; remove one of these, or move it to wants`);
  }
}

function requireEdges(e: TomlEntry, names: string[]): Edge[] {
  const t = e.value as TomlTable;
  const list = t.entries.get("requires")?.value;
  if (!list || list.kind !== "array") return [];
  const edges: Edge[] = [];
  for (const item of list.items) {
    if (item.kind !== "string") continue;
    const to = item.value.trim().split(/\s+/)[0];
    if (to === e.key || !names.includes(to)) continue;
    if (!edges.some((x) => x.to === to)) edges.push({ to, at: item });
  }
  return edges;
}

const MAX_CYCLES = 32;

function findCycles(names: string[], edges: Map<string, Edge[]>): string[][] {
  const index = new Map(names.map((n, i) => [n, i]));
  const cycles: string[][] = [];
  const visit = (start: number, path: string[]): void => {
    for (const { to } of edges.get(path[path.length - 1]) ?? []) {
      if (cycles.length >= MAX_CYCLES) return;
      const i = index.get(to)!;
      if (i === start) cycles.push([...path]);
      else if (i > start && !path.includes(to)) visit(start, [...path, to]);
    }
  };
  names.forEach((n, i) => visit(i, [n]));
  return cycles;
}

// ---------------------------------------------------------------- typed access

function expectTable(e: TomlEntry, what: string, example: string, report: Report): TomlTable | undefined {
  if (e.value.kind === "table") return e.value;
  report.error(e.value, `${what} must be a table, found ${describeKind(e.value)}`, `write ${example}`);
  return undefined;
}

function expectString(e: TomlEntry, what: string, example: string, report: Report): TomlString | undefined {
  if (e.value.kind === "string") return e.value;
  report.error(e.value, `${what} must be a string, found ${describeKind(e.value)}`, `write e.g. ${example}`);
  return undefined;
}

function optionalString(t: TomlTable, key: string, what: string, report: Report): string | undefined {
  const e = t.entries.get(key);
  return e && expectString(e, what, `${key} = "..."`, report)?.value;
}

// ---------------------------------------------------------------- suggestions

// Edit distance with adjacent transpositions (optimal string alignment), so
// "lgo" is one step from "log".
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

