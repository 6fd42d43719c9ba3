// Process syscalls: spawn, start, restart, kill, and handing out capabilities
// to a process one controls. They need a process capability with R_CONTROL
// (spawn needs the boot capability's R_SPAWN); what to start and when is
// init's policy, not the kernel's.
import {
  K_BOOT, K_PROCESS, K_ENDPOINT, K_NOTIFY, R_SPAWN, R_CONTROL, R_ALL, R_CALL, R_SEND, R_GRANT, R_SIGNAL,
  PS_FREE, PS_CREATED, PS_STARTING, PS_RUNNING, PS_CRASHED, PS_STOPPED, PS_PAUSED, ENTRY_START, INVOKE_TRAPPED, INVOKE_NOENTRY,
  FAULT_START, PI_STATE, PI_PID, PI_RESTARTS, PI_CALLS, PI_FAULTS, PI_MODULE, PI_PAGES, PI_QUOTA, PI_CPU, PI_BUDGET, PI_QUEUE, PI_QUEUED, PI_ERRORS, QUEUE_DEPTH,
  OK, E_NOSPACE, E_STATE, E_BUSY, E_ARG, E_CRASHED, E_DEPTH,
} from "./abi";
import { current, allocPid, pState, pModule, pActive, pRestarts, pCalls, pFaults, pErrors } from "./proc";
import { lookup, lookupAny, freeSlot, install, copyTo, capTarget, capBadge } from "./cspace";
import { enter, wake, ping } from "./ipc";
import { spawnAs, INVOKE_TOO_DEEP } from "./entry";
import { fault } from "./fault";
import { takeDown, reapOrphans } from "./lifecycle";
import { qLimit, qCount } from "./endpoint";
import { clearReady } from "./sched";
import { pPages, pQuota } from "./quota";
import { spentBy, budgetOf, setBudget, armCrash } from "./cpu";

/**
 * Create a process from `module`; its capability in the caller's space. The
 * pid is a free one (lifecycle.ts: every row of it is as boot left it), a
 * freed pid coming back with its generation bumped.
 */
export function procSpawn(bootSlot: i32, module: i32): i32 {
  const caller = current();
  const b = lookup(caller, bootSlot, K_BOOT, R_SPAWN);
  if (b < 0) return b;
  const slot = freeSlot(caller);
  if (slot < 0) return slot;
  reapOrphans();
  const pid = allocPid();
  if (pid < 0) return E_NOSPACE;
  const r = spawnAs(pid, module, 0);
  if (r < 0) return r;
  unchecked(pState[pid] = PS_CREATED);
  unchecked(pModule[pid] = module);
  install(caller, slot, K_PROCESS, R_ALL, pid, 0, 0, -1);
  return slot;
}

/** Run quark_start of a created process; it is running if that returns >= 0. */
export function startProcess(pid: i32): i32 {
  unchecked(pState[pid] = PS_STARTING);
  const r = enter(pid, ENTRY_START, pid, unchecked(pRestarts[pid]));
  if (r == INVOKE_TOO_DEEP) { unchecked(pState[pid] = PS_CREATED); return E_DEPTH; }
  if (r == INVOKE_TRAPPED) { fault(pid, FAULT_START); return E_CRASHED; }
  if (r < 0 && r != INVOKE_NOENTRY) { takeDown(pid, PS_CRASHED); return r; }
  unchecked(pState[pid] = PS_RUNNING);
  wake(pid);
  return r == INVOKE_NOENTRY ? OK : r;
}

export function controlled(slot: i32): i32 {
  const g = lookup(current(), slot, K_PROCESS, R_CONTROL);
  return g < 0 ? g : capTarget(g);
}

export function procStart(slot: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (unchecked(pState[pid]) != PS_CREATED) return E_STATE;
  return startProcess(pid);
}

/** A fresh instance of the same module, keeping pid, capabilities and endpoint. */
export function procRestart(slot: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (unchecked(pActive[pid]) != 0) return E_BUSY;
  const st = unchecked(pState[pid]);
  if (st == PS_FREE || st == PS_STARTING) return E_STATE;
  takeDown(pid, PS_STOPPED);
  const r = spawnAs(pid, unchecked(pModule[pid]), 0);
  if (r < 0) return r;
  unchecked(pRestarts[pid] = unchecked(pRestarts[pid]) + 1);
  unchecked(pState[pid] = PS_CREATED);
  return startProcess(pid);
}

