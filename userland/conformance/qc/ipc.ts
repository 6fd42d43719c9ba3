// ipc: a call runs the server at once and returns its status and six words;
// a send is queued and delivered later, in order, up to QUEUE_DEPTH; no
// process is entered twice; capabilities travel only with the grant right.
import {
  sys, OK, E_RIGHTS, E_ARG, E_BUSY, E_QFULL, E_NOTCALL, E_NORECV, E_BADSLOT, R_CALL, R_SEND, MSG_CALL, MSG_CAP, QUEUE_DEPTH,
  LEASE_READ, RECV_ANY, RECV_NONE, CSPACE_SLOTS,
} from "../../lib";
import {
  QC_ECHO, QC_STATUS, QC_STATS, QC_SEQ, QC_RESET, QC_KEEP, QC_DROP, QC_CAP_BACK, QC_CAP_BACK_DELETED, QC_CALLBACK,
  QC_INFO, QC_BADGE, QC_FUZZ_RELAY, QC_SLOT_INFO, QC_RECV_OFF, QC_RECV_ON, QC_RECV_ONCE, foldSeq,
} from "../common/tags";
import { peerReceives, peerEmptySlot } from "./caps";
import {
  test, step, phase, later, poll, nextPass, waitOver, check, expect, expectSlot, track, failed, finish,
} from "./driver";
import { peer, fuzz, emptySlot } from "./env";
import { code } from "./out";

const S = "ipc";
const SEQ_N = 8;
const scratch = new StaticArray<u8>(64);

export function addIpcTests(): void {
  test(S, "a-call-returns-all-six-reply-words", callReturnsSixWords);
  test(S, "the-call-status-is-the-handlers-return-value", statusIsReturnValue);
  step(S, nextPass);
  test(S, "queued-sends-are-delivered-later-in-order", queuedSendsInOrder);
  step(S, nextPass);
  test(S, "a-full-queue-is-reported-and-nothing-accepted-is-lost", fullQueue);
  test(S, "a-queued-message-cannot-be-replied-to", queuedCannotReply);
  test(S, "a-process-cannot-be-entered-while-it-runs", serverCannotCallItself);
  test(S, "a-call-back-into-a-busy-caller-is-refused", callBackIntoBusyCaller);
  test(S, "capability-transfer-needs-the-grant-right", transferNeedsGrant);
  test(S, "a-transferred-capability-reaches-the-server", transferReachesServer);
  test(S, "a-capability-can-be-returned-in-the-reply", capabilityInReply);
  test(S, "a-reply-never-delivers-a-deleted-capability", replyNeverDeliversDeleted);
  test(S, "a-capability-in-a-reply-lands-in-the-slot-the-caller-named", replyLandsInNamedSlot);
  test(S, "a-reply-capability-for-a-caller-that-armed-no-slot-is-refused-and-the-reply-still-arrives", replyCapRefused);
  test(S, "a-send-carrying-a-capability-to-a-server-that-armed-no-slot-is-refused-and-not-queued", sendToUnarmedRefused);
  test(S, "a-queued-sends-capability-is-in-the-named-slot-at-send-time", sendLandsAtSendTime);
  test(S, "reply-and-message-syscalls-outside-a-message-are-errors", outsideAMessage);
  test(S, "leases-on-an-asynchronous-send-are-refused", leasesOnSendRefused);
}

function callReturnsSixWords(): bool {
  const w: StaticArray<i64> = [1, -1, i64.MAX_VALUE, i64.MIN_VALUE, 0x123456789abcdef0, -0x80000001];
  if (!expect("echo call", sys.call(peer, QC_ECHO, w[0], w[1], w[2], w[3], w[4], w[5]), OK)) return finish();
  for (let i = 0; i < 6; i++) expect("reply word " + i.toString(), sys.reply_word(i), w[i]);
  return finish();
}

function statusIsReturnValue(): bool {
  const values: StaticArray<i32> = [0, 1, 12345, i32.MAX_VALUE, -4, -21, -1000];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    expect("status of a handler that returns " + v.toString(), sys.call(peer, QC_STATUS, v, 0, 0, 0, 0, 0), v);
  }
  return finish();
}

function checksumOf(n: i32): i64 {
  let s: i64 = 0;
  for (let i = 0; i < n; i++) s = foldSeq(s, i);
  return s;
}

/**
 * Poll qc-peer's stats until it has handled `n` queued messages: 1 once it
 * has (its stats are the last reply), 0 when a poll is scheduled, -1 when the
 * wait is over (a problem is recorded).
 */
