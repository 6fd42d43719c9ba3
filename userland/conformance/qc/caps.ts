// caps: capabilities are the only authority. Rights only shrink, revoke reaches
// every derived copy wherever it went, slot numbers cannot be forged, and the
// badge a server sees is the one its caller's capability was minted with.
import {
  sys, OK, E_RIGHTS, E_BADSLOT, E_KIND, E_ARG, E_STATE, E_NORECV, R_CALL, R_SEND, R_SIGNAL, R_CONTROL, R_READ, R_ALL, PID_INIT,
  TAG_LOG_NAME, LEASE_READ, MSG_CAP, CSPACE_SLOTS, RECV_ANY, RECV_NONE, SYS_CAP_RECV,
} from "../../lib";
import {
  QC_ECHO, QC_BADGE, QC_KEEP, QC_USE, QC_DROP, QC_FUZZ_RELAY, QC_FUZZ_RELAY_CAP, QC_INFO, QC_STATS, QC_SLOTS,
  QC_RECV, QC_RECV_OFF, QC_RECV_ON, QC_RECV_ONCE, QC_SLOT_INFO,
} from "../common/tags";
import { test, check, expect, expectRights, expectSlot, track, finish, unsupported } from "./driver";
import { peer, fuzz, consoleCap, logCap, rightsOf, emptySlot, NO_LOG } from "./env";
import { code, rightsName } from "./out";

const S = "caps";
const scratch = new StaticArray<u8>(64);
@inline function scratchPtr(): usize { return changetype<usize>(scratch); }

export function addCapsTests(): void {
  test(S, "derive-keeps-no-more-rights-than-its-source", deriveKeepsNoMoreRights);
  test(S, "derive-cannot-add-rights", deriveCannotAddRights);
  test(S, "a-call-only-capability-cannot-send", callOnlyCannotSend);
  test(S, "a-send-only-capability-cannot-call", sendOnlyCannotCall);
  test(S, "revoke-removes-every-derived-capability", revokeRemovesEveryDerived);
  test(S, "revoke-reaches-copies-transferred-to-another-process", revokeReachesTransferredCopies);
  test(S, "revoke-still-reaches-the-children-of-a-deleted-capability", revokeReachesChildrenOfDeleted);
  test(S, "forged-slot-numbers-are-errors", forgedSlotsAreErrors);
  test(S, "the-wrong-kind-of-capability-is-refused", wrongKindRefused);
  test(S, "delete-then-use-is-an-error", deleteThenUse);
  test(S, "the-badge-identifies-the-caller", badgeIdentifiesCaller);
  test(S, "each-holder-is-identified-by-its-own-badge", eachHolderOwnBadge);
  test(S, "a-derived-capability-keeps-its-badge", derivedKeepsBadge);
  test(S, "minting-a-different-badge-on-a-badged-capability-is-refused", remintRefused);
  test(S, "a-badge-cannot-be-forged-to-act-as-init", cannotActAsInit);
  test(S, "console-write-needs-the-write-right", consoleWriteNeedsWrite);
  test(S, "process-and-machine-syscalls-need-their-capability", machineSyscallsNeedCaps);
  test(S, "a-label-names-a-slot-for-cap-find", labelNamesSlot);
  test(S, "capabilities-sent-to-a-server-that-armed-no-slot-are-refused-and-nothing-accumulates", unarmedRefused);
  test(S, "arming-a-slot-that-holds-a-capability-or-is-out-of-range-is-refused", armingChecked);
  test(S, "an-armed-slot-is-reserved-for-the-transfer", armedSlotReserved);
  test(S, "a-capability-attached-to-a-call-lands-in-the-named-slot-and-consumes-it", callLandsInNamedSlot);
}

// ---------------------------------------------------------------- receiving only where asked

/** Tell qc-peer how to receive capabilities (QC_RECV_*); false (a problem recorded) if it did not. */
export function peerReceives(mode: i32, slot: i32 = 0): bool {
  if (!expect("qc-peer's QC_RECV " + mode.toString(), sys.call(peer, QC_RECV, mode, slot, 0, 0, 0, 0), OK)) return false;
  const r = sys.reply_word(0);
  return check(r >= 0, "cap_recv in qc-peer (mode " + mode.toString() + "): expected a slot or OK, got " + code(r));
}

/** An empty slot of qc-peer's (searched from the top), or -1. */
export function peerEmptySlot(): i32 {
  for (let s = CSPACE_SLOTS - 1; s >= 0; s--) if (sys.call(peer, QC_SLOT_INFO, s, 0, 0, 0, 0, 0) == E_BADSLOT) return s;
  return -1;
}

