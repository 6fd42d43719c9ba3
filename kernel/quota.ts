// Page quotas: every frame is charged to one process (page tables, pages it
// faulted in, memory objects it created, copies its writes made). Going over
// the quota is E_NOMEM for that request, never a crash.
import { MAX_PROCS, DEFAULT_PAGE_QUOTA } from "./abi";
import { table } from "./table";

export const pPages = table<i32>(MAX_PROCS);
export const pQuota = table<i32>(MAX_PROCS);

export function quotaInit(): void {
  for (let p = 0; p < MAX_PROCS; p++) { unchecked(pPages[p] = 0); unchecked(pQuota[p] = DEFAULT_PAGE_QUOTA); }
}

/** Can `pid` take `n` more frames? */
@inline export function canCharge(pid: i32, n: i32): bool {
  return <u32>pid < <u32>MAX_PROCS && <i64>unchecked(pPages[pid]) + n <= <i64>unchecked(pQuota[pid]);
}

export function charge(pid: i32, n: i32): void {
  if (<u32>pid < <u32>MAX_PROCS) unchecked(pPages[pid] = unchecked(pPages[pid]) + n);
}

export function uncharge(pid: i32, n: i32): void {
  if (<u32>pid < <u32>MAX_PROCS) unchecked(pPages[pid] = unchecked(pPages[pid]) - n);
}
