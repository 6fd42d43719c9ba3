// Every manifest key of abi/manifest.ts is documented, accepted by the parser,
// and carried by the boot table: written by the build's generated writer and
// read back by init's own generated reader (userland/init/spec.ts, compiled
// here as init compiles it), with the value the key means.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import * as qpu from "../../hal/qpu/job-format";
import { bootTable } from "../../abi/boot-table";
import { manifestKeys } from "../../abi/manifest";
import type { AbiRef, ManifestKey } from "../../abi/schema-boot";
import { decodeBootTable, encodeBootTable, fnv1a } from "../../tools/lib/boot-table";
import { compileModule } from "../../tools/lib/compile";
import { parseManifestText, type Manifest } from "../../tools/lib/manifest";
import { parseDuration, parseMemory } from "../../tools/lib/manifest-values";
import { repoRoot } from "../../tools/lib/root";
import { parseVersion } from "../../tools/lib/versions";

const repo = repoRoot();
let root: string;

interface Harness { read(r: number): void; readHeader(): void; scratch(): number; results(): number; memory: WebAssembly.Memory }
let harness: Harness;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "quark-boot-record-"));
  for (const s of ["init", "log", "svc", "opt"]) {
    mkdirSync(join(root, "userland", s), { recursive: true });
    writeFileSync(join(root, "userland", s, "index.ts"), "\n");
  }
  mkdirSync(join(root, "images"));
  const { wasm } = await compileModule({ kind: "service", entry: join(repo, "tests/harness/as/boot-spec.ts"), root: repo });
  // The reader needs nothing from outside: any import it calls is a failure of the test.
  const imports = new Proxy({}, { get: () => new Proxy({}, { get: (_, name) => () => { throw new Error(`harness called ${String(name)}`); } }) });
  harness = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), imports).exports as unknown as Harness;
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---------------------------------------------------------------- values

const isRef = (v: unknown): v is AbiRef => typeof v === "object" && v !== null && "abi" in v;
const constant = (name: string): number => {
  const n = (abi as Record<string, unknown>)[name] ?? (proto as Record<string, unknown>)[name] ?? (qpu as Record<string, unknown>)[name];
  if (typeof n !== "number") throw new Error(`no ABI constant ${name}`);
  return n;
};
const num = (v: number | AbiRef): number => (isRef(v) ? constant(v.abi) : v);

/** The key's default, as the parser gives it. */
function parsedDefault(k: ManifestKey): unknown {
  const d = k.default;
  if (d === undefined) return undefined;
  if (isRef(d)) return constant(d.abi);
  if (typeof d !== "string") return d;
  if (k.type === "duration") return parseDuration(d);
  if (k.type === "size") return parseMemory(d);
  return d;
}

/** TOML text for `k`, and the value the parser should give for it. */
function samples(k: ManifestKey): { toml: string; value: unknown }[] {
  const dflt = parsedDefault(k);
  switch (k.type) {
    case "integer": case "pages": {
      const [min, max] = [num(k.min ?? 0), num(k.max ?? 0xffffffff)];
      return [...new Set([min + 1, max, min])].filter((v) => v !== dflt).slice(0, 2).map((v) => ({ toml: String(v), value: v }));
    }
    case "duration": return [{ toml: `"${num(k.min ?? 0) + 1234}ms"`, value: num(k.min ?? 0) + 1234 }];
    case "size": return [{ toml: '"192KiB"', value: 192 * 1024 }];
    case "enum": return k.values!.filter(([w]) => w !== dflt).map(([w]) => ({ toml: `"${w}"`, value: w }));
    case "boolean": return [{ toml: String(!dflt), value: !dflt }];
    case "version": return [{ toml: '"1.2.3"', value: parseVersion("1.2.3") }];
    case "string": return [{ toml: '"quark.sample"', value: "quark.sample" }];
    case "path": return [{ toml: k.table === "init" ? '"../userland/init"' : '"../userland/svc"', value: undefined }];
    case "names": return [{ toml: k.table === "group" ? '["log", "svc"]' : '["log"]', value: ["log"] }];
    case "strings": return [{ toml: '["sample"]', value: ["sample"] }];
    case "caps": return [{ toml: '["log"]', value: undefined }];
  }
}

