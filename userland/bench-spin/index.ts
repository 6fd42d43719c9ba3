// bench-spin: the target of the limit benchmarks (images/bench.toml). It
// has a small cpu_budget, so TAG_SPIN's endless loop is stopped by the
// kernel's fuel meter (FAULT_CPU: the caller gets E_CRASHED, init restarts
// it at once), and a queue_depth of 1, so a second queued send is refused
// with E_QFULL. Anything else returns at once.
import { OK, E_ARG, TAG_PING, TAG_SPIN, TAG_SPIN_NOP } from "../lib";

let spins: i64 = 0;

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == TAG_PING || tag == TAG_SPIN_NOP) return OK;
  if (tag == TAG_SPIN) {
    // Never ends by itself: each iteration is charged at the loop header.
    while (spins >= 0) spins++;
    return OK;
  }
  return E_ARG;
}
