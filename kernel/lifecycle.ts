// A process's life: created (spawned, not started), starting, running or
// paused, then stopped or crashed, and at last freed. Every end goes through
// takeDown (kill, restart, a fault, an exit, a reload whose old instance
// trapped). A pid is freed (reap) once nothing can bring the process back or
// still has to hear of it: it is stopped, crashed or never started, no other
// process holds a process capability (K_PROCESS) to it, and the supervisor
// has read its fault record. Freeing bumps the pid's generation, so every
// capability still naming it (endpoint, notification) answers E_REVOKED,
// empties its capability space and puts every per-pid row back as boot left
// it, so nothing of it reaches the next process given the pid. Whoever let go
// last (a cap_delete, cap_revoke or fault_next, or the proc_spawn that frees
// a pid on its way) pays one unit per capability deleted, as cap_revoke does.
import {
  MAX_PROCS, PID_INIT, PS_FREE, PS_CREATED, PS_STOPPED, PS_CRASHED, QUEUE_DEPTH, DEFAULT_PAGE_QUOTA,
} from "./abi";
import { pState, pGen, pActive, pCtl, pModule, pRestarts, pCalls, pErrors, pFaults } from "./proc";
import { drain, qLimit } from "./endpoint";
import { clearNotes } from "./notify";
import { clearReady } from "./sched";
import { ipcResetProcess } from "./ipc";
import { vmTeardown } from "./vm";
import { host_kill } from "./host";
import { clearCspace } from "./cspace";
import { pQuota } from "./quota";
import { disarmCrash, setBudget, resetSpent, budgetCause } from "./cpu";
import { stackCause } from "./stack";
import { abortCause } from "./entry";
import { faultPending, forgetFaults } from "./fault";
import { irqRelease } from "./irq";
import { dmaRelease } from "./dma";

/** Stop `pid` where it stands: its queue, notes, interrupt lines, leases, address space and instance go; how many messages were dropped. */
export function takeDown(pid: i32, state: i32): i32 {
  unchecked(pState[pid] = state);
  disarmCrash(pid);
  const dropped = drain(pid);
  clearNotes(pid);
  irqRelease(pid);
  dmaRelease(pid);
  clearReady(pid);
  ipcResetProcess(pid);
  vmTeardown(pid);
  host_kill(pid);
  return dropped;
}

// Pids that may have become free (one bit each): checked by reapOrphans at
// the end of a syscall, never in the middle of a walk of the capability tree.
let orphans: u64 = 0;

@inline export function mayBeFree(pid: i32): void { orphans |= (<u64>1) << <u64>pid; }

/** Free every pid marked that is free to go (freeing one may release others it controlled). */
export function reapOrphans(): void {
  while (orphans != 0) {
    const pid = <i32>ctz<u64>(orphans);
    orphans &= orphans - 1;
    reap(pid);
  }
}

function reap(pid: i32): void {
  const st = unchecked(pState[pid]);
  if (pid == PID_INIT || unchecked(pCtl[pid]) != 0 || unchecked(pActive[pid]) != 0 || faultPending(pid)) return;
  if (st == PS_CREATED) takeDown(pid, PS_STOPPED);
  else if (st != PS_STOPPED && st != PS_CRASHED) return;
  unchecked(pState[pid] = PS_FREE);
  unchecked(pGen[pid] = unchecked(pGen[pid]) + 1);
  clearCspace(pid);
  unchecked(pModule[pid] = 0); unchecked(pRestarts[pid] = 0); unchecked(pCalls[pid] = 0);
  unchecked(pErrors[pid] = 0); unchecked(pFaults[pid] = 0);
  unchecked(qLimit[pid] = QUEUE_DEPTH);
  unchecked(pQuota[pid] = DEFAULT_PAGE_QUOTA);
  setBudget(pid, 0);
  resetSpent(pid);
  forgetFaults(pid);
  // Causes that answer once and were never asked for (a trap while instantiating) must not blame the next process.
  budgetCause(pid); stackCause(pid); abortCause(pid);
}

// A pid in range for the mask (the process table is the mask's width).
if (MAX_PROCS > 64) ERROR("the orphan mask holds 64 pids: widen it with MAX_PROCS");
