// The stack guard's numbers against the engines' real stacks. The loader
// charges each call its callee's weight in 8-byte slots; the kernel lets the
// whole machine charge at most STACK_SLOTS of them (kernel/stack.ts). That is
// safe only if, for every shape of function, the engine can hold at least that
// many slots' worth of frames, with the kernel's and the host's frames of
// every nesting level on top. This test measures it: for recursive functions
// of different shapes it counts the frames the loader's guard allows in a
// given budget (so the weight) and the frames the engine really holds before
// it overflows, under V8 in this process and under wasmtime as the host runs
// it, and requires the engine to hold at least twice the machine's budget.
// It measures memory, not time.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import binaryen from "binaryen";
import * as abi from "../../kernel/abi";
import { instrumentService } from "../../tools/host-node/loader";
import { wasmtimePaths } from "../../tools/host-wasmtime/setup";
import { repoRoot } from "../../tools/lib/root";

// Worst case, the machine's windows are all full and every nesting level adds
// the kernel's and the host's frames: what the engine must hold, in slots.
const MACHINE_SLOTS = abi.STACK_SLOTS;
const MARGIN = 2;

interface Shape { name: string; params: number; locals: number; live: number; }
// A plain recursion; many parameters; many locals; many values live across the call.
const SHAPES: Shape[] = [
  { name: "tiny", params: 1, locals: 0, live: 0 },
  { name: "params", params: 12, locals: 0, live: 0 },
  { name: "locals", params: 1, locals: 40, live: 0 },
  { name: "live values", params: 1, locals: 0, live: 24 },
  { name: "mixed", params: 6, locals: 16, live: 8 },
];

/** f(n): recurse to n, keeping `live` values on the operand stack across the call; exported as run. */
function shapeModule(s: Shape): Uint8Array {
  const m = new binaryen.Module();
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals);
  const i64 = binaryen.i64;
  // binaryen 132 takes an i64 constant as one bigint.
  const c64 = (v: number) => (m.i64.const as unknown as (v: bigint) => binaryen.ExpressionRef)(BigInt(v));
  const params = binaryen.createType(Array(s.params).fill(i64));
  const n = () => m.local.get(0, i64);
  const args = (next: binaryen.ExpressionRef) => [next, ...Array.from({ length: s.params - 1 }, (_, k) => m.local.get(k + 1, i64))];
  // Use every local so no engine can drop it: sum them into the result.
  let call: binaryen.ExpressionRef = m.call("f", args(m.i64.sub(n(), c64(1))), i64);
  for (let k = 0; k < s.live; k++) call = m.i64.add(m.i64.mul(n(), c64(k + 3)), call);
  for (let k = 0; k < s.locals; k++) call = m.i64.add(m.local.get(s.params + k, i64), call);
  const sets = Array.from({ length: s.locals }, (_, k) => m.local.set(s.params + k, m.i64.add(n(), c64(k))));
  const body = m.block(null, [...sets, m.if(m.i64.eqz(n()), m.return(c64(0)), m.return(call))], binaryen.none);
  m.addFunction("f", params, i64, Array(s.locals).fill(i64), m.block(null, [body, c64(0)], i64));
  const runArgs = [m.i64.extend_u(m.local.get(0, binaryen.i32)), ...Array.from({ length: s.params - 1 }, () => c64(1))];
  m.addFunction("run", binaryen.i32, i64, [], m.call("f", runArgs, i64));
  m.addFunctionExport("run", "run");
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

function imports(stack: WebAssembly.Global, out: { stackOut: number }) {
  return {
    quark: {
      fuel: new WebAssembly.Global({ value: "i64", mutable: true }, 1n << 60n),
      stack,
      fuel_out: () => {},
      stack_out: () => { out.stackOut++; },
      mem_limit: () => {},
    },
  };
}

/** Slots charged until the guard stopped run(huge) in a budget of `budget`. */
function charged(mod: WebAssembly.Module, budget: number): number {
  const stack = new WebAssembly.Global({ value: "i32", mutable: true }, budget);
  const out = { stackOut: 0 };
  const inst = new WebAssembly.Instance(mod, imports(stack, out) as WebAssembly.Imports);
  const run = inst.exports.run as (n: number) => bigint;
  let err: unknown;
  try { run(1 << 30); } catch (e) { err = e; }
  expect(String(err)).toMatch(/unreachable/);
  expect(out.stackOut).toBe(1);
  return budget - stack.value; // every charge made, the one that went below zero included
}

