// faults: a trap is contained in the process that trapped. Its caller gets
// E_CRASHED and runs on, the crashed process takes nothing until init
// restarts it, what was queued for it is dropped, and the restarted instance
// answers through the same capabilities.
import { sys, OK, E_ARG, E_CRASHED, E_DEAD, E_NORECV, R_CALL, INVOKE_TRAPPED } from "../../lib";
import { QC_ECHO, QC_STATS, QC_SEQ, QC_TRAP, QC_STATUS, QC_SLOTS } from "../common/tags";
import {
  test, step, phase, later, poll, waitOver, check, expect, expectSlot, failed, finish,
} from "./driver";
import { peer, fuzz, peerAnswers, awaitPeer } from "./env";
import { code } from "./out";

const S = "faults";

let restartsBefore: i64 = -1;
let slotsBefore: i64 = -1;
const sentCaps: StaticArray<i32> = [-1, -1];

export function addFaultTests(): void {
  step(S, awaitPeer);
  test(S, "the-caller-survives-a-servers-trap", callerSurvivesTrap);
  test(S, "calls-to-a-crashed-server-fail-with-e-dead", crashedServerIsDead);
  test(S, "a-crashed-server-is-restarted-and-answers-through-the-same-capability", restartedAnswers);
  test(S, "a-restarted-server-starts-with-its-restart-count", restartCount);
  test(S, "messages-queued-for-a-crashed-server-are-dropped", queuedDropped);
  test(S, "capabilities-sent-with-dropped-messages-are-not-left-behind", droppedCapsReleased);
  test(S, "a-trap-while-handling-a-queued-message-is-contained", queuedTrapContained);
  test(S, "a-handler-status-equal-to-the-trap-marker-is-not-a-crash", trapMarkerIsNotACrash);
  step(S, awaitPeer);
}

/** The restart count qc-peer reports, or -1 when it does not answer. */
function peerRestarts(): i64 {
  return sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0) == OK ? sys.reply_word(2) : -1;
}

/**
 * Poll until qc-peer answers with a restart count above `before`: 1 when it
 * does, 0 when a poll is scheduled, -1 when the wait is over (problem recorded).
 */
function restartedSince(before: i64, after: string): i32 {
  const r = sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0);
  if (r == OK && sys.reply_word(2) > before) return 1;
  if (!waitOver()) { poll(phase()); return 0; }
  check(false, "qc-peer was not restarted within 2 s " + after + " (last stats call: " + code(r) +
    (r == OK ? ", restarts " + sys.reply_word(2).toString() : "") + ")");
  return -1;
}

function callerSurvivesTrap(): bool {
  restartsBefore = peerRestarts();
  check(restartsBefore >= 0, "qc-peer did not answer before the trap");
  expect("a call whose handler traps", sys.call(peer, QC_TRAP, 0, 0, 0, 0, 0, 0), E_CRASHED);
  // Reaching this line is the other half: qc still runs.
  return finish();
}

// Runs in the same pass as the trap, before init can restart qc-peer.
function crashedServerIsDead(): bool {
  expect("a call to the crashed qc-peer", sys.call(peer, QC_ECHO, 0, 0, 0, 0, 0, 0), E_DEAD);
  expect("a send to the crashed qc-peer", sys.send(peer, QC_SEQ, 0, 0, 0, 0, 0, 0), E_DEAD);
  return finish();
}

function restartedAnswers(): bool {
  if (phase() == 0) return later(1);
  if (sys.call(peer, QC_ECHO, 0x7e57, -0x7e57, 0, 0, 0, 0) == OK) {
    expect("echo word 0 after the restart", sys.reply_word(0), 0x7e57);
    expect("echo word 1 after the restart", sys.reply_word(1), -0x7e57);
    return finish();
  }
  if (!waitOver()) return poll(1);
  const r = sys.call(peer, QC_ECHO, 0, 0, 0, 0, 0, 0);
  check(false, "qc-peer did not answer within 2 s of its trap: the last call gave " + code(r));
  return finish();
}

function restartCount(): bool {
  const n = peerRestarts();
  if (!check(n >= 0, "qc-peer does not answer")) return finish();
  check(n >= 1, "restarts qc-peer's quark_start was given after a restart: expected at least 1, got " + n.toString());
  check(n > restartsBefore, "restarts: " + restartsBefore.toString() + " before the trap, " + n.toString() + " after");
  return finish();
}

