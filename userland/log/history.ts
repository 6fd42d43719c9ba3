// The log's memory: the last LINES lines it wrote, so that they can be read
// back (the audit trail of init's control operations among them). Fixed
// slots of LINE_MAX bytes; a longer line is kept cut.
const LINES = 256;
const LINE_MAX = 256;
export const HISTORY_LINES = LINES;
export const HISTORY_LINE_MAX = LINE_MAX;
const slots = new StaticArray<u8>(LINES * LINE_MAX);
const lengths = new StaticArray<i32>(LINES);
let count = 0; // lines ever kept; the newest is at (count - 1) % LINES

export function remember(p: usize, n: i32): void {
  const i = count % LINES;
  const k = min(n, LINE_MAX);
  memory.copy(changetype<usize>(slots) + <usize>(i * LINE_MAX), p, k);
  unchecked(lengths[i] = k);
  count++;
}

/** The address and length of the k-th newest line, or length -1 past the oldest kept. */
export function recall(k: i32): i64 {
  if (k < 0 || k >= count || k >= LINES) return -1;
  const i = (count - 1 - k) % LINES;
  return (<i64>(changetype<usize>(slots) + <usize>(i * LINE_MAX)) << 32) | <i64>unchecked(lengths[i]);
}
