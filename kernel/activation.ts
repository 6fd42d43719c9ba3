// The activations on the stack, innermost last: which processes have an entry
// running. A trap unwinds every frame above the trampoline that caught it,
// including kernel frames that would have closed their own activations; so
// whoever opened an activation closes everything left above its level when
// control comes back, and the kernel's view of who is running stays exact.
// Calls nest at most MAX_CALL_DEPTH deep; starts (proc_start from a handler)
// and notifications add a few more levels.
import { MAX_CALL_DEPTH } from "./abi";
import { current, setCurrent, pActive } from "./proc";
import { table } from "./table";

const ACTIVE_MAX = MAX_CALL_DEPTH + 16;
const active = table<i32>(ACTIVE_MAX);
let depth = 0;

/** Make `pid` current and active; its level, or -1 when the stack is full. */
@inline export function activate(pid: i32): i32 {
  const level = depth;
  if (level >= ACTIVE_MAX) return -1;
  unchecked(active[level] = pid);
  depth = level + 1;
  unchecked(pActive[pid] = 1);
  setCurrent(pid);
  return level;
}

/** How many entries are on the stack (0: the host called the kernel directly). */
@inline export function activeDepth(): i32 { return depth; }

/** Close every activation from `level` up, and make `prev` current again. */
@inline export function deactivate(level: i32, prev: i32): void {
  while (depth > level) {
    depth--;
    unchecked(pActive[unchecked(active[depth])] = 0);
  }
  setCurrent(prev);
}
