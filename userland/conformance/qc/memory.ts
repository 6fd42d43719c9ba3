// memory: kernel-managed memory, seen from two processes. Pages are demand-zero
// and take a frame only when first written; unmapped and protected accesses
// are errors that change nothing; a memory object shared through a derived
// capability is the same bytes in both address spaces, only with the rights
// granted, and only until the grant is revoked; a copy-on-write clone keeps
// both versions; the page quota refuses, it does not crash; and every frame
// comes back, from a crashed process too.
//
// Frame counts are read with stats(ST_FREE_FRAMES): while qc runs a test no
// other process runs, so every change in the count is the test's doing.
import {
  sys, OK, E_ARG, E_BADSLOT, E_CRASHED, E_FAULT, E_NOMEM, E_PROT, E_RIGHTS, E_STATE, E_UNMAPPED, K_MEMORY,
  R_READ, R_WRITE, VM_READ, VM_WRITE, PAGE_SIZE, E_NOSPACE, MAP_RECORDS_PER_FRAME, MAP_RECORD_FRAMES,
  TAG_MEM_ALLOC, TAG_MEM_RELEASE, MEMTYPE_CLASSICAL, PTE_PRESENT, PTE_READ, PTE_WRITE, PTE_SHARED, PTE_COW, PTE_ACCESSED,
  PTE_DIRTY, PTE_ZERO, ST_FREE_FRAMES, MI_PAGES, MI_MAPPINGS, MI_FRAMES_SHARED, DEFAULT_PAGE_QUOTA, MAX_OBJECT_PAGES,
  CSPACE_SLOTS, callForCap,
} from "../../lib";
import {
  QC_STATS, QC_TRAP, QC_VM_MAP, QC_VM_UNMAP, QC_VM_PROTECT, QC_VM_READ, QC_VM_WRITE, QC_VM_QUERY, QC_MEM_MAP,
  QC_MEM_DROP,
} from "../common/tags";
import {
  test, step, phase, later, poll, waitOver, check, expect, expectRights, finish,
} from "./driver";
import { peer, peerAnswers, rightsOf, memoryCap } from "./env";
import { code } from "./out";

const S = "memory";
const P = PAGE_SIZE;
const RW = VM_READ | VM_WRITE;
// Where each side maps: distinct, so a mix-up between the address spaces shows.
const QVA: u32 = 0x10000000;
const PVA: u32 = 0x20000000;
const BUF_PAGES = 4;
const buf = new StaticArray<u8>(BUF_PAGES * PAGE_SIZE);
@inline function bufPtr(): usize { return changetype<usize>(buf); }

let suiteFree: i64 = -1; // free frames when the suite began
let crashFree: i64 = -1; // free frames before the crash test made anything
let peerFree: i64 = -1; // free frames before qc-peer took any for the crash test
let crashObj = -1; // the object qc-peer had mapped when it crashed
let restartsBefore: i64 = -1;

export function addMemoryTests(): void {
  step(S, suiteBegins);
  test(S, "demand-zero-pages-read-as-zeros-and-take-a-frame-only-on-first-write", demandZero);
  test(S, "each-process-has-its-own-address-space", ownAddressSpace);
  test(S, "an-access-to-an-unmapped-page-is-e-unmapped-and-changes-nothing", unmappedAccess);
  test(S, "an-access-without-the-right-is-e-prot-and-changes-nothing", protectedAccess);
  test(S, "misaligned-or-out-of-range-arguments-are-e-arg", badArguments);
  test(S, "a-write-from-beyond-private-memory-is-e-fault-and-changes-nothing", faultingSource);
  test(S, "a-shared-memory-object-is-visible-both-ways-between-two-processes", sharedBothWays);
  test(S, "a-read-only-grant-cannot-be-mapped-writable", readOnlyGrant);
  test(S, "a-read-only-mapping-refuses-writes-and-cannot-be-made-writable", readOnlyMapping);
  test(S, "revoking-the-parent-capability-removes-the-other-processes-mapping", revokeUnmaps);
  test(S, "a-copy-on-write-clone-keeps-both-versions-after-a-write", cloneKeepsBoth);
  test(S, "going-over-the-page-quota-is-e-nomem-not-a-crash", quotaRefuses);
  test(S, "the-frames-of-a-crashed-process-come-back", crashedFramesBack);
  test(S, "a-shared-object-outlives-a-crashed-process-that-mapped-it", objectOutlivesCrash);
  test(S, "vm-unmap-returns-the-pages-it-unmapped-object-mappings-included", unmapCounts);
  test(S, "a-vm-write-refused-on-its-last-page-changed-nothing", writeRefusedLast);
  test(S, "a-vm-read-refused-on-its-last-page-changed-nothing", readRefusedLast);
  test(S, "clones-come-out-of-the-cloners-quota-and-others-still-allocate-and-map", clonesCharged);
  test(S, "mappings-come-out-of-the-mappers-own-records-and-others-still-map", mappingsCharged);
  test(S, "no-frame-leaks-across-the-suite", noLeaks);
}

// ---------------------------------------------------------------- helpers

@inline function freeFrames(): i64 { return sys.stats(ST_FREE_FRAMES); }

function frames(what: string, want: i64): bool {
  const got = freeFrames();
  return check(got == want, "free frames " + what + ": expected " + want.toString() + ", got " + got.toString() +
    " (" + (got < want ? (want - got).toString() + " taken" : (got - want).toString() + " more") + ")");
}

const FLAG_BITS: StaticArray<i32> = [PTE_PRESENT, PTE_READ, PTE_WRITE, PTE_SHARED, PTE_COW, PTE_ACCESSED, PTE_DIRTY, PTE_ZERO];
const FLAG_NAMES: StaticArray<string> = ["present", "read", "write", "shared", "cow", "accessed", "dirty", "zero"];

/** "present+read+write", or the error of a vm_query. */
function flagsName(q: i32): string {
  if (q < 0) return code(q);
  let s = "";
  for (let i = 0; i < FLAG_BITS.length; i++) {
    if ((q & unchecked(FLAG_BITS[i])) != 0) s += (s.length > 0 ? "+" : "") + unchecked(FLAG_NAMES[i]);
  }
  return s.length > 0 ? s : "none";
}

