// The lines the console has not shown yet. The log writes each line through
// the console driver; while the driver restarts its answer is E_DEAD or
// E_CRASHED, and the line stays in the history (history.ts) as unshown. The
// next line written once the driver is back goes out after them, oldest
// first, each as the history keeps it (cut at its LINE_MAX bytes). Lines that
// left the history meanwhile (more than it holds) are counted in one line.
import { conWrite, writeStr, writeU64 } from "../lib";
import { recall, HISTORY_LINES, HISTORY_LINE_MAX } from "./history";

let unshown = 0; // lines kept that the console has not shown, the newest included
const out = new StaticArray<u8>(HISTORY_LINE_MAX + 80);

/** The line at `base` (`len` bytes with its newline, the newest in the history): show it after those the console missed. */
export function show(base: usize, len: i32): void {
  unshown++;
  if (unshown > 1 && !replay()) return;
  if (conWrite(base, len) >= 0) unshown = 0;
}

/** The older unshown lines, oldest first: false at the first the driver refuses (they stay unshown). */
function replay(): bool {
  const p = changetype<usize>(out);
  if (unshown > HISTORY_LINES) {
    let q = writeStr(p, "log: ", 8);
    q = writeU64(q, <u64>(unshown - HISTORY_LINES));
    q = writeStr(q, " lines were not shown: the console driver was down while the log's history filled\n", 96);
    if (conWrite(p, <i32>(q - p)) < 0) return false;
    unshown = HISTORY_LINES;
  }
  while (unshown > 1) {
    const at = recall(unshown - 1);
    const n = <i32>(at & 0xffffffff);
    if (at >= 0) {
      memory.copy(p, <usize>(at >>> 32), n);
      store<u8>(p + <usize>n, 10);
      if (conWrite(p, n + 1) < 0) return false;
    }
    unshown--;
  }
  return true;
}
