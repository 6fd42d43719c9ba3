// The wasmtime host against a hand-made image (tests/fixtures/wasmtime-host):
// a fake kernel whose boot() checks host.spawn, invoke, copy and kill from the
// inside and prints "ok N" / "fail N got X", a fake HAL with a tiny UART, and
// small service modules, each one built to hit one rule of docs/machine-abi.md.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { bootWasmtime, wasmtimeCommand, type WasmtimeFlags } from "../../tools/host-wasmtime/launch";
import { bootNode } from "../../tools/host-node/run";
import { ensureWasmtime, wasmtimePaths, type WasmtimeSetup } from "../../tools/host-wasmtime/setup";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const fixtures = join(root, "tests/fixtures/wasmtime-host");
const out = join(root, "build/test/wasmtime-host");
const python = wasmtimePaths(root).python;
const INPUT = "hello, quark! the fifo holds four\n";
// The fake image's services' traps, as the board prints them (one per trap, named, with its kind).
const FAKE_TRAPS = [
  "quark: crashstart (pid 3) trapped: unreachable",
  "quark: alpha (pid 1) trapped: unreachable",
  "quark: alpha (pid 1) trapped: unreachable",
  "quark: beta (pid 2) trapped: call stack exhausted",
];

let setup: WasmtimeSetup;

function pack(name: string, ...extra: string[]): string {
  const image = join(out, `${name}.wasm`);
  execFileSync(python, [join(fixtures, "pack.py"), join(out, "abi.json"), image, ...extra]);
  return image;
}

async function boot(image: string, input: string, flags: WasmtimeFlags = {}) {
  const capture = { stdout: "", stderr: "" };
  const code = await bootWasmtime(root, image, flags, { input, capture, quietSetup: true });
  return { code, ...capture };
}

function checks(stdout: string) {
  const lines = stdout.split("\n");
  const checked = Number(/^checked (\d+)$/m.exec(stdout)?.[1]);
  return { ok: lines.filter((l) => l.startsWith("ok ")), fail: lines.filter((l) => l.startsWith("fail ")), checked };
}

beforeAll(async () => {
  setup = await ensureWasmtime({ root, quiet: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "abi.json"), JSON.stringify({ ...abi }));
  pack("fake");
});

const modes: [string, WasmtimeFlags][] = [
  ["the C trampoline", {}],
  ["the Python trampoline", { pythonTrampoline: true }],
];