/** vm_query gave `q`: the page is mapped, with every flag of `set` and none of `clear`. */
function flags(what: string, q: i32, set: i32, clear: i32): bool {
  return check(q >= 0 && (q & set) == set && (q & clear) == 0, "page flags of " + what + ": expected " +
    flagsName(set) + (clear != 0 ? " without " + flagsName(clear) : "") + ", got " + flagsName(q));
}

function writeBytes(va: u32, len: i32, b: u8): i32 {
  memory.fill(bufPtr(), b, len);
  return sys.vm_write(va, bufPtr(), len);
}

/** qc reads `len` bytes at `va`; every one should be `b`. */
function bytesAre(what: string, va: u32, len: i32, b: u8): bool {
  memory.fill(bufPtr(), ~b, len);
  if (!expect("vm_read of " + what, sys.vm_read(va, bufPtr(), len), len)) return false;
  for (let i = 0; i < len; i++) {
    const got = unchecked(buf[i]);
    if (got != b) return check(false, what + ": byte " + i.toString() + " is " + got.toString() + ", expected " + b.toString());
  }
  return true;
}

@inline function peerOp(tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0): i32 {
  return sys.call(peer, tag, w0, w1, w2, w3, 0, 0);
}

/** qc-peer reads `len` bytes at `va` in its own space; every one should be `b`. */
function peerSees(what: string, va: u32, len: i32, b: u8): bool {
  if (!expect("qc-peer's vm_read of " + what, peerOp(QC_VM_READ, va, len), len)) return false;
  const sum = sys.reply_word(1), first = sys.reply_word(2);
  const want = <i64>len * b;
  if (!check(sum == want, "the bytes qc-peer read from " + what + " sum to " + sum.toString() + "; " +
    len.toString() + " bytes of " + b.toString() + " sum to " + want.toString())) return false;
  if (len >= 8) return expect("the first 8 bytes qc-peer read from " + what, first, <i64>b * 0x0101010101010101);
  return true;
}

/**
 * Give qc-peer a capability derived from `obj` with `rights` and have it map
 * the object at `va` with `vm`; the mapping's status. qc's derived copy is
 * deleted at once: the one qc-peer holds moves up under `obj`, so revoking
 * `obj` still reaches it.
 */
function peerMaps(obj: i32, rights: i32, vm: i32, va: u32 = PVA): i32 {
  const d = sys.cap_derive(obj, rights, 0);
  if (!check(d >= 0, "cap_derive of the memory object: expected a new slot, got " + code(d))) return d;
  expect("xfer", sys.xfer(d), OK);
  const r = peerOp(QC_MEM_MAP, va, vm);
  sys.cap_delete(d);
  return r;
}

/** A new object of `npages` mapped read-write at QVA in qc, or -1 (problem recorded). */
function ownObject(npages: i32): i32 {
  const obj = sys.mem_create(npages);
  if (!check(obj >= 0, "mem_create(" + npages.toString() + "): expected a new slot, got " + code(obj))) return -1;
  if (!expect("mem_map of qc's own object, read-write", sys.mem_map(obj, QVA, RW), OK)) { sys.cap_delete(obj); return -1; }
  return obj;
}

/** Take back every capability derived from `obj`, wherever it went, then delete it with its mappings. */
function release(obj: i32): void {
  if (obj < 0) return;
  sys.cap_revoke(obj);
  peerOp(QC_MEM_DROP); // qc-peer forgets the slot the revoke emptied
  sys.cap_delete(obj);
}

/** The restart count qc-peer reports, or -1 when it does not answer. */
function peerRestarts(): i64 {
  return sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0) == OK ? sys.reply_word(2) : -1;
}

// ---------------------------------------------------------------- tests

function suiteBegins(): bool {
  if (!peerAnswers() && !waitOver()) return poll(phase());
  peerOp(QC_MEM_DROP);
  suiteFree = freeFrames();
  return true;
}

function demandZero(): bool {
  const f0 = freeFrames();
  if (!expect("vm_map of 4 pages, read-write", sys.vm_map(QVA, 4, RW), OK)) return finish();
  const f1 = freeFrames();
  check(f0 - f1 <= 2, "vm_map of 4 demand-zero pages took " + (f0 - f1).toString() +
    " frames; at most 2 (a root and one second-level table) may be page tables");
  flags("a page never written", sys.vm_query(QVA), PTE_ZERO | PTE_READ | PTE_WRITE, PTE_PRESENT);
  bytesAre("4 pages never written", QVA, 4 * P, 0);
  frames("after reading 4 demand-zero pages", f1);
  // The first write spans pages 1 and 2: one frame each.
  expect("vm_write of 4 bytes across pages 1 and 2", writeBytes(QVA + 2 * P - 2, 4, 7), 4);
  frames("after the first write to two pages", f1 - 2);
  expect("vm_write of 200 bytes over the same two pages", writeBytes(QVA + 2 * P - 100, 200, 7), 200);
  frames("after writing the same pages again", f1 - 2);
  flags("a written page", sys.vm_query(QVA + P), PTE_PRESENT | PTE_DIRTY, PTE_ZERO);
  flags("the page before it, never written", sys.vm_query(QVA), PTE_ZERO, PTE_PRESENT);
  bytesAre("page 0, never written", QVA, P, 0);
  bytesAre("page 1 before the written bytes", QVA + P, P - 100, 0);
  bytesAre("the written bytes", QVA + 2 * P - 100, 200, 7);
  bytesAre("page 2 after the written bytes", QVA + 2 * P + 100, P - 100, 0);
  bytesAre("page 3, never written", QVA + 3 * P, P, 0);
  expect("vm_unmap of the 4 pages", sys.vm_unmap(QVA, 4), 4);
  frames("after vm_unmap", f0);
  // The same in the other process: mapping and reading take no page frame there either.
  if (expect("qc-peer's vm_map of 2 pages", peerOp(QC_VM_MAP, PVA, 2, RW, 0), OK)) {
    const p1 = freeFrames();
    peerSees("2 pages it never wrote", PVA + P - 2048, P, 0);
    frames("after qc-peer read its demand-zero pages", p1);
    expect("qc-peer's vm_write of 1 byte", peerOp(QC_VM_WRITE, PVA + P, 1, 9), 1);
    frames("after qc-peer's first write", p1 - 1);
    expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 2), 2);
  }
  frames("after qc-peer's vm_unmap", f0);
  return finish();
}

