// lease: a caller lends regions of its memory to one call. The server reaches
// exactly the bytes lent, with exactly the rights lent, until the reply.
import { sys, OK, E_RIGHTS, E_ARG, E_FAULT, E_NOLEASE, E_BADSLOT, LEASE_READ, LEASE_WRITE, MAX_LEASES } from "../../lib";
import { QC_PROBE, QC_SUM, QC_FILL, QC_INFO, QC_ECHO, QC_PROBE_READ, QC_PROBE_WRITE, QC_PROBE_BYTE } from "../common/tags";
import { test, check, expect, finish } from "./driver";
import { peer, emptySlot, clearAttachments } from "./env";
import { code } from "./out";

const S = "lease";
const SIZE = 4096;
const buf = new StaticArray<u8>(SIZE);
const small = new StaticArray<u8>(MAX_LEASES * 256);
@inline function bufPtr(): usize { return changetype<usize>(buf); }

export function addLeaseTests(): void {
  test(S, "a-read-within-bounds-sees-the-callers-bytes", readSeesCallersBytes);
  test(S, "a-write-within-bounds-changes-only-the-leased-bytes", writeChangesOnlyLeased);
  test(S, "read-without-the-read-right-is-refused", readNeedsReadRight);
  test(S, "write-without-the-write-right-is-refused", writeNeedsWriteRight);
  test(S, "access-past-the-end-is-refused", pastTheEndRefused);
  test(S, "a-negative-offset-or-length-is-refused", negativeRefused);
  test(S, "a-lease-index-beyond-those-given-is-refused", indexBeyondRefused);
  test(S, "every-lease-of-a-call-reaches-the-server", everyLeaseReaches);
  test(S, "a-lease-ends-with-the-reply", leaseEndsWithReply);
  test(S, "a-failed-call-drops-the-described-leases", failedCallDropsLeases);
  test(S, "a-lease-outside-the-lenders-memory-fails-at-access", outsideMemoryFailsAtAccess);
  test(S, "a-lease-reaching-beyond-4-gib-is-refused", beyond4GiBRefused);
  test(S, "describing-an-invalid-lease-is-refused", invalidLeaseRefused);
}

@inline function pattern(i: i32): u8 { return <u8>(i * 7 + 3); }

function fillPattern(): i64 {
  let sum: i64 = 0;
  for (let i = 0; i < SIZE; i++) { const b = pattern(i); unchecked(buf[i] = b); sum += b; }
  return sum;
}

/** One lease_read or lease_write by qc-peer on the lease(s) described before it. */
function probe(mode: i32, off: i32, len: i32, index: i32 = 0): i32 {
  return sys.call(peer, QC_PROBE, mode, off, len, index, 0, 0);
}

function probeName(mode: i32, off: i32, len: i32, index: i32 = 0): string {
  return (mode == QC_PROBE_READ ? "lease_read" : "lease_write") + "(lease " + index.toString() + ", offset " +
    off.toString() + ", length " + len.toString() + ")";
}

/** Describe lease 0 and make one probe through it; checks the result. */
function probeOnce(ptr: usize, leaseLen: i32, rights: i32, mode: i32, off: i32, len: i32, want: i32): bool {
  if (!expect("lease", sys.lease(0, ptr, leaseLen, rights), OK)) return false;
  return expect(probeName(mode, off, len) + " in qc-peer on a lease of " + leaseLen.toString() + " bytes",
    probe(mode, off, len), want);
}

function readSeesCallersBytes(): bool {
  const total = fillPattern();
  expect("lease", sys.lease(0, bufPtr(), SIZE, LEASE_READ), OK);
  if (expect("a sum call lending 4 KiB", sys.call(peer, QC_SUM, 0, 0, 0, 0, 0, 0), OK)) {
    expect("sum of the lent bytes as qc-peer read them", sys.reply_word(0), total);
    expect("lease_len in qc-peer", sys.reply_word(1), SIZE);
  }
  let part: i64 = 0;
  for (let i = 1000; i < 1100; i++) part += pattern(i);
  if (probeOnce(bufPtr(), SIZE, LEASE_READ, QC_PROBE_READ, 1000, 100, 100)) {
    expect("sum of the 100 bytes read at offset 1000", sys.reply_word(1), part);
  }
  return finish();
}

