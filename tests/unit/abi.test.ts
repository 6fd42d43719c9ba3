// The ABI tables (abi/) and what is generated from them (tools/abi/):
// - every generated file is checked in as a fresh `npm run abi` writes it;
// - the tables are consistent: unique numbers, names and tags, protocol
//   ranges disjoint, syscall handlers that exist where the table says;
// - no hand-written file repeats what the tables own (the lint), and the lint
//   finds each kind of violation planted in a scratch tree.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { generate } from "../../tools/abi/generate";
import { main, stale } from "../../tools/abi/main";
import { lintText, lintTree, type Violation } from "../../tools/abi/lint";
import { evaluate } from "../../tools/abi/text";
import { syscalls } from "../../abi/syscalls";
import { errors } from "../../abi/errors";
import { events } from "../../abi/events";
import { faults } from "../../abi/faults";
import { rights } from "../../abi/rights";
import { objects } from "../../abi/objects";
import { serviceStates, processStates, healthStates } from "../../abi/states";
import { protocols, tagRanges } from "../../abi/protocols/index";
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import { errorName, eventDetail, faultText, eventName, rightsName, stateName } from "../../tools/lib/names";

const root = join(import.meta.dirname, "../..");
const files = generate(root);

/**
 * Lines of hand-written files that still repeat an ABI name or number, each
 * waiting for its owner to switch to the generated constants
 * (tools/lib/abi-texts.ts, tools/host-wasmtime/quark_abi.py, quark_abi.h).
 * Only these exact lines are let through: a new violation in the same file
 * fails. Take a line out once it is gone.
 */
const PENDING = new Set([
  "tools/host-node/machine.ts: const KERNEL_FRAME = /wasm:\\/\\/wasm\\/quark-kernel-[0-9a-f]+:/;",
  "tools/host-node/run.ts: if (d === -2) return 0;",
  "tools/host-wasmtime/host.py: if deadline == -2:",
  'tools/host-wasmtime/image.py: SECTION_ABI = "quark.abi"',
  'tools/host-wasmtime/image.py: SECTION_MODULES = "quark.modules"',
  'tools/host-wasmtime/image.py: SECTION_MODULE_PREFIX = "quark.mod."',
  'tools/host-wasmtime/image.py: SECTION_MANIFEST = "quark.manifest"',
  'tools/host-wasmtime/image.py: SECTION_BOOT = "quark.boot"',
  'tools/host-wasmtime/shim.c: static const char KERNEL_MODULE[] = "quark-kernel";',
  'tools/host-wasmtime/shim.py: "INVOKE_TRAPPED", "INVOKE_NOENTRY", "OK", "E_ARG", "E_CRASHED", "E_FAULT", "E_LINK", "E_NOMODULE",',
  'tools/host-wasmtime/shim.py: KERNEL_MODULE = "quark-kernel"',
  'tools/lib/image-check.ts: export const SECTION_ABI = "quark.abi";',
  'tools/lib/image-check.ts: export const SECTION_MODULES = "quark.modules";',
  'tools/lib/image-check.ts: export const SECTION_MODULE_PREFIX = "quark.mod.";',
  'tools/lib/image-check.ts: export const SECTION_MANIFEST = "quark.manifest";',
  'tools/lib/image-check.ts: export const SECTION_BOOT = "quark.boot";',
]);

