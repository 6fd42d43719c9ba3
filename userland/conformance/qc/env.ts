// What the tests work with: the capabilities qc was granted, found by name,
// and small helpers over them.
import { sys, capByName, OK, E_BADSLOT, CSPACE_SLOTS } from "../../lib";
import { QC_ECHO } from "../common/tags";
import { setConsole } from "./out";
import { block, poll, waitOver, phase } from "./driver";

export let consoleCap = -1;
export let peer = -1;
export let fuzz = -1;
export let logCap = -1; // < 0: the image has no log service
export let memoryCap = -1; // < 0: the image has no memory service
export let entropyDev = -1; // the entropy device, to inject faults (granted with memory)

export function findCaps(): void {
  consoleCap = capByName("console");
  peer = capByName("qc-peer");
  fuzz = capByName("qc-fuzz");
  logCap = capByName("log");
  memoryCap = capByName("memory");
  entropyDev = capByName("entropy");
  setConsole(consoleCap);
  if (peer < 0) block("qc holds no capability named qc-peer; the suite cannot run");
  else if (fuzz < 0) block("qc holds no capability named qc-fuzz; the suite cannot run");
}

export const NO_LOG = "the image has no log service";

/** The rights of a cap_info result (or the error itself). */
export function rightsOf(info: i32): i32 { return info < 0 ? info : info >> 8; }

/** A slot of qc's that holds nothing, or -1 if every slot is taken. */
export function emptySlot(): i32 {
  for (let s = CSPACE_SLOTS - 1; s >= 0; s--) if (sys.cap_info(s) == E_BADSLOT) return s;
  return -1;
}

/** Does qc-peer answer an echo right now? */
export function peerAnswers(): bool {
  return sys.call(peer, QC_ECHO, 0x51, 0, 0, 0, 0, 0) == OK && sys.reply_word(0) == 0x51;
}

/** A step: wait (bounded) until qc-peer answers, so that a crash does not spill into the next tests. */
export function awaitPeer(): bool {
  if (peerAnswers() || waitOver()) return true;
  return poll(phase());
}

/** Describe no lease and attach nothing for the next call (a call that fails drops both). */
export function clearAttachments(): void {
  sys.xfer(-1);
  sys.call(-1, 0, 0, 0, 0, 0, 0, 0);
}
