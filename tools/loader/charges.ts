// The code the loader inserts. Each charge writes one imported global and
// calls its import only when the counter goes below zero, then traps: the
// kernel's fuel_out/stack_out records why before the trap. An imported
// mutable global is a load through the instance under both engines, so the
// charges read it as little as they can: the fuel once per charge (the new
// value is kept in a local for the test), the stack once per function (at
// entry, into a local: every call the function makes restores it, so it is
// the same at each call site) and never around a call.
import { emitByte, emitU32, emitS32 } from "./writer";
import { G_FUEL, G_STACK, fuelOutFunc, stackOutFunc, memLimitFunc } from "./module";

const GLOBAL_GET: u32 = 0x23;
const GLOBAL_SET: u32 = 0x24;
const LOCAL_GET: u32 = 0x20;
const LOCAL_SET: u32 = 0x21;
const LOCAL_TEE: u32 = 0x22;
const I32_CONST: u32 = 0x41;
const I64_CONST: u32 = 0x42;
const I32_LT_S: u32 = 0x48;
const I64_LT_S: u32 = 0x53;
const I32_SUB: u32 = 0x6b;
const I64_SUB: u32 = 0x7d;
const IF: u32 = 0x04;
const EMPTY: u32 = 0x40;
const CALL: u32 = 0x10;
const UNREACHABLE: u32 = 0x00;
const END: u32 = 0x0b;
const MEMORY_GROW: u32 = 0x40;

/** if (counter < 0) { call out; unreachable } with the comparison already emitted. */
function outOf(out: u32): void {
  emitByte(IF); emitByte(EMPTY);
  emitByte(CALL); emitU32(out);
  emitByte(UNREACHABLE);
  emitByte(END);
}

/** One unit of fuel: at every function entry and loop header. `tmp` is an i64 local. */
export function fuelCharge(tmp: u32): void {
  emitByte(GLOBAL_GET); emitU32(G_FUEL);
  emitByte(I64_CONST); emitByte(1);
  emitByte(I64_SUB);
  emitByte(LOCAL_TEE); emitU32(tmp);
  emitByte(GLOBAL_SET); emitU32(G_FUEL);
  emitByte(LOCAL_GET); emitU32(tmp);
  emitByte(I64_CONST); emitByte(0);
  emitByte(I64_LT_S);
  outOf(fuelOutFunc());
}

/** At entry of a function that makes calls: the stack it may charge, into the i32 local `base`. */
export function stackBase(base: u32): void {
  emitByte(GLOBAL_GET); emitU32(G_STACK);
  emitByte(LOCAL_SET); emitU32(base);
}

/** Before a call: what is left once the callee's weight is taken, and the trap if that is below zero. */
export function stackCharge(w: u32, base: u32): void {
  emitByte(LOCAL_GET); emitU32(base);
  emitByte(I32_CONST); emitS32(<i32>w);
  emitByte(I32_SUB);
  emitByte(GLOBAL_SET); emitU32(G_STACK);
  // base - w < 0 exactly when base < w: both lie in [0, 2^31).
  emitByte(LOCAL_GET); emitU32(base);
  emitByte(I32_CONST); emitS32(<i32>w);
  emitByte(I32_LT_S);
  outOf(stackOutFunc());
}

/** After the call returns: the stack as it was before it. */
export function stackRestore(base: u32): void {
  emitByte(LOCAL_GET); emitU32(base);
  emitByte(GLOBAL_SET); emitU32(G_STACK);
}

/**
 * The body of the function every memory.grow becomes, (i32) -> i32: grow,
 * and tell the kernel (mem_limit) when the engine refused, so the trap that
 * usually follows is blamed on the manifest's memory limit. Local 1 holds
 * the result.
 */
export function growBody(): void {
  emitByte(1); emitByte(1); emitByte(0x7f); // one local: i32
  emitByte(LOCAL_GET); emitByte(0);
  emitByte(MEMORY_GROW); emitByte(0);
  emitByte(LOCAL_TEE); emitByte(1);
  emitByte(I32_CONST); emitByte(0);
  emitByte(I32_LT_S);
  emitByte(IF); emitByte(EMPTY);
  emitByte(CALL); emitU32(memLimitFunc());
  emitByte(END);
  emitByte(LOCAL_GET); emitByte(1);
  emitByte(END);
}
