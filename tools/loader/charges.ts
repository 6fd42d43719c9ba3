// The code the loader inserts. Each charge reads and writes one imported
// global, and calls its import only when the counter goes below zero, then
// traps: the kernel's fuel_out/stack_out records why before the trap.
import { emitByte, emitU32, emitS32 } from "./writer";
import { G_FUEL, G_STACK, fuelOutFunc, stackOutFunc, memLimitFunc } from "./module";

const GLOBAL_GET: u32 = 0x23;
const GLOBAL_SET: u32 = 0x24;
const LOCAL_GET: u32 = 0x20;
const LOCAL_TEE: u32 = 0x22;
const I32_CONST: u32 = 0x41;
const I64_CONST: u32 = 0x42;
const I32_LT_S: u32 = 0x48;
const I64_LT_S: u32 = 0x53;
const I32_ADD: u32 = 0x6a;
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

/** One unit of fuel: at every function entry and loop header. */
export function fuelCharge(): void {
  emitByte(GLOBAL_GET); emitU32(G_FUEL);
  emitByte(I64_CONST); emitByte(1);
  emitByte(I64_SUB);
  emitByte(GLOBAL_SET); emitU32(G_FUEL);
  emitByte(GLOBAL_GET); emitU32(G_FUEL);
  emitByte(I64_CONST); emitByte(0);
  emitByte(I64_LT_S);
  outOf(fuelOutFunc());
}

/** Before a call: take the callee's weight from the stack budget. */
export function stackCharge(w: u32): void {
  emitByte(GLOBAL_GET); emitU32(G_STACK);
  emitByte(I32_CONST); emitS32(<i32>w);
  emitByte(I32_SUB);
  emitByte(GLOBAL_SET); emitU32(G_STACK);
  emitByte(GLOBAL_GET); emitU32(G_STACK);
  emitByte(I32_CONST); emitByte(0);
  emitByte(I32_LT_S);
  outOf(stackOutFunc());
}

/** After the call returns: give the weight back. */
export function stackRestore(w: u32): void {
  emitByte(GLOBAL_GET); emitU32(G_STACK);
  emitByte(I32_CONST); emitS32(<i32>w);
  emitByte(I32_ADD);
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
