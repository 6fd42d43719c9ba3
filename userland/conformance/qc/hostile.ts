// hostile: what a service written by a stranger from the docs must not get
// away with (issue classes of docs/security.md). qc-grab links what the host
// drives; qc-hostile recurses to any depth before a syscall, calls another
// server from deep in its stack, and calls abort and carries on. Each attempt
// must be refused or be the hostile service's own fault, with its own cause;
// the kernel and every other service carry on. (Registry names, quotas,
// capability transfer and refused VM requests have their own suites.)
import {
  sys, capByName, OK, E_CRASHED, E_DEPTH, TAG_INIT_EVENTS, SVC_FAILED, SVC_RUNNING,
  EV_CRASHED, FAULT_STACK, FAULT_ABORT,
} from "../../lib";
import { QC_DEEP, QC_DEEP_SELF, QC_DEEP_CALL, QC_ABORT_AND_RETURN } from "../common/tags";
import { test, step, phase, later, poll, waitOver, check, expect, finish, fail, unsupported } from "./driver";
import { awaitPeer, peerAnswers } from "./env";
import { code } from "./out";
import { findService as find, serviceStatus as status, initCap } from "./initctl";

const S = "hostile";
const DEEPEST = 1 << 20; // far past any stack window

let init = -1;
let hostile = -1; // a capability to qc-hostile
let hostileIndex = -1;
let lo = 0; // the deepest recursion known to work
let hi = DEEPEST; // the shallowest known to be stopped
let restartsSeen: i64 = 0;

export function addHostileTests(): void {
  step(S, awaitPeer);
  test(S, "a-service-that-imports-what-the-host-drives-is-never-started", linkRefused);
  test(S, "recursion-to-any-depth-before-a-syscall-is-the-services-own-stack-fault", stackIsOwnFault);
  test(S, "a-call-from-deep-in-a-services-stack-never-blames-its-server", serverNotBlamed);
  test(S, "an-abort-is-a-trap-even-when-the-module-carries-on", abortIsTrap);
  step(S, awaitPeer);
}


/** The cause recorded with qc-hostile's newest crash event, or -1. */
function lastCrashCause(): i64 {
  for (let k = 0; k < 16 && sys.call(init, TAG_INIT_EVENTS, hostileIndex, k, 0, 0, 0, 0) == OK; k++) {
    if (sys.reply_word(0) == EV_CRASHED) return sys.reply_word(2);
  }
  return -1;
}

/** Is qc-hostile running again after the crash we caused? Polls at phase `next` until it is. */
function restarted(next: i32): bool {
  if (status(hostileIndex) == SVC_RUNNING && sys.reply_word(2) > restartsSeen) { restartsSeen = sys.reply_word(2); return true; }
  if (!waitOver()) { poll(next); return false; }
  return fail("qc-hostile was not restarted within 2 s of its fault");
}

// The fault a probe caused, checked once init has handled it (after the restart).
let crashedAt = -1;
function causeWas(want: i32, what: string): bool {
  if (crashedAt < 0) return true;
  const cause = lastCrashCause();
  const n = crashedAt;
  crashedAt = -1;
  return check(cause == want, "recursing " + n.toString() + " frames" + what + ": qc-hostile's crash cause " + cause.toString() + ", not " + want.toString());
}

function linkRefused(): bool {
  init = initCap();
  hostile = capByName("qc-hostile");
  if (init < 0 || hostile < 0) return unsupported("qc holds no init or qc-hostile capability (the runner grants both)");
  hostileIndex = find("qc-hostile");
  const grab = find("qc-grab");
  if (!check(grab >= 0 && hostileIndex >= 0, "init does not know qc-grab or qc-hostile")) return finish();
  expect("state of qc-grab, which imports quark.boot, quark.run and quark.boot_buffer", status(grab), SVC_FAILED);
  status(hostileIndex);
  restartsSeen = sys.reply_word(2);
  return finish();
}

// Search for the deepest recursion that still works: every depth must give OK
// (it fits its window) or E_CRASHED with FAULT_STACK (it does not), never
// anything else, and the kernel must come through every overflow. Odd phases
// wait for the restart after a crash; even phases make the next probe.
function stackIsOwnFault(): bool {
  if (hostileIndex < 0) return unsupported("no qc-hostile");
  if ((phase() & 1) == 1 && !restarted(phase())) return false;
  if (!causeWas(FAULT_STACK, ", then self()")) return finish();
  if (phase() == 0) {
    expect("a shallow recursion, then self()", sys.call(hostile, QC_DEEP, 0, QC_DEEP_SELF, 0, 0, 0, 0), OK);
  }
  if (hi - lo <= 1) {
    check(lo > 16, "only " + lo.toString() + " frames fit a stack window: too few to be useful");
    check(peerAnswers(), "qc-peer does not answer after the overflows");
    return finish("deepest recursion that fits: " + lo.toString() + " frames");
  }
  const n = phase() == 0 ? hi : lo + (hi - lo) / 2;
  const r = sys.call(hostile, QC_DEEP, n, QC_DEEP_SELF, 0, 0, 0, 0);
  if (r == OK) { lo = n; return later((phase() & ~1) + 2); }
  if (r != E_CRASHED) return fail("recursing " + n.toString() + " frames, then self(): got " + code(r) + ", not OK or E_CRASHED");
  hi = n;
  crashedAt = n;
  return later((phase() & ~1) + 3);
}

// From just below the deepest recursion that works, call qc-peer: the call
// works, or is refused (E_DEPTH), or qc-hostile overflows its own window; qc-peer
// is never the one that faults.
let k = 0;
let peerFaults: i64 = -1;
let peerIndex = -1;
function serverNotBlamed(): bool {
  if (hostileIndex < 0 || lo <= 16) return unsupported("the stack search found no depth to work from");
  if (peerIndex < 0) {
    peerIndex = find("qc-peer");
    status(peerIndex);
    peerFaults = sys.reply_word(3);
  }
  if ((phase() & 1) == 1 && !restarted(phase())) return false;
  if (!causeWas(FAULT_STACK, ", then calling qc-peer")) return finish();
  if (k > 12) {
    status(peerIndex);
    expect("qc-peer's faults after calls from deep in qc-hostile", sys.reply_word(3), peerFaults);
    check(peerAnswers(), "qc-peer does not answer");
    return finish();
  }
  const n = max(0, lo - 12 + k);
  k++;
  const r = sys.call(hostile, QC_DEEP, n, QC_DEEP_CALL, 0, 0, 0, 0);
  if (r == OK || r == E_DEPTH) return later((phase() & ~1) + 2);
  if (r != E_CRASHED) return fail("recursing " + n.toString() + " frames, then calling qc-peer: got " + code(r));
  crashedAt = n;
  return later((phase() & ~1) + 3);
}

function abortIsTrap(): bool {
  if (hostileIndex < 0) return unsupported("no qc-hostile");
  if (phase() == 0) {
    if (status(hostileIndex) != SVC_RUNNING) {
      if (!waitOver()) return poll(0);
      return fail("qc-hostile is not running");
    }
    restartsSeen = sys.reply_word(2);
    expect("a call whose handler aborts, then returns 42", sys.call(hostile, QC_ABORT_AND_RETURN, 0, 0, 0, 0, 0, 0), E_CRASHED);
    return later(1);
  }
  if (!restarted(1)) return false;
  expect("the crash cause", lastCrashCause(), FAULT_ABORT);
  return finish();
}
