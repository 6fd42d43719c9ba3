// Faults. A trap inside a process is caught by the host's trampoline, which
// returns INVOKE_TRAPPED to the kernel frame that entered it; the caller of
// that frame gets E_CRASHED and keeps running. Here the kernel marks the
// process crashed, drops what was queued for it, records the fault, and
// raises NOTE_FAULT in the supervisor, which reads the records with
// fault_next and decides what happens next (policy lives in init, not here).
// A record per process, not a message in a bounded queue: no report is lost.
import {
  EXIT_PANIC,
  PS_CRASHED, PS_STOPPED, PID_INIT, FAULT_START, FAULT_CPU, FAULT_INJECTED, FAULT_HUNG, FAULT_MEMORY, FAULT_STACK, FAULT_ABORT, STACK_BUDGET, FAULT_EXIT, OK, MAX_PROCS, NOTE_FAULT, K_BOOT, R_CONTROL, FN_CAUSE_SHIFT, FN_COUNT_SHIFT,
  FN_DROPPED_SHIFT,
} from "./abi";
import { current, pFaults } from "./proc";
import { raiseBits } from "./notify";
import { lookup } from "./cspace";
import { takeDown, mayBeFree, reapOrphans } from "./lifecycle";
import { klog, putt, putu, puti } from "./console";
import { KT_ABORTED, KT_CPU, KT_CPU_UNITS, KT_DROPPED, KT_EXITED, KT_FAULT, KT_HANDLER_TRAP, KT_HUNG, KT_INIT_DIED, KT_INIT_EXITED, KT_INJECTED, KT_MEMORY, KT_NL, KT_QUEUED, KT_SLOTS, KT_STACK, KT_START_TRAP } from "./texts";
import { budgetCause, budgetOf } from "./cpu";
import { stackCause } from "./stack";
import { abortCause } from "./entry";
import { halt } from "./state";
import { putProc } from "./names";
import { table } from "./table";

let supervisor = -1; // pid that gets NOTE_FAULT
let faults: u32 = 0;
// Reports waiting for the supervisor, one row per pid.
const fCause = table<i32>(MAX_PROCS); // 0: nothing pending
const fCount = table<i32>(MAX_PROCS);
const fDropped = table<i32>(MAX_PROCS);
// Each pid's last fault cause, and how many of its faults the host has not
// asked about: the host's engine sees only the trap's instruction
// (unreachable, after a CPU budget or an abort), so the board asks here why
// (kernel.fault_cause), once per trap it saw. A trap the kernel did not take
// as a fault (a reload's new build trapping in its start, rolled back) finds
// none unasked and reads 0, never an older fault's cause.
const lastCause = table<i32>(MAX_PROCS);
const unasked = table<i32>(MAX_PROCS);

/** The cause (FAULT_*) of `pid`'s last fault the host has not asked about, or 0; for the host only. */
export function faultCause(pid: i32): i32 {
  if (pid <= 0 || pid >= MAX_PROCS || unchecked(unasked[pid]) == 0) return 0;
  unchecked(unasked[pid] = unchecked(unasked[pid]) - 1);
  return unchecked(lastCause[pid]);
}

export function setSupervisor(pid: i32): void { supervisor = pid; }
export function faultCount(): u32 { return faults; }

// The process whose memory.grow failed in the invocation now running (every
// service's memory.grow reports failure through mem_limit: tools/lib/meter.ts).
let memoryRefused = -1;

/** A metered module's memory.grow failed: its instance is at the manifest's `memory`. */
export function memLimit(): void { memoryRefused = current(); }

/** An invocation of `pid` returned normally: a refused grow it survived explains nothing later. */
@inline export function memoryHandled(pid: i32): void { if (memoryRefused == pid) memoryRefused = -1; }