/** The guard's weight of one frame of f: the first charge past a budget of c (a whole number of frames) is one more frame. */
function frameWeight(mod: WebAssembly.Module): number {
  const c = charged(mod, 4_000);
  return charged(mod, c) - c;
}

/** Deepest recursion the engine itself holds (V8, in this process), with the guard out of the way. */
function engineFrames(mod: WebAssembly.Module): number {
  const stack = new WebAssembly.Global({ value: "i32", mutable: true }, 0x7fffffff);
  const inst = new WebAssembly.Instance(mod, imports(stack, { stackOut: 0 }) as WebAssembly.Imports);
  const run = inst.exports.run as (n: number) => bigint;
  let lo = 1, hi = 1 << 24;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try { run(mid); lo = mid; } catch (e) { expect(e).toBeInstanceOf(RangeError); hi = mid; }
  }
  return lo;
}

const PY = `
import sys, wasmtime
sys.path.insert(0, sys.argv[1])
from machine import engine_config
engine = wasmtime.Engine(engine_config())
for path in sys.argv[2:]:
    module = wasmtime.Module(engine, open(path, "rb").read())
    def deepest():
        lo, hi = 1, 1 << 24
        while hi - lo > 1:
            mid = (lo + hi) // 2
            store = wasmtime.Store(engine)
            g = lambda v, t, m=True: wasmtime.Global(store, wasmtime.GlobalType(wasmtime.ValType.__dict__[t](), m), v)
            fuel = wasmtime.Global(store, wasmtime.GlobalType(wasmtime.ValType.i64(), True), wasmtime.Val.i64(1 << 60))
            stack = wasmtime.Global(store, wasmtime.GlobalType(wasmtime.ValType.i32(), True), wasmtime.Val.i32(0x7fffffff))
            noop = wasmtime.Func(store, wasmtime.FuncType([], []), lambda: None)
            by_name = {"fuel": fuel, "stack": stack, "fuel_out": noop, "stack_out": noop, "mem_limit": noop}
            inst = wasmtime.Instance(store, module, [by_name[i.name] for i in module.imports])
            try:
                inst.exports(store)["run"](store, mid)
                lo = mid
            except wasmtime.Trap as e:
                if "call stack exhausted" not in str(e):
                    raise
                hi = mid
        return lo
    print(deepest())
`;

describe("stack calibration", () => {
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), "quark-stack-"));
  const rows = SHAPES.map((s) => {
    const wasm = instrumentService(shapeModule(s), `stack-${s.name}`);
    const file = join(dir, `${s.name.replace(/ /g, "-")}.wasm`);
    writeFileSync(file, wasm);
    const mod = new WebAssembly.Module(wasm);
    return { shape: s, file, mod, weight: frameWeight(mod) };
  });

  it("V8 holds at least twice the machine's stack budget for every shape of frame", () => {
    for (const r of rows) {
      const real = engineFrames(r.mod);
      const slotsHeld = real * r.weight;
      console.log(`V8 ${r.shape.name}: weight ${r.weight}, ${real} frames real, ${slotsHeld} slots held (machine: ${MACHINE_SLOTS})`);
      expect(slotsHeld, r.shape.name).toBeGreaterThanOrEqual(MARGIN * MACHINE_SLOTS);
    }
  });

  it("wasmtime, configured as the host configures it, holds at least twice too", () => {
    const py = spawnSync(wasmtimePaths(root).python, ["-c", PY, join(root, "tools", "host-wasmtime"), ...rows.map((r) => r.file)], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const real = py.stdout.trim().split("\n").map(Number);
    rows.forEach((r, i) => {
      const slotsHeld = real[i] * r.weight;
      console.log(`wasmtime ${r.shape.name}: weight ${r.weight}, ${real[i]} frames real, ${slotsHeld} slots held (machine: ${MACHINE_SLOTS})`);
      expect(slotsHeld, r.shape.name).toBeGreaterThanOrEqual(MARGIN * MACHINE_SLOTS);
    });
  });
});
