// Virtual memory syscalls: anonymous demand-zero mappings, protection, and
// reads and writes between a process's private (instance) memory and its
// virtual pages in kernel-managed memory. Every access is checked against the
// page tables first, for the whole range, and the frames a write needs are
// counted against the quota before anything changes, so a refused request
// changes nothing. Work that grows with a range is charged to the caller's CPU
// budget, one unit per page, table entry or mapping record visited, and ranges
// are walked table by table, skipping absent second-level tables whole. An access to an unmapped or protected page is an error,
// or a demand-zero / copy-on-write resolution; never a trap.
import {
  PAGE_SIZE, PAGE_SHIFT, VM_READ, VM_WRITE, PTE_PRESENT, PTE_READ, PTE_WRITE, PTE_SHARED, PTE_COW, PTE_ZERO,
  PTE_ACCESSED, PTE_DIRTY, OK, E_ARG, E_NOMEM, E_STATE, E_UNMAPPED, E_PROT, E_FAULT,
} from "./abi";
import { current } from "./proc";
import { frameAddr, chargedFrame, frameUnref, affordable } from "./frames";
import { pRoot, ptePtr, ptePtrCreate, translate, pruneTable, tlbFlush, tableAt, freeTables } from "./pagetable";
import { mappingAt, mappingStart, mappingPages, mappingRights, mappingsIn, unmapAllOf, cowCost, breakCow } from "./memobj";
import { charge as work } from "./cpu";
import { host_copy } from "./host";

const VPN_LIMIT = 1 << 20; // pages in a 32-bit address space

@inline function permBits(rights: i32): u32 {
  return ((rights & VM_READ) != 0 ? PTE_READ : 0) | ((rights & VM_WRITE) != 0 ? PTE_WRITE : 0);
}

/** The first page of a page-aligned range of `npages`, or -1 if the range is not one. */
function pageRange(vaddr: i32, npages: i32): i32 {
  if ((vaddr & (PAGE_SIZE - 1)) != 0 || npages <= 0) return -1;
  const vpn = <i32>(<u32>vaddr >>> PAGE_SHIFT);
  return <i64>vpn + npages > VPN_LIMIT ? -1 : vpn;
}

@inline function validRights(rights: i32): bool { return rights != 0 && (rights & ~(VM_READ | VM_WRITE)) == 0; }

@inline function pteAt(pid: i32, vpn: i32): u32 {
  const p = ptePtr(pid, vpn);
  return p == 0 ? 0 : load<u32>(p);
}

// Map and unmap walk a range table by table: for each second-level table
// `t` of [vpn, end) that is present, its entries firstIn(vpn, t) to
// lastIn(end, t), the caller charged one unit per entry. Absent tables are
// skipped whole, so the work is bounded by the tables the process holds (each
// charged to its quota), not by the range. The walks are written out: given
// a visitor, the indirect call and the state passed in globals cost a third
// of vm.map_unmap.
function firstIn(vpn: i32, t: i32): i32 { return max(vpn, t << 10) & 1023; }
function lastIn(end: i32, t: i32): i32 { return (min(end, (t + 1) << 10) - 1) & 1023; }

/** Whether any entry of [vpn, vpn + n) has one of `bits` set. */
function rangeHas(pid: i32, vpn: i32, n: i32, bits: u32): bool {
  const end = vpn + n; // <= VPN_LIMIT
  for (let t = vpn >>> 10, lastT = (end - 1) >>> 10; t <= lastT; t++) {
    const table = tableAt(pid, t);
    if (table == 0) continue;
    const first = firstIn(vpn, t), last = lastIn(end, t);
    work(last - first + 1);
    for (let i = first; i <= last; i++) if ((load<u32>(table + (<usize>i << 2)) & bits) != 0) return true;
  }
  return false;
}

/**
 * Clear the anonymous entries of [vpn, end) (object mappings in it are gone
 * already), and free each table it leaves empty; how many entries were set.
 */
function clearRange(pid: i32, vpn: i32, end: i32): i32 {
  let n = 0;
  for (let t = vpn >>> 10, lastT = (end - 1) >>> 10; t <= lastT; t++) {
    const table = tableAt(pid, t);
    if (table == 0) continue;
    const first = firstIn(vpn, t), last = lastIn(end, t);
    // The entries, and the table's pruning after (two scans of 1024 entries at most).
    work(last - first + 1 + 2048);
    for (let i = first; i <= last; i++) {
      const p = table + (<usize>i << 2);
      const pte = load<u32>(p);
      if (pte == 0) continue;
      store<u32>(p, 0);
      n++;
      if ((pte & PTE_PRESENT) != 0) frameUnref(<i32>(pte >>> PAGE_SHIFT));
    }
    pruneTable(pid, t << 10);
  }
  return n;
}

