// The program's quantum and classical registers: name (bytes in the program),
// first index in the job's flat numbering, size. A handful per program, so a
// lookup is a scan comparing hashes.
import { E_ARG, E_NOSPACE } from "../../../kernel/abi";
import { QJOB_MAX_CLBITS, QPU_MAX_QUBITS } from "../../../hal/qpu/job-format";
import { fail } from "./errors";

export const MAX_REGISTERS = 64;

export class Registers {
  count: i32 = 0;
  total: i32 = 0; // qubits or bits declared so far
  readonly name: StaticArray<usize> = new StaticArray<usize>(MAX_REGISTERS);
  readonly nameLen: StaticArray<i32> = new StaticArray<i32>(MAX_REGISTERS);
  readonly hash: StaticArray<u32> = new StaticArray<u32>(MAX_REGISTERS);
  readonly first: StaticArray<i32> = new StaticArray<i32>(MAX_REGISTERS);
  readonly size: StaticArray<i32> = new StaticArray<i32>(MAX_REGISTERS);

  constructor(public readonly quantum: bool) {}

  reset(): void { this.count = 0; this.total = 0; }

  find(h: u32, at: usize, n: i32): i32 {
    for (let i = 0, c = this.count; i < c; i++) {
      if (unchecked(this.hash[i]) == h && unchecked(this.nameLen[i]) == n && memory.compare(unchecked(this.name[i]), at, <usize>n) == 0) return i;
    }
    return -1;
  }

  /** Declares a register of `size` at `at` (its name); its index, or -1 after an error. */
  add(h: u32, at: usize, n: i32, size: u64): i32 {
    const what = this.quantum ? "qubit" : "bit";
    if (size == 0) { fail(at, E_ARG, "register '" + name(at, n) + "' has no " + what + "s: its size must be at least 1"); return -1; }
    const limit = this.quantum ? QPU_MAX_QUBITS : QJOB_MAX_CLBITS;
    const total = <u64>this.total + size;
    if (total > <u64>limit) {
      fail(at, E_NOSPACE, "'" + name(at, n) + "' makes " + total.toString() + " " + what + "s, more than the " + limit.toString() + " a job may use (" + (this.quantum ? "QPU_MAX_QUBITS" : "QJOB_MAX_CLBITS") + ")");
      return -1;
    }
    if (this.count >= MAX_REGISTERS) { fail(at, E_NOSPACE, "more than " + MAX_REGISTERS.toString() + " " + what + " registers"); return -1; }
    const i = this.count++;
    unchecked(this.name[i] = at);
    unchecked(this.nameLen[i] = n);
    unchecked(this.hash[i] = h);
    unchecked(this.first[i] = this.total);
    unchecked(this.size[i] = <i32>size);
    this.total = <i32>total;
    return i;
  }

  /** The register's name and size as written: "q[5]". */
  describe(r: i32): string {
    return name(unchecked(this.name[r]), unchecked(this.nameLen[r])) + "[" + unchecked(this.size[r]).toString() + "]";
  }

  label(r: i32): string { return name(unchecked(this.name[r]), unchecked(this.nameLen[r])); }
}

export function name(at: usize, n: i32): string { return String.UTF8.decodeUnsafe(at, <usize>n); }

export const qregs = new Registers(true);
export const cregs = new Registers(false);
