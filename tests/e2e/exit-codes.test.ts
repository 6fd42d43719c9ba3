// Every row of the exit-status table (abi/machine.ts's EXIT_* rows, which
// the README and `quark help` show), driven through the real CLI as a child
// process under both hosts: the status a script tests and the line a user
// sees. A row no case reaches fails the last test, so a new row needs a case.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { EXIT_CODES } from "../../tools/quark/help";
import { compileModule } from "../../tools/lib/compile";
import { linkImage, KERNEL_MODULE_NAME } from "../../tools/lib/image";
import { withModuleName } from "../../tools/lib/wasm-sections";
import { image, quark, root, until } from "./helpers";

const RUNTIMES = ["node", "wasmtime"] as const;
const fixture = (name: string) => join(root, "tests", "fixtures", name, "image.toml");

// A kernel with just enough to boot (as in tests/unit/host-traps.test.ts):
// it spawns init and runs its start; the one syscall it exports, `stats`,
// traps inside the kernel's own code when asked to; run() answers RUN.
const fakeKernel = (run: number) => `
@external("host", "invoke") declare function invoke(pid: i32, entry: i32, a0: i32, a1: i32): i32;
@external("host", "spawn") declare function spawn(pid: i32, module: i32, flags: i32): i32;
const buf = new StaticArray<u8>(256);
export function boot_buffer(len: i32): i32 { return <i32>changetype<usize>(buf); }
export function boot(flags: i32): i32 { spawn(1, 1, 0); invoke(1, 0, 1, 0); return 0; }
export function run(): i32 { return ${run}; }
export function next_deadline(): f64 { return -2; }
export function exit_code(): i32 { return 0; }
export function stats(trap: i32): i32 { if (trap) unreachable(); return 7; }
export let fuel: i64 = 1 << 40;
export function fuel_out(): void {}
export let stack: i32 = 1 << 30;
export function stack_out(): void {}
export function mem_limit(): void {}
`;
const HAL = `export function hal_init(): void {}\nexport function uart_rx(b: i32): i32 { return 0; }`;
const fakeInit = (trap: number) => `@external("quark", "stats") declare function poke(t: i32): i32;\nexport function quark_start(a: i32, b: i32): i32 { return poke(${trap}); }`;
/** No RUN_* value: what only a broken kernel could answer. */
const NO_RUN_RESULT = 99;

let dir: string;
const images: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quark-exit-"));
  images.default = await image("default");
  for (const f of ["traps", "init-dies", "init-refused"]) {
    const b = quark(["build", fixture(f)]);
    expect(b.code, b.stderr).toBe(0);
    images[f] = fixture(f).replace(/\.toml$/, ".wasm");
  }
  const src = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const cacheDir = join(dir, "cache");
  const hal = await compileModule({ kind: "hal", entry: src("hal.ts", HAL), root, cacheDir });
  /** An image of the hand-made kernel whose run() answers `run`, with an init that makes it trap or not. */
  const handMade = async (name: string, run: number, trap: number) => {
    const kernel = await compileModule({ kind: "kernel", entry: src(`${name}-kernel.ts`, fakeKernel(run)), root, cacheDir });
    const init = await compileModule({ kind: "service", entry: src(`${name}-init.ts`, fakeInit(trap)), root, cacheDir });
    images[name] = join(dir, `${name}.wasm`);
    writeFileSync(images[name], linkImage({
      kernel: withModuleName(kernel.wasm, KERNEL_MODULE_NAME), hal: hal.wasm, init: withModuleName(init.wasm, "init"),
      services: [], manifestJson: {}, bootTable: new Uint8Array(32),
    }));
  };
  await handMade("kernelTrap", abi.RUN_HALT, 1);
  await handMade("noRunResult", NO_RUN_RESULT, 0);
  images.garbage = join(dir, "garbage.wasm");
  writeFileSync(images.garbage, "not an image\n");
  images.badManifest = join(dir, "bad.toml");
  writeFileSync(images.badManifest, '[image]\nname = "bad"\n\n[service.a]\nmodule = "nowhere"\n');
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines of a stream, without the empty one after the last newline. */
const lines = (s: string) => s.split("\n").filter((l) => l.length > 0);

/** Which rows the cases below reached, per runtime: the ABI's EXIT_* names, and quark's own "usage" and "failed". */
const reached = new Map<string, Set<string>>(RUNTIMES.map((r) => [r, new Set<string>()]));

interface Case {
  row: string;
  what: string;
  args: (runtime: string) => string[];
  input?: string;
  code: number;
  stderr: (string | RegExp)[];
  stdout?: RegExp;
}