function ownAddressSpace(): bool {
  const f0 = freeFrames();
  if (!expect("qc-peer's vm_map of a page, filled with 0x5a", peerOp(QC_VM_MAP, PVA, 1, RW, 0x5a), OK)) return finish();
  expect("vm_query in qc at the address qc-peer mapped", sys.vm_query(PVA), E_UNMAPPED);
  expect("vm_read in qc at the address qc-peer mapped", sys.vm_read(PVA, bufPtr(), 16), E_UNMAPPED);
  if (expect("vm_map in qc at the same address", sys.vm_map(PVA, 1, RW), OK)) {
    bytesAre("qc's page at the address where qc-peer wrote", PVA, P, 0);
    expect("vm_write of qc's page", writeBytes(PVA, P, 0xa5), P);
    peerSees("its page after qc wrote its own at the same address", PVA, P, 0x5a);
    expect("vm_unmap in qc", sys.vm_unmap(PVA, 1), 1);
  }
  peerSees("its page after qc unmapped its own", PVA, P, 0x5a);
  expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 1), 1);
  frames("after both unmapped", f0);
  return finish();
}

function unmappedAccess(): bool {
  const f0 = freeFrames();
  expect("vm_read of an unmapped page", sys.vm_read(QVA, bufPtr(), 1), E_UNMAPPED);
  expect("vm_write of an unmapped page", writeBytes(QVA, 1, 1), E_UNMAPPED);
  expect("vm_query of an unmapped page", sys.vm_query(QVA), E_UNMAPPED);
  expect("vm_protect of an unmapped page", sys.vm_protect(QVA, 1, RW), E_UNMAPPED);
  expect("vm_unmap of an unmapped page (nothing to unmap)", sys.vm_unmap(QVA, 1), 0);
  if (!expect("vm_map of one page, read-write", sys.vm_map(QVA, 1, RW), OK)) return finish();
  const f1 = freeFrames();
  // The last 8 bytes of each range fall on the unmapped page after it.
  expect("vm_write of 16 bytes ending on an unmapped page", writeBytes(QVA + P - 8, 16, 0x42), E_UNMAPPED);
  frames("after the refused write", f1);
  flags("the mapped page after the refused write", sys.vm_query(QVA), PTE_ZERO, PTE_PRESENT | PTE_DIRTY);
  expect("vm_read of 2 bytes ending on an unmapped page", sys.vm_read(QVA + P - 1, bufPtr(), 2), E_UNMAPPED);
  expect("vm_protect of the page and the unmapped one after it", sys.vm_protect(QVA, 2, VM_READ), E_UNMAPPED);
  expect("vm_write after the refused vm_protect (the page is still writable)", writeBytes(QVA, 1, 0), 1);
  bytesAre("the mapped page", QVA, P, 0);
  expect("vm_unmap of the page and the unmapped one after it", sys.vm_unmap(QVA, 2), 1);
  frames("after vm_unmap", f0);
  expect("qc-peer's vm_read of a page it never mapped", peerOp(QC_VM_READ, PVA, 16), E_UNMAPPED);
  expect("qc-peer's vm_write of a page it never mapped", peerOp(QC_VM_WRITE, PVA, 16, 1), E_UNMAPPED);
  return finish();
}

function protectedAccess(): bool {
  const f0 = freeFrames();
  if (!expect("vm_map of 2 pages, read-only", sys.vm_map(QVA, 2, VM_READ), OK)) return finish();
  const f1 = freeFrames();
  expect("vm_write of a read-only page", writeBytes(QVA, 1, 0x42), E_PROT);
  frames("after the refused write", f1);
  flags("the read-only page after the refused write", sys.vm_query(QVA), PTE_ZERO | PTE_READ, PTE_PRESENT | PTE_WRITE);
  expect("vm_protect of page 1 to read-write", sys.vm_protect(QVA + P, 1, RW), OK);
  expect("vm_write of 8 bytes from read-only page 0 into writable page 1", writeBytes(QVA + P - 4, 8, 0x42), E_PROT);
  frames("after the refused write", f1);
  flags("page 1 after the refused write", sys.vm_query(QVA + P), PTE_ZERO, PTE_PRESENT);
  bytesAre("the two pages after the refused writes", QVA, 2 * P, 0);
  expect("vm_write of writable page 1", writeBytes(QVA + P, 8, 0x42), 8);
  expect("vm_protect of page 1 to write-only", sys.vm_protect(QVA + P, 1, VM_WRITE), OK);
  expect("vm_read of a write-only page", sys.vm_read(QVA + P, bufPtr(), 8), E_PROT);
  expect("vm_protect of page 1 back to read-write", sys.vm_protect(QVA + P, 1, RW), OK);
  bytesAre("page 1 after its protection changed twice", QVA + P, 8, 0x42);
  expect("vm_unmap of the 2 pages", sys.vm_unmap(QVA, 2), 2);
  frames("after vm_unmap", f0);
  if (expect("qc-peer's vm_map of a read-only page", peerOp(QC_VM_MAP, PVA, 1, VM_READ, 0), OK)) {
    expect("qc-peer's vm_write of its read-only page", peerOp(QC_VM_WRITE, PVA, 4, 1), E_PROT);
    peerSees("its read-only page after the refused write", PVA, 16, 0);
    expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 1), 1);
  }
  frames("after qc-peer's vm_unmap", f0);
  return finish();
}