describe("generated files", () => {
  it("are each what a fresh `npm run abi` writes (run it and commit the result if this fails)", () => {
    expect(stale(root, files)).toEqual([]);
  });

  it("are listed by `npm run abi -- --check` (exit 1) when stale, and written by `npm run abi`", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-abi-check-"));
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => { out.push(s); return true; }) as typeof process.stdout.write;
    try {
      // The docs with generated tables: an emitter splices into the checked-out text.
      cpSync(join(root, "docs"), join(dir, "docs"), { recursive: true });
      writeFileSync(join(dir, "docs/machine-abi.md"), readFileSync(join(root, "docs/machine-abi.md"), "utf8").replace("| 1 | `call(", "| 1 | `kall("));
      expect(main(["--check"], dir)).toBe(1);
      expect(out.join("")).toContain("stale: kernel/abi.ts\n");
      expect(out.join("")).toContain("stale: docs/machine-abi.md\n");
      expect(main([], dir)).toBe(0);
      expect(stale(dir, generate(dir))).toEqual([]);
      expect(main(["--check"], dir)).toBe(0);
      expect(readFileSync(join(dir, "kernel/abi.ts"), "utf8")).toBe(files.get("kernel/abi.ts"));
    } finally {
      process.stdout.write = write;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown argument with a usage line (exit 2)", () => {
    const write = process.stderr.write;
    let err = "";
    process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
    try {
      expect(main(["--chek"], root)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(err).toBe("usage: npm run abi [-- --check]\nunknown argument: --chek\n");
  });

  it("each start with the generated-file header naming their tables", () => {
    for (const [path, text] of files) {
      if (path.endsWith(".md")) continue; // docs: only the text between markers is generated
      const mark = path.endsWith(".py") ? "#" : "//";
      expect(text.split("\n")[0], path).toMatch(new RegExp(`^${mark} Generated by \`npm run abi\` from abi/\\S+.*; do not edit\\.$`));
    }
  });
});

describe("the tables", () => {
  const unique = (what: string, xs: Array<string | number>) => {
    const seen = new Set<string | number>();
    for (const x of xs) { expect(seen.has(x), `${what} ${x} twice`).toBe(false); seen.add(x); }
  };

  it("give every syscall a unique name and number, 1..SYS_COUNT-1 without gaps", () => {
    unique("syscall name", syscalls.map((s) => s.name));
    unique("syscall number", syscalls.map((s) => s.number));
    const nums = syscalls.map((s) => s.number).sort((a, b) => a - b);
    expect(nums).toEqual(nums.map((_, i) => i + 1));
    expect(abi.SYS_COUNT).toBe(nums.length + 1);
  });

  it("name a handler for every syscall that its kernel file exports", () => {
    for (const s of syscalls) {
      const src = readFileSync(join(root, "kernel", `${s.file}.ts`), "utf8");
      expect(src, `${s.name}: ${s.handler} in kernel/${s.file}.ts`).toMatch(new RegExp(`export function ${s.handler}\\(`));
    }
  });

  it("put every 32-bit syscall argument before every i64 one", () => {
    for (const s of syscalls) {
      const first64 = s.args.findIndex((a) => a.width === "i64");
      if (first64 >= 0) expect(s.args.slice(first64).every((a) => a.width === "i64"), s.name).toBe(true);
    }
  });

  it("give each named set unique names, numbers and display texts", () => {
    for (const set of [errors, events, faults, rights, objects, serviceStates, processStates, healthStates]) {
      unique(`${set.title} name`, set.rows.map((r) => r.name));
      unique(`${set.title} value`, set.rows.map((r) => evaluate(r.value)));
      unique(`${set.title} display`, set.rows.map((r) => r.display));
    }
  });

  it("make errors negative (but OK), rights single bits", () => {
    for (const r of errors.rows) expect(evaluate(r.value) < 0 || r.name === "OK", r.name).toBe(true);
    for (const r of rights.rows) expect(Math.log2(evaluate(r.value)) % 1, r.name).toBe(0);
    expect(abi.E_LAST).toBe(Math.min(...errors.rows.map((r) => evaluate(r.value))));
  });

  it("keep each protocol's tags unique and inside its range, and the ranges disjoint and below the third-party range", () => {
    const firstThirdParty = evaluate(tagRanges.rows[0].value);
    const ranges = protocols.map((p) => ({ name: p.name, lo: p.range[0], hi: p.range[1] })).sort((a, b) => a.lo - b.lo);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i].lo > ranges[i - 1].hi, `${ranges[i - 1].name} and ${ranges[i].name} overlap`).toBe(true);
    }
    for (const p of protocols) {
      expect(p.range[0] <= p.range[1] && p.range[1] < firstThirdParty, p.name).toBe(true);
      unique(`${p.name} tag`, p.tags.map((t) => evaluate(t.value)));
      for (const t of p.tags) {
        const v = evaluate(t.value);
        expect(v >= p.range[0] && v <= p.range[1], `${t.name} (0x${v.toString(16)}) outside ${p.name}'s range`).toBe(true);
      }
    }
  });

  it("never give two constants one name across kernel/abi.ts and the protocols", () => {
    const kernelNames = new Set(Object.keys(abi));
    for (const k of Object.keys(proto)) expect(kernelNames.has(k), k).toBe(false);
  });

  it("give users names, never bare numbers (errorName, faultText, eventName, rightsName, stateName)", () => {
    expect(errorName(abi.E_CRASHED)).toBe("E_CRASHED");
    expect(errorName(abi.E_EOF)).toBe("E_EOF");
    expect(errorName(-999)).toBe("error -999");
    expect(faultText(abi.FAULT_CPU)).toBe("spent its CPU budget in one handler");
    expect(eventName(abi.EV_RESTART_FAILED)).toBe("restart-failed");
    expect(stateName(abi.SVC_STOPPING)).toBe("stopping");
    expect(rightsName(abi.R_CALL | abi.R_SEND)).toBe("call+send");
    expect(rightsName(0)).toBe("none");
    expect(eventDetail(abi.EV_CRASHED, abi.FAULT_HUNG, String)).toBe("did not answer a ping within its deadline");
    expect(eventDetail(abi.EV_RELOAD_FAILED, abi.E_CRASHED, String)).toBe("E_CRASHED; the old instance kept");
    expect(eventDetail(abi.EV_HELD, 2, (i) => ["a", "b", "log"][i])).toBe("a required dependency, log, is down");
    expect(eventDetail(abi.EV_DEGRADED, 0, String)).toBe("it says so");
    expect(eventDetail(abi.EV_STARTED, 0, String)).toBe("");
  });
});

