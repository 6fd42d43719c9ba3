// The service loader: rewrites a service module so that it cannot outspend
// its CPU budget or the engine's stack, whoever made it (docs/architecture.md,
// CPU and stack). Both hosts run this same Wasm module on every service
// module before compiling it.
//
// Interface (one instance serves any number of modules, one at a time):
//   alloc(len) -> ptr          room for the module's bytes; resets the loader's heap.
//                              0 if memory cannot grow that far.
//   instrument(ptr, len, flags) -> n
//                              n >= 0: the output module is n bytes at output_ptr().
//                              n < 0: refused (ERR_REFUSED) or out of memory (ERR_MEMORY);
//                              the reason is error_len() bytes of UTF-8 at error_ptr(),
//                              "function 12 (name), byte 345: rule" or "byte 8: rule".
//                              flags: 0, or LOADER_NO_STACK_GUARD (1: calls get no stack
//                              guard; only `quark bench` asks, to measure what the guard costs).
//   max_export_weight() -> w   after a success: the largest stack weight (8-byte slots)
//                              of any exported function, for the kernel's entry charge.
//   A module the reset pass can make resettable (reset.ts) comes out with no
//   start function and two exports: quark_init, which the host calls on a
//   new instance, and quark_reset, which puts a used one back as new.
//   output_ptr(), error_ptr(), error_len()
//
// The loader never traps: every read is bounds-checked and every failure is
// an error code with a message.
import {
  resetErrors, failed, errAt, errFunc, messageBuf, beginMessage, appendRule, messageLength, text, decimal,
  beginLookup, endLookup, fail,
} from "./errors";
import { resetArena, take } from "./arena";
import { setInput } from "./reader";
import { outBase, outLength } from "./writer";
import { info, resetInfo } from "./module";
import { resetWeights } from "./weights";
import { parse, emit } from "./rewrite";
import { setStackGuard } from "./code";
import { LOADER_NO_STACK_GUARD } from "../../kernel/abi";
import { appendFuncName } from "./names";
import { resettable, rewriteResettable, resetLength } from "./reset";

export const ERR_REFUSED: i32 = -1;
export const ERR_MEMORY: i32 = -2;

let inputPtr: usize = 0;
let inputCap: usize = 0;

export function alloc(len: u32): usize {
  resetArena();
  inputPtr = take(len);
  inputCap = inputPtr == 0 ? 0 : len;
  return inputPtr;
}

export function instrument(ptr: usize, len: u32, flags: u32): i32 {
  resetErrors();
  resetInfo();
  resetWeights();
  if (ptr != inputPtr || ptr == 0 || <usize>len > inputCap) {
    fail(0, "the module was not copied into the loader's memory by alloc()");
    return finish(ERR_REFUSED);
  }
  if ((flags & ~LOADER_NO_STACK_GUARD) != 0) { fail(0, "unknown flags"); return finish(ERR_REFUSED); }
  setStackGuard((flags & LOADER_NO_STACK_GUARD) == 0);
  setInput(ptr, len);
  parse();
  if (!failed && resettable()) reparse(rewriteResettable());
  if (!failed) emit();
  if (failed) return finish(ERR_REFUSED);
  return <i32>outLength();
}

/** Parses the module the reset pass wrote in place of the one given (reset.ts); refusals were said of the original. */
function reparse(at: usize): void {
  if (failed) return;
  resetInfo();
  resetWeights();
  info.resetPass = true;
  setInput(at, resetLength);
  parse();
}

/** Composes "function F (name), byte N: rule" from what errors.ts recorded. */
function finish(code: i32): i32 {
  const f = errFunc;
  const at = errAt;
  beginMessage();
  if (f >= 0) {
    text("function ");
    decimal(<u32>f);
    beginLookup();
    const named = info.namesStart != 0;
    if (named) text(" (");
    const found = named && appendFuncName(<u32>f);
    if (named && !found) text("unnamed");
    if (named) text(")");
    endLookup();
    text(", ");
  }
  text("byte ");
  decimal(at);
  text(": ");
  appendRule();
  return code;
}

export function output_ptr(): usize { return outBase; }
export function error_ptr(): usize { return messageBuf; }
export function error_len(): i32 { return messageLength(); }
export function max_export_weight(): u32 { return info.maxExportWeight; }
