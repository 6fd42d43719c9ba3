// Console output and the words failure messages are made of: error codes by
// name, rights by name, numbers in hex.
import { sys, E_LAST, R_CALL, R_SEND, R_GRANT, R_SIGNAL, R_CONTROL, R_READ, R_WRITE, R_SPAWN } from "../../lib";

let consoleSlot = -1;

export function setConsole(slot: i32): void { consoleSlot = slot; }

/** One console line per console_write, so no other output can split it. */
export function emit(text: string): void {
  if (consoleSlot < 0) return;
  const bytes = String.UTF8.encode(text + "\n");
  sys.console_write(consoleSlot, changetype<usize>(bytes), bytes.byteLength);
}

/** A message fit for the end of a protocol line: one line, no control characters. */
export function oneLine(s: string): string {
  let out = "";
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    out += c < 32 || c == 127 ? " " : String.fromCharCode(c);
  }
  return out;
}

// Index -code: the names of kernel/abi.ts, in order.
const ERRORS: StaticArray<string> = [
  "OK", "E_BADSLOT", "E_RIGHTS", "E_KIND", "E_ARG", "E_BUSY", "E_DEAD", "E_CRASHED", "E_QFULL", "E_NOSPACE",
  "E_FAULT", "E_NOLEASE", "E_DEPTH", "E_NOSYS", "E_NOTCALL", "E_LINK", "E_NOMODULE", "E_NOENTRY", "E_REVOKED",
  "E_UNSUPPORTED", "E_TIMEOUT", "E_STATE", "E_NOMEM", "E_UNMAPPED", "E_PROT", "E_EOF", "E_PERM", "E_NORECV",
];

/** "E_RIGHTS (-2)" for an error code, the plain number otherwise. */
export function code(v: i64): string {
  if (v < 0 && v >= E_LAST && -v < <i64>ERRORS.length) return unchecked(ERRORS[<i32>-v]) + " (" + v.toString() + ")";
  return v.toString();
}

const RIGHT_BITS: StaticArray<i32> = [R_CALL, R_SEND, R_GRANT, R_SIGNAL, R_CONTROL, R_READ, R_WRITE, R_SPAWN];
const RIGHT_NAMES: StaticArray<string> = ["call", "send", "grant", "signal", "control", "read", "write", "spawn"];

/** "call+send", or "none". */
export function rightsName(r: i32): string {
  if (r < 0) return code(r);
  let s = "";
  for (let i = 0; i < RIGHT_BITS.length; i++) {
    if ((r & unchecked(RIGHT_BITS[i])) != 0) s += (s.length > 0 ? "+" : "") + unchecked(RIGHT_NAMES[i]);
  }
  return s.length > 0 ? s : "none";
}

export function hex(v: u64): string {
  const digits = "0123456789abcdef";
  let s = "";
  do { s = digits.charAt(<i32>(v & 15)) + s; v >>= 4; } while (v != 0);
  return "0x" + s;
}
