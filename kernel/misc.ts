// Small syscalls: time, timers, the console device, identity, counters, and
// the `env` functions AssemblyScript modules import (abort, trace, seed).
import {
  K_CONSOLE, K_ENDPOINT, R_CALL, R_SEND, R_GRANT, R_WRITE, OK, E_ARG, ST_MESSAGES, ST_CALLS, ST_SENDS, ST_FAULTS, ST_FREE_SLOTS, ST_PROCS, ST_FREE_FRAMES, ST_TOTAL_FRAMES, ST_BOOT_FLAGS,
  PS_FREE, MAX_PROCS, UART_BASE, UART_FLUSH, CSPACE_SLOTS, E_FAULT,
} from "./abi";
import { current, pState } from "./proc";
import { lookup, freeSlotsTotal, freeSlot, install } from "./cspace";
import { abortEntry } from "./entry";
import { nowNs } from "./clock";
import { setTimer, setTick } from "./notify";
import { host_copy, mmio_write } from "./host";
import { putc, putt, putu, puti, klog } from "./console";
import { KT_ABORTED_AT, KT_AT, KT_COLON, KT_HUGE, KT_MINUS_HUGE, KT_NAN, KT_TRACE, KT_UNREADABLE } from "./texts";
import { calls, sends } from "./ipc";
import { faultCount } from "./fault";
import { freeFrames, totalFrames } from "./frames";
import { bootFlags } from "./state";
import { charge } from "./cpu";
import { putProc } from "./names";
import { table } from "./table";

const CHUNK = 512;
const buf = table<u8>(CHUNK);
@inline function bufAddr(): i32 { return <i32>changetype<usize>(buf); }

export function time(): i64 { return nowNs(); }

export function timerSet(deadline: i64): i32 {
  setTimer(current(), deadline);
  return OK;
}

/** A monitoring deadline: NOTE_TICK, but it does not by itself keep the machine running. */
export function tickSet(deadline: i64): i32 {
  setTick(current(), deadline);
  return OK;
}

/** Copy a process's bytes through the kernel to the console, a chunk at a time. */
export function consoleWrite(slot: i32, ptr: i32, len: i32): i32 {
  const g = lookup(current(), slot, K_CONSOLE, R_WRITE);
  if (g < 0) return g;
  if (len < 0) return E_ARG;
  // A refused write prints nothing: the range's last byte is checked before the
  // first chunk goes out (the host checks each chunk's bounds again).
  if (len > 0 && (<u64><u32>ptr + <u64>len > 0x100000000 || host_copy(current(), ptr + len - 1, 0, bufAddr(), 1) < 0)) return E_FAULT;
  charge(len); // a step or two per byte: the writer pays one unit of fuel per byte
  for (let off = 0; off < len; off += CHUNK) {
    const n = min(CHUNK, len - off);
    const r = host_copy(current(), ptr + off, 0, bufAddr(), n);
    if (r < 0) return r;
    for (let i = 0; i < n; i++) putc(unchecked(buf[i]));
  }
  // A write is a unit of output: a prompt with no newline still reaches the terminal.
  if (len > 0) mmio_write(UART_BASE + UART_FLUSH, 1);
  return len;
}

export function self(): i32 { return current(); }

/** A capability to one's own endpoint: needs no authority, grants none beyond what one has. */
export function selfEndpoint(badge: i32): i32 {
  const pid = current();
  const s = freeSlot(pid);
  if (s < 0) return s;
  install(pid, s, K_ENDPOINT, R_CALL | R_SEND | R_GRANT, pid, badge, 0, -1);
  return s;
}

export function stats(field: i32): i32 {
  switch (field) {
    case ST_MESSAGES: return <i32>(calls() + sends());
    case ST_CALLS: return <i32>calls();
    case ST_SENDS: return <i32>sends();
    case ST_FAULTS: return <i32>faultCount();
    case ST_FREE_SLOTS: return freeSlotsTotal();
    case ST_FREE_FRAMES: return freeFrames();
    case ST_BOOT_FLAGS: return bootFlags();
    case ST_TOTAL_FRAMES: return totalFrames();
    case ST_PROCS: {
      let n = 0;
      for (let p = 0; p < MAX_PROCS; p++) if (unchecked(pState[p]) != PS_FREE) n++;
      return n;
    }
  }
  return E_ARG;
}

/** Print an AssemblyScript string of the current process (UTF-16, length before it). */
function putRemoteString(ptr: i32): void {
  if (ptr == 0 || host_copy(current(), ptr - 4, 0, bufAddr(), 4) < 0) { putt(KT_UNREADABLE); return; }
  const bytes = min(<i32>load<u32>(changetype<usize>(buf)), CHUNK) & ~1;
  if (host_copy(current(), ptr, 0, bufAddr(), bytes) < 0) { putt(KT_UNREADABLE); return; }
  for (let i = 0; i < bytes; i += 2) {
    const c = <i32>load<u16>(changetype<usize>(buf) + <usize>i);
    putc(c >= 32 && c < 127 ? c : 63);
  }
}

/**
 * AssemblyScript's abort. It is the process's trap whether or not its module
 * traps after it (entry.ts), so it is reported once per entry: a module that
 * calls it in a loop cannot flood the console. The text is the process's own,
 * shown as such, after the kernel's prefix and the process's name (names.ts).
 */
export function envAbort(msg: i32, file: i32, line: i32, col: i32): void {
  if (!abortEntry()) return;
  klog(); putProc(current()); putt(KT_ABORTED_AT); putRemoteString(msg);
  putt(KT_AT); putRemoteString(file); putc(58); puti(line); putc(58); puti(col); putc(10);
}

/** Whether the current process may write to the console: it holds the console with R_WRITE. */
function mayPrint(): bool {
  const pid = current();
  for (let s = 0; s < CSPACE_SLOTS; s++) if (lookup(pid, s, K_CONSOLE, R_WRITE) >= 0) return true;
  return false;
}

/** AssemblyScript's trace: console output, so only for a holder of the console capability. */
export function envTrace(msg: i32, n: i32, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64): void {
  if (!mayPrint()) return;
  klog(); putt(KT_TRACE); putProc(current()); putt(KT_COLON); putRemoteString(msg);
  if (n > 0) putf(a0);
  if (n > 1) putf(a1);
  if (n > 2) putf(a2);
  if (n > 3) putf(a3);
  if (n > 4) putf(a4);
  putc(10);
}

/** A trace argument, as an integer; NaN and out-of-range values are named, never converted (that could trap). */
function putf(v: f64): void {
  putc(32);
  if (isNaN(v)) putt(KT_NAN);
  else if (v >= 9.2e18 || v <= -9.2e18) putt(v > 0 ? KT_HUGE : KT_MINUS_HUGE);
  else puti(<i64>v);
}

export function envSeed(): f64 { return <f64>nowNs(); }
