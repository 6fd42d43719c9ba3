// Both hosts against small hand-made machines: the trampoline contains a
// service's trap, and a trap inside the kernel stops the machine loudly.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileModule } from "../../tools/lib/compile";
import { linkImage, KERNEL_MODULE_NAME } from "../../tools/lib/image";
import { withModuleName } from "../../tools/lib/wasm-sections";
import { bootNode, KERNEL_TRAP_EXIT } from "../../tools/host-node/run";
import { repoRoot } from "../../tools/lib/root";
import { bootWasmtime } from "../../tools/host-wasmtime/launch";
import * as abi from "../../kernel/abi";
import binaryen from "binaryen";

const root = repoRoot();

// A kernel with just enough to boot: it spawns pid 1 and runs its start, and
// exports one syscall, `stats` (a real syscall name: the hosts link only those), that traps when asked to.
const FAKE_KERNEL = `
@external("host", "invoke") declare function invoke(pid: i32, entry: i32, a0: i32, a1: i32): i32;
@external("host", "spawn") declare function spawn(pid: i32, module: i32, flags: i32): i32;
const buf = new StaticArray<u8>(256);
let code = 0;
export function boot_buffer(len: i32): i32 { return <i32>changetype<usize>(buf); }
export function boot(flags: i32): i32 {
  const spawned = spawn(1, 1, 0);
  if (spawned != 0) { code = 100 - spawned; return 0; } // exit 100 - error: the test reads spawn's answer
  code = invoke(1, 0, 1, 0) == (1 << 31) ? 10 : 20;
  return 0;
}
export function run(): i32 { return 2; }
export function next_deadline(): f64 { return -2; }
export function exit_code(): i32 { return code; }
export function stats(trap: i32): i32 { if (trap) unreachable(); return 7; }
// The service loader adds these imports to every service (tools/loader/): it
// charges fuel and stack and calls fuel_out/stack_out when they run out ...
export let fuel: i64 = 1 << 40;
export function fuel_out(): void {}
export let stack: i32 = 1 << 30;
export function stack_out(): void {}
// ... and reports a refused memory.grow here.
export function mem_limit(): void {}
`;
const FAKE_HAL = `export function hal_init(): void {}\nexport function uart_rx(b: i32): i32 { return 0; }`;
const service = (body: string) => `@external("quark", "stats") declare function poke(t: i32): i32;\nexport function quark_start(a: i32, b: i32): i32 { ${body} }`;

async function machine(initBody: string, initWasm?: Uint8Array): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "quark-nodehost-"));
  const src = (name: string, text: string) => { const f = join(dir, name); writeFileSync(f, text); return f; };
  const cacheDir = join(dir, "cache");
  const kernel = await compileModule({ kind: "kernel", entry: src("kernel.ts", FAKE_KERNEL), root, cacheDir });
  const hal = await compileModule({ kind: "hal", entry: src("hal.ts", FAKE_HAL), root, cacheDir });
  const init = initWasm ? { wasm: initWasm } : await compileModule({ kind: "service", entry: src("init.ts", service(initBody)), root, cacheDir });
  const bytes = linkImage({
    kernel: withModuleName(kernel.wasm, KERNEL_MODULE_NAME), hal: hal.wasm, init: withModuleName(init.wasm, "init"),
    services: [], manifestJson: {}, bootTable: new Uint8Array(32),
  });
  const out = join(dir, "image.wasm");
  writeFileSync(out, bytes);
  return out;
}

/**
 * A hand-made init that imports the fuel counter to give itself more: the
 * service loader refuses it, so spawn answers E_LINK and the machine exits
 * with 100 - E_LINK.
 */
function fuelThief(): Uint8Array {
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
    m.addGlobalImport("fuel", "quark", "fuel", binaryen.i64, true);
    m.setMemory(1, 1, "memory");
    m.addFunction("start", binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.i32, [], m.block(null, [
      // binaryen 132 takes an i64 constant as one bigint.
      m.global.set("fuel", (m.i64.const as unknown as (v: bigint) => binaryen.ExpressionRef)(1n << 62n)),
      m.i32.const(0),
    ], binaryen.i32));
    m.addFunctionExport("start", "quark_start");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
const LINK_REFUSED_EXIT = 100 - abi.E_LINK;

describe("the Node host", () => {
  it("refuses a service that imports quark.fuel: spawn answers E_LINK and says why under --verbose", async () => {
    const img = await machine("", fuelThief());
    const said: string[] = [];
    expect(await bootNode(img, { verbose: true, err: (l) => said.push(l) })).toBe(LINK_REFUSED_EXIT);
    expect(said.join("\n")).toMatch(/pid 1 \(init\) service init refused by the loader: byte \d+: import quark\.fuel: only the loader links quark\.fuel/);
  });

  it("contains a trap in a service: the kernel's invoke gets INVOKE_TRAPPED and carries on", async () => {
    const img = await machine("unreachable(); return 0;");
    const traps: { pid: number; inKernel: boolean }[] = [];
    expect(await bootNode(img, { onTrap: (t) => traps.push(t) })).toBe(10);
    expect(traps).toEqual([expect.objectContaining({ pid: 1, inKernel: false })]);
  });

  it("passes a service's syscall to the kernel and its result back", async () => {
    const img = await machine("return poke(0) == 7 ? 0 : (1 << 31);");
    expect(await bootNode(img)).toBe(20);
  });

  it("stops the machine with KERNEL_TRAP_EXIT when the kernel itself traps, naming the process it served", async () => {
    const img = await machine("return poke(1);");
    const traps: { pid: number; inKernel: boolean }[] = [];
    expect(await bootNode(img, { onTrap: (t) => traps.push(t) })).toBe(KERNEL_TRAP_EXIT);
    expect(traps).toEqual([expect.objectContaining({ pid: 1, inKernel: true })]);
  });
});

describe.each([false, true])("the wasmtime host (Python trampoline: %s)", (pythonTrampoline) => {
  const boot = async (img: string) => {
    const capture = { stdout: "", stderr: "" };
    const code = await bootWasmtime(root, img, { pythonTrampoline, verbose: true }, { capture, input: "", quietSetup: true });
    return { code, stderr: capture.stderr };
  };

  it("refuses a service that imports quark.fuel: spawn answers E_LINK and says why under --verbose", async () => {
    const r = await boot(await machine("", fuelThief()));
    expect(r.code).toBe(LINK_REFUSED_EXIT);
    expect(r.stderr).toMatch(/pid 1 \(init\) service init refused by the loader: byte \d+: import quark\.fuel: only the loader links quark\.fuel/);
  });

  it("contains a trap in a service", async () => {
    const r = await boot(await machine("unreachable(); return 0;"));
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/^quark: init \(pid 1\) trapped: unreachable \(.*unreachable.*\)$/m);
  });

  it("stops the machine with KERNEL_TRAP_EXIT when the kernel itself traps, naming the process it served", async () => {
    const r = await boot(await machine("return poke(1);"));
    expect(r.code).toBe(KERNEL_TRAP_EXIT);
    expect(r.stderr).toContain("the kernel trapped while serving pid 1");
  });
});