function badArguments(): bool {
  const f0 = freeFrames();
  expect("vm_map at an address 1 byte past a page boundary", sys.vm_map(QVA + 1, 1, RW), E_ARG);
  expect("vm_map at an address half a page past a boundary", sys.vm_map(QVA + 2048, 1, RW), E_ARG);
  expect("vm_map of 0 pages", sys.vm_map(QVA, 0, RW), E_ARG);
  expect("vm_map of -1 pages", sys.vm_map(QVA, -1, RW), E_ARG);
  expect("vm_map with no rights", sys.vm_map(QVA, 1, 0), E_ARG);
  expect("vm_map with rights 4 (no such VM right)", sys.vm_map(QVA, 1, 4), E_ARG);
  expect("vm_map with rights -1", sys.vm_map(QVA, 1, -1), E_ARG);
  expect("vm_map of 2 pages at the last page of the address space", sys.vm_map(0xfffff000, 2, RW), E_ARG);
  expect("vm_map of 2^20 + 1 pages", sys.vm_map(0, (1 << 20) + 1, RW), E_ARG);
  expect("vm_unmap at a misaligned address", sys.vm_unmap(QVA + 1, 1), E_ARG);
  expect("vm_unmap of 0 pages", sys.vm_unmap(QVA, 0), E_ARG);
  expect("vm_unmap of 2 pages at the last page of the address space", sys.vm_unmap(0xfffff000, 2), E_ARG);
  expect("vm_protect at a misaligned address", sys.vm_protect(QVA + 1, 1, RW), E_ARG);
  if (expect("vm_map of one page, read-write", sys.vm_map(QVA, 1, RW), OK)) {
    expect("vm_protect with no rights", sys.vm_protect(QVA, 1, 0), E_ARG);
    expect("vm_protect with rights 4", sys.vm_protect(QVA, 1, 4), E_ARG);
    expect("vm_protect of 0 pages", sys.vm_protect(QVA, 0, RW), E_ARG);
    expect("vm_read of length -1", sys.vm_read(QVA, bufPtr(), -1), E_ARG);
    expect("vm_write of length -1", sys.vm_write(QVA, bufPtr(), -1), E_ARG);
    expect("vm_read of length 0", sys.vm_read(QVA, bufPtr(), 0), 0);
    expect("vm_write after the refused calls (still read-write)", writeBytes(QVA, 1, 3), 1);
    expect("vm_unmap", sys.vm_unmap(QVA, 1), 1);
  }
  if (expect("vm_map of the last page of the address space", sys.vm_map(0xfffff000, 1, RW), OK)) {
    expect("vm_write of 2 bytes at 0xffffffff (past 4 GiB)", writeBytes(0xffffffff, 2, 1), E_ARG);
    expect("vm_read of 2 bytes at 0xffffffff (past 4 GiB)", sys.vm_read(0xffffffff, bufPtr(), 2), E_ARG);
    expect("vm_write of the last byte of the address space", writeBytes(0xffffffff, 1, 1), 1);
    expect("vm_unmap of the last page", sys.vm_unmap(0xfffff000, 1), 1);
  }
  expect("mem_create of 0 pages", sys.mem_create(0), E_ARG);
  expect("mem_create of -1 pages", sys.mem_create(-1), E_ARG);
  expect("mem_create of MAX_OBJECT_PAGES + 1 pages", sys.mem_create(MAX_OBJECT_PAGES + 1), E_ARG);
  const obj = sys.mem_create(2);
  if (check(obj >= 0, "mem_create(2): expected a new slot, got " + code(obj))) {
    expect("mem_map at a misaligned address", sys.mem_map(obj, QVA + 1, RW), E_ARG);
    expect("mem_map with no rights", sys.mem_map(obj, QVA, 0), E_ARG);
    expect("mem_map with rights 4", sys.mem_map(obj, QVA, 4), E_ARG);
    expect("mem_map of 2 pages at the last page of the address space", sys.mem_map(obj, 0xfffff000, RW), E_ARG);
    expect("mem_info field 99", sys.mem_info(obj, 99), E_ARG);
    expect("mem_info field -1", sys.mem_info(obj, -1), E_ARG);
    expect("mappings of the object after the refused calls", sys.mem_info(obj, MI_MAPPINGS), 0);
    expect("mem_info(MI_PAGES)", sys.mem_info(obj, MI_PAGES), 2);
    sys.cap_delete(obj);
  }
  expect("qc-peer's vm_map at a misaligned address", peerOp(QC_VM_MAP, PVA + 1, 1, RW, 0), E_ARG);
  frames("after the refused calls", f0);
  return finish();
}

// The source range is checked when the bytes are copied; the write must be
// refused before it takes a frame or changes a page, as every refused request is.
function faultingSource(): bool {
  const f0 = freeFrames();
  if (!expect("vm_map of 2 pages, read-write", sys.vm_map(QVA, 2, RW), OK)) return finish();
  const f1 = freeFrames();
  const end = <usize>memory.size() << 16;
  expect("vm_write of 8 bytes from 64 bytes past the end of qc's private memory", sys.vm_write(QVA, end + 64, 8), E_FAULT);
  frames("after that refused write", f1);
  flags("the page after that refused write", sys.vm_query(QVA), PTE_ZERO, PTE_PRESENT | PTE_DIRTY);
  expect("vm_write of 2 pages whose source's second page is past the end of qc's private memory",
    sys.vm_write(QVA, end - P, 2 * P), E_FAULT);
  frames("after that refused write", f1);
  flags("page 0 after that refused write", sys.vm_query(QVA), PTE_ZERO, PTE_PRESENT | PTE_DIRTY);
  flags("page 1 after that refused write", sys.vm_query(QVA + P), PTE_ZERO, PTE_PRESENT | PTE_DIRTY);
  bytesAre("the 2 pages after the refused writes", QVA, 2 * P, 0);
  expect("vm_unmap of the 2 pages", sys.vm_unmap(QVA, 2), 2);
  frames("after vm_unmap", f0);
  return finish();
}

function sharedBothWays(): bool {
  const f0 = freeFrames();
  const obj = ownObject(2);
  if (obj < 0) return finish();
  if (expect("qc-peer's mem_map of a read-write grant, read-write", peerMaps(obj, R_READ | R_WRITE, RW), OK)) {
    expectRights("rights of the capability qc-peer received", rightsOf(<i32>sys.reply_word(0)), R_READ | R_WRITE);
    expect("mappings of the object (qc's and qc-peer's)", sys.mem_info(obj, MI_MAPPINGS), 2);
    flags("qc-peer's page of the object", peerOp(QC_VM_QUERY, PVA), PTE_PRESENT | PTE_SHARED, 0);
    const f1 = freeFrames();
    // Across the boundary between the object's two pages.
    expect("qc's vm_write of 200 bytes of 0x3c", writeBytes(QVA + P - 100, 200, 0x3c), 200);
    peerSees("the bytes qc wrote", PVA + P - 100, 200, 0x3c);
    expect("qc-peer's vm_write of 100 bytes of 0xc3", peerOp(QC_VM_WRITE, PVA + P + 500, 100, 0xc3), 100);
    bytesAre("the bytes qc-peer wrote", QVA + P + 500, 100, 0xc3);
    bytesAre("the bytes between the two writes", QVA + P + 100, 400, 0);
    peerSees("the bytes between the two writes", PVA + P + 100, 400, 0);
    frames("after writes to the shared object (its frames exist already)", f1);
  }
  release(obj);
  frames("after the object was deleted", f0);
  return finish();
}