export function vmMap(vaddr: i32, npages: i32, rights: i32): i32 {
  const vpn = pageRange(vaddr, npages);
  if (vpn < 0 || !validRights(rights)) return E_ARG;
  const pid = current();
  // One walk: the range must be unmapped, and the tables it lacks paid for.
  // (Written out here, not through rangeHas: a call here cost wasmtime a
  // third of vm.map_unmap.)
  const end = vpn + npages;
  let tables = unchecked(pRoot[pid]) == 0 ? 1 : 0;
  for (let t = vpn >>> 10, lastT = (end - 1) >>> 10; t <= lastT; t++) {
    const table = tableAt(pid, t);
    if (table == 0) { tables++; continue; }
    const first = firstIn(vpn, t), last = lastIn(end, t);
    work(last - first + 1);
    for (let i = first; i <= last; i++) if (load<u32>(table + (<usize>i << 2)) != 0) return E_STATE;
  }
  if (!affordable(pid, tables)) return E_NOMEM;
  // Every page written below lies in a table just paid for: the quota bounds this loop.
  work(npages);
  const bits = PTE_ZERO | permBits(rights);
  for (let i = 0; i < npages; i++) store<u32>(ptePtrCreate(pid, vpn + i), bits);
  return OK;
}

/** Unmap anonymous pages, and object mappings the range covers whole; the number of pages unmapped. */
export function vmUnmap(vaddr: i32, npages: i32): i32 {
  const vpn = pageRange(vaddr, npages);
  if (vpn < 0) return E_ARG;
  const pid = current();
  const end = vpn + npages;
  let unmapped = 0;
  // Every page of an object mapping is PTE_SHARED: a range with none (most
  // unmaps) needs no look at the mapping records. An object mapping is
  // unmapped whole or not at all: check before changing anything.
  if (rangeHas(pid, vpn, npages, PTE_SHARED)) {
    if (mappingsIn(pid, vpn, npages, false) < 0) return E_ARG;
    unmapped = mappingsIn(pid, vpn, npages, true);
  }
  unmapped += clearRange(pid, vpn, end);
  tlbFlush(pid);
  return unmapped;
}

/**
 * Page by page: the first page found unmapped ends the check, so every page
 * visited is mapped, in a table the process holds, and charged.
 */
export function vmProtect(vaddr: i32, npages: i32, rights: i32): i32 {
  const vpn = pageRange(vaddr, npages);
  if (vpn < 0 || !validRights(rights)) return E_ARG;
  const pid = current();
  const end = vpn + npages;
  let m = -1; // the object mapping last looked up: one lookup per mapping, not per page
  for (let v = vpn; v < end; v++) {
    work(1);
    const pte = pteAt(pid, v);
    if (pte == 0) return E_UNMAPPED;
    if ((pte & PTE_SHARED) == 0) continue;
    if (m < 0 || v < mappingStart(m) || v >= mappingStart(m) + mappingPages(m)) m = mappingAt(pid, v);
    if (m < 0 || (rights & ~mappingRights(m)) != 0) return E_PROT;
  }
  work(npages);
  const bits = permBits(rights);
  for (let v = vpn; v < end; v++) {
    const p = ptePtr(pid, v);
    store<u32>(p, (load<u32>(p) & ~(PTE_READ | PTE_WRITE)) | bits);
  }
  return OK;
}

export function vmQuery(vaddr: i32): i32 {
  const pte = pteAt(current(), <i32>(<u32>vaddr >>> PAGE_SHIFT));
  return pte == 0 ? E_UNMAPPED : <i32>(pte & 0xfff);
}

let writeFrames = 0; // frames the write checkRange last passed will allocate

/**
 * Check [vaddr, vaddr + len) for `need` (PTE_READ or PTE_WRITE); OK, or the
 * error. For a write, the same pass counts in writeFrames the frames it will
 * allocate: demand-zero pages and copy-on-write copies.
 */
function checkRange(pid: i32, vaddr: i32, len: i32, need: u32): i32 {
  if (len < 0 || <i64><u32>vaddr + <i64>len > 0x100000000) return E_ARG;
  writeFrames = 0;
  if (len == 0) return OK;
  const first = <i32>(<u32>vaddr >>> PAGE_SHIFT), last = <i32>((<u32>vaddr + <u32>len - 1) >>> PAGE_SHIFT);
  for (let vpn = first; vpn <= last; vpn++) {
    work(1);
    const p = translate(pid, vpn);
    const pte = p == 0 ? 0 : load<u32>(p);
    if (pte == 0) return E_UNMAPPED;
    if ((pte & need) == 0) return E_PROT;
    if (need != PTE_WRITE) continue;
    if ((pte & PTE_PRESENT) == 0) writeFrames++;
    else if ((pte & PTE_COW) != 0) {
      const m = mappingAt(pid, vpn);
      if (m >= 0) writeFrames += cowCost(m, vpn);
    }
  }
  return OK;
}