function writeChangesOnlyLeased(): bool {
  memory.fill(bufPtr(), 0, SIZE);
  expect("lease", sys.lease(0, bufPtr() + 1000, 100, LEASE_WRITE), OK);
  if (expect("a fill call lending 100 bytes for writing", sys.call(peer, QC_FILL, 0x5a, 0, 0, 0, 0, 0), OK)) {
    expect("bytes qc-peer wrote", sys.reply_word(0), 100);
  }
  let wrong = -1;
  for (let i = 1000; i < 1100; i++) if (unchecked(buf[i]) != 0x5a) { wrong = i; break; }
  check(wrong < 0, "byte " + (wrong - 1000).toString() + " of the lease after the fill: expected 0x5a, got " +
    unchecked(buf[wrong < 0 ? 0 : wrong]).toString());
  let outside = -1;
  for (let i = 0; i < SIZE; i++) if ((i < 1000 || i >= 1100) && unchecked(buf[i]) != 0) { outside = i; break; }
  check(outside < 0, "byte at offset " + (outside - 1000).toString() + " from the lease's start changed, outside the lease");
  return finish();
}

function readNeedsReadRight(): bool {
  probeOnce(bufPtr(), 64, LEASE_WRITE, QC_PROBE_READ, 0, 16, E_RIGHTS);
  return finish();
}

function writeNeedsWriteRight(): bool {
  memory.fill(bufPtr(), 0, SIZE);
  probeOnce(bufPtr(), 64, LEASE_READ, QC_PROBE_WRITE, 0, 16, E_RIGHTS);
  check(unchecked(buf[0]) == 0, "the refused write changed qc's memory");
  return finish();
}

function pastTheEndRefused(): bool {
  const rw = LEASE_READ | LEASE_WRITE;
  memory.fill(bufPtr(), 0, SIZE);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 60, 8, E_FAULT);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 64, 1, E_FAULT);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 0, 65, E_FAULT);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, i32.MAX_VALUE, i32.MAX_VALUE, E_FAULT);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_WRITE, 60, 8, E_FAULT);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_WRITE, 1, 64, E_FAULT);
  let changed = -1;
  for (let i = 0; i < 128; i++) if (unchecked(buf[i]) != 0) { changed = i; break; }
  check(changed < 0, "a refused write changed byte " + changed.toString() + " of qc's memory");
  // The edges themselves are inside.
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 0, 64, 64);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 64, 0, 0);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_WRITE, 56, 8, 8);
  check(unchecked(buf[63]) == QC_PROBE_BYTE && unchecked(buf[64]) == 0,
    "a write of the lease's last 8 bytes: expected bytes 56..63 written and byte 64 untouched");
  return finish();
}

function negativeRefused(): bool {
  const rw = LEASE_READ | LEASE_WRITE;
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, -1, 4, E_ARG);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, 0, -1, E_ARG);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_READ, i32.MIN_VALUE, 16, E_ARG);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_WRITE, -8, 8, E_ARG);
  probeOnce(bufPtr(), 64, rw, QC_PROBE_WRITE, 0, i32.MIN_VALUE, E_ARG);
  return finish();
}

function indexBeyondRefused(): bool {
  const indices: StaticArray<i32> = [1, MAX_LEASES, -1, i32.MAX_VALUE];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    expect("lease", sys.lease(0, bufPtr(), 64, LEASE_READ), OK);
    expect(probeName(QC_PROBE_READ, 0, 1, i) + " in qc-peer, one lease given", probe(QC_PROBE_READ, 0, 1, i), E_NOLEASE);
  }
  expect("lease", sys.lease(0, bufPtr(), 64, LEASE_READ), OK);
  expect("lease_len(1) in qc-peer, one lease given", sys.call(peer, QC_SUM, 1, 0, 0, 0, 0, 0), E_NOLEASE);
  return finish();
}