/** The u32 the boot table carries for a parsed value of `k`. */
function carried(k: ManifestKey, value: unknown): number {
  if (k.type === "enum") return constant(k.values!.find(([w]) => w === value)![1]);
  switch (k.encode) {
    case "not": return value ? 0 : 1;
    case "wasm-pages": return (value as number) / 65536;
    case "fnv1a": return fnv1a(value as string);
    case "or-zero": return (value as number | undefined) ?? 0;
  }
  return k.type === "boolean" ? (value ? 1 : 0) : (value as number);
}

const HEAD = ["[image]", 'name = "sample"', ""];
const LOG = ["[service.log]", 'module = "../userland/log"', ""];

function parse(lines: string[]): Manifest {
  return parseManifestText(lines.join("\n") + "\n", join(root, "images", "sample.toml"), { root });
}

/** What init's reader finds in record `i` of `bytes`, by BT_* field name. */
function initReads(bytes: Uint8Array, i: number): Map<string, number> {
  new Uint8Array(harness.memory.buffer, harness.scratch(), bytes.length).set(bytes);
  harness.read(abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES);
  const out = new Uint32Array(harness.memory.buffer, harness.results(), bootTable.record.length);
  const fields = bootTable.record.filter((f) => f.init !== undefined);
  return new Map(fields.map((f, k) => [f.name, out[k]]));
}

/** What init's reader should make of the u32 a field carries. */
function asInit(name: string, v: number): number {
  const f = bootTable.record.find((x) => x.name === name)!;
  if (typeof f.init === "object") return v === constant(f.init.is) ? 1 : 0;
  return f.init === "bool" ? (v !== 0 ? 1 : 0) : v >>> 0;
}

function encode(m: Manifest): Uint8Array {
  return encodeBootTable(m, (name) => m.services.findIndex((s) => s.name === name) + 1, 0);
}

// ---------------------------------------------------------------- the tests

const serviceKeys = manifestKeys.filter((k) => k.table === "service" && k.boot);

describe("a manifest key that lands in the boot table", () => {
  it.each(serviceKeys.flatMap((k) => samples(k).map((s) => [k.key, s.toml, k, s] as const)))(
    "%s = %s reaches init's reader as the value it means", (_key, _toml, k, s) => {
      const m = parse([...HEAD, ...LOG, "[service.svc]", 'module = "../userland/svc"', `${k.key} = ${s.toml}`]);
      const svc = m.services.find((x) => x.name === "svc")!;
      expect((svc as unknown as Record<string, unknown>)[k.field!]).toEqual(s.value);
      const bytes = encode(m);
      const want = carried(k, s.value);
      const field = bootTable.record.find((f) => f.name === k.boot)!;
      const i = m.services.indexOf(svc);
      expect((decodeBootTable(bytes).services[i] as unknown as Record<string, number>)[field.field]).toBe(want);
      if (field.init !== undefined) expect(initReads(bytes, i).get(k.boot!)).toBe(asInit(k.boot!, want));
    });

  it("absent, each is its default on both sides, and init reads every field the build wrote", () => {
    const m = parse([...HEAD, ...LOG]);
    const bytes = encode(m);
    const decoded = decodeBootTable(bytes).services[0] as unknown as Record<string, number>;
    for (const k of serviceKeys) {
      const want = k.default === undefined ? (k.encode === "fnv1a" ? fnv1a("log") : 0) : carried(k, parsedDefault(k));
      expect(decoded[bootTable.record.find((f) => f.name === k.boot)!.field], k.key).toBe(want);
    }
    const init = initReads(bytes, 0);
    for (const [name, v] of init) {
      const f = bootTable.record.find((x) => x.name === name)!;
      expect(v, name).toBe(asInit(name, decoded[f.field]));
    }
  });

  it("an [image] key reaches the header, and init's reader when init holds it", () => {
    const held = bootTable.header.filter((f) => f.init !== undefined);
    for (const k of manifestKeys.filter((x) => x.table === "image" && x.boot)) {
      for (const s of samples(k)) {
        const bytes = encode(parse(["[image]", 'name = "sample"', `${k.key} = ${s.toml}`, "", ...LOG]));
        const field = bootTable.header.find((f) => f.name === k.boot)!;
        expect((decodeBootTable(bytes) as unknown as Record<string, number>)[field.field], `${k.key} = ${s.toml}`).toBe(carried(k, s.value));
        if (!held.includes(field)) continue;
        new Uint8Array(harness.memory.buffer, harness.scratch(), bytes.length).set(bytes);
        harness.readHeader();
        expect(new Uint32Array(harness.memory.buffer, harness.results(), held.length)[held.indexOf(field)], `init: ${k.key} = ${s.toml}`).toBe(carried(k, s.value));
      }
    }
  });

  it("every record field is a key's, or computed, or the layout's: none is left unwritten", () => {
    const m = parse([...HEAD, ...LOG]);
    expect(encode(m).length).toBeGreaterThanOrEqual(abi.BT_HEADER_BYTES + abi.BT_RECORD_BYTES);
    for (const f of bootTable.record) {
      const from = f.source ?? manifestKeys.find((k) => k.boot === f.name)?.key;
      expect(from, `BT_${f.name}`).toBeDefined();
    }
  });
});

