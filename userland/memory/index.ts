// memory: the memory & entropy manager. It hands out kernel-managed memory
// to clients (alloc/, TAG_MEM_* and TAG_ASSOC_*: arenas, objects, shares,
// associative stores, qubit-register bookkeeping, quotas, pressure) and
// serves the entropy pool (entropy/, TAG_ENTROPY_*).
import { sys, OK, E_ARG, CSPACE_SLOTS, K_MEMORY, NOTE_STOP, acceptCaps, rearmCap } from "../lib";
import { startEntropy, isEntropyTag, handleEntropy, entropyNotify } from "./entropy";
import { allocInit, isAllocTag, handleAlloc } from "./alloc/protocol";
import { say } from "./alloc/say";

export function quark_start(pid: i32, restarts: i32): i32 {
  if (restarts > 0) forgetAllocations();
  allocInit();
  startEntropy(pid, restarts);
  acceptCaps(); // clients send their endpoint with TAG_MEM_RECLAIMABLE
  return OK;
}

/**
 * After a restart the books are gone with the old instance, but the objects
 * are still named by capabilities in this process's space: revoke them, so
 * every client's copy and mapping goes too, and no frame stays orphaned.
 */
function forgetAllocations(): void {
  let n = 0;
  for (let s = 0; s < CSPACE_SLOTS; s++) {
    const info = sys.cap_info(s);
    if (info < 0 || (info & 0xff) != K_MEMORY) continue;
    sys.cap_revoke(s);
    sys.cap_delete(s);
    n++;
  }
  if (n > 0) say("restarted: " + n.toString() + " allocations of the previous instance revoked");
}

export function quark_handle(badge: i32, tag: i32): i32 {
  const r = dispatch(badge, tag);
  rearmCap(); // a capability that came with any other request is deleted, and the next one may come
  return r;
}

function dispatch(badge: i32, tag: i32): i32 {
  if (isAllocTag(tag)) return handleAlloc(badge, tag);
  if (isEntropyTag(tag)) return handleEntropy(badge, tag);
  return E_ARG;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  // Asked to stop: nothing to flush (the books die with the instance), so go now.
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  entropyNotify(bits);
  return OK;
}
