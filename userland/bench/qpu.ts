// The quantum scheduler's allocation figure, beside a peer measured in the
// same run, alternating with it.
//
// qpu.alloc: TAG_QS_ALLOC of one qubit (the scheduler checks the caller's
// quota, the policy picks a free physical qubit, the allocation is booked),
// ALLOC_BATCH of them in a row, each allocation then released untimed;
// qpu.peer.call: a plain call round trip to the same scheduler (TAG_QS_INFO),
// the floor under it.
import { sys, capByName, OK, TAG_QS_ALLOC, TAG_QS_RELEASE, TAG_QS_INFO } from "../lib";
import { EmitWith, fail } from "./service";

/** As many allocations as bench's quota (images/bench.toml: qubits) and QS_CLIENT_ALLOCS allow at once. */
const ALLOC_BATCH = 8;
const WARM = 10;
const ids = new StaticArray<i64>(ALLOC_BATCH);

export function qpuAlloc(samples: i32, emit: EmitWith): void {
  const qs = capByName("qsched");
  if (qs < 0) { fail("qpu.alloc: no qsched capability (" + qs.toString() + ")"); return; }
  const alloc = new Array<i64>(), peer = new Array<i64>();
  for (let s = -WARM; s < samples; s++) {
    let t0 = sys.time();
    for (let i = 0; i < ALLOC_BATCH; i++) {
      const r = sys.call(qs, TAG_QS_ALLOC, 1, 0, 0, 0, 0, 0);
      if (r != OK) { fail("qpu.alloc: allocation refused (" + r.toString() + ")"); return; }
      unchecked(ids[i] = sys.reply_word(0));
    }
    if (s >= 0) alloc.push(sys.time() - t0);
    for (let i = 0; i < ALLOC_BATCH; i++) sys.call(qs, TAG_QS_RELEASE, unchecked(ids[i]), 0, 0, 0, 0, 0);
    t0 = sys.time();
    for (let i = 0; i < ALLOC_BATCH; i++) sys.call(qs, TAG_QS_INFO, 0, 0, 0, 0, 0, 0);
    if (s >= 0) peer.push(sys.time() - t0);
  }
  emit("qpu.alloc", "ns", ALLOC_BATCH, alloc, ALLOC_BATCH, "");
  emit("qpu.peer.call", "ns", ALLOC_BATCH, peer, ALLOC_BATCH, "");
}