export function procKill(slot: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (unchecked(pActive[pid]) != 0) return E_BUSY;
  takeDown(pid, PS_STOPPED);
  return OK;
}

/** An endpoint capability to the controlled process, minted with `badge`. */
export function procEndpoint(slot: i32, badge: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  const caller = current();
  const s = freeSlot(caller);
  if (s < 0) return s;
  install(caller, s, K_ENDPOINT, R_CALL | R_SEND | R_GRANT, pid, badge, 0, -1);
  return s;
}

/** A capability that may raise `bits` in the controlled process's notification word. */
export function procNotify(slot: i32, bits: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  const caller = current();
  const s = freeSlot(caller);
  if (s < 0) return s;
  install(caller, s, K_NOTIFY, R_SIGNAL, pid, bits, 0, -1);
  return s;
}

/** Copy one of the caller's capabilities into the controlled process's space. */
export function capGive(procSlot: i32, slot: i32, rights: i32, label: i32): i32 {
  const pid = controlled(procSlot);
  if (pid < 0) return pid;
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  return copyTo(g, pid, rights, capBadge(g), label);
}

export function procInfo(slot: i32, field: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  switch (field) {
    case PI_STATE: return unchecked(pState[pid]);
    case PI_PID: return pid;
    case PI_RESTARTS: return unchecked(pRestarts[pid]);
    case PI_CALLS: return unchecked(pCalls[pid]);
    case PI_FAULTS: return unchecked(pFaults[pid]);
    case PI_MODULE: return unchecked(pModule[pid]);
    case PI_PAGES: return unchecked(pPages[pid]);
    case PI_QUOTA: return unchecked(pQuota[pid]);
    case PI_CPU: return <i32>min<i64>(spentBy(pid) / 1000, 0x7fffffff);
    case PI_BUDGET: return <i32>min<i64>(budgetOf(pid) / 1000, 0x7fffffff);
    case PI_QUEUE: return unchecked(qLimit[pid]);
    case PI_QUEUED: return unchecked(qCount[pid]);
    case PI_ERRORS: return unchecked(pErrors[pid]);
  }
  return E_ARG;
}


/** Set the controlled process's page quota (init sets it from the manifest). */
export function procQuota(slot: i32, pages: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (pages < 0) return E_ARG;
  unchecked(pQuota[pid] = pages);
  return OK;
}

/** Set the controlled process's fuel per handler invocation (0: the default). */
export function procBudget(slot: i32, units: i64): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (units < 0) return E_ARG;
  setBudget(pid, units);
  return OK;
}

/** Make the controlled process trap at its next entry (chaos testing). */
export function procCrash(slot: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (unchecked(pState[pid]) != PS_RUNNING) return E_STATE;
  return armCrash(pid) ? OK : E_STATE;
}

/** Pause (1) or resume (0) the controlled process. */
export function procPause(slot: i32, paused: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  const st = unchecked(pState[pid]);
  if (paused != 0) {
    if (st != PS_RUNNING) return E_STATE;
    unchecked(pState[pid] = PS_PAUSED);
    clearReady(pid);
    return OK;
  }
  if (st != PS_PAUSED) return E_STATE;
  unchecked(pState[pid] = PS_RUNNING);
  wake(pid);
  return OK;
}

/** Set how many sends may wait for the controlled process (1..QUEUE_DEPTH). */
export function procQueue(slot: i32, depth: i32): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (depth < 1 || depth > QUEUE_DEPTH) return E_ARG;
  unchecked(qLimit[pid] = depth);
  return OK;
}

/** Ping the controlled process: answer within `units` of fuel or be faulted FAULT_HUNG. */
export function procPing(slot: i32, units: i64): i32 {
  const pid = controlled(slot);
  if (pid < 0) return pid;
  if (units <= 0) return E_ARG;
  return ping(pid, units);
}
