// The one way into a process. Every entry (a handler, a start, a notification,
// a ping, a reload's save, and a module's own start code, which runs inside
// host.spawn) goes through `enterAs`: the process becomes current and active,
// it gets its CPU budget and its stack window, the host runs it behind the
// trap-isolating trampoline, and everything is put back whether it returned
// or trapped.
import { INVOKE_NOENTRY, INVOKE_TRAPPED, E_DEPTH, E_CRASHED } from "./abi";
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

/**
 * Run `pid` through the host: host.spawn(pid, x, y) when `spawning` (the
 * module's start code runs as `pid`, so a syscall made there acts on the new
 * process's still empty space, never on its creator's), else
 * host.invoke(pid, x, y, z). INVOKE_TOO_DEEP when the stack cannot take it.
 */
@inline function enterAs(pid: i32, spawning: bool, x: i32, y: i32, z: i32): i32 {
  const window = beginStack();
  if (window < 0) return INVOKE_TOO_DEEP;
  const prev = current();
  const level = activate(pid);
  if (level < 0) { endStack(window); return INVOKE_TOO_DEEP; }
  const saved = beginFuel(pid);
  const r = spawning ? host_spawn(pid, x, y) : host_invoke(pid, x, y, z);
  endFuel(pid, saved);
  deactivate(level, prev);
  endStack(window);
  return r;
}

/** Run entry `entry` of `pid`: its status, INVOKE_TRAPPED, INVOKE_NOENTRY or INVOKE_TOO_DEEP. */
export function invokeAs(pid: i32, entry: i32, a0: i32, a1: i32): i32 {
  const r = enterAs(pid, false, entry, a0, a1);
  // An abort the module survived is still its trap.
  return aborted == pid ? INVOKE_TRAPPED : r;
}

/** host.spawn(pid, module, op) as `pid`: its status; E_DEPTH when the stack cannot take it, E_CRASHED for an abort. */
export function spawnAs(pid: i32, module: i32, op: i32): i32 {
  const r = enterAs(pid, true, module, op, 0);
  if (r == INVOKE_TOO_DEEP) return E_DEPTH;
  return abortCause(pid) ? E_CRASHED : r;
}