function peerSlots(): i64 { return sys.call(peer, QC_SLOTS, 0, 0, 0, 0, 0, 0) == OK ? sys.reply_word(0) : -1; }
function peerCalls(): i64 { return sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0) == OK ? sys.reply_word(1) : -1; }

const REFUSED_CALLS = 300; // more than a capability space has slots

function unarmedRefused(): bool {
  if (!peerReceives(QC_RECV_OFF)) return finish();
  const d = track(sys.cap_derive(peer, R_CALL, 0));
  if (!expectSlot("cap_derive(qc-peer, call)", d)) { peerReceives(QC_RECV_ON); return finish(); }
  const slots = peerSlots();
  const calls = peerCalls();
  for (let i = 0; i < REFUSED_CALLS; i++) {
    expect("xfer", sys.xfer(d), OK);
    if (!expect("call " + (i + 1).toString() + " carrying a capability to qc-peer, which armed no slot",
      sys.call(peer, QC_ECHO, i, 0, 0, 0, 0, 0), E_NORECV)) break;
  }
  expect("calls qc-peer handled meanwhile (only the stats call itself: nothing refused was delivered)", peerCalls(), calls + 1);
  expect("qc-peer's occupied slots after " + REFUSED_CALLS.toString() + " refused transfers", peerSlots(), slots);
  if (expect("the next call, without xfer", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
    check((sys.reply_word(0) & MSG_CAP) == 0, "a refused attachment was still attached to the next call");
  }
  // Once it asks, another client's transfer goes through.
  if (peerReceives(QC_RECV_ON)) {
    if (expect("qc-fuzz relaying a call with its capability attached", sys.call(fuzz, QC_FUZZ_RELAY_CAP, QC_INFO, 0, 0, 0, 0, 0), OK)) {
      expect("qc-peer's status for qc-fuzz's call", sys.reply_word(0), OK);
      const flags = sys.reply_word(1);
      check(flags >= 0 && (flags & MSG_CAP) != 0, "msg_info() in qc-peer for qc-fuzz's call: expected MSG_CAP, got " + code(flags));
    }
  }
  peerReceives(QC_RECV_ON);
  return finish();
}

function armingChecked(): bool {
  const d = track(sys.cap_derive(peer, R_CALL, 0));
  if (!expectSlot("cap_derive(qc-peer, call)", d)) return finish();
  expect("cap_recv on a slot that holds a capability", sys.cap_recv(d), E_STATE);
  const bad: StaticArray<i32> = [CSPACE_SLOTS, CSPACE_SLOTS + 1, 1 << 30, i32.MAX_VALUE, -3, i32.MIN_VALUE];
  for (let i = 0; i < bad.length; i++) expect("cap_recv(" + bad[i].toString() + ")", sys.cap_recv(bad[i]), E_BADSLOT);
  expect("cap_recv through syscall() with a slot wider than 32 bits", sys.syscall(SYS_CAP_RECV, 1 << 32, 0, 0, 0, 0, 0, 0, 0), E_ARG);
  const e = emptySlot();
  if (check(e >= 0, "qc has no empty slot")) {
    expect("cap_recv on an empty slot (the slot armed)", sys.cap_recv(e), e);
    expect("cap_recv(RECV_NONE) disarms", sys.cap_recv(RECV_NONE), OK);
  }
  return finish();
}

function armedSlotReserved(): bool {
  const a = sys.cap_recv(RECV_ANY);
  if (!check(a >= 0, "cap_recv(RECV_ANY): expected the slot armed, got " + code(a))) return finish();
  expect("cap_info on the armed slot", sys.cap_info(a), E_BADSLOT);
  const d = track(sys.cap_derive(peer, R_CALL, 0));
  if (expectSlot("cap_derive(qc-peer, call) while a slot is armed", d)) {
    check(d != a, "cap_derive put its capability in slot " + a.toString() + ", the one armed to receive");
  }
  expect("cap_recv(RECV_NONE)", sys.cap_recv(RECV_NONE), OK);
  return finish();
}

function callLandsInNamedSlot(): bool {
  const s = peerEmptySlot();
  if (!check(s >= 0, "qc-peer has no empty slot")) return finish();
  if (!peerReceives(QC_RECV_ONCE, s)) { peerReceives(QC_RECV_ON); return finish(); }
  const d = track(sys.cap_derive(peer, R_CALL, 0));
  if (expectSlot("cap_derive(qc-peer, call)", d)) {
    expect("xfer", sys.xfer(d), OK);
    if (expect("a call carrying it", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
      expect("msg_cap() in qc-peer: the slot it named", sys.reply_word(1), s);
      expect("cap_info in qc-peer on it", sys.reply_word(2), sys.cap_info(d));
    }
    expect("xfer", sys.xfer(d), OK);
    expect("a second call carrying it (the one transfer consumed the armed slot)",
      sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), E_NORECV);
  }
  peerReceives(QC_RECV_ON);
  return finish();
}

function deriveKeepsNoMoreRights(): bool {
  const full = rightsOf(sys.cap_info(peer));
  const all = sys.cap_derive(peer, R_ALL, 0);
  if (expectSlot("cap_derive(qc-peer, every right)", all)) {
    expectRights("rights derived with every right from a capability holding " + rightsName(full), rightsOf(sys.cap_info(all)), full);
  }
  const some = sys.cap_derive(peer, R_CALL | R_SIGNAL | R_CONTROL, 0);
  if (expectSlot("cap_derive(qc-peer, call+signal+control)", some)) {
    expectRights("rights derived as call+signal+control from call+send+grant", rightsOf(sys.cap_info(some)), R_CALL);
  }
  const con = sys.cap_derive(consoleCap, R_ALL, 0);
  if (expectSlot("cap_derive(console, every right)", con)) {
    expectRights("rights derived with every right from the console capability",
      rightsOf(sys.cap_info(con)), rightsOf(sys.cap_info(consoleCap)));
  }
  return finish();
}

function deriveCannotAddRights(): bool {
  const c = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer, call)", c)) return finish();
  const w = sys.cap_derive(c, R_ALL, 0);
  if (!expectSlot("cap_derive(call-only capability, every right)", w)) return finish();
  expectRights("rights derived with every right from a call-only capability", rightsOf(sys.cap_info(w)), R_CALL);
  expect("send through it", sys.send(w, QC_ECHO, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  sys.xfer(fuzz);
  expect("a call through it carrying a capability (needs grant)", sys.call(w, QC_ECHO, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  return finish();
}

function callOnlyCannotSend(): bool {
  const c = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer, call)", c)) return finish();
  expect("send through a call-only capability", sys.send(c, QC_ECHO, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  expect("call through the same capability", sys.call(c, QC_ECHO, 0, 0, 0, 0, 0, 0), OK);
  return finish();
}

function sendOnlyCannotCall(): bool {
  const s = sys.cap_derive(peer, R_SEND, 0);
  if (!expectSlot("cap_derive(qc-peer, send)", s)) return finish();
  expect("call through a send-only capability", sys.call(s, QC_ECHO, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  expect("send through the same capability", sys.send(s, QC_ECHO, 0, 0, 0, 0, 0, 0), OK);
  return finish();
}

function revokeRemovesEveryDerived(): bool {
  const a = sys.cap_derive(peer, R_CALL | R_SEND, 0);
  if (!expectSlot("cap_derive(qc-peer)", a)) return finish();
  const b = sys.cap_derive(a, R_CALL | R_SEND, 0);
  if (!expectSlot("cap_derive of the derived capability", b)) return finish();
  const c = sys.cap_derive(b, R_CALL, 0);
  if (!expectSlot("cap_derive of that one", c)) return finish();
  expect("cap_revoke on the first of a chain of three (capabilities removed)", sys.cap_revoke(a), 2);
  expect("cap_info on the second after the revoke", sys.cap_info(b), E_BADSLOT);
  expect("cap_info on the third after the revoke", sys.cap_info(c), E_BADSLOT);
  expect("call through the second after the revoke", sys.call(b, QC_ECHO, 0, 0, 0, 0, 0, 0), E_BADSLOT);
  if (expect("call through the revoked capability itself", sys.call(a, QC_ECHO, 77, 0, 0, 0, 0, 0), OK)) {
    expect("its echo", sys.reply_word(0), 77);
  }
  return finish();
}

function revokeReachesTransferredCopies(): bool {
  const a = sys.cap_derive(peer, R_CALL | R_SEND, 0);
  if (!expectSlot("cap_derive(qc-peer)", a)) return finish();
  expect("xfer", sys.xfer(a), OK);
  const k = sys.call(peer, QC_KEEP, 0, 0, 0, 0, 0, 0);
  if (!check(k >= 0, "qc-peer keeping the capability sent with the call: expected its cap_info, got " + code(k))) return finish();
  const u = sys.call(peer, QC_USE, 0, 0, 0, 0, 0, 0);
  check(u >= 0, "qc-peer using its copy before the revoke: expected its cap_info, got " + code(u));
  const n = sys.cap_revoke(a);
  check(n >= 1, "cap_revoke on a capability with a copy in qc-peer: expected at least 1 removed, got " + code(n));
  expect("qc-peer using its copy after the revoke", sys.call(peer, QC_USE, 0, 0, 0, 0, 0, 0), E_BADSLOT);
  expect("call through the revoked capability itself", sys.call(a, QC_ECHO, 0, 0, 0, 0, 0, 0), OK);
  sys.call(peer, QC_DROP, 0, 0, 0, 0, 0, 0);
  return finish();
}

function revokeReachesChildrenOfDeleted(): bool {
  const a = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer)", a)) return finish();
  const b = sys.cap_derive(a, R_CALL, 0);
  if (!expectSlot("cap_derive of the derived capability", b)) return finish();
  const c = sys.cap_derive(b, R_CALL, 0);
  if (!expectSlot("cap_derive of that one", c)) return finish();
  expect("cap_delete on the middle one", sys.cap_delete(b), OK);
  expect("cap_revoke on the first (capabilities removed)", sys.cap_revoke(a), 1);
  expect("cap_info on the child of the deleted one after the revoke", sys.cap_info(c), E_BADSLOT);
  return finish();
}

function forgedSlotsAreErrors(): bool {
  const empty = emptySlot();
  const forged: StaticArray<i32> = [-1, 64, 1 << 30, i32.MIN_VALUE, empty];
  const p = scratchPtr();
  for (let i = 0; i < forged.length; i++) {
    const s = forged[i];
    if (s == -1 && i > 0) continue; // no empty slot found
    const at = " on slot " + s.toString() + (i == forged.length - 1 ? " (empty)" : "");
    expect("call" + at, sys.call(s, QC_ECHO, 0, 0, 0, 0, 0, 0), E_BADSLOT);
    expect("send" + at, sys.send(s, QC_ECHO, 0, 0, 0, 0, 0, 0), E_BADSLOT);
    expect("cap_info" + at, sys.cap_info(s), E_BADSLOT);
    expect("cap_derive" + at, track(sys.cap_derive(s, R_ALL, 0)), E_BADSLOT);
    expect("cap_delete" + at, sys.cap_delete(s), E_BADSLOT);
    expect("cap_revoke" + at, sys.cap_revoke(s), E_BADSLOT);
    expect("cap_label" + at, sys.cap_label(s, 0x5107), E_BADSLOT);
    expect("console_write" + at, sys.console_write(s, p, 0), E_BADSLOT);
    expect("signal" + at, sys.signal(s, 1), E_BADSLOT);
    // A negative slot is xfer's way to clear the attachment, not a forgery.
    if (s >= 0) expect("xfer" + at, sys.xfer(s), E_BADSLOT);
  }
  sys.xfer(-1);
  return finish();
}

function wrongKindRefused(): bool {
  const p = scratchPtr();
  expect("call on the console capability", sys.call(consoleCap, QC_ECHO, 0, 0, 0, 0, 0, 0), E_KIND);
  expect("send on the console capability", sys.send(consoleCap, QC_ECHO, 0, 0, 0, 0, 0, 0), E_KIND);
  expect("console_write on the qc-peer capability", sys.console_write(peer, p, 1), E_KIND);
  expect("signal on the qc-peer capability", sys.signal(peer, 1), E_KIND);
  expect("signal on the console capability", sys.signal(consoleCap, 1), E_KIND);
  return finish();
}

function deleteThenUse(): bool {
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer)", d)) return finish();
  expect("cap_delete", sys.cap_delete(d), OK);
  expect("call through the deleted capability", sys.call(d, QC_ECHO, 0, 0, 0, 0, 0, 0), E_BADSLOT);
  expect("cap_info on it", sys.cap_info(d), E_BADSLOT);
  expect("cap_delete on it again", sys.cap_delete(d), E_BADSLOT);
  expect("cap_revoke on it", sys.cap_revoke(d), E_BADSLOT);
  expect("cap_derive from it", track(sys.cap_derive(d, R_CALL, 0)), E_BADSLOT);
  expect("call through the capability it came from", sys.call(peer, QC_ECHO, 0, 0, 0, 0, 0, 0), OK);
  return finish();
}

function badgeIdentifiesCaller(): bool {
  if (expect("call qc-peer's badge op", sys.call(peer, QC_BADGE, 0, 0, 0, 0, 0, 0), OK)) {
    expect("badge qc-peer saw (init mints qc's pid)", sys.reply_word(0), sys.self());
  }
  return finish();
}

function eachHolderOwnBadge(): bool {
  if (!expect("qc-fuzz relaying a badge call to qc-peer", sys.call(fuzz, QC_FUZZ_RELAY, QC_BADGE, 0, 0, 0, 0, 0), OK)) return finish();
  const status = sys.reply_word(0), seen = sys.reply_word(1), fuzzPid = sys.reply_word(2);
  if (!expect("qc-peer's status for qc-fuzz's call", status, OK)) return finish();
  expect("badge qc-peer saw on qc-fuzz's call (qc-fuzz's pid)", seen, fuzzPid);
  check(seen != <i64>sys.self(), "qc-fuzz's call came with qc's badge " + seen.toString());
  return finish();
}

function derivedKeepsBadge(): bool {
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (expectSlot("cap_derive(qc-peer, call, no badge)", d)) {
    if (expect("badge call through it", sys.call(d, QC_BADGE, 0, 0, 0, 0, 0, 0), OK)) {
      expect("badge qc-peer saw", sys.reply_word(0), sys.self());
    }
  }
  const same = sys.cap_derive(peer, R_CALL, sys.self());
  if (expectSlot("cap_derive(qc-peer, call, the same badge)", same)) {
    if (expect("badge call through it", sys.call(same, QC_BADGE, 0, 0, 0, 0, 0, 0), OK)) {
      expect("badge qc-peer saw", sys.reply_word(0), sys.self());
    }
  }
  return finish();
}

function remintRefused(): bool {
  const me = sys.self();
  expect("cap_derive(qc-peer, call, badge " + (me + 1).toString() + ")", track(sys.cap_derive(peer, R_CALL, me + 1)), E_ARG);
  expect("cap_derive(qc-peer, call, badge -1)", track(sys.cap_derive(peer, R_CALL, -1)), E_ARG);
  return finish();
}

function cannotActAsInit(): bool {
  if (logCap < 0) return unsupported(NO_LOG);
  expect("cap_derive(log, call, badge PID_INIT)", track(sys.cap_derive(logCap, R_CALL, PID_INIT)), E_ARG);
  const name = String.UTF8.encode("qc-impostor");
  sys.lease(0, changetype<usize>(name), name.byteLength, LEASE_READ);
  expect("naming a pid through qc's own log capability (log trusts only init's badge)",
    sys.call(logCap, TAG_LOG_NAME, sys.self(), 0, 0, 0, 0, 0), E_RIGHTS);
  return finish();
}

function consoleWriteNeedsWrite(): bool {
  const k = sys.cap_derive(consoleCap, R_READ, 0);
  if (!expectSlot("cap_derive(console, read)", k)) return finish();
  const text = String.UTF8.encode("qc: this line must not appear\n");
  const r = sys.console_write(k, changetype<usize>(text), text.byteLength);
  expect("console_write through a console capability without write", r, E_RIGHTS);
  return finish();
}

function machineSyscallsNeedCaps(): bool {
  const p = scratchPtr();
  const k = consoleCap, e = peer;
  expect("proc_spawn with the console capability", track(sys.proc_spawn(k, 1)), E_KIND);
  expect("proc_spawn with an endpoint", track(sys.proc_spawn(e, 1)), E_KIND);
  expect("proc_start with an endpoint", sys.proc_start(e), E_KIND);
  expect("proc_restart with an endpoint", sys.proc_restart(e), E_KIND);
  expect("proc_kill with an endpoint", sys.proc_kill(e), E_KIND);
  expect("proc_endpoint with an endpoint", track(sys.proc_endpoint(e, 0)), E_KIND);
  expect("proc_notify with an endpoint", track(sys.proc_notify(e, 1)), E_KIND);
  expect("proc_info with an endpoint", sys.proc_info(e, 0), E_KIND);
  expect("cap_give with an endpoint as the process", sys.cap_give(e, k, R_ALL, 0), E_KIND);
  expect("boot_read with the console capability", sys.boot_read(k, 0, p, 4), E_KIND);
  expect("fault_endpoint with the console capability", sys.fault_endpoint(k, e), E_KIND);
  expect("ready with the console capability", sys.ready(k), E_KIND);
  expect("halt with the console capability", sys.halt(k, 0), E_KIND);
  expect("halt with an endpoint", sys.halt(e, 0), E_KIND);
  return finish();
}

function labelNamesSlot(): bool {
  const LABEL = 0x51c0ffee;
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (!expectSlot("cap_derive(qc-peer)", d)) return finish();
  expect("cap_label", sys.cap_label(d, LABEL), OK);
  expect("cap_find of the label", sys.cap_find(LABEL), d);
  expect("cap_delete", sys.cap_delete(d), OK);
  expect("cap_find of the label after the delete", sys.cap_find(LABEL), E_BADSLOT);
  return finish();
}