describe("the lint", () => {
  const generated = new Set(files.keys());

  it("finds nothing outside abi/ and the generated files (but the lines still waiting for their owners)", () => {
    const found = lintTree(root, generated).filter((v) => !PENDING.has(`${v.file}: ${v.text}`));
    expect(found.map((v) => `${v.file}:${v.line} ${v.rule}: ${v.text}`)).toEqual([]);
  });

  const planted: Array<[Violation["rule"], string, string]> = [
    ["error-literal", "kernel/x.ts", "export const E_CRASHED = -7;"],
    ["error-literal", "tools/x.py", "E_ARG = -4"],
    ["error-literal", "userland/x.ts", "if (r == -7) retry();"],
    ["error-name", "userland/x.ts", 'const NAMES = ["OK", "E_BADSLOT", "E_RIGHTS"];'],
    ["deadline-sentinel", "tools/x.py", "if deadline == -2:"],
    ["deadline-sentinel", "tools/x.ts", "const d = kernel.next_deadline();\nif (d === -1) wait();"],
    ["section-name", "tools/x.ts", 'const s = sections.get("quark.abi");'],
    ["section-name", "tools/x.py", "name.startswith('quark.mod.')"],
    ["kernel-module-name", "tools/x.c", 'static const char K[] = "quark-kernel";'],
  ];

  it.each(planted)("finds a planted %s in %s", (rule, file, text) => {
    expect(lintText(file, text).map((v) => v.rule)).toContain(rule);
  });

  it("finds planted violations in a tree, and passes the generated files and comments", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-abi-lint-"));
    try {
      for (const [, file, text] of planted) {
        mkdirSync(join(dir, file, ".."), { recursive: true });
        writeFileSync(join(dir, file), text + "\n", { flag: "a" });
      }
      mkdirSync(join(dir, "kernel"), { recursive: true });
      writeFileSync(join(dir, "kernel/gen.ts"), 'export const E_ARG = -4;\nconst s = "quark.abi";\n');
      writeFileSync(join(dir, "kernel/doc.ts"), '// the "quark.abi" section; quark-kernel; E_ARG = -4\n');
      const found = lintTree(dir, new Set(["kernel/gen.ts"]));
      expect(new Set(found.map((v) => v.rule))).toEqual(new Set(planted.map(([rule]) => rule)));
      expect(found.filter((v) => v.file.startsWith("kernel/gen") || v.file.startsWith("kernel/doc"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes code that uses the names", () => {
    expect(lintText("tools/x.ts", "if (d === abi.DEADLINE_NEVER) return 0;\nsections.get(SECTION_ABI);")).toEqual([]);
  });
});
