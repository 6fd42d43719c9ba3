// Which processes have work: a 64-bit ready mask (one bit per pid), so picking
// the next process is a rotate and a count-trailing-zeros, not a scan.
import { MAX_PROCS } from "./abi";

let ready: u64 = 0;
let last = 0;

@inline export function markReady(pid: i32): void { ready |= (<u64>1) << <u64>pid; }
@inline export function clearReady(pid: i32): void { ready &= ~((<u64>1) << <u64>pid); }

/** The next ready pid after the last one picked (round robin), or -1. */
export function pickReady(): i32 {
  if (ready == 0) return -1;
  const shift = <u64>((last + 1) % MAX_PROCS);
  const rotated = rotr<u64>(ready, shift);
  const pid = <i32>((<u64>ctz<u64>(rotated) + shift) % <u64>MAX_PROCS);
  last = pid;
  return pid;
}
