// Console output and the words failure messages are made of: error codes by
// name, rights by name, numbers in hex.
import { sys, E_LAST } from "../../lib";
import { errorName, rightsName as rightsText } from "../../lib/names";

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

/** "E_RIGHTS (-2)" for an error code, the plain number otherwise. */
export function code(v: i64): string {
  if (v < 0 && v >= E_LAST) return errorName(v) + " (" + v.toString() + ")";
  return v.toString();
}

/** "call+send", or "none"; an error code by name. */
export function rightsName(r: i32): string {
  return r < 0 ? code(r) : rightsText(r);
}

export function hex(v: u64): string {
  const digits = "0123456789abcdef";
  let s = "";
  do { s = digits.charAt(<i32>(v & 15)) + s; v >>= 4; } while (v != 0);
  return "0x" + s;
}