function queuedReached(n: i32): i32 {
  const r = sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0);
  const got = r == OK ? sys.reply_word(0) : -1;
  if (got >= n) return 1;
  if (!waitOver()) { poll(phase()); return 0; }
  check(false, "qc-peer handled " + got.toString() + " of " + n.toString() +
    " queued messages within 2 s (its stats call: " + code(r) + ")");
  return -1;
}

function sendSequence(n: i32): bool {
  if (!expect("resetting qc-peer's counters", sys.call(peer, QC_RESET, 0, 0, 0, 0, 0, 0), OK)) return false;
  for (let i = 0; i < n; i++) {
    if (!expect("send number " + (i + 1).toString(), sys.send(peer, QC_SEQ, i, 0, 0, 0, 0, 0), OK)) return false;
  }
  return true;
}

function checkSequence(n: i32): void {
  expect("queued messages qc-peer handled", sys.reply_word(0), n);
  expect("checksum of the sequence numbers in the order qc-peer got them", sys.reply_word(3), checksumOf(n));
}

function queuedSendsInOrder(): bool {
  if (phase() == 0) {
    if (!sendSequence(SEQ_N)) return finish();
    if (expect("stats call", sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0), OK)) {
      expect("queued messages qc-peer handled while the sender still runs", sys.reply_word(0), 0);
    }
    if (failed()) return finish();
    return later(1);
  }
  const s = queuedReached(SEQ_N);
  if (s == 0) return false;
  if (s > 0) checkSequence(SEQ_N);
  return finish();
}

function fullQueue(): bool {
  if (phase() == 0) {
    if (!sendSequence(QUEUE_DEPTH)) return finish();
    const after = " after " + QUEUE_DEPTH.toString() + " sends";
    expect("send" + after, sys.send(peer, QC_SEQ, QUEUE_DEPTH, 0, 0, 0, 0, 0), E_QFULL);
    expect("another send" + after, sys.send(peer, QC_SEQ, QUEUE_DEPTH + 1, 0, 0, 0, 0, 0), E_QFULL);
    if (failed()) return finish();
    return later(1);
  }
  const s = queuedReached(QUEUE_DEPTH);
  if (s == 0) return false;
  if (s > 0) checkSequence(QUEUE_DEPTH);
  return finish();
}

function queuedCannotReply(): bool {
  if (phase() == 0) {
    if (!sendSequence(1)) return finish();
    return later(1);
  }
  const s = queuedReached(1);
  if (s == 0) return false;
  if (s > 0) {
    expect("reply() in qc-peer while it handles a queued message", sys.reply_word(4), E_NOTCALL);
    const info = sys.reply_word(5);
    check(info >= 0 && (info & MSG_CALL) == 0, "msg_info() of a queued message: expected no MSG_CALL flag, got " + code(info));
  }
  return finish();
}

function serverCannotCallItself(): bool {
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer, call)", d)) return finish();
  expect("xfer", sys.xfer(d), OK);
  if (expect("callback call carrying qc-peer's own endpoint", sys.call(peer, QC_CALLBACK, 0, 0, 0, 0, 0, 0), OK)) {
    expect("qc-peer calling its own endpoint while it handles a call", sys.reply_word(0), E_BUSY);
  }
  return finish();
}

// qc holds no capability to itself, so the busy caller is qc-fuzz:
// qc -> qc-fuzz -> qc-peer -> qc-fuzz.
function callBackIntoBusyCaller(): bool {
  expect("xfer", sys.xfer(fuzz), OK);
  const k = sys.call(peer, QC_KEEP, 0, 0, 0, 0, 0, 0);
  if (!check(k >= 0, "qc-peer keeping a qc-fuzz capability: expected its cap_info, got " + code(k))) return finish();
  if (expect("qc-fuzz relaying a callback call to qc-peer", sys.call(fuzz, QC_FUZZ_RELAY, QC_CALLBACK, 0, 0, 0, 0, 0), OK)) {
    if (expect("qc-peer's status for qc-fuzz's call", sys.reply_word(0), OK)) {
      expect("qc-peer calling qc-fuzz back while qc-fuzz waits for its reply", sys.reply_word(1), E_BUSY);
    }
  }
  sys.call(peer, QC_DROP, 0, 0, 0, 0, 0, 0);
  return finish();
}