const CASES: Case[] = [
  {
    row: "usage", what: "an unknown option", code: 2,
    args: (r) => ["boot", images.default, "--runtime", r, "--bogus"],
    stderr: ["quark boot: unknown option --bogus; see quark boot --help"],
  },
  {
    row: "failed", what: "a manifest that does not build", code: 1,
    args: (r) => ["boot", images.badManifest, "--runtime", r],
    stderr: [/^\/.*bad\.toml:5:10: error: module "nowhere" not found: .*nowhere does not exist$/, /^  hint: module paths are relative to the manifest's directory/],
  },
  {
    row: "EXIT_NOTHING_CAN_WAKE", what: "no service left to run and the input ended", code: 0,
    args: (r) => ["boot", images.traps, "--runtime", r],
    stderr: ["quark: unreach (pid 2) trapped: unreachable", "quark: oob (pid 3) trapped: out of bounds memory access"],
  },
  {
    row: "EXIT_KERNEL_REFUSED", what: "kernel.boot() cannot instantiate init", code: 1,
    args: (r) => ["boot", images["init-refused"], "--runtime", r],
    stderr: [`quark: kernel.boot() failed: E_LINK (${abi.E_LINK})`], stdout: /kernel: boot failed: cannot instantiate init\n/,
  },
  {
    row: "EXIT_KERNEL_REFUSED", what: "kernel.run() answers no RUN_* value (a hand-made kernel)", code: 1,
    args: (r) => ["boot", images.noRunResult, "--runtime", r],
    stderr: [`quark: kernel.run() returned ${NO_RUN_RESULT}, which is no RUN_* value`],
  },
  {
    row: "EXIT_SERVICE_FAILED", what: "a service failed to start under --until-ready", code: 1,
    args: (r) => ["boot", images.traps, "--until-ready", "--runtime", r],
    stderr: [
      "quark: unreach (pid 2) trapped: unreachable", "quark: oob (pid 3) trapped: out of bounds memory access",
      "quark: not every service started: unreach (its quark_start trapped), oob (its quark_start trapped)",
    ],
  },
  {
    row: "EXIT_SHELL_REFUSED", what: "a shell command the system refused, under ctl", code: 1,
    args: (r) => ["ctl", images.default, "--runtime", r, "svc stop nosuch"],
    stderr: [], stdout: /^no service named nosuch \(try svc list\)\n$/,
  },
  {
    row: "EXIT_SHELL_USAGE", what: "a word that is no shell command, under ctl", code: 2,
    args: (r) => ["ctl", images.default, "--runtime", r, "svc lis"],
    stderr: [], stdout: /^unknown svc command: lis \(did you mean list\?\)\n$/,
  },
  {
    row: "EXIT_BAD_IMAGE", what: "a file that is no image", code: 2,
    args: (r) => ["boot", images.garbage, "--runtime", r],
    stderr: [/^\/.*garbage\.wasm: not a WebAssembly module \(it does not start with \\0asm\); give the \.wasm file that `quark build` wrote$/],
  },
  {
    row: "EXIT_KERNEL_TRAP", what: "the kernel's own code traps", code: 3,
    args: (r) => ["boot", images.kernelTrap, "--runtime", r],
    stderr: ["quark: the kernel trapped while serving pid 1 (a kernel bug; halting)"],
  },
  {
    row: "EXIT_CONFORMANCE_BROKEN", what: "conformance on an image whose init dies", code: 4,
    args: (r) => ["conformance", images["init-dies"], "--runtime", r, "--reporter", "tap"],
    stderr: [
      /^quark: conformance suite on image\.wasm under (node|wasmtime)$/,
      /^quark: the conformance run under (node|wasmtime) broke: the test service did not finish \(no '#qc done' line on the console\); the machine exited 70$/,
    ],
    stdout: /^not ok 1 - run\.test-service-finished # unresolved$/m,
  },
  {
    row: "EXIT_PANIC", what: "init trapped while starting", code: 70,
    args: (r) => ["boot", images["init-dies"], "--runtime", r],
    stderr: ["quark: init (pid 1) trapped: unreachable"], stdout: /kernel: panic: init died\n/,
  },
];

describe.each(RUNTIMES)("exit statuses under %s", (runtime) => {
  it.each(CASES.map((c) => [c.row, c.code, c.what, c] as const))("%s (%i): %s", (_row, code, _what, c) => {
    const r = quark(c.args(runtime), { input: c.input ?? "" });
    expect(r.code, r.stderr).toBe(code);
    const said = lines(r.stderr);
    expect(said).toHaveLength(c.stderr.length);
    c.stderr.forEach((want, i) => {
      if (typeof want === "string") expect(said[i]).toBe(want);
      else expect(said[i]).toMatch(want);
    });
    if (c.stdout) expect(r.stdout).toMatch(c.stdout);
    reached.get(runtime)!.add(c.row);
  }, 120_000);

  // Ctrl-C: the machine stops at once with 130 and says nothing; what it held (the control socket) is let go.
  it.each([
    ["a system with a control socket", true],
    ["an interactive shell waiting on input", false],
  ] as const)("EXIT_INTERRUPTED (130): SIGINT to %s", async (_what, withControl) => {
    const sock = join(dir, `q-${runtime}.sock`);
    const args = [join(root, "bin", "quark.mjs"), "boot", images.default, "--runtime", runtime, ...(withControl ? ["--control", sock] : [])];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on("close", (code, signal) => res({ code, signal })));
    // Running and waiting: init is ready and the shell waits for a line (stdin stays open).
    expect(await until(() => /init: ready: /.test(out) && (!withControl || existsSync(sock)), 60_000), out + err).toBe(true);
    child.kill("SIGINT");
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: abi.EXIT_INTERRUPTED, signal: null });
    expect(err).toBe("");
    if (withControl) expect(existsSync(sock)).toBe(false);
    reached.get(runtime)!.add("EXIT_INTERRUPTED");
  }, 120_000);
});

describe("the exit-status table", () => {
  const rows = Object.keys(abi).filter((k) => k.startsWith("EXIT_"));

  it("is quark help's: every status it shows is an ABI row or quark's own 0, 1 or 2", () => {
    const values = new Set(rows.map((k) => (abi as Record<string, unknown>)[k] as number));
    for (const [code] of EXIT_CODES) expect([0, 1, 2, ...values]).toContain(code);
    for (const v of values) expect(EXIT_CODES.map(([c]) => c), `status ${v}`).toContain(v);
  });

  it.each(RUNTIMES)("has every row reached through the CLI under %s", (runtime) => {
    expect([...reached.get(runtime)!].sort()).toEqual([...rows, "usage", "failed"].sort());
    const codes = new Set(CASES.map((c) => c.code).concat(abi.EXIT_INTERRUPTED));
    for (const [code, what] of EXIT_CODES) expect(codes.has(code), `${code}: ${what}`).toBe(true);
  });
});
