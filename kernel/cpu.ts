// CPU budgets. Service modules are metered at build time: each function entry,
// exit and loop header subtracts from the kernel's exported global `fuel`
// (tools/lib/meter.ts), and calls `fuel_out` when it goes below zero, then
// traps. Entering a process gives it its own budget and puts the caller's
// remainder aside, so a server's work is never charged to its client; the
// units spent are added to the process's account when it returns. The same
// instrumented code runs in every engine, so accounting is deterministic.
import { MAX_PROCS, DEFAULT_CPU_BUDGET, FAULT_CPU, FAULT_INJECTED, FAULT_HUNG } from "./abi";
import { current } from "./proc";
import { table } from "./table";

export let fuel: i64 = 0;
let outOfFuel = -1;
let pinged = -1; // the process answering a ping, whose budget is the ping's deadline
const crashNext = table<i32>(MAX_PROCS); // 1: trap at the next entry (proc_crash)
const pBudget = table<i64>(MAX_PROCS);
const pSpent = table<i64>(MAX_PROCS);

export function cpuInit(): void {
  for (let p = 0; p < MAX_PROCS; p++) { unchecked(pBudget[p] = DEFAULT_CPU_BUDGET); unchecked(pSpent[p] = 0); unchecked(crashNext[p] = 0); }
}

/**
 * Called by a loaded module whose fuel ran out; it traps right after. Believed
 * only when the fuel is spent, so a call out of turn cannot make a later,
 * unrelated trap read as a spent budget.
 */
export function fuelOut(): void { if (fuel < 0) outOfFuel = current(); }

/**
 * Charge `units` of kernel work to the running process's budget: work that
 * grows with a syscall's arguments is paid by its caller. A budget driven
 * below zero stops the caller at its next metering point (FAULT_CPU).
 */
export function charge(units: i64): void { fuel -= units; }

/** Give `pid` its budget; what the caller had left, to restore afterwards. */
@inline export function beginFuel(pid: i32): i64 {
  const saved = fuel;
  // An injected crash is an empty budget: the module's first charge traps, a
  // real trap through the host's trampoline like any other.
  fuel = unchecked(crashNext[pid]) != 0 ? -1 : unchecked(pBudget[pid]);
  return saved;
}

/** Arm a crash at `pid`'s next entry; false if one is already armed. */
export function armCrash(pid: i32): bool {
  if (unchecked(crashNext[pid]) != 0) return false;
  unchecked(crashNext[pid] = 1);
  return true;
}

@inline export function endFuel(pid: i32, saved: i64): void {
  const left = fuel < 0 ? 0 : fuel;
  unchecked(pSpent[pid] = unchecked(pSpent[pid]) + unchecked(pBudget[pid]) - left);
  fuel = saved;
}

/** Why `pid` trapped, if its budget was the reason: FAULT_INJECTED, FAULT_CPU, or 0. (Answers once.) */
export function budgetCause(pid: i32): i32 {
  if (outOfFuel != pid) return 0;
  outOfFuel = -1;
  if (unchecked(crashNext[pid]) != 0) { unchecked(crashNext[pid] = 0); return FAULT_INJECTED; }
  return pid == pinged ? FAULT_HUNG : FAULT_CPU;
}

/** Run the next entry of `pid` with at most `units` of fuel (a ping's deadline); returns the budget to restore. */
export function beginPing(pid: i32, units: i64): i64 {
  const budget = unchecked(pBudget[pid]);
  if (units < budget) unchecked(pBudget[pid] = units);
  pinged = pid;
  return budget;
}

export function endPing(pid: i32, budget: i64): void {
  unchecked(pBudget[pid] = budget);
  pinged = -1;
}

export function disarmCrash(pid: i32): void { unchecked(crashNext[pid] = 0); }

export function setBudget(pid: i32, units: i64): void { unchecked(pBudget[pid] = units <= 0 ? DEFAULT_CPU_BUDGET : units); }
export function budgetOf(pid: i32): i64 { return unchecked(pBudget[pid]); }
export function spentBy(pid: i32): i64 { return unchecked(pSpent[pid]); }
export function resetSpent(pid: i32): void { unchecked(pSpent[pid] = 0); }
