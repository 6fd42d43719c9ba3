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
export const METER_FORMAT = 3;

export const FUEL_GLOBAL = "fuel";
// binaryen's size measure of the charge is about 15: inline it everywhere.
const CHARGE_INLINE_SIZE = 32;
export const FUEL_OUT = "fuel_out";

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

function findImport(mod: binaryen.Module, module: string, base: string): string | undefined {
  for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module === module && info.base === base) return info.name;
  }
  return undefined;
}
