// Several jobs as one run of the device (docs/quantum.md: Batching and
// multiprogramming). Each part's instructions are copied with its qubits
// moved up by the part's qubit offset and its classical bits by its clbit
// offset; its register records are left out (each job prints with its own).
// Multiprogramming gives the parts disjoint qubits, so they run side by side
// (Das et al., MICRO'19); a batch gives copies of one program the same
// qubits, one after the other, each copy after the first starting with a
// reset of every qubit. Each part's counts are the marginal of the run's
// outcomes over its classical bits, exact since they come from the same
// shots.
import {
  QJOB_MAGIC, QJOB_VERSION, QJOB_HDR_MAGIC, QJOB_HDR_VERSION, QJOB_HDR_QUBITS, QJOB_HDR_CLBITS, QJOB_HDR_COUNT,
  QJOB_HDR_BYTES, QJOB_HDR_RESERVED0, QJOB_HDR_RESERVED1, QOP_WORDS_SHIFT, QOP_MASK, QOP_U, QOP_CX, QOP_MEASURE,
  QOP_RESET, QOP_RESET_WORDS, QOP_BARRIER, QOP_IF, QOP_MCU, QOP_CREG, QRES_ENTRY_BYTES, QRES_OUTCOME_LO,
  QRES_OUTCOME_HI, QRES_COUNT,
} from "../../hal/qpu/job-format";

const HEADER_WORDS = 8;

let out: usize = 0, cap = 0, at = 0, count = 0, qubits = 0, clbits = 0;
let ok = true;

/** Start a combined job at `buf` (room for `room` bytes). */
export function begin(buf: usize, room: i32): void {
  out = buf; cap = room >> 2; at = HEADER_WORDS; count = 0; qubits = 0; clbits = 0; ok = cap >= HEADER_WORDS;
}

@inline function put(w: u32): void {
  if (at >= cap) { ok = false; return; }
  store<u32>(out + (<usize>at << 2), w);
  at++;
}

/**
 * Append the job at `job` (`bytes` long) with its qubits moved up by `qOff`
 * and classical bits by `cOff`; with `reset`, reset each of its qubits first.
 */
export function part(job: usize, bytes: i32, qOff: u32, cOff: u32, reset: bool): void {
  const k = load<u32>(job + (QJOB_HDR_QUBITS << 2)), c = load<u32>(job + (QJOB_HDR_CLBITS << 2));
  qubits = max(qubits, <i32>(qOff + k));
  clbits = max(clbits, <i32>(cOff + c));
  if (reset) for (let q: u32 = 0; q < k; q++) { put(QOP_RESET | (QOP_RESET_WORDS << QOP_WORDS_SHIFT)); put(q + qOff); count++; }
  const n = <i32>load<u32>(job + (QJOB_HDR_COUNT << 2)), words = bytes >> 2;
  let i = HEADER_WORDS;
  for (let m = 0; m < n && i < words; m++) {
    const head = load<u32>(job + (<usize>i << 2)), op = head & QOP_MASK, len = <i32>(head >> QOP_WORDS_SHIFT);
    if (len < 1 || i + len > words) { ok = false; return; }
    if (op == QOP_CREG) { i += len; continue; }
    put(head);
    for (let w = 1; w < len; w++) put(operand(job, i, op, w, qOff, cOff));
    count++;
    i += len;
  }
}

/** Word w of the instruction at word i, moved. */
function operand(job: usize, i: i32, op: u32, w: i32, qOff: u32, cOff: u32): u32 {
  const v = load<u32>(job + (<usize>(i + w) << 2));
  if (op == QOP_U || op == QOP_RESET) return w == 1 ? v + qOff : v;
  if (op == QOP_CX) return v + qOff;
  if (op == QOP_MEASURE) return w == 1 ? v + qOff : v + cOff;
  if (op == QOP_BARRIER) return w == 1 ? v : v + qOff;
  if (op == QOP_IF) return w == 1 ? v + cOff : v;
  if (op == QOP_MCU) {
    const k = <i32>load<u32>(job + (<usize>(i + 1) << 2));
    return w >= 2 && w <= 2 + k ? v + qOff : v; // the controls and the target; the matrix words stay
  }
  return v;
}

/** Finish the header; the combined job's bytes, or 0 if it did not fit. */
export function finish(): i32 {
  if (!ok) return 0;
  store<u32>(out + (QJOB_HDR_MAGIC << 2), QJOB_MAGIC);
  store<u32>(out + (QJOB_HDR_VERSION << 2), QJOB_VERSION);
  store<u32>(out + (QJOB_HDR_QUBITS << 2), <u32>qubits);
  store<u32>(out + (QJOB_HDR_CLBITS << 2), <u32>clbits);
  store<u32>(out + (QJOB_HDR_COUNT << 2), <u32>count);
  store<u32>(out + (QJOB_HDR_BYTES << 2), <u32>(at << 2));
  store<u32>(out + (QJOB_HDR_RESERVED0 << 2), 0);
  store<u32>(out + (QJOB_HDR_RESERVED1 << 2), 0);
  return at << 2;
}

/**
 * The marginal of `n` results entries at `from` over classical bits
 * [cOff, cOff + width) into `to` (room for 2^width entries): entries
 * ascending by outcome; how many.
 */
export function marginal(from: usize, n: i32, cOff: u32, width: u32, to: usize): i32 {
  const mask: u64 = width >= 64 ? <u64>-1 : (<u64>1 << width) - 1;
  let m = 0;
  for (let e = 0; e < n; e++) {
    const at = from + <usize>(e * QRES_ENTRY_BYTES);
    const o = ((<u64>load<u32>(at + QRES_OUTCOME_LO) | (<u64>load<u32>(at + QRES_OUTCOME_HI) << 32)) >> cOff) & mask;
    const count = load<u32>(at + QRES_COUNT);
    // Insert or add, keeping `to` sorted (at most 2^width entries; width is small).
    let lo = 0, hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entryOutcome(to, mid) < o) lo = mid + 1; else hi = mid;
    }
    const slot = to + <usize>(lo * QRES_ENTRY_BYTES);
    if (lo < m && entryOutcome(to, lo) == o) { store<u32>(slot + QRES_COUNT, load<u32>(slot + QRES_COUNT) + count); continue; }
    memory.copy(slot + QRES_ENTRY_BYTES, slot, <usize>((m - lo) * QRES_ENTRY_BYTES));
    store<u32>(slot + QRES_OUTCOME_LO, <u32>o);
    store<u32>(slot + QRES_OUTCOME_HI, <u32>(o >> 32));
    store<u32>(slot + QRES_COUNT, count);
    store<u32>(slot + 12, 0);
    m++;
  }
  return m;
}

@inline function entryOutcome(to: usize, i: i32): u64 {
  const at = to + <usize>(i * QRES_ENTRY_BYTES);
  return <u64>load<u32>(at + QRES_OUTCOME_LO) | (<u64>load<u32>(at + QRES_OUTCOME_HI) << 32);
}