function transferNeedsGrant(): bool {
  const c = sys.cap_derive(peer, R_CALL | R_SEND, 0);
  if (!expectSlot("cap_derive(qc-peer, call+send)", c)) return finish();
  expect("xfer", sys.xfer(fuzz), OK);
  expect("a call carrying a capability through an endpoint without grant", sys.call(c, QC_INFO, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  if (expect("the next call, through qc-peer with grant", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
    check((sys.reply_word(0) & MSG_CAP) == 0, "the refused attachment was still attached to the next call");
  }
  expect("xfer", sys.xfer(fuzz), OK);
  expect("a send carrying a capability through an endpoint without grant", sys.send(c, QC_SEQ, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  sys.xfer(-1);
  return finish();
}

function transferReachesServer(): bool {
  expect("xfer", sys.xfer(fuzz), OK);
  if (!expect("a call carrying the qc-fuzz capability", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) return finish();
  const flags = sys.reply_word(0), slot = sys.reply_word(1), info = sys.reply_word(2);
  check(flags >= 0 && (flags & MSG_CAP) != 0, "msg_info() in qc-peer: expected the MSG_CAP flag, got " + code(flags));
  check(slot >= 0, "msg_cap() in qc-peer: expected a slot, got " + code(slot));
  expect("cap_info in qc-peer on the capability it received", info, sys.cap_info(fuzz));
  return finish();
}

function capabilityInReply(): bool {
  const d = sys.cap_derive(peer, R_CALL | R_SEND, 0);
  if (!expectSlot("cap_derive(qc-peer, call+send)", d)) return finish();
  expect("xfer", sys.xfer(d), OK);
  const armed = sys.cap_recv(RECV_ANY);
  if (!check(armed >= 0, "cap_recv(RECV_ANY): expected a slot, got " + code(armed))) return finish();
  if (!expect("a call asking qc-peer to send the capability back", sys.call(peer, QC_CAP_BACK, 0, 0, 0, 0, 0, 0), OK)) return disarmed();
  const r = track(sys.recv_cap());
  if (!check(r >= 0, "recv_cap() after the reply: expected a slot, got " + code(r))) return disarmed();
  expect("recv_cap(): the slot armed", r, armed);
  check(r != d, "recv_cap() named the slot of the capability sent (" + d.toString() + "), not a new one");
  expect("cap_info on the returned capability", sys.cap_info(r), sys.cap_info(d));
  if (expect("a badge call through the returned capability", sys.call(r, QC_BADGE, 0, 0, 0, 0, 0, 0), OK)) {
    expect("badge qc-peer saw", sys.reply_word(0), sys.self());
  }
  return finish();
}

function replyNeverDeliversDeleted(): bool {
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer, call)", d)) return finish();
  expect("xfer", sys.xfer(d), OK);
  sys.cap_recv(RECV_ANY);
  const st = sys.call(peer, QC_CAP_BACK_DELETED, 0, 0, 0, 0, 0, 0);
  if (!expect("a call whose handler attaches the capability to its reply, then deletes it", st, OK)) return disarmed();
  const r = track(sys.recv_cap());
  if (r >= 0) {
    const info = sys.cap_info(r);
    check(info >= 0, "recv_cap() named slot " + r.toString() + ", which holds nothing (cap_info: " + code(info) +
      "); the reply carried a capability qc-peer had deleted before returning");
  }
  return disarmed();
}

/** End a test that armed a receive slot: disarm it, so nothing can land there later. */
function disarmed(): bool {
  sys.cap_recv(RECV_NONE);
  return finish();
}

function occupiedSlots(): i32 {
  let n = 0;
  for (let s = 0; s < CSPACE_SLOTS; s++) if (sys.cap_info(s) >= 0) n++;
  return n;
}

function replyLandsInNamedSlot(): bool {
  const d = track(sys.cap_derive(peer, R_CALL | R_SEND, 0));
  if (!expectSlot("cap_derive(qc-peer, call+send)", d)) return finish();
  const e = emptySlot();
  if (!check(e >= 0, "qc has no empty slot")) return finish();
  expect("cap_recv on empty slot " + e.toString(), sys.cap_recv(e), e);
  expect("xfer", sys.xfer(d), OK);
  if (!expect("a call asking qc-peer to send the capability back", sys.call(peer, QC_CAP_BACK, 0, 0, 0, 0, 0, 0), OK)) return disarmed();
  track(e);
  expect("recv_cap(): the slot qc named", sys.recv_cap(), e);
  expect("cap_info on that slot", sys.cap_info(e), sys.cap_info(d));
  // The transfer consumed the arming: the next reply capability is refused.
  expect("xfer", sys.xfer(d), OK);
  expect("the same call again, with no slot armed (qc-peer's reply_cap)", sys.call(peer, QC_CAP_BACK, 0, 0, 0, 0, 0, 0), E_NORECV);
  return disarmed();
}

function replyCapRefused(): bool {
  const d = track(sys.cap_derive(peer, R_CALL | R_SEND, 0));
  if (!expectSlot("cap_derive(qc-peer, call+send)", d)) return finish();
  expect("cap_recv(RECV_NONE)", sys.cap_recv(RECV_NONE), OK);
  const before = occupiedSlots();
  expect("xfer", sys.xfer(d), OK);
  // qc-peer's status is what its reply_cap returned; its reply words still come back.
  expect("a call whose handler attaches a capability to the reply (its reply_cap's result)",
    sys.call(peer, QC_CAP_BACK, 0, 0, 0, 0, 0, 0), E_NORECV);
  expect("the reply's word 0 (qc-peer's cap_info on the capability)", sys.reply_word(0), sys.cap_info(d));
  expect("recv_cap() after the reply", sys.recv_cap(), E_NORECV);
  expect("qc's occupied slots", occupiedSlots(), before);
  if (expect("the next call, without a capability in its reply", sys.call(peer, QC_ECHO, 0, 0, 0, 0, 0, 0), OK)) {
    expect("recv_cap() after it", sys.recv_cap(), -1);
  }
  return finish();
}

const REFUSED_SEQ = 7;

function sendToUnarmedRefused(): bool {
  if (phase() == 0) {
    if (!peerReceives(QC_RECV_OFF)) return finish();
    const d = track(sys.cap_derive(peer, R_CALL, 0));
    if (expectSlot("cap_derive(qc-peer, call)", d) &&
      expect("resetting qc-peer's counters", sys.call(peer, QC_RESET, 0, 0, 0, 0, 0, 0), OK)) {
      expect("xfer", sys.xfer(d), OK);
      expect("a send carrying a capability to qc-peer, which armed no slot", sys.send(peer, QC_SEQ, REFUSED_SEQ, 0, 0, 0, 0, 0), E_NORECV);
      expect("a send without one", sys.send(peer, QC_SEQ, 0, 0, 0, 0, 0, 0), OK);
    }
    peerReceives(QC_RECV_ON);
    if (failed()) return finish();
    return later(1);
  }
  const s = queuedReached(1);
  if (s == 0) return false;
  if (s > 0) checkSequence(1); // the refused send was never queued: one message, sequence number 0
  return finish();
}

function sendLandsAtSendTime(): bool {
  if (phase() == 0) {
    slotAtSend = peerEmptySlot();
    if (!check(slotAtSend >= 0, "qc-peer has no empty slot")) return finish();
    if (!peerReceives(QC_RECV_ONCE, slotAtSend)) { peerReceives(QC_RECV_ON); return finish(); }
    const d = track(sys.cap_derive(peer, R_CALL, 0));
    if (expectSlot("cap_derive(qc-peer, call)", d) &&
      expect("resetting qc-peer's counters", sys.call(peer, QC_RESET, 0, 0, 0, 0, 0, 0), OK)) {
      expect("xfer", sys.xfer(d), OK);
      expect("a send carrying a capability", sys.send(peer, QC_SEQ, 0, 0, 0, 0, 0, 0), OK);
      // Still queued, and already in qc-peer's space, where it asked.
      expect("cap_info in qc-peer on the slot it named, while the send waits", sys.call(peer, QC_SLOT_INFO, slotAtSend, 0, 0, 0, 0, 0), sys.cap_info(d));
      expect("queued messages qc-peer handled so far", sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0) == OK ? sys.reply_word(0) : -1, 0);
    }
    if (failed()) { peerReceives(QC_RECV_ON); return finish(); }
    return later(1);
  }
  const s = queuedReached(1);
  if (s == 0) return false;
  if (s > 0) expect("the slot once qc-peer handled the message (it deletes what is sent to it)",
    sys.call(peer, QC_SLOT_INFO, slotAtSend, 0, 0, 0, 0, 0), E_BADSLOT);
  peerReceives(QC_RECV_ON);
  return finish();
}

let slotAtSend = -1;

function outsideAMessage(): bool {
  const p = changetype<usize>(scratch);
  expect("reply outside a message", sys.reply(1, 2, 3, 4, 5, 6), E_NOTCALL);
  expect("msg_info outside a message", sys.msg_info(), E_NOTCALL);
  expect("msg_cap outside a message", sys.msg_cap(), E_NOTCALL);
  expect("reply_cap outside a message", sys.reply_cap(-1), E_NOTCALL);
  expect("lease_len outside a message", sys.lease_len(0), E_NOTCALL);
  expect("lease_read outside a message", sys.lease_read(0, 0, p, 1), E_NOTCALL);
  expect("lease_write outside a message", sys.lease_write(0, 0, p, 1), E_NOTCALL);
  return finish();
}

function leasesOnSendRefused(): bool {
  const p = changetype<usize>(scratch);
  expect("lease", sys.lease(0, p, 16, LEASE_READ), OK);
  expect("a send after describing a lease", sys.send(peer, QC_SEQ, 0, 0, 0, 0, 0, 0), E_ARG);
  if (expect("the next call", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
    expect("leases that came with the next call", sys.reply_word(3), 0);
  }
  return finish();
}
