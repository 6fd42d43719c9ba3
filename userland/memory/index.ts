// memory: the memory & entropy manager. Today it serves the entropy protocol
// (entropy/, TAG_ENTROPY_*); the memory-allocation protocol (TAG_MEM_*) is to
// join it here, and until then every other tag is refused with E_ARG.
import { OK, E_ARG } from "../lib";
import { startEntropy, isEntropyTag, handleEntropy, entropyNotify } from "./entropy";

export function quark_start(pid: i32, restarts: i32): i32 {
  startEntropy(pid, restarts);
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (isEntropyTag(tag)) return handleEntropy(tag);
  return E_ARG;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  entropyNotify(bits);
  return OK;
}
