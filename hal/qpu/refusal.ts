// Why the engine last refused a job or a run: a QERR_* reason, the instruction
// it concerns and two numbers, which the tools turn into one line
// (tools/lib/qpu-reasons.ts). The entry points answer an error code; these say why.
import { E_ARG } from "../../kernel/abi";

export let reason: i32 = 0;
export let at: i32 = -1;
export let first: i64 = 0;
export let second: i64 = 0;

/** Records the refusal and answers `code` (E_ARG unless said). */
export function refuse(why: i32, instruction: i32, a: i64, b: i64, code: i32 = E_ARG): i32 {
  reason = why;
  at = instruction;
  first = a;
  second = b;
  return code;
}

export function clearRefusal(): void {
  reason = 0;
  at = -1;
  first = 0;
  second = 0;
}
