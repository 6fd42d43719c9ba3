// A done job's counts through a client's write lease (TAG_QS_RESULTS): as
// the device's results entries, or as lines `BITS COUNT` with BITS in
// Qiskit's order: the classical registers the program declared (QOP_CREG),
// the last declared leftmost, separated by spaces, bit 0 of each rightmost.
import { sys, E_NOSPACE } from "../lib";
import { QRES_ENTRY_BYTES, QRES_OUTCOME_LO, QRES_OUTCOME_HI, QRES_COUNT } from "../../hal/qpu/job-format";
import * as profile from "./profile";
import { Job } from "./jobs";

const REGS = 64;
const starts = new StaticArray<i32>(REGS);
const widths = new StaticArray<i32>(REGS);
/** Registers of the last job written (TAG_QS_RESULTS's fifth reply word). */
export let resultsRegisters = 0;
const line = new StaticArray<u8>(64 * 2 + 16);

/** Write entries of j from `first` into lease 0 (`room` bytes): how many, or E_NOSPACE / a lease error. */
export function writeResults(j: Job, first: i32, text: bool, room: i32): i32 {
  const total = j.outcome;
  const base = changetype<usize>(j.results);
  resultsRegisters = profile.registers(changetype<usize>(j.code), j.code.byteLength, starts, widths);
  if (resultsRegisters == 0 && j.clbits > 0) { unchecked(starts[0] = 0); unchecked(widths[0] = j.clbits); resultsRegisters = 1; }
  if (!text) {
    const n = min(room / QRES_ENTRY_BYTES, total - first);
    if (n <= 0) return total - first > 0 ? E_NOSPACE : 0;
    const w = sys.lease_write(0, 0, base + <usize>(first * QRES_ENTRY_BYTES), n * QRES_ENTRY_BYTES);
    return w < 0 ? w : n;
  }
  let off = 0, n = 0;
  for (let e = first; e < total; e++) {
    const at = base + <usize>(e * QRES_ENTRY_BYTES);
    const outcome = <u64>load<u32>(at + QRES_OUTCOME_LO) | (<u64>load<u32>(at + QRES_OUTCOME_HI) << 32);
    const len = lineOf(outcome, load<u32>(at + QRES_COUNT));
    if (off + len > room) break;
    const w = sys.lease_write(0, off, changetype<usize>(line), len);
    if (w < 0) return w;
    off += len; n++;
  }
  return n == 0 && total - first > 0 ? E_NOSPACE : n;
}

/** "BITS COUNT\n" into `line`; its length. */
function lineOf(outcome: u64, count: u32): i32 {
  let i = changetype<usize>(line);
  const p = i;
  for (let r = resultsRegisters - 1; r >= 0; r--) {
    const s = unchecked(starts[r]), w = unchecked(widths[r]);
    for (let b = w - 1; b >= 0; b--) store<u8>(i++, ((outcome >> <u64>(s + b)) & 1) != 0 ? 0x31 : 0x30);
    store<u8>(i++, 0x20);
  }
  const digits = count.toString();
  for (let d = 0; d < digits.length; d++) store<u8>(i++, <u8>digits.charCodeAt(d));
  store<u8>(i++, 0x0a);
  return <i32>(i - p);
}
