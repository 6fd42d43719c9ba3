// Counts as Qiskit prints them, for tests: an outcome (bit i of the job's
// classical bits = bit i of the number) becomes one bit string per classical
// register, each with its bit 0 rightmost, the registers separated by a
// space, the last declared register leftmost.
import type { Job } from "../../tools/lib/qpu-job";

export interface Register { name: string; start: number; width: number }

/** The job's classical registers in declaration order, from its QOP_CREG records. */
export function registersOf(job: Job): Register[] {
  return job.instructions.flatMap((i) => (i.op === "creg" ? [{ name: i.name, start: i.start, width: i.width }] : []));
}

/** Qiskit's key for one outcome: "01 110" for registers c (3 bits) then d (2 bits). */
export function countKey(registers: Register[], outcome: bigint): string {
  return registers.map((r) => {
    let s = "";
    for (let b = 0; b < r.width; b++) s = (((outcome >> BigInt(r.start + b)) & 1n) === 1n ? "1" : "0") + s;
    return s;
  }).reverse().join(" ");
}

/** Counts keyed by Qiskit's strings, from counts keyed by outcome. */
export function formatCounts(registers: Register[], counts: Map<bigint, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [o, n] of counts) { const k = countKey(registers, o); out[k] = (out[k] ?? 0) + n; }
  return out;
}
