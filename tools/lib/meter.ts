// CPU metering, applied to every service module at build time. binaryen's
// log-execution pass puts a call at each function entry, exit and loop header;
// here that call becomes a charge of one unit against the kernel's exported
// global `fuel` (imported as quark.fuel), with a call to quark.fuel_out and a
// trap when it goes below zero, and is inlined. The kernel gives each handler
// invocation its budget (kernel/cpu.ts). The same bytes run in every engine,
// so CPU accounting and limits are deterministic and identical in both hosts.
import binaryen from "binaryen";

// What AssemblyScript emits; binaryen must not re-encode the module with
// proposals (such as compact imports) that engines do not all accept.
const FEATURES = binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt;

// Part of every service's cache key: change it whenever the instrumentation changes.
export const METER_FORMAT = 4;

export const FUEL_GLOBAL = "fuel";
// binaryen's size measure of the charge is about 15: inline it everywhere.
const CHARGE_INLINE_SIZE = 32;
export const FUEL_OUT = "fuel_out";
export const MEM_LIMIT = "mem_limit";
// What binaryen's instrument-memory pass imports besides the memory.grow hooks; unused here.
const UNUSED_HOOKS = ["load_ptr", "load_val_i32", "load_val_i64", "load_val_f32", "load_val_f64",
  "store_ptr", "store_val_i32", "store_val_i64", "store_val_f32", "store_val_f64"];

export class MeterError extends Error {}

export function meter(wasm: Uint8Array, label: string): Uint8Array {
  const read = binaryen.readBinary as unknown as (data: Uint8Array, features: number) => binaryen.Module;
  const mod = read(wasm, binaryen.Features.All);
  try {
    mod.setFeatures(FEATURES);
    mod.runPasses(["log-execution"]);
    const probe = findImport(mod, "env", "log_execution");
    if (!probe) return wasm; // no function bodies: nothing to meter
    mod.removeFunction(probe);
    mod.addGlobalImport("quark$fuel", "quark", FUEL_GLOBAL, binaryen.i64, true);
    mod.addFunctionImport("quark$fuel_out", "quark", FUEL_OUT, binaryen.none, binaryen.none);
    const fuel = () => mod.global.get("quark$fuel", binaryen.i64);
    // binaryen 132 takes an i64 constant as one bigint.
    const i64 = (v: bigint) => (mod.i64.const as unknown as (v: bigint) => binaryen.ExpressionRef)(v);
    // One read and one write of the (imported, so indirect) global per charge.
    const left = () => mod.local.get(1, binaryen.i64);
    mod.addFunction(probe, binaryen.i32, binaryen.none, [binaryen.i64], mod.block(null, [
      mod.local.set(1, mod.i64.sub(fuel(), i64(1n))),
      mod.global.set("quark$fuel", left()),
      mod.if(mod.i64.lt_s(left(), i64(0n)),
        mod.block(null, [mod.call("quark$fuel_out", [], binaryen.none), mod.unreachable()])),
    ], binaryen.none));
    reportRefusedGrowth(mod);
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    // The pass numbers each mark from a counter that lives as long as the
    // process; the charge ignores the number, so drop the argument (dae) for
    // bytes that do not depend on what was built before, then always inline.
    binaryen.setAlwaysInlineMaxSize(CHARGE_INLINE_SIZE);
    mod.runPasses(["dae-optimizing", "inlining-optimizing"]);
    if (!mod.validate()) throw new MeterError(`the metered ${label} does not validate`);
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

/**
 * Every memory.grow reports a refusal to the kernel (quark.mem_limit) before
 * the module goes on, so that the trap that usually follows (the allocator
 * has nowhere to go) is blamed on the manifest's memory limit, by name.
 */
function reportRefusedGrowth(mod: binaryen.Module): void {
  binaryen.setPassArgument("instrument-memory", "memory.grow");
  mod.runPasses(["instrument-memory"]);
  binaryen.clearPassArguments();
  for (const hook of UNUSED_HOOKS) {
    const name = findImport(mod, "env", hook);
    if (name) mod.removeFunction(name);
  }
  const pre = findImport(mod, "env", "memory_grow_pre");
  const post = findImport(mod, "env", "memory_grow_post");
  if (!pre || !post) throw new MeterError("binaryen's instrument-memory pass added no memory.grow hooks");
  const args = binaryen.createType([binaryen.i32, binaryen.i32]);
  const delta = () => mod.local.get(1, binaryen.i32);
  mod.removeFunction(pre);
  mod.addFunction(pre, args, binaryen.i32, [], delta());
  mod.removeFunction(post);
  mod.addFunctionImport("quark$mem_limit", "quark", MEM_LIMIT, binaryen.none, binaryen.none);
  const result = () => mod.local.get(1, binaryen.i32);
  mod.addFunction(post, args, binaryen.i32, [], mod.block(null, [
    mod.if(mod.i32.lt_s(result(), mod.i32.const(0)), mod.call("quark$mem_limit", [], binaryen.none)),
    result(),
  ], binaryen.i32));
}

function findImport(mod: binaryen.Module, module: string, base: string): string | undefined {
  for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module === module && info.base === base) return info.name;
  }
  return undefined;
}
