// AssemblyScript entry for the OpenQASM tests (tests/harness/qasm.ts): the
// parser of userland/lib/qasm over a text buffer and a job buffer.
import { qasmToJob, qasmError, qasmErrorLine, qasmErrorColumn, QASM_MAX_PROGRAM_BYTES } from "../../../userland/lib/qasm";
import { QJOB_MAX_BYTES } from "../../../hal/qpu/job-format";

const text = new StaticArray<u8>(QASM_MAX_PROGRAM_BYTES);
const job = new StaticArray<u8>(QJOB_MAX_BYTES);
const message = new StaticArray<u8>(1024);

export function textAt(): usize { return changetype<usize>(text); }
export function textRoom(): i32 { return text.length; }
export function jobAt(): usize { return changetype<usize>(job); }
export function jobRoom(): i32 { return job.length; }

/** Parses `len` bytes of text into at most `cap` bytes of job. */
export function parse(len: i32, cap: i32): i32 {
  // A length past the buffer is the parser's to refuse, before it reads a byte.
  return qasmToJob(changetype<usize>(text), len, changetype<usize>(job), min(cap, job.length));
}

export function errorLine(): i32 { return qasmErrorLine(); }
export function errorColumn(): i32 { return qasmErrorColumn(); }

/** The last error as UTF-8 at messageAt(); its length. */
export function errorBytes(): i32 {
  const s = qasmError();
  const n = min(String.UTF8.byteLength(s), message.length);
  String.UTF8.encodeUnsafe(changetype<usize>(s), min(s.length, n), changetype<usize>(message));
  return min(String.UTF8.byteLength(s), message.length);
}
export function messageAt(): usize { return changetype<usize>(message); }

/** A plain pass over the text (its ';' counted): the floor a parse is measured against. */
export function scan(len: i32): i32 {
  let n = 0;
  const p = changetype<usize>(text);
  for (let i = 0, e = min(len, text.length); i < e; i++) if (load<u8>(p + <usize>i) == 59) n++;
  return n;
}