function readOnlyGrant(): bool {
  const f0 = freeFrames();
  const obj = ownObject(1);
  if (obj < 0) return finish();
  expect("qc's vm_write of 64 bytes of 0x77", writeBytes(QVA, 64, 0x77), 64);
  expect("qc-peer's mem_map of a read-only grant, read-write", peerMaps(obj, R_READ, RW), E_RIGHTS);
  expectRights("rights of the capability qc-peer received", rightsOf(<i32>sys.reply_word(0)), R_READ);
  expect("qc-peer's vm_query where the refused mapping would be", peerOp(QC_VM_QUERY, PVA), E_UNMAPPED);
  expect("qc-peer's mem_map of the read-only grant, write-only", peerOp(QC_MEM_MAP, PVA, VM_WRITE), E_RIGHTS);
  expect("mappings of the object after the refused mem_map calls", sys.mem_info(obj, MI_MAPPINGS), 1);
  if (expect("qc-peer's mem_map of the read-only grant, read-only", peerOp(QC_MEM_MAP, PVA, VM_READ), OK)) {
    peerSees("the object through the read-only grant", PVA, 64, 0x77);
  }
  release(obj);
  frames("after the object was deleted", f0);
  return finish();
}

function readOnlyMapping(): bool {
  const f0 = freeFrames();
  const obj = ownObject(1);
  if (obj < 0) return finish();
  expect("qc's vm_write of 64 bytes of 0x77", writeBytes(QVA, 64, 0x77), 64);
  if (expect("qc-peer's mem_map of a read-only grant, read-only", peerMaps(obj, R_READ, VM_READ), OK)) {
    expect("qc-peer's vm_write through the read-only mapping", peerOp(QC_VM_WRITE, PVA, 8, 0x99), E_PROT);
    expect("qc-peer's vm_protect of the mapping to read-write", peerOp(QC_VM_PROTECT, PVA, 1, RW), E_PROT);
    flags("qc-peer's page after the refused vm_protect", peerOp(QC_VM_QUERY, PVA), PTE_READ, PTE_WRITE);
    expect("qc-peer's vm_write after the refused vm_protect", peerOp(QC_VM_WRITE, PVA, 8, 0x99), E_PROT);
    bytesAre("qc's view of the object after qc-peer's refused writes", QVA, 64, 0x77);
    bytesAre("the rest of the object", QVA + 64, P - 64, 0);
  }
  release(obj);
  frames("after the object was deleted", f0);
  return finish();
}

function revokeUnmaps(): bool {
  const f0 = freeFrames();
  const obj = ownObject(1);
  if (obj < 0) return finish();
  expect("qc's vm_write of 64 bytes of 0x2d", writeBytes(QVA, 64, 0x2d), 64);
  const d = sys.cap_derive(obj, R_READ | R_WRITE, 0);
  if (check(d >= 0, "cap_derive of the object: expected a new slot, got " + code(d))) {
    expect("xfer", sys.xfer(d), OK);
    if (expect("qc-peer's mem_map of the derived capability", peerOp(QC_MEM_MAP, PVA, RW), OK)) {
      peerSees("the object before the revoke", PVA, 64, 0x2d);
      expect("mappings of the object before the revoke", sys.mem_info(obj, MI_MAPPINGS), 2);
      expect("cap_revoke of the parent (removes qc's derived copy and qc-peer's)", sys.cap_revoke(obj), 2);
      expect("qc-peer's vm_read of its mapping after the revoke", peerOp(QC_VM_READ, PVA, 64), E_UNMAPPED);
      expect("qc-peer's vm_query after the revoke", peerOp(QC_VM_QUERY, PVA), E_UNMAPPED);
      expect("qc-peer's vm_write after the revoke", peerOp(QC_VM_WRITE, PVA, 8, 1), E_UNMAPPED);
      expect("mappings of the object after the revoke (qc's own)", sys.mem_info(obj, MI_MAPPINGS), 1);
      bytesAre("qc's own mapping after the revoke", QVA, 64, 0x2d);
      expect("cap_info of qc's derived copy after the revoke", sys.cap_info(d), E_BADSLOT);
      expect("qc-peer deleting its copy after the revoke", peerOp(QC_MEM_DROP), E_BADSLOT);
      if (expect("qc-peer's vm_map where the object was mapped", peerOp(QC_VM_MAP, PVA, 1, RW, 0), OK)) {
        expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 1), 1);
      }
    }
  }
  release(obj);
  frames("after the object was deleted", f0);
  return finish();
}

function cloneKeepsBoth(): bool {
  const f0 = freeFrames();
  const a = ownObject(3);
  if (a < 0) return finish();
  expect("qc's vm_write of 3 pages of 0x11", writeBytes(QVA, 3 * P, 0x11), 3 * P);
  const c = sys.mem_clone(a);
  if (!check(c >= 0, "mem_clone: expected a new slot, got " + code(c))) { release(a); return finish(); }
  expect("pages of the clone", sys.mem_info(c, MI_PAGES), 3);
  expect("MI_FRAMES_SHARED of the clone", sys.mem_info(c, MI_FRAMES_SHARED), 3);
  expect("MI_FRAMES_SHARED of the original", sys.mem_info(a, MI_FRAMES_SHARED), 3);
  flags("qc's page of the original after the clone", sys.vm_query(QVA), PTE_PRESENT | PTE_SHARED | PTE_COW, 0);
  if (expect("qc-peer's mem_map of the clone, read-write", peerMaps(c, R_READ | R_WRITE, RW), OK)) {
    peerSees("page 1 of the clone", PVA + P, P, 0x11);
    const f1 = freeFrames();
    expect("qc-peer's vm_write of 16 bytes of 0x22 to page 1 of the clone", peerOp(QC_VM_WRITE, PVA + P, 16, 0x22), 16);
    frames("after the first write to a shared page (one copy)", f1 - 1);
    expect("MI_FRAMES_SHARED of the clone after its page 1 was copied", sys.mem_info(c, MI_FRAMES_SHARED), 2);
    expect("MI_FRAMES_SHARED of the original then", sys.mem_info(a, MI_FRAMES_SHARED), 2);
    bytesAre("page 1 of the original", QVA + P, P, 0x11);
    peerSees("the bytes it wrote to the clone", PVA + P, 16, 0x22);
    peerSees("the rest of page 1 of the clone", PVA + P + 16, P - 16, 0x11);
    // The original's side of a shared page is copied as well.
    expect("qc's vm_write of 16 bytes of 0x33 to page 2 of the original", writeBytes(QVA + 2 * P, 16, 0x33), 16);
    frames("after the original's first write to a shared page", f1 - 2);
    expect("MI_FRAMES_SHARED of the clone after page 2 was copied", sys.mem_info(c, MI_FRAMES_SHARED), 1);
    expect("MI_FRAMES_SHARED of the original then", sys.mem_info(a, MI_FRAMES_SHARED), 1);
    peerSees("page 2 of the clone", PVA + 2 * P, P, 0x11);
    bytesAre("what qc wrote to page 2 of the original", QVA + 2 * P, 16, 0x33);
    // Pages no longer shared are written in place.
    expect("qc's vm_write to page 1 of the original", writeBytes(QVA + P, 16, 0x44), 16);
    expect("qc-peer's vm_write to page 1 of the clone", peerOp(QC_VM_WRITE, PVA + P, 16, 0x55), 16);
    frames("after writes to pages no longer shared", f1 - 2);
    bytesAre("page 1 of the original after both wrote", QVA + P, 16, 0x44);
    peerSees("page 1 of the clone after both wrote", PVA + P, 16, 0x55);
    bytesAre("page 0 of the original, never written since the clone", QVA, P, 0x11);
    peerSees("page 0 of the clone", PVA, P, 0x11);
  }
  release(c);
  bytesAre("page 0 of the original after the clone was deleted", QVA, P, 0x11);
  expect("MI_FRAMES_SHARED of the original after the clone was deleted", sys.mem_info(a, MI_FRAMES_SHARED), 0);
  release(a);
  frames("after both objects were deleted", f0);
  return finish();
}

