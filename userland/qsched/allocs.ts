// Allocations: physical qubits booked by one client (TAG_QS_ALLOC). A
// physical qubit is in at most one allocation; jobs without an allocation
// run on qubits no allocation holds, jobs on an allocation on its qubits.
import { QS_ALLOCS, QS_CLIENT_ALLOCS } from "../lib";
import * as cal from "./calibration";

export class Alloc {
  id: i32 = 0;
  owner: i32 = 0; // pid
  k: i32 = 0;
  qubits: StaticArray<i32> = new StaticArray<i32>(32); // ascending
  jobs: i32 = 0; // unfinished jobs on it
}

export const allocs = new StaticArray<Alloc | null>(QS_ALLOCS);
/** The allocation id holding each physical qubit, 0: free. */
export const holder = new StaticArray<i32>(cal.MAX_QUBITS_);
let nextId = 1;

export function byId(id: i64): Alloc | null {
  if (id <= 0 || id > 0x7fffffff) return null;
  for (let r = 0; r < QS_ALLOCS; r++) { const a = unchecked(allocs[r]); if (a != null && a.id == <i32>id) return a; }
  return null;
}

export function countOf(pid: i32): i32 {
  let n = 0;
  for (let r = 0; r < QS_ALLOCS; r++) { const a = unchecked(allocs[r]); if (a != null && a.owner == pid) n++; }
  return n;
}

/** A free row, or -1 (QS_ALLOCS in use). */
export function freeRow(): i32 {
  for (let r = 0; r < QS_ALLOCS; r++) if (unchecked(allocs[r]) == null) return r;
  return -1;
}

export function clientFull(pid: i32): bool { return countOf(pid) >= QS_CLIENT_ALLOCS; }

/** Book best[0..k) (physical, ascending) for `pid` in row r; the allocation. */
export function make(r: i32, pid: i32, place: StaticArray<i32>, k: i32): Alloc {
  const a = new Alloc();
  a.id = nextId++;
  if (nextId > 0x3fffffff) nextId = 1;
  a.owner = pid; a.k = k;
  for (let i = 0; i < k; i++) unchecked(a.qubits[i] = unchecked(place[i]));
  // Ascending: logical i of a job on the allocation is its i-th lowest qubit.
  for (let i = 1; i < k; i++) {
    const v = unchecked(a.qubits[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(a.qubits[j]) > v) { unchecked(a.qubits[j + 1] = unchecked(a.qubits[j])); j--; }
    unchecked(a.qubits[j + 1] = v);
  }
  for (let i = 0; i < k; i++) unchecked(holder[unchecked(a.qubits[i])] = a.id);
  unchecked(allocs[r] = a);
  return a;
}

export function release(a: Alloc): void {
  for (let i = 0; i < a.k; i++) if (unchecked(holder[unchecked(a.qubits[i])]) == a.id) unchecked(holder[unchecked(a.qubits[i])] = 0);
  for (let r = 0; r < QS_ALLOCS; r++) if (unchecked(allocs[r]) === a) unchecked(allocs[r] = null);
}

/** Mark in `out` the qubits a job may use: its allocation's, or those no allocation holds. */
export function usable(out: StaticArray<bool>, a: Alloc | null): void {
  for (let p = 0; p < cal.MAX_QUBITS_; p++) unchecked(out[p] = a == null && p < cal.devQubits && unchecked(holder[p]) == 0);
  if (a != null) for (let i = 0; i < a.k; i++) unchecked(out[unchecked(a.qubits[i])] = true);
}

/** Every qubit of the device (for "could it ever run"), or the allocation's. */
export function all(out: StaticArray<bool>, a: Alloc | null): void {
  for (let p = 0; p < cal.MAX_QUBITS_; p++) unchecked(out[p] = a == null && p < cal.devQubits);
  if (a != null) for (let i = 0; i < a.k; i++) unchecked(out[unchecked(a.qubits[i])] = true);
}

/** Qubits no allocation holds. */
export function freeCount(): i32 {
  let n = 0;
  for (let p = 0; p < cal.devQubits; p++) if (unchecked(holder[p]) == 0) n++;
  return n;
}
