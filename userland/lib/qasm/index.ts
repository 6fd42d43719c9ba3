// OpenQASM 2.0 and 3 (its stdgates.inc subset) into the QPU's job format.
//
//   const n = qasmToJob(text, textBytes, job, jobBytes);
//   if (n < 0) log(qasmError());   // "3:9: expected ';' after the gate's operands"
//
// The program's UTF-8 text is read in place and the job written into the
// caller's buffer; nothing is allocated but an error's message. docs/qasm.md
// says what is accepted, refused, and how gates are expanded.
import { E_ARG, E_NOSPACE } from "../../../kernel/abi";
import * as errors from "./errors";
import * as gates from "./gates";
import * as frames from "./frames";
import * as emit from "./emit";
import * as parser from "./parser";
import { qregs, cregs } from "./registers";

/** The longest program read, in bytes. */
export const QASM_MAX_PROGRAM_BYTES = 1 << 22;

let textBase: usize = 0;
let textLen: i32 = 0;

/**
 * Parses the `len` bytes of OpenQASM at `text` into a job at `out` (room for
 * `cap` bytes). Returns the job's length in bytes, or a negative error code
 * (E_ARG: the program is wrong; E_UNSUPPORTED: a feature this parser refuses;
 * E_NOSPACE: a limit) with the message in qasmError().
 */
export function qasmToJob(text: usize, len: i32, out: usize, cap: i32): i32 {
  errors.reset();
  gates.reset();
  frames.reset();
  parser.reset();
  qregs.reset();
  cregs.reset();
  textBase = text;
  textLen = max(len, 0);
  if (len < 0 || len > QASM_MAX_PROGRAM_BYTES) {
    textLen = 0;
    errors.fail(text, E_NOSPACE, "a program of " + len.toString() + " bytes: the limit is " + QASM_MAX_PROGRAM_BYTES.toString());
    return errors.code;
  }
  if (!emit.begin(out, cap)) return errors.code;
  errors.setSite(text);
  parser.program(text, len);
  if (!errors.failed && qregs.total == 0) errors.fail(text + <usize>len, E_ARG, "the program declares no qubits");
  if (errors.failed) return errors.code;
  return emit.finish(qregs.total, cregs.total);
}

/** The last error's line (1-based). */
export function qasmErrorLine(): i32 { return errors.lineOf(textBase, textLen, clamp(errors.at)); }
/** The last error's column (1-based, in characters). */
export function qasmErrorColumn(): i32 { return errors.columnOf(textBase, textLen, clamp(errors.at)); }
/** What the last error says, without its place. */
export function qasmErrorText(): string { return errors.message; }
/** The last error as one line: "LINE:COLUMN: what was expected". */
export function qasmError(): string {
  return qasmErrorLine().toString() + ":" + qasmErrorColumn().toString() + ": " + errors.message;
}

function clamp(p: usize): usize {
  if (p < textBase) return textBase;
  const end = textBase + <usize>textLen;
  return p > end ? end : p;
}