function quotaRefuses(): bool {
  const f0 = freeFrames();
  const big = sys.mem_create(DEFAULT_PAGE_QUOTA);
  expect("mem_create of DEFAULT_PAGE_QUOTA pages (its page list is one more frame)", big, E_NOMEM);
  if (big >= 0) sys.cap_delete(big);
  const max = sys.mem_create(MAX_OBJECT_PAGES);
  expect("mem_create of MAX_OBJECT_PAGES pages", max, E_NOMEM);
  if (max >= 0) sys.cap_delete(max);
  frames("after the refused mem_create calls", f0);
  // An object made before the quota is reached, to map and clone once it is.
  const obj = sys.mem_create(1);
  if (!check(obj >= 0, "mem_create(1): expected a new slot, got " + code(obj))) return finish();
  const n = DEFAULT_PAGE_QUOTA + 16;
  if (!expect("vm_map of DEFAULT_PAGE_QUOTA + 16 demand-zero pages", sys.vm_map(QVA, n, RW), OK)) {
    sys.cap_delete(obj);
    return finish();
  }
  let written = 0, r = 0;
  for (; written < n; written++) {
    r = writeBytes(QVA + <u32>written * P, 1, 0x11);
    if (r != 1) break;
  }
  expect("the first vm_write past the quota (after " + written.toString() + " pages were written)", r, E_NOMEM);
  // qc holds no frame outside this test (the suite checks that every other test gave its frames back).
  check(f0 - freeFrames() == DEFAULT_PAGE_QUOTA, "frames qc held when the quota refused a write: expected " +
    DEFAULT_PAGE_QUOTA.toString() + " (DEFAULT_PAGE_QUOTA), got " + (f0 - freeFrames()).toString());
  if (written < n - 3) {
    const next = QVA + <u32>written * P;
    flags("the page whose write was refused", sys.vm_query(next), PTE_ZERO, PTE_PRESENT | PTE_DIRTY);
    bytesAre("the page whose write was refused", next, 1, 0);
    // At the quota, whatever needs a frame is refused and changes nothing; what needs none still works.
    const fq = freeFrames();
    const other: u32 = 0x30000000; // in a second-level table qc does not have yet
    expect("mem_map at the quota, needing a new page table", sys.mem_map(obj, other, VM_READ), E_NOMEM);
    expect("vm_query where that mapping would be", sys.vm_query(other), E_UNMAPPED);
    expect("mappings of the object after the refused mem_map", sys.mem_info(obj, MI_MAPPINGS), 0);
    expect("vm_map at the quota, needing a new page table", sys.vm_map(other, 1, RW), E_NOMEM);
    expect("vm_query where those pages would be", sys.vm_query(other), E_UNMAPPED);
    const clone = sys.mem_clone(obj);
    expect("mem_clone at the quota (its page list needs a frame)", clone, E_NOMEM);
    if (clone >= 0) sys.cap_delete(clone);
    const one = sys.mem_create(1);
    expect("mem_create(1) at the quota", one, E_NOMEM);
    if (one >= 0) sys.cap_delete(one);
    frames("after the refused requests at the quota", fq);
    const within = QVA + <u32>n * P; // in the table the first vm_map made
    if (expect("vm_map of a demand-zero page at the quota, in an existing page table", sys.vm_map(within, 1, RW), OK)) {
      bytesAre("that page", within, 16, 0);
      expect("vm_unmap of that page", sys.vm_unmap(within, 1), 1);
    }
    frames("after mapping, reading and unmapping a demand-zero page at the quota", fq);
    // Two frames free under the quota; a write that needs three is refused whole.
    expect("vm_unmap of 2 written pages", sys.vm_unmap(QVA, 2), 2);
    const f1 = freeFrames();
    expect("vm_write of 3 demand-zero pages with 2 frames left under the quota", writeBytes(next, 3 * P, 0x22), E_NOMEM);
    frames("after the refused 3-page write", f1);
    bytesAre("the 3 pages after the refused write", next, 3 * P, 0);
    expect("vm_write of 2 demand-zero pages with 2 frames left", writeBytes(next, 2 * P, 0x22), 2 * P);
    // Another process's quota is its own.
    if (expect("qc-peer's vm_map of a page, filled, while qc is at its quota", peerOp(QC_VM_MAP, PVA, 1, RW, 0x33), OK)) {
      expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 1), 1);
    }
  }
  expect("vm_unmap of the pages qc mapped", sys.vm_unmap(QVA, n), written >= 2 ? n - 2 : n);
  sys.cap_delete(obj);
  frames("after vm_unmap and deleting the object", f0);
  // The same for qc-peer: a refusal, and it runs on.
  const r2 = peerOp(QC_VM_MAP, PVA, n, RW, 0x33);
  const pages = sys.reply_word(0);
  if (expect("qc-peer's vm_map of DEFAULT_PAGE_QUOTA + 16 pages, writing each", r2, E_NOMEM)) {
    check(f0 - freeFrames() == DEFAULT_PAGE_QUOTA, "frames qc-peer held when its quota refused a write (after " +
      pages.toString() + " pages): expected " + DEFAULT_PAGE_QUOTA.toString() + ", got " + (f0 - freeFrames()).toString());
  }
  check(peerAnswers(), "qc-peer does not answer after its quota refused a write");
  expect("qc-peer's vm_unmap of its pages", peerOp(QC_VM_UNMAP, PVA, n), n);
  frames("after qc-peer's vm_unmap", f0);
  return finish();
}

