// The process table: one row per pid, structure-of-arrays so the IPC path
// touches only the columns it needs. Also the "current process" register:
// the kernel sets it whenever it enters a process, so every syscall knows
// its caller without the caller being able to claim another identity.
import { MAX_PROCS, PS_FREE } from "./abi";
import { pPages } from "./quota";
import { table } from "./table";

export const pState = table<i32>(MAX_PROCS);
export const pModule = table<i32>(MAX_PROCS);
export const pGen = table<i32>(MAX_PROCS); // bumped when a pid is freed: stale capabilities fail
export const pActive = table<i32>(MAX_PROCS); // 1 while an entry of the process is on the stack
export const pRestarts = table<i32>(MAX_PROCS);
export const pCalls = table<i32>(MAX_PROCS);
export const pErrors = table<i32>(MAX_PROCS); // handler returns < 0
export const pFaults = table<i32>(MAX_PROCS);
// Process-control capabilities (K_PROCESS) naming the pid held by other
// processes: while one exists, someone may still restart it (lifecycle.ts).
export const pCtl = table<i32>(MAX_PROCS);

let cur = 0;

@inline export function current(): i32 { return cur; }
@inline export function setCurrent(pid: i32): void { cur = pid; }

/**
 * A free pid (init is always 1), or -1. A freed pid whose frames are still
 * charged to it (pages of a memory object it made, which others still hold)
 * waits until they are gone, so a new process never inherits a charge.
 */
export function allocPid(): i32 {
  for (let p = 2; p < MAX_PROCS; p++) if (unchecked(pState[p]) == PS_FREE && unchecked(pPages[p]) == 0) return p;
  return -1;
}
