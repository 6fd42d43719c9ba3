// Engine stack accounting. The machine has one engine stack: a call runs the
// server's handler on its client's stack (migrating threads), and every
// syscall runs the kernel on its caller's. If a service could fill that stack
// and then make a syscall, the overflow would land in a kernel frame (or in
// the next server's), half-way through an update. So nothing may overflow it:
// the loader (tools/loader/) makes every call inside a service charge the
// callee's frame weight, in 8-byte slots, against the global `stack` and trap
// in the service's own frame (after `stack_out`) when it goes below zero; each
// entry into a process gets a fixed window of STACK_BUDGET slots; and the
// kernel refuses an entry (E_DEPTH to the caller, nothing is blamed) when the
// stack left beneath, less STACK_KERNEL_COST for its own frames and the host's
// trampoline, could not hold a whole window. A service's window is the same
// whoever calls it, so whether it fits never depends on its caller.
import { STACK_SLOTS, STACK_BUDGET, STACK_KERNEL_COST } from "./abi";
import { current } from "./proc";

/** Slots the running process may still charge (imported by loaded modules as quark.stack). */
export let stack: i32 = 0;
// Slots beneath the running window: what the machine has left once it returns.
let below: i32 = STACK_SLOTS;
let overflowed = -1;

/** A loaded module's call went past its window; it traps right after. Believed only when it is so. */
export function stackOut(): void { if (stack < 0) overflowed = current(); }

/** Open an entry's window: the state to restore, or -1 when the stack left cannot hold one. */
@inline export function beginStack(): i64 {
  const left = below + stack - STACK_KERNEL_COST;
  if (left < STACK_BUDGET) return -1;
  const saved = (<i64>below << 32) | <i64><u32>stack;
  below = left - STACK_BUDGET;
  stack = STACK_BUDGET;
  return saved;
}

@inline export function endStack(saved: i64): void {
  below = <i32>(saved >> 32);
  stack = <i32>saved;
}

/** Whether `pid`'s trap was its stack window overflowing (answers once). */
export function stackCause(pid: i32): bool {
  if (overflowed != pid) return false;
  overflowed = -1;
  return true;
}