describe("every key of abi/manifest.ts", () => {
  const doc = readFileSync(join(repo, "docs/manifest.md"), "utf8");
  const section = (t: string): string => doc.slice(doc.indexOf(`<!-- abi:manifest-${t} -->`), doc.indexOf(`<!-- /abi:manifest-${t} -->`));

  it.each(manifestKeys.map((k) => [k.table, k.key, k] as const))("[%s] %s is documented in docs/manifest.md", (t, key) => {
    expect(section(t)).toContain(`| \`${key}\` |`);
  });

  it("is accepted by the parser, all in one manifest", () => {
    // interrupts names a device in the service's caps, and its service has one instance: log's, below;
    // driver names a pluggable device type and driver_match its conditions: opt's, below.
    const own = ["module", "name", "interrupts", "driver", "driver_match"];
    const keyLines = (t: string): string[] => manifestKeys.filter((k) => k.table === t && !own.includes(k.key))
      .map((k) => `${k.key} = ${k.key === "wants" ? '["opt"]' : samples(k)[0].toml}`);
    const m = parse([
      "[image]", 'name = "sample"', ...keyLines("image"), "",
      "[init]", ...manifestKeys.filter((k) => k.table === "init").map((k) => `${k.key} = ${samples(k)[0].toml}`), "",
      ...LOG, 'version = "1.2.3"', 'caps = ["bus"]', 'interrupts = ["bus"]', "",
      "[service.opt]", 'module = "../userland/opt"', 'driver = "block"', 'driver_match = ["sectors >= 64"]', "",
      "[service.svc]", 'module = "../userland/svc"', ...keyLines("service"), "",
      "[group.g]", ...keyLines("group"), "",
    ]);
    expect(m.warnings).toEqual([]);
    const svc = m.services.find((s) => s.name === "svc")! as unknown as Record<string, unknown>;
    for (const k of manifestKeys.filter((x) => x.table === "service" && x.field && !own.includes(x.key) && x.type !== "caps" && x.type !== "names")) {
      expect(svc[k.field!], k.key).toEqual(samples(k)[0].value);
    }
    // A driver's type and conditions resolve to their numbers.
    expect(m.services.find((s) => s.name === "opt")!.driver).toEqual({ type: abi.DEV_TYPE_BLOCK, match: [{ property: proto.DEVP_SECTORS, op: proto.BIND_GE, value: 64 }] });
    // A device name resolves to its line.
    expect(m.services.find((s) => s.name === "log")!.interrupts).toEqual([{ device: "bus", line: Math.log2(abi.IRQ_BUS), label: fnv1a("bus.irq") }]);
  });

  it.each(manifestKeys.filter((k) => k.max !== undefined && ["integer", "duration", "pages"].includes(k.type)).map((k) => [k.table, k.key, k] as const))(
    "[%s] %s one past its max is refused, naming the key", (t, key, k) => {
      const over = num(k.max!) + 1;
      const toml = k.type === "duration" ? `"${over}ms"` : String(over);
      const lines = t === "image" ? ["[image]", 'name = "sample"', `${key} = ${toml}`, "", ...LOG]
        : t === "qpu" ? ["[image]", 'name = "sample"', "[qpu]", `${key} = ${toml}`, "", ...LOG] : [...HEAD, ...LOG, `${key} = ${toml}`];
      const refused = (() => { try { parse(lines); return ""; } catch (e) { return (e as Error).message; } })();
      expect(refused).toMatch(new RegExp(`error: ${key} (of|in) `));
    });

  it("and only those: a key the table lacks is refused with the table's keys as the hint", () => {
    const refused = (() => { try { parse([...HEAD, ...LOG, "colour = 1"]); return ""; } catch (e) { return (e as Error).message; } })();
    expect(refused).toContain('unknown key "colour" in [service.log]');
    expect(refused).toContain(`Valid keys: ${manifestKeys.filter((k) => k.table === "service").map((k) => k.key).join(", ")}`);
  });
});