describe.each(modes)("the wasmtime host with %s", (mode, base) => {
  const image = () => join(out, "fake.wasm");
  const python = base.pythonTrampoline === true;

  it("passes every check of spawn, invoke, copy and kill, echoes input, and exits with the kernel's code", async () => {
    if (!python && !setup.shim) return; // no C compiler: the fallback is what runs, tested below
    const r = await boot(image(), INPUT, base);
    const c = checks(r.stdout);
    expect(c.fail).toEqual([]);
    expect(c.ok.length).toBe(c.checked);
    expect(c.checked).toBeGreaterThan(50);
    expect(r.stdout.startsWith("flags=0\n")).toBe(true);
    expect(r.stdout).toContain(`\n${INPUT}`);
    expect(r.stdout.endsWith("tick\neof\n")).toBe(true);
    expect(r.code).toBe(7);
  });

  it("writes only console bytes to stdout, and announces a slow trampoline once on stderr", async () => {
    const r = await boot(image(), "", base);
    const notices = r.stderr.split("\n").filter((l) => l.includes("slow Python trampoline"));
    expect(notices.length).toBe(python || !setup.shim ? 1 : 0);
    // Besides the notice, only the board's line for each service trap (tools/board/exit.ts).
    expect(r.stderr.trim().split("\n").filter((l) => l && !notices.includes(l))).toEqual(FAKE_TRAPS);
  });

  it("maps --until-ready and --quiet to the image's BOOT_* flags and halts with 0 at ready", async () => {
    const r = await boot(image(), "", { ...base, untilReady: true, quiet: true });
    expect(r.stdout).toContain(`flags=${abi.BOOT_UNTIL_READY | abi.BOOT_QUIET}\n`);
    expect(r.stdout.endsWith("ready\n")).toBe(true);
    expect(r.code).toBe(0);
  });

  it("exits 0 without waiting when next_deadline says nothing can wake the system (-2)", async () => {
    const r = await boot(image(), "z and the rest is never read\n", base);
    expect(r.stdout.endsWith("dormant\n")).toBe(true);
    expect(r.code).toBe(0);
  });

  it("reports each trap with its pid on stderr under --verbose", async () => {
    const r = await boot(image(), "", { ...base, verbose: true });
    expect(r.stderr).toMatch(/^quark: alpha \(pid 1\) trapped: unreachable \(.*unreachable.*\)$/m);
    expect(r.stderr).toMatch(/^quark: beta \(pid 2\) trapped: call stack exhausted \(.*call stack exhausted.*\)$/m);
    expect(r.stderr).toMatch(/^quark: pid 3 \(badlink\) import quark\.nope is not a syscall/m);
    expect(checks(r.stdout).fail).toEqual([]);
  });

  it("spawns one pid 25 000 times, past the store's cap of 10 000 instances: each spawn recycles the instance it replaces", async () => {
    const r = await boot(image(), "n", { ...base, verbose: true });
    expect(r.stdout).toMatch(new RegExp(`^spawned 25000 ${abi.OK}$`, "m"));
    expect(r.stderr).not.toMatch(/resource limit/);
    expect(r.code).toBe(7);
  });

  it("times invoke, copy, now, a trap and a spawn from inside the kernel (printed, not asserted)", async () => {
    const n = python ? 2000 : 1_000_000;
    const r = await boot(image(), `b${n}\n`, base);
    const timings = r.stdout.split("\n").filter((l) => / ns=/.test(l));
    console.log(`wasmtime host, ${mode}${!python && !setup.shim ? " (fallback: no shim)" : ""}, ${n} calls: ${timings.join(", ")}`);
    expect(timings.length).toBe(5);
    expect(r.code).toBe(7);
  });
});

describe("the board when its engine process dies", () => {
  it("says so in one line and exits 1, and leaves no socket behind", async () => {
    const sock = join(out, `dies-${process.pid}.sock`);
    const capture = { stdout: "", stderr: "" };
    // A control socket keeps the machine running until something stops it.
    const exited = bootWasmtime(root, join(out, "fake.wasm"), { control: sock }, { input: "", capture, quietSetup: true });
    let engine = "";
    for (let i = 0; i < 600 && !engine; i++) {
      await new Promise((r) => setTimeout(r, 50));
      engine = spawnSync("pgrep", ["-P", String(process.pid), "-f", "engine.py"], { encoding: "utf8" }).stdout.trim();
      if (engine && !capture.stdout.includes("checked")) engine = ""; // booted first
    }
    expect(engine, "the engine process").toMatch(/^\d+$/);
    process.kill(Number(engine), "SIGKILL");
    expect(await exited).toBe(1);
    expect(capture.stderr).toBe(FAKE_TRAPS.map((l) => l + "\n").join("") + "quark: the wasmtime engine stopped (signal SIGKILL)\n");
    expect(existsSync(sock)).toBe(false);
  });
});

describe("the same checks under the Node engine", () => {
  // Halted by the kernel with its code (INPUT), and stopped because nothing can wake the system ("z": exit 0).
  it.each([["a halt", INPUT, 7], ["nothing can wake", "z and the rest is never read\n", 0]])(
    "print the same console and exit with the same code (%s): the board and the link policy are the same for both engines",
    async (_, input, expected) => {
      let text = "";
      const dec = new TextDecoder();
      const code = await bootNode(join(out, "fake.wasm"), { input: (async function* () { yield input; })(), out: (b) => { text += dec.decode(b, { stream: true }); } });
      const w = await boot(join(out, "fake.wasm"), input);
      expect(checks(text).fail).toEqual([]);
      expect(text).toBe(w.stdout);
      expect(code).toBe(expected);
      expect(w.code).toBe(expected);
    });
});