function crashedFramesBack(): bool {
  if (phase() == 0) {
    crashFree = freeFrames();
    restartsBefore = peerRestarts();
    if (!check(restartsBefore >= 0, "qc-peer does not answer")) return finish();
    crashObj = ownObject(1);
    if (crashObj < 0) return finish();
    expect("qc's vm_write of 64 bytes of 0x6b", writeBytes(QVA, 64, 0x6b), 64);
    peerFree = freeFrames();
    expect("qc-peer's mem_map of the object", peerMaps(crashObj, R_READ | R_WRITE, RW), OK);
    // In another second-level table, so that the crash has several tables to free.
    const anon: u32 = PVA + 0x400000;
    expect("qc-peer's vm_map of 8 pages, filled", peerOp(QC_VM_MAP, anon, 8, RW, 0x5a), OK);
    expect("pages qc-peer wrote", sys.reply_word(0), 8);
    const taken = peerFree - freeFrames();
    check(taken >= 8, "free frames after qc-peer wrote 8 pages: " + taken.toString() + " taken, expected at least 8");
    expect("mappings of the object before the crash", sys.mem_info(crashObj, MI_MAPPINGS), 2);
    expect("a call whose handler traps", peerOp(QC_TRAP), E_CRASHED);
    // Before init can restart it: a process that is never restarted must not keep its frames either.
    frames("right after qc-peer crashed, against before it took any", peerFree);
    expect("mappings of the object right after qc-peer crashed (qc's own)", sys.mem_info(crashObj, MI_MAPPINGS), 1);
    return later(1);
  }
  const r = sys.call(peer, QC_STATS, 0, 0, 0, 0, 0, 0);
  if (r != OK || sys.reply_word(2) <= restartsBefore) {
    if (!waitOver()) return poll(1);
    check(false, "qc-peer was not restarted within 2 s of its trap (last stats call: " + code(r) + ")");
  }
  frames("once qc-peer was restarted, against before it took any", peerFree);
  return finish();
}

function objectOutlivesCrash(): bool {
  if (crashObj < 0) { check(false, "the crash test made no object to check"); return finish(); }
  expect("mappings of the object after qc-peer crashed (qc's own)", sys.mem_info(crashObj, MI_MAPPINGS), 1);
  bytesAre("the object after qc-peer crashed", QVA, 64, 0x6b);
  expect("qc-peer's vm_query where it had mapped the object", peerOp(QC_VM_QUERY, PVA), E_UNMAPPED);
  if (expect("the restarted qc-peer's mem_map of the object", peerMaps(crashObj, R_READ, VM_READ), OK)) {
    peerSees("the object after its restart", PVA, 64, 0x6b);
  }
  // The revoke also reaches the capability the crashed instance held: a restart keeps the capability space.
  release(crashObj);
  crashObj = -1;
  frames("after the object was deleted, against before the crash test", crashFree);
  return finish();
}

function unmapCounts(): bool {
  const f0 = freeFrames();
  const obj = ownObject(2);
  if (obj < 0) return finish();
  expect("vm_unmap of a two-page object mapping", sys.vm_unmap(QVA, 2), 2);
  expect("mappings of the object after vm_unmap", sys.mem_info(obj, MI_MAPPINGS), 0);
  if (expect("mem_map of the object again", sys.mem_map(obj, QVA, RW), OK) &&
    expect("vm_map of 3 pages after it", sys.vm_map(QVA + 2 * P, 3, RW), OK)) {
    expect("vm_write of 1 page after the object", writeBytes(QVA + 2 * P, 8, 1), 8);
    expect("vm_unmap of the object and the 3 pages after it", sys.vm_unmap(QVA, 5), 5);
    expect("vm_unmap of the same range again", sys.vm_unmap(QVA, 5), 0);
  }
  sys.cap_delete(obj);
  frames("after vm_unmap and deleting the object", f0);
  return finish();
}

// Seen in issue 9: a write whose pages all had frames (so it needed none) wrote
// its first page before finding its source's end past private memory.
function writeRefusedLast(): bool {
  const f0 = freeFrames();
  if (!expect("vm_map of 3 pages, read-write", sys.vm_map(QVA, 3, RW), OK)) return finish();
  expect("vm_write of the 3 pages with 0x11", writeBytes(QVA, P, 0x11) + writeBytes(QVA + P, P, 0x11) + writeBytes(QVA + 2 * P, P, 0x11), 3 * P);
  const f1 = freeFrames();
  const end = <usize>memory.size() << 16;
  expect("vm_write of 3 resident pages whose source's last page is past qc's private memory", sys.vm_write(QVA, end - 2 * P, 3 * P), E_FAULT);
  bytesAre("the 3 pages after that refused write", QVA, 3 * P, 0x11);
  expect("vm_protect of page 2 to read-only", sys.vm_protect(QVA + 2 * P, 1, VM_READ), OK);
  expect("vm_write of 3 pages whose last is read-only", writeBytes(QVA, 3 * P, 0x22), E_PROT);
  bytesAre("the 3 pages after the write refused on its last page", QVA, 3 * P, 0x11);
  expect("vm_unmap of page 2", sys.vm_unmap(QVA + 2 * P, 1), 1);
  expect("vm_write of 3 pages whose last is unmapped", writeBytes(QVA, 3 * P, 0x33), E_UNMAPPED);
  bytesAre("the 2 pages after the write refused on its last page", QVA, 2 * P, 0x11);
  frames("after the refused writes", f1 + 1);
  expect("vm_unmap of the pages", sys.vm_unmap(QVA, 3), 2);
  frames("after vm_unmap", f0);
  return finish();
}