export function fault(pid: i32, cause: i32): void {
  faults++;
  const why = budgetCause(pid);
  if (why != 0) cause = why;
  else if (stackCause(pid)) cause = FAULT_STACK;
  else if (abortCause(pid)) cause = FAULT_ABORT;
  else if (memoryRefused == pid) cause = FAULT_MEMORY;
  memoryRefused = -1;
  unchecked(lastCause[pid] = cause);
  unchecked(unasked[pid] = unchecked(unasked[pid]) + 1);
  unchecked(exitAsked[pid] = 0);
  unchecked(pFaults[pid] = unchecked(pFaults[pid]) + 1);
  const dropped = takeDown(pid, PS_CRASHED);
  klog(); putt(KT_FAULT); putProc(pid);
  if (cause == FAULT_CPU) { putt(KT_CPU); puti(budgetOf(pid)); putt(KT_CPU_UNITS); }
  else if (cause == FAULT_INJECTED) putt(KT_INJECTED);
  else if (cause == FAULT_HUNG) putt(KT_HUNG);
  else if (cause == FAULT_MEMORY) putt(KT_MEMORY);
  else if (cause == FAULT_STACK) { putt(KT_STACK); puti(STACK_BUDGET); putt(KT_SLOTS); }
  else if (cause == FAULT_ABORT) putt(KT_ABORTED);
  else putt(cause == FAULT_START ? KT_START_TRAP : KT_HANDLER_TRAP);
  if (dropped > 0) { putt(KT_DROPPED); putu(dropped); putt(KT_QUEUED); }
  putt(KT_NL);
  if (pid == PID_INIT) { klog(); putt(KT_INIT_DIED); halt(EXIT_PANIC); return; }
  report(pid, cause, dropped);
}

// Exits requested with exit(), carried out when the process's handler returns.
const exitCode = table<i32>(MAX_PROCS);
const exitAsked = table<i32>(MAX_PROCS);

export function sysExit(code: i32): i32 {
  requestExit(current(), code);
  return OK;
}

export function requestExit(pid: i32, code: i32): void {
  unchecked(exitAsked[pid] = 1);
  unchecked(exitCode[pid] = code);
}

/** Has `pid` asked to exit (not yet carried out)? */
export function exitPending(pid: i32): bool { return unchecked(exitAsked[pid]) != 0; }

/** Forget an exit `pid` asked for (its instance is being discarded: a reload rolled back). */
export function cancelExit(pid: i32): void { unchecked(exitAsked[pid] = 0); }

/** After `pid`'s entry returned: carry out an exit it asked for. */
export function finishExit(pid: i32): void {
  if (unchecked(exitAsked[pid]) == 0) return;
  unchecked(exitAsked[pid] = 0);
  const dropped = takeDown(pid, PS_STOPPED);
  klog(); putProc(pid); putt(KT_EXITED); puti(unchecked(exitCode[pid])); putt(KT_NL);
  if (pid == PID_INIT) { klog(); putt(KT_INIT_EXITED); halt(EXIT_PANIC); return; }
  report(pid, FAULT_EXIT, dropped);
}

function report(pid: i32, cause: i32, dropped: i32): void {
  unchecked(fCause[pid] = cause);
  unchecked(fCount[pid] = unchecked(fCount[pid]) + 1);
  unchecked(fDropped[pid] = unchecked(fDropped[pid]) + dropped);
  if (supervisor >= 0 && supervisor != pid) raiseBits(supervisor, NOTE_FAULT);
}

/** The next pending report, packed (FN_*), or 0; the supervisor only. */
export function faultNext(slot: i32): i64 {
  const g = lookup(current(), slot, K_BOOT, R_CONTROL);
  if (g < 0) return g;
  for (let p = 1; p < MAX_PROCS; p++) {
    const cause = unchecked(fCause[p]);
    if (cause == 0) continue;
    const packed = <i64>p | (<i64>cause << FN_CAUSE_SHIFT) | (<i64>min(unchecked(fCount[p]), 0xffff) << FN_COUNT_SHIFT) |
      (<i64>unchecked(fDropped[p]) << FN_DROPPED_SHIFT);
    unchecked(fCause[p] = 0); unchecked(fCount[p] = 0); unchecked(fDropped[p] = 0);
    // The supervisor has been told: nothing else holds the pid back.
    mayBeFree(p);
    reapOrphans();
    return packed;
  }
  return 0;
}

/** Has the supervisor still to read a record of `pid`? A pid is not freed before it has. */
export function faultPending(pid: i32): bool { return unchecked(fCause[pid]) != 0; }

/** The pid is being freed: nothing of its faults or exit carries over, and it supervises no more. */
export function forgetFaults(pid: i32): void {
  unchecked(fCount[pid] = 0); unchecked(fDropped[pid] = 0);
  unchecked(exitAsked[pid] = 0);
  if (memoryRefused == pid) memoryRefused = -1;
  if (supervisor == pid) supervisor = -1;
}
