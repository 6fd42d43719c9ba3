// A process's name in the kernel's own lines: "echo (pid 3)" for a process
// running the module of a boot-table record, "init (pid 1)", and "pid N" for
// one no record describes (a child a service spawned from a module of its own).
// Looked up only when such a line is printed (an exit, a fault, an abort, a
// trace), never on a hot path; the table is the one the host copied in at boot
// and every read is checked against its length, so a malformed record prints
// "pid N" instead of reading past it.
import { BT_COUNT, BT_HEADER_BYTES, BT_RECORD_BYTES, BT_NAME_OFF, BT_NAME_LEN, BT_MODULE, PID_INIT } from "./abi";
import { pModule } from "./proc";
import { bootBase, bootSize } from "./boot";
import { putc, putt, putu } from "./console";
import { KT_INIT, KT_PID, KT_OPEN_PID } from "./texts";

const NAME_MAX = 64; // a longer name is not a manifest's: print the pid alone

@inline function u32at(off: i64): u32 { return load<u32>(bootBase() + <usize>off); }

/** Print `pid`'s name and pid, or only the pid when no record names it. */
export function putProc(pid: i32): void {
  if (pid == PID_INIT) putt(KT_INIT);
  else if (!putName(unchecked(pModule[pid]))) { putt(KT_PID); putu(pid); return; }
  putt(KT_OPEN_PID); putu(pid); putc(41);
}

/** Print the name of the first record running `module`; false if none (or it is malformed). */
function putName(module: i32): bool {
  const size = <i64>bootSize();
  if (size < BT_HEADER_BYTES) return false;
  const n = <i64>u32at(BT_COUNT);
  for (let i: i64 = 0; i < n; i++) {
    const r = BT_HEADER_BYTES + i * BT_RECORD_BYTES;
    if (r + BT_RECORD_BYTES > size) return false;
    if (u32at(r + BT_MODULE) != <u32>module) continue;
    const off = <i64>u32at(r + BT_NAME_OFF), len = <i64>u32at(r + BT_NAME_LEN);
    if (len == 0 || len > NAME_MAX || off + len > size) return false;
    // Only printable ASCII reaches the console (a valid name is nothing else).
    for (let k: i64 = 0; k < len; k++) {
      const c = <i32>load<u8>(bootBase() + <usize>(off + k));
      putc(c > 32 && c < 127 ? c : 63);
    }
    return true;
  }
  return false;
}