function readRefusedLast(): bool {
  const f0 = freeFrames();
  if (!expect("vm_map of 2 pages, read-write", sys.vm_map(QVA, 2, RW), OK)) return finish();
  expect("vm_write of the 2 pages with 0x44", writeBytes(QVA, 2 * P, 0x44), 2 * P);
  // The last page of qc's memory may hold live data: compare it with a copy rather than fill it.
  const end = <usize>memory.size() << 16;
  // Nothing may allocate between the copy and the comparison (the heap may use that page).
  memory.copy(bufPtr(), end - P, P);
  const r = sys.vm_read(QVA, end - P, 2 * P);
  const same0 = memory.compare(bufPtr(), end - P, P) == 0;
  expect("vm_read of 2 pages into the last page of qc's private memory and past it", r, E_FAULT);
  check(same0, "the refused vm_read wrote into qc's private memory");
  memory.fill(bufPtr(), 0x99, 3 * P);
  expect("vm_read of 3 pages whose last is unmapped", sys.vm_read(QVA, bufPtr(), 3 * P), E_UNMAPPED);
  let same = true;
  for (let i = 0; i < 3 * P; i++) if (unchecked(buf[i]) != 0x99) { same = false; break; }
  check(same, "the vm_read refused on its last page wrote into qc's buffer");
  expect("vm_unmap of the pages", sys.vm_unmap(QVA, 2), 2);
  frames("after vm_unmap", f0);
  return finish();
}

/** Another service can still allocate and map while qc is at its limit. */
function othersStillWork(obj: i32): void {
  if (expect("qc-peer's vm_map of a page, filled, while qc is at its limit", peerOp(QC_VM_MAP, PVA, 1, RW, 0x33), OK)) {
    expect("qc-peer's vm_unmap", peerOp(QC_VM_UNMAP, PVA, 1), 1);
  }
  expect("qc-peer's mem_map of a grant of qc's object", peerMaps(obj, R_READ, VM_READ, PVA + 0x100000), OK);
  expect("qc-peer's vm_unmap of the object mapping", peerOp(QC_VM_UNMAP, PVA + 0x100000, 1), 1);
  peerOp(QC_MEM_DROP);
  if (memoryCap < 0) return;
  const r = callForCap(memoryCap, TAG_MEM_ALLOC, 3 * P, MEMTYPE_CLASSICAL);
  if (expect("the memory manager's allocation of a 3-page object while qc is at its limit", r, OK)) {
    const h = sys.reply_word(0);
    const cap = sys.recv_cap();
    if (cap >= 0) sys.cap_delete(cap);
    expect("release of that allocation", sys.call(memoryCap, TAG_MEM_RELEASE, h, 0, 0, 0, 0, 0), OK);
  }
}

// Seen in issue 9: one service took every memory object of the machine by
// cloning one small object. Each clone's page list is a page of the cloner's
// quota, and the object table grows with RAM: the cloner stops at its own limit
// (its quota, or its capability slots), and every other service carries on.
function clonesCharged(): bool {
  const f0 = freeFrames();
  const obj = sys.mem_create(1);
  if (!check(obj >= 0, "mem_create(1): expected a new slot, got " + code(obj))) return finish();
  // Two slots kept free for the checks below (copies of obj make no object).
  const spare0 = sys.cap_derive(obj, R_READ, 0), spare1 = sys.cap_derive(obj, R_READ, 0);
  const clones = new StaticArray<i32>(CSPACE_SLOTS);
  const f1 = freeFrames();
  let made = 0, r = 0;
  for (; made < CSPACE_SLOTS; made++) {
    r = sys.mem_clone(obj);
    if (r < 0) break;
    unchecked(clones[made] = r);
  }
  check(r == E_NOMEM || r == E_NOSPACE, "cloning until refused ended with " + code(r) +
    "; expected E_NOMEM (qc's quota) or E_NOSPACE (qc's capability slots)");
  check(made > 64, "only " + made.toString() + " clones were made before a refusal");
  frames("after " + made.toString() + " clones (one page list each)", f1 - made);
  sys.cap_delete(spare0); sys.cap_delete(spare1);
  othersStillWork(obj);
  for (let i = 0; i < made; i++) sys.cap_delete(unchecked(clones[i]));
  r = sys.mem_clone(obj);
  check(r >= 0, "mem_clone once the clones were deleted: expected a new slot, got " + code(r));
  if (r >= 0) sys.cap_delete(r);
  sys.cap_delete(obj);
  frames("after the test, against its start", f0);
  return finish();
}

// Seen in issue 9: one service took every mapping of the machine. A process's
// mapping records are its own (MAP_RECORD_FRAMES frames of its quota).
function mappingsCharged(): bool {
  const f0 = freeFrames();
  const obj = sys.mem_create(1);
  if (!check(obj >= 0, "mem_create(1): expected a new slot, got " + code(obj))) return finish();
  const most = MAP_RECORDS_PER_FRAME * MAP_RECORD_FRAMES;
  let made = 0, r = 0;
  for (; made <= most; made++) {
    r = sys.mem_map(obj, QVA + <u32>made * P, VM_READ);
    if (r != OK) break;
  }
  expect("mappings made before a refusal", made, most);
  expect("the mem_map after MAP_RECORDS_PER_FRAME × MAP_RECORD_FRAMES", r, E_NOSPACE);
  expect("mappings of the object", sys.mem_info(obj, MI_MAPPINGS), made);
  othersStillWork(obj);
  expect("vm_unmap of every mapping", sys.vm_unmap(QVA, most), made);
  expect("mappings of the object after vm_unmap", sys.mem_info(obj, MI_MAPPINGS), 0);
  sys.cap_delete(obj);
  frames("after the test, against its start", f0);
  return finish();
}

function noLeaks(): bool {
  if (!peerAnswers() && !waitOver()) return poll(phase());
  expect("qc-peer deleting a memory capability (it should hold none)", peerOp(QC_MEM_DROP), E_STATE);
  let objects = 0;
  for (let s = 0; s < CSPACE_SLOTS; s++) {
    const info = sys.cap_info(s);
    if (info >= 0 && (info & 0xff) == K_MEMORY) { objects++; sys.cap_delete(s); }
  }
  expect("memory capabilities qc still holds", objects, 0);
  check(suiteFree >= 0, "the suite's first step did not run");
  frames("at the end of the suite, against its start", suiteFree);
  return finish();
}
