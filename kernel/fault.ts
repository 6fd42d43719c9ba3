// Faults. A trap inside a process is caught by the host's trampoline, which
// returns INVOKE_TRAPPED to the kernel frame that entered it; the caller of
// that frame gets E_CRASHED and keeps running. Here the kernel marks the
// process crashed, drops what was queued for it, and reports the fault to the
// supervisor's fault endpoint, which decides what happens next (policy lives
// in init, not here).
import { PS_CRASHED, PID_INIT, TAG_FAULT, QUEUE_DEPTH, FAULT_START, PS_RUNNING } from "./abi";
import { pState, pFaults } from "./proc";
import { drain, enqueue, qCount } from "./endpoint";
import { clearNotes } from "./notify";
import { clearReady, markReady } from "./sched";
import { host_kill } from "./host";
import { dropLeases } from "./lease";
import { vmTeardown } from "./vm";
import { klog, puts, putu } from "./console";
import { halt } from "./state";

let supervisor = -1; // pid whose endpoint receives TAG_FAULT messages
let supervisorBadge = 0;
let faults: u32 = 0;

export function setSupervisor(pid: i32, badge: i32): void { supervisor = pid; supervisorBadge = badge; }
export function faultCount(): u32 { return faults; }

export function fault(pid: i32, cause: i32): void {
  faults++;
  unchecked(pState[pid] = PS_CRASHED);
  unchecked(pFaults[pid] = unchecked(pFaults[pid]) + 1);
  const dropped = drain(pid);
  clearNotes(pid);
  clearReady(pid);
  dropLeases(pid);
  vmTeardown(pid);
  host_kill(pid);
  klog(); puts("fault: pid "); putu(pid);
  puts(cause == FAULT_START ? " trapped while starting" : " trapped in a handler");
  if (dropped > 0) { puts("; dropped "); putu(dropped); puts(" queued messages"); }
  puts("\n");
  if (pid == PID_INIT) { klog(); puts("panic: init died\n"); halt(70); return; }
  report(pid, cause, dropped);
}

function report(pid: i32, cause: i32, dropped: i32): void {
  const s = supervisor;
  if (s < 0 || unchecked(pState[s]) != PS_RUNNING) return;
  if (unchecked(qCount[s]) >= QUEUE_DEPTH) { klog(); puts("fault report lost: supervisor queue full\n"); return; }
  enqueue(s, supervisorBadge, TAG_FAULT, -1, pid, cause, dropped, 0, 0, 0);
  markReady(s);
}
