// Hot reload: replace a running process's instance with a new one of its
// module, as the image file on the host's disk holds it now, keeping the pid
// and so the capability space, the endpoint (every client's capability), the
// queue (messages wait and are delivered to the new instance), notifications,
// timers and kernel-managed memory. The host keeps the new instance in a
// staging slot until the kernel commits or discards it (host.spawn with
// SPAWN_STAGE, SPAWN_SWAP, SPAWN_DISCARD; docs/machine-abi.md).
//
// proc_reload(proc_slot, flags):
//   1. stage the new instance (the live one is untouched);
//   2. enter the old instance's quark_save, where handoff_put may keep up to
//      HANDOFF_MAX bytes in the kernel (a negative status refuses the reload);
//   3. swap, and enter the new instance's quark_start(pid, restarts), where
//      handoff_get reads those bytes;
//   4. if that start traps, returns an error or asks to exit (or the caller
//      asked for RELOAD_ROLLBACK_TEST), swap back and discard the new
//      instance: the old one runs on as if nothing happened; otherwise
//      discard the old one.
// What to reload and when is init's policy (userland/init/reload.ts).
import {
  PS_RUNNING, ENTRY_SAVE, ENTRY_START, INVOKE_TRAPPED, INVOKE_NOENTRY, FAULT_TRAP, RELOAD_ROLLBACK_TEST, PID_KERNEL,
  SPAWN_STAGE, SPAWN_SWAP, SPAWN_DISCARD, HANDOFF_MAX, OK, E_ARG, E_BUSY, E_STATE, E_CRASHED, E_DEPTH, E_DEAD,
} from "./abi";
import { current, pState, pModule, pActive, pRestarts } from "./proc";
import { armCrash, disarmCrash, budgetCause } from "./cpu";
import { host_spawn, host_copy } from "./host";
import { controlled } from "./process";
import { wake } from "./ipc";
import { invokeAs, spawnAs, abortCause, INVOKE_TOO_DEEP } from "./entry";
import { stackCause } from "./stack";
import { fault, finishExit, exitPending, cancelExit } from "./fault";
import { table } from "./table";

const handoff = table<u8>(HANDOFF_MAX);
let handoffLen = 0;
let reloading = -1; // the pid being reloaded, or -1
let saving = -1; // the pid whose quark_save runs: handoff_put is allowed
let loading = -1; // the pid whose new quark_start runs: handoff_get is allowed

export function procReload(slot: i32, flags: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if ((flags & ~RELOAD_ROLLBACK_TEST) != 0) return E_ARG;
  if (unchecked(pState[pid]) != PS_RUNNING) return E_STATE;
  if (unchecked(pActive[pid]) != 0 || reloading >= 0) return E_BUSY;
  reloading = pid;
  handoffLen = 0;
  const r = reload(pid, flags);
  reloading = -1; saving = -1; loading = -1; handoffLen = 0;
  return r;
}

function reload(pid: i32, flags: i32): i32 {
  let r = spawnAs(pid, unchecked(pModule[pid]), SPAWN_STAGE);
  if (r < 0) return r;
  saving = pid;
  r = invokeAs(pid, ENTRY_SAVE, pid, 0);
  saving = -1;
  if (r == INVOKE_TRAPPED) {
    // The old instance trapped: a fault like any other (the new one goes too).
    host_spawn(pid, 0, SPAWN_DISCARD);
    fault(pid, FAULT_TRAP);
    return E_CRASHED;
  }
  if (r == INVOKE_TOO_DEEP || exitPending(pid) || (r < 0 && r != INVOKE_NOENTRY)) {
    host_spawn(pid, 0, SPAWN_DISCARD);
    if (exitPending(pid)) { finishExit(pid); return E_DEAD; }
    return r == INVOKE_TOO_DEEP ? E_DEPTH : r;
  }
  host_spawn(pid, 0, SPAWN_SWAP);
  if ((flags & RELOAD_ROLLBACK_TEST) != 0) armCrash(pid); // its first charge of fuel traps: a real trap
  loading = pid;
  r = invokeAs(pid, ENTRY_START, pid, unchecked(pRestarts[pid]));
  loading = -1;
  let err = OK;
  if (r == INVOKE_TRAPPED) { budgetCause(pid); stackCause(pid); abortCause(pid); err = E_CRASHED; }
  else if (r == INVOKE_TOO_DEEP) err = E_DEPTH;
  else if ((flags & RELOAD_ROLLBACK_TEST) != 0) err = E_CRASHED; // no quark_start to trap in
  else if (exitPending(pid)) err = E_STATE;
  else if (r < 0 && r != INVOKE_NOENTRY) err = r;
  disarmCrash(pid);
  if (err != OK) {
    cancelExit(pid);
    host_spawn(pid, 0, SPAWN_SWAP);
    host_spawn(pid, 0, SPAWN_DISCARD);
    return err;
  }
  host_spawn(pid, 0, SPAWN_DISCARD);
  wake(pid);
  return r == INVOKE_NOENTRY ? OK : r;
}

/** Keep `len` bytes of the caller's memory at `src` for the next instance (replacing any kept before). */
export function handoffPut(src: i32, len: i32): i32 {
  const pid = current();
  if (saving < 0 || pid != saving) return E_STATE;
  if (len < 0 || len > HANDOFF_MAX) return E_ARG;
  const r = host_copy(pid, src, PID_KERNEL, <i32>changetype<usize>(handoff), len);
  if (r < 0) return r;
  handoffLen = len;
  return len;
}

/** Copy up to `len` of the kept bytes to the caller's memory at `dst`; how many. */
export function handoffGet(dst: i32, len: i32): i32 {
  const pid = current();
  if (loading < 0 || pid != loading) return E_STATE;
  if (len < 0) return E_ARG;
  const n = min(len, handoffLen);
  const r = host_copy(PID_KERNEL, <i32>changetype<usize>(handoff), pid, dst, n);
  return r < 0 ? r : n;
}