describe("the wasmtime host refuses what it cannot boot with one line and exit code 2", () => {
  const refuse = async (image: string, pattern: RegExp) => {
    const r = await boot(image, "");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(pattern);
  };

  it("a file that is not WebAssembly", async () => {
    const image = join(out, "not-wasm.wasm");
    writeFileSync(image, "this is not a wasm module\n");
    await refuse(image, /not a WebAssembly module/);
  });

  it("a missing file", () => refuse(join(out, "no-such-image.wasm"), /cannot read/));
  it("an image without quark.abi", () => refuse(pack("no-abi", "--omit", "quark.abi"), /missing section quark\.abi/));
  it("an image without a module's section", () =>
    refuse(pack("no-beta", "--omit", "quark.mod.beta"), /missing section quark\.mod\.beta/));
  it("an image without quark.boot", () => refuse(pack("no-boot", "--omit", "quark.boot"), /missing section quark\.boot/));
  it("an image of another ABI_VERSION, naming both versions", () =>
    refuse(pack("abi-99", "--set", "ABI_VERSION=99"), new RegExp(`ABI_VERSION 99.*ABI_VERSION ${abi.ABI_VERSION}`)));
});

// The engine's compiled-code cache (tools/host-wasmtime/codecache.py), driven from Python as machine.py drives it.
const CODE_CACHE_PY = `
import os, sys, wasmtime
sys.path.insert(0, sys.argv[1])
from codecache import CodeCache
folder = sys.argv[2]
engine = wasmtime.Engine()
body = wasmtime.wat2wasm('(module (func (export "f") (result i32) i32.const 7))')
def run(m):
    store = wasmtime.Store(engine)
    return wasmtime.Instance(store, m, []).exports(store)["f"](store)
cache = CodeCache(folder, engine)
path = os.path.join(folder, "k1.cwasm")
print("first", run(cache.module(body, "k1")), os.path.exists(path))
written = open(path, "rb").read()
print("again", run(cache.module(body, "k1")), open(path, "rb").read() == written)
open(path, "wb").write(b"not a compiled module")
print("garbage", run(cache.module(body, "k1")), open(path, "rb").read() == written)
print("unkeyed", run(cache.module(body, None)), sorted(os.listdir(folder)))
blocked = CodeCache(os.path.join(folder, "k1.cwasm", "sub"), engine)
print("unwritable", run(blocked.module(body, "k2")))
`;

describe("the engine's compiled-code cache", () => {
  it("maps a module compiled before from its file, replaces an entry it cannot read, and is only slower when it cannot write", () => {
    const folder = join(out, "code-cache");
    rmSync(folder, { recursive: true, force: true });
    const r = spawnSync(python, ["-c", CODE_CACHE_PY, join(root, "tools", "host-wasmtime"), folder], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual([
      "first 7 True",
      "again 7 True",
      "garbage 7 True", // compiled again and written again, the same bytes as the first time
      "unkeyed 7 ['k1.cwasm']",
      "unwritable 7",
    ]);
  });
});

describe("wasmtime host setup", () => {
  it("does nothing the second time: no progress lines, the same shim", async () => {
    const lines: string[] = [];
    const again = await ensureWasmtime({ root, log: (s) => lines.push(s) });
    expect(lines).toEqual([]);
    // What is in place, not what the first call had to do to put it there.
    expect({ python: again.python, shim: again.shim, reason: again.reason }).toEqual({ python: setup.python, shim: setup.shim, reason: setup.reason });
  });

  it("builds the C trampoline where a C compiler exists, or says why not", () => {
    const cc = spawnSync(process.env.CC || "cc", ["--version"]).status === 0;
    if (cc) expect(setup.shim).toBe(wasmtimePaths(root).shim);
    else expect(setup).toMatchObject({ shim: null, reason: "no C compiler found" });
  });

  it("falls back to the Python trampoline, saying so once, when the shim is absent", async () => {
    const r = await boot(join(out, "fake.wasm"), INPUT, { shim: join(out, "no-such-shim.so") });
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/slow Python trampoline/), ...FAKE_TRAPS]);
    expect(checks(r.stdout).fail).toEqual([]);
    expect(r.code).toBe(7);
  });

  it("runs the engine as engine.py in the virtual environment's Python, with no argument: everything comes over its pipes", () => {
    expect(wasmtimeCommand("/r")).toEqual({ cmd: "/r/.venv/bin/python", args: ["/r/tools/host-wasmtime/engine.py"] });
  });
});