function everyLeaseReaches(): bool {
  const base = changetype<usize>(small);
  for (let i = 0; i < MAX_LEASES * 256; i++) unchecked(small[i] = <u8>(i / 256 + 1));
  for (let want = 0; want < MAX_LEASES; want++) {
    for (let i = 0; i < MAX_LEASES; i++) {
      expect("lease " + i.toString(), sys.lease(i, base + <usize>(i * 256), 256, LEASE_READ), OK);
    }
    const r = sys.call(peer, QC_SUM, want, 0, 0, 0, 0, 0);
    if (expect("a sum call over lease " + want.toString() + " of " + MAX_LEASES.toString(), r, OK)) {
      expect("sum of lease " + want.toString(), sys.reply_word(0), 256 * (want + 1));
    }
  }
  for (let i = 0; i < MAX_LEASES; i++) sys.lease(i, base, 1, LEASE_READ);
  if (expect("an info call with " + MAX_LEASES.toString() + " leases", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
    expect("leases qc-peer counted", sys.reply_word(3), MAX_LEASES);
  }
  return finish();
}

function leaseEndsWithReply(): bool {
  fillPattern();
  expect("lease", sys.lease(0, bufPtr(), SIZE, LEASE_READ), OK);
  expect("a sum call with the lease", sys.call(peer, QC_SUM, 0, 0, 0, 0, 0, 0), OK);
  expect(probeName(QC_PROBE_READ, 0, 16) + " in the next call, which lends nothing", probe(QC_PROBE_READ, 0, 16), E_NOLEASE);
  return finish();
}

function failedCallDropsLeases(): bool {
  const empty = emptySlot();
  expect("lease", sys.lease(0, bufPtr(), 64, LEASE_READ), OK);
  expect("a call on an empty slot", sys.call(empty, QC_ECHO, 0, 0, 0, 0, 0, 0), E_BADSLOT);
  expect(probeName(QC_PROBE_READ, 0, 16) + " in the next call", probe(QC_PROBE_READ, 0, 16), E_NOLEASE);
  return finish();
}

function outsideMemoryFailsAtAccess(): bool {
  const end = <usize>memory.size() << 16;
  // Lending is only a description: the range is checked when the server reaches it.
  probeOnce(end - 8, 64, LEASE_READ, QC_PROBE_READ, 0, 64, E_FAULT);
  probeOnce(end - 8, 64, LEASE_READ, QC_PROBE_READ, 0, 8, 8);
  probeOnce(end - 8, 64, LEASE_WRITE, QC_PROBE_WRITE, 8, 8, E_FAULT);
  probeOnce(<usize>0xffffff00, 0x100, LEASE_READ, QC_PROBE_READ, 0, 16, E_FAULT);
  return finish();
}

function beyond4GiBRefused(): bool {
  expect("lease(0, 0xffffff00, 0x101 bytes)", sys.lease(0, <usize>0xffffff00, 0x101, LEASE_READ), E_ARG);
  expect("lease(0, 0xffffffff, 2 bytes)", sys.lease(0, <usize>0xffffffff, 2, LEASE_READ), E_ARG);
  expect("lease(0, 0x80000000, 0x7fffffff bytes)", sys.lease(0, <usize>0x80000000, i32.MAX_VALUE, LEASE_READ), OK);
  clearAttachments();
  return finish();
}

function invalidLeaseRefused(): bool {
  const p = bufPtr();
  expect("lease index " + MAX_LEASES.toString(), sys.lease(MAX_LEASES, p, 8, LEASE_READ), E_ARG);
  expect("lease index -1", sys.lease(-1, p, 8, LEASE_READ), E_ARG);
  expect("lease of length -1", sys.lease(0, p, -1, LEASE_READ), E_ARG);
  expect("lease with rights 4 (no such lease right)", sys.lease(0, p, 8, 4), E_ARG);
  expect("lease with rights -1", sys.lease(0, p, 8, -1), E_ARG);
  if (expect("an info call after them", sys.call(peer, QC_INFO, 0, 0, 0, 0, 0, 0), OK)) {
    const n = sys.reply_word(3);
    check(n == 0, "leases that came with the call after only refused descriptions: expected 0, got " + code(n));
  }
  return finish();
}