function queuedDropped(): bool {
  if (phase() == 0) {
    restartsBefore = peerRestarts();
    if (!check(restartsBefore >= 0, "qc-peer does not answer")) return finish();
    expect("first send", sys.send(peer, QC_SEQ, 1, 0, 0, 0, 0, 0), OK);
    expect("second send", sys.send(peer, QC_SEQ, 2, 0, 0, 0, 0, 0), OK);
    expect("a call whose handler traps, with two messages queued", sys.call(peer, QC_TRAP, 0, 0, 0, 0, 0, 0), E_CRASHED);
    if (failed()) return finish();
    return later(1);
  }
  const s = restartedSince(restartsBefore, "after its trap");
  if (s == 0) return false;
  if (s > 0) expect("queued messages the restarted qc-peer handled", sys.reply_word(0), 0);
  return finish();
}

function droppedCapsReleased(): bool {
  if (phase() == 0) {
    restartsBefore = peerRestarts();
    if (!check(restartsBefore >= 0, "qc-peer does not answer")) return finish();
    if (!expect("slots call", sys.call(peer, QC_SLOTS, 0, 0, 0, 0, 0, 0), OK)) return finish();
    slotsBefore = sys.reply_word(0);
    for (let i = 0; i < 2; i++) {
      // Kept to the end, when revoking them removes whatever copies qc-peer was left with.
      const d = sys.cap_derive(fuzz, R_CALL, 0);
      if (!expectSlot("cap_derive(qc-fuzz)", d)) return cleanUp();
      sentCaps[i] = d;
      expect("xfer", sys.xfer(d), OK);
      // qc-peer arms one slot at a time, and the first send's capability is in it while that send waits.
      expect("a send carrying a capability", sys.send(peer, QC_SEQ, i, 0, 0, 0, 0, 0), i == 0 ? OK : E_NORECV);
    }
    expect("a call whose handler traps, with a message and its capability queued", sys.call(peer, QC_TRAP, 0, 0, 0, 0, 0, 0), E_CRASHED);
    if (failed()) return cleanUp();
    return later(1);
  }
  const s = restartedSince(restartsBefore, "after its trap");
  if (s == 0) return false;
  if (s > 0 && expect("slots call after the restart", sys.call(peer, QC_SLOTS, 0, 0, 0, 0, 0, 0), OK)) {
    const n = sys.reply_word(0);
    check(n == slotsBefore, "capabilities qc-peer holds after the restart: expected " + slotsBefore.toString() +
      " as before, got " + n.toString() +
      (n > slotsBefore ? " (the capabilities sent with the dropped messages stayed in its space)" : ""));
  }
  return cleanUp();
}

/** Revoke removes whatever copies are left in qc-peer; the originals are deleted by the driver. */
function cleanUp(): bool {
  for (let i = 0; i < 2; i++) if (sentCaps[i] >= 0) { sys.cap_revoke(sentCaps[i]); sentCaps[i] = -1; }
  return finish();
}

function queuedTrapContained(): bool {
  if (phase() == 0) {
    restartsBefore = peerRestarts();
    if (!check(restartsBefore >= 0, "qc-peer does not answer")) return finish();
    expect("a send of a message whose handler traps", sys.send(peer, QC_TRAP, 0, 0, 0, 0, 0, 0), OK);
    if (failed()) return finish();
    return later(1);
  }
  if (restartedSince(restartsBefore, "after trapping in a queued message") == 0) return false;
  return finish();
}

// kernel/abi.ts: "A handler cannot produce [INVOKE_TRAPPED]: the kernel maps
// any such return value to E_ARG."
function trapMarkerIsNotACrash(): bool {
  const r = sys.call(peer, QC_STATUS, INVOKE_TRAPPED, 0, 0, 0, 0, 0);
  expect("status of a handler that returns INVOKE_TRAPPED (" + INVOKE_TRAPPED.toString() + ")", r, E_ARG);
  check(peerAnswers(), "qc-peer no longer answers after returning that status (it was treated as crashed)");
  return finish();
}
