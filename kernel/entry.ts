// The one way into a process. Every entry (a handler, a start, a notification,
// a module's own start code inside host.spawn, a reload's save) runs the same
// way: the process becomes current and active, it gets its CPU budget and its
// stack window, the host runs it behind the trap-isolating trampoline, and
// everything is put back whether it returned or trapped.
import { INVOKE_NOENTRY, INVOKE_TRAPPED, E_DEPTH } from "./abi";
import { current } from "./proc";
import { activate, deactivate } from "./activation";
import { beginFuel, endFuel } from "./cpu";
import { beginStack, endStack } from "./stack";
import { host_invoke, host_spawn } from "./host";

/** What invokeAs returns when the entry would nest too deep, or the stack left could not hold it (no host value is this). */
export const INVOKE_TOO_DEEP = INVOKE_NOENTRY + 1;

// The process that called abort (env.abort) during the entry now running.
let aborted = -1;

/** AssemblyScript's abort: a trap by its own account, whether or not the module traps after it. */
export function abortEntry(): bool {
  if (aborted == current()) return false; // said once per entry
  aborted = current();
  return true;
}

/** Whether `pid` aborted in the entry that just ended (answers once). */
export function abortCause(pid: i32): bool {
  if (aborted != pid) return false;
  aborted = -1;
  return true;
}

/** Run entry `entry` of `pid`: its status, INVOKE_TRAPPED, INVOKE_NOENTRY or INVOKE_TOO_DEEP. */
export function invokeAs(pid: i32, entry: i32, a0: i32, a1: i32): i32 {
  const window = beginStack();
  if (window < 0) return INVOKE_TOO_DEEP;
  const prev = current();
  const level = activate(pid);
  if (level < 0) { endStack(window); return INVOKE_TOO_DEEP; }
  const saved = beginFuel(pid);
  let r = host_invoke(pid, entry, a0, a1);
  endFuel(pid, saved);
  deactivate(level, prev);
  endStack(window);
  // An abort the module survived is still its trap.
  if (aborted == pid && r != INVOKE_TRAPPED) r = INVOKE_TRAPPED;
  return r;
}

/**
 * host.spawn(pid, module, op) as `pid`: a module's own start code runs inside
 * the host's spawn, so it runs as `pid`, metered, in a stack window; a syscall
 * made there acts on the new process's (still empty) space, never on its creator's.
 */
export function spawnAs(pid: i32, module: i32, op: i32): i32 {
  const window = beginStack();
  if (window < 0) return E_DEPTH;
  const prev = current();
  const level = activate(pid);
  if (level < 0) { endStack(window); return E_DEPTH; }
  const saved = beginFuel(pid);
  const r = host_spawn(pid, module, op);
  endFuel(pid, saved);
  deactivate(level, prev);
  endStack(window);
  return r;
}
