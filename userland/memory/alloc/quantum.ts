// Qubit-register memory: bookkeeping only, of QUBIT_CAPACITY qubits, in
// contiguous runs (a register), for the quantum scheduler to honour.
import { QUBIT_CAPACITY } from "../../lib";

let used: u64 = 0;

/** The first qubit of a free run of `n`, marked used; -1 when none fits. */
export function qubitsAlloc(n: i32): i32 {
  if (n <= 0 || n > QUBIT_CAPACITY) return -1;
  const run: u64 = n == 64 ? <u64>-1 : ((<u64>1 << <u64>n) - 1);
  for (let first = 0; first + n <= QUBIT_CAPACITY; first++) {
    const mask = run << <u64>first;
    if ((used & mask) == 0) { used |= mask; return first; }
  }
  return -1;
}

export function qubitsFree(first: i32, n: i32): void {
  const run: u64 = n == 64 ? <u64>-1 : ((<u64>1 << <u64>n) - 1);
  used &= ~(run << <u64>first);
}

export function qubitsAvailable(): i32 { return QUBIT_CAPACITY - <i32>popcnt(used); }