export function vmRead(vaddr: i32, dst: i32, len: i32): i32 {
  const pid = current();
  return copyOut(pid, vaddr, pid, dst, len);
}

/**
 * `len` bytes at `vaddr` of `pid`'s address space into memory `to` (host.copy's
 * numbering: the process itself for vm_read, COPY_HAL for a device's DMA);
 * the bytes copied, or the error, before any byte moves.
 */
export function copyOut(pid: i32, vaddr: i32, to: i32, dst: i32, len: i32): i32 {
  const c = checkRange(pid, vaddr, len, PTE_READ);
  if (c != OK) return c;
  // A refused read copies nothing: the destination's last byte in bounds proves the range.
  if (len > 0 && (<u64><u32>dst + <u64>len > 0x100000000 || host_copy(to, dst + len - 1, to, dst + len - 1, 1) < 0)) return E_FAULT;
  let done = 0;
  while (done < len) {
    const va = <u32>vaddr + <u32>done;
    const off = <i32>(va & (PAGE_SIZE - 1));
    const n = min(PAGE_SIZE - off, len - done);
    work(1);
    const p = translate(pid, <i32>(va >>> PAGE_SHIFT));
    const pte = load<u32>(p);
    store<u32>(p, pte | PTE_ACCESSED);
    // A demand-zero page that was never written reads from the zero frame.
    const frame = (pte & PTE_PRESENT) != 0 ? <i32>(pte >>> PAGE_SHIFT) : 0;
    const r = host_copy(0, <i32>frameAddr(frame) + off, to, dst + done, n);
    if (r < 0) return r;
    done += n;
  }
  return len;
}

/** Make page `vpn` writable in place: back a demand-zero page, or break copy-on-write. */
function resolveWrite(pid: i32, vpn: i32, p: usize): i32 {
  const pte = load<u32>(p);
  if ((pte & PTE_PRESENT) == 0) {
    const f = chargedFrame(pid);
    if (f < 0) return E_NOMEM;
    store<u32>(p, (<u32>f << PAGE_SHIFT) | PTE_PRESENT | (pte & 0xfff & ~PTE_ZERO));
    return OK;
  }
  if ((pte & PTE_COW) != 0) {
    const m = mappingAt(pid, vpn);
    if (m < 0) return E_PROT;
    return breakCow(m, vpn, pid);
  }
  return OK;
}

export function vmWrite(vaddr: i32, src: i32, len: i32): i32 {
  const pid = current();
  return copyIn(pid, vaddr, pid, src, len);
}

/** `len` bytes of memory `from` (as copyOut's `to`) into `pid`'s address space at `vaddr`; backs and breaks pages as a write does. */
export function copyIn(pid: i32, vaddr: i32, from: i32, src: i32, len: i32): i32 {
  const c = checkRange(pid, vaddr, len, PTE_WRITE);
  if (c != OK) return c;
  if (!affordable(pid, writeFrames)) return E_NOMEM;
  // The source must be known good before the first byte lands (a refused write
  // changes nothing): the source range is contiguous, so its last byte being in
  // bounds (a one-byte copy onto itself) proves all of it is.
  if (len > 0 && (<u64><u32>src + <u64>len > 0x100000000 || host_copy(from, src + len - 1, from, src + len - 1, 1) < 0)) return E_FAULT;
  let done = 0;
  while (done < len) {
    const va = <u32>vaddr + <u32>done;
    const off = <i32>(va & (PAGE_SIZE - 1));
    const n = min(PAGE_SIZE - off, len - done);
    const vpn = <i32>(va >>> PAGE_SHIFT);
    work(1);
    const p = translate(pid, vpn);
    const r0 = resolveWrite(pid, vpn, p);
    if (r0 < 0) return r0;
    const pte = load<u32>(p) | PTE_ACCESSED | PTE_DIRTY;
    store<u32>(p, pte);
    const r = host_copy(from, src + done, 0, <i32>frameAddr(<i32>(pte >>> PAGE_SHIFT)) + off, n);
    if (r < 0) return r;
    done += n;
  }
  return len;
}

/** Tear down `pid`'s address space: every mapping, every anonymous frame, every table. */
export function vmTeardown(pid: i32): void {
  unmapAllOf(pid);
  for (let t = 0; t < 1024; t++) {
    const table = tableAt(pid, t);
    if (table == 0) continue;
    for (let i = 0; i < 1024; i++) {
      const p = table + (<usize>i << 2);
      const pte = load<u32>(p);
      if (pte == 0) continue;
      store<u32>(p, 0);
      if ((pte & PTE_PRESENT) != 0) frameUnref(<i32>(pte >>> PAGE_SHIFT));
    }
  }
  freeTables(pid);
}
