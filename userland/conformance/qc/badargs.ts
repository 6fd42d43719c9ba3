// badargs: no argument traps the kernel or reaches past its checks. Unknown
// syscall numbers are refused, and a storm of seeded random syscalls from a
// hostile service ends with the kernel and the other services still working.
import {
  sys, OK, E_NOSYS, E_BADSLOT, E_ARG, E_CRASHED, E_NOTCALL, E_STATE, R_CALL, SYS_COUNT, SYS_SELF, SYS_CAP_INFO, SYS_CALL,
  SYS_CAP_DELETE, SYS_REPLY_WORD, SYS_MSG_INFO, TAG_LOG_WRITE, LEASE_READ,
} from "../../lib";
import { QC_ECHO, QC_FUZZ_RUN } from "../common/tags";
import {
  test, phase, later, poll, waitOver, check, expect, expectSlot, track, finish, fail, unsupported,
} from "./driver";
import { peer, fuzz, logCap, peerAnswers, NO_LOG } from "./env";
import { code, hex } from "./out";

const S = "badargs";
// Fixed, so a failure can be replayed: round k runs seed FUZZ_SEED + k.
const FUZZ_SEED: i64 = 0x51ed5eed0badf00d;
const ROUNDS = 10;
const PER_ROUND = 10000;
let fuzzHash: u64 = 0xcbf29ce484222325;

export function addBadArgsTests(): void {
  test(S, "unknown-syscall-numbers-return-e-nosys", unknownSyscalls);
  test(S, "the-generic-entry-runs-the-same-handlers-as-the-typed-imports", genericMatchesTyped);
  test(S, "the-generic-entry-refuses-slot-numbers-beyond-32-bits", genericWideSlots);
  test(S, "random-syscalls-do-not-trap-the-kernel", randomSyscalls);
  test(S, "qc-peer-still-answers-after-random-syscalls", peerAfterFuzz);
  test(S, "log-still-answers-after-random-syscalls", logAfterFuzz);
}

@inline function syscall0(n: i32): i64 { return sys.syscall(n, 0, 0, 0, 0, 0, 0, 0, 0); }

function unknownSyscalls(): bool {
  const numbers: StaticArray<i32> = [0, SYS_COUNT, SYS_COUNT + 1, 9999, -5, -1, i32.MIN_VALUE, i32.MAX_VALUE];
  for (let i = 0; i < numbers.length; i++) {
    const n = numbers[i];
    expect("syscall number " + n.toString(), syscall0(n), E_NOSYS);
  }
  return finish();
}

function genericMatchesTyped(): bool {
  expect("syscall(SYS_SELF) against self()", syscall0(SYS_SELF), sys.self());
  expect("syscall(SYS_CAP_INFO, qc-peer) against cap_info", sys.syscall(SYS_CAP_INFO, peer, 0, 0, 0, 0, 0, 0, 0), sys.cap_info(peer));
  if (expect("syscall(SYS_CALL, qc-peer, echo, 1..6)", sys.syscall(SYS_CALL, peer, QC_ECHO, 1, 2, 3, 4, 5, 6), OK)) {
    for (let i = 0; i < 6; i++) expect("reply word " + i.toString(), sys.reply_word(i), i + 1);
    expect("syscall(SYS_REPLY_WORD, 5)", sys.syscall(SYS_REPLY_WORD, 5, 0, 0, 0, 0, 0, 0, 0), 6);
  }
  expect("syscall(SYS_MSG_INFO) outside a message", syscall0(SYS_MSG_INFO), E_NOTCALL);
  return finish();
}

// A slot number is 32 bits in the typed imports; through the generic entry a
// wider number must not alias a slot that happens to share its low half.
function genericWideSlots(): bool {
  const high: i64 = <i64>1 << 32;
  const wide = high | <i64>peer;
  const negative = (<i64>-1 << 32) | <i64>peer;
  refused("syscall(SYS_CAP_INFO, 2^32 + the qc-peer slot)", sys.syscall(SYS_CAP_INFO, wide, 0, 0, 0, 0, 0, 0, 0));
  refused("syscall(SYS_CAP_INFO, -2^32 + the qc-peer slot)", sys.syscall(SYS_CAP_INFO, negative, 0, 0, 0, 0, 0, 0, 0));
  refused("syscall(SYS_CALL, 2^32 + the qc-peer slot, echo)", sys.syscall(SYS_CALL, wide, QC_ECHO, 0, 0, 0, 0, 0, 0));
  const d = sys.cap_derive(peer, R_CALL, 0);
  if (expectSlot("cap_derive(qc-peer)", d)) {
    const r = sys.syscall(SYS_CAP_DELETE, high | <i64>d, 0, 0, 0, 0, 0, 0, 0);
    refused("syscall(SYS_CAP_DELETE, 2^32 + the slot of a derived capability)", r);
    check(sys.cap_info(d) >= 0, "that syscall deleted slot " + d.toString());
  }
  return finish();
}

function refused(what: string, got: i64): void {
  if (got == E_BADSLOT || got == E_ARG) return;
  check(false, what + ": expected " + code(E_BADSLOT) + " or " + code(E_ARG) + ", got " + code(got) +
    (got >= 0 ? " (the number was cut to its low 32 bits, which name a real slot)" : ""));
}

function randomSyscalls(): bool {
  const round = phase();
  const seed = FUZZ_SEED + round;
  const where = "round " + (round + 1).toString() + " of " + ROUNDS.toString() + " (seed " + hex(<u64>seed) + ")";
  const r = sys.call(fuzz, QC_FUZZ_RUN, PER_ROUND, seed, 0, 0, 0, 0);
  track(sys.recv_cap());
  if (r == E_CRASHED) {
    return fail("qc-fuzz trapped in " + where + ": a syscall must return, not trap; a trap inside the kernel unwinds " +
      "through the caller, so the kernel's state is suspect from here on");
  }
  if (r == E_STATE) {
    return fail("qc-fuzz refused to run (" + where + "): it holds a capability other than an endpoint, " +
      "with which random syscalls could do real harm; the image must grant it only qc-peer");
  }
  if (!expect("qc-fuzz's run call, " + where, r, OK)) return finish();
  expect("syscalls qc-fuzz made in " + where, sys.reply_word(0), PER_ROUND);
  fuzzHash = (fuzzHash ^ <u64>sys.reply_word(1)) * 0x100000001b3;
  if (round + 1 < ROUNDS) return later(round + 1);
  return finish("seed " + hex(<u64>FUZZ_SEED) + " (+0.." + (ROUNDS - 1).toString() + "), " + (ROUNDS * PER_ROUND).toString() +
    " syscalls, result hash " + hex(fuzzHash));
}

function peerAfterFuzz(): bool {
  if (peerAnswers()) return finish();
  if (!waitOver()) return poll(phase());
  const r = sys.call(peer, QC_ECHO, 0, 0, 0, 0, 0, 0);
  return fail("qc-peer did not answer an echo within 2 s after the random syscalls: the last call gave " + code(r));
}

function logAfterFuzz(): bool {
  if (logCap < 0) return unsupported(NO_LOG);
  const text = String.UTF8.encode("log still answers after " + (ROUNDS * PER_ROUND).toString() + " random syscalls");
  expect("lease", sys.lease(0, changetype<usize>(text), text.byteLength, LEASE_READ), OK);
  expect("a log write", sys.call(logCap, TAG_LOG_WRITE, 0, 0, 0, 0, 0, 0), OK);
  return finish();
}
