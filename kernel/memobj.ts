// Memory objects: a set of frames that processes map shared, named by
// K_MEMORY capabilities. An object's page list is one frame of u32 frame
// numbers, and that frame's number is the object's identity: its header (pages,
// capabilities, mappings) is in the frame's aux words (frames.ts). So the
// object table grows with RAM, and each object costs its creator one page of
// quota besides its pages: one process can exhaust only its own quota.
//
// Every mapping of an object is recorded with the capability it was made
// through, so deleting that capability (and so revoking it) takes the mapping
// away. Records live in record frames of the mapper (MAP_RECORDS_PER_FRAME a
// frame, at most MAP_RECORD_FRAMES a process), charged to its quota; a record
// is linked into its object's list, so work on an object visits only its own
// mappings. A clone shares the frames copy-on-write: a frame held by more than
// one object's page list is copied before a write reaches it.
import {
  MAX_OBJECT_PAGES, MAX_PROCS, K_MEMORY, R_READ, R_WRITE, R_GRANT, R_CONTROL, VM_READ, VM_WRITE, PAGE_SHIFT, PAGE_SIZE,
  PTE_PRESENT, PTE_SHARED, PTE_COW, PTE_READ, PTE_WRITE, MI_PAGES, MI_MAPPINGS, MI_FRAMES_SHARED,
  MAP_RECORDS_PER_FRAME, MAP_RECORD_FRAMES, OK, E_ARG, E_NOMEM, E_NOSPACE, E_STATE, E_RIGHTS,
} from "./abi";
import { current } from "./proc";
import { lookup, freeSlot, install, capTarget, capRights as capRightsOf } from "./cspace";
import {
  frameAddr, chargedFrame, frameRef, frameUnref, frameObjRefs, setFrameObjRefs, affordable, auxGet, auxSet,
} from "./frames";
import { ptePtr, ptePtrCreate, tablesNeeded, pruneTable, tlbFlush } from "./pagetable";
import { charge as work } from "./cpu";
import { table } from "./table";

// An object's header: aux words of its page-list frame.
const O_PAGES = 0; // pages; 0: the frame holds no object
const O_CAPS = 1; // capabilities naming it
const O_FIRST = 2; // its first mapping + 1 (0: none)
const O_MAPS = 3; // its mappings

// A mapping record: 8 u32 in a record frame. Mapping m is record m % 128 of frame m / 128.
const REC_SHIFT = 7; // log2 MAP_RECORDS_PER_FRAME
const M_PID = 0; // pid + 1; 0: a free record
const M_VPN = 1;
const M_OBJ = 2;
const M_CAP = 3; // global index of the capability it was made through
const M_RIGHTS = 4; // VM_* the capability allows
const M_NEXT = 5; // the object's next mapping + 1
const M_PREV = 6; // the object's previous mapping + 1

const recFrame = table<i32>(MAX_PROCS * MAP_RECORD_FRAMES); // 0: none
const recUsed = table<i32>(MAX_PROCS * MAP_RECORD_FRAMES); // used records in it

@inline function rec(m: i32, k: i32): i32 {
  return <i32>load<u32>(frameAddr(m >>> REC_SHIFT) + ((<usize>(m & (MAP_RECORDS_PER_FRAME - 1)) << 5) + (<usize>k << 2)));
}
@inline function setRec(m: i32, k: i32, v: i32): void {
  store<u32>(frameAddr(m >>> REC_SHIFT) + ((<usize>(m & (MAP_RECORDS_PER_FRAME - 1)) << 5) + (<usize>k << 2)), v);
}

@inline function pageFrame(obj: i32, i: i32): i32 { return <i32>load<u32>(frameAddr(obj) + (<usize>i << 2)); }
@inline function setPageFrame(obj: i32, i: i32, f: i32): void { store<u32>(frameAddr(obj) + (<usize>i << 2), f); }
@inline function objPages(obj: i32): i32 { return auxGet(obj, O_PAGES); }

@inline function permBits(rights: i32): u32 {
  return ((rights & VM_READ) != 0 ? PTE_READ : 0) | ((rights & VM_WRITE) != 0 ? PTE_WRITE : 0);
}

/** The VM_* rights a memory capability allows. */
@inline function capVmRights(capRights: i32): i32 {
  return ((capRights & R_READ) != 0 ? VM_READ : 0) | ((capRights & R_WRITE) != 0 ? VM_WRITE : 0);
}

// ---------------------------------------------------------------- mapping records

/** Frames a new mapping record of `pid` needs: 0 or 1, or E_NOSPACE when its record frames are full. */
function recordCost(pid: i32): i32 {
  let empty = false;
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const i = pid * MAP_RECORD_FRAMES + d;
    if (unchecked(recFrame[i]) == 0) empty = true;
    else if (unchecked(recUsed[i]) < MAP_RECORDS_PER_FRAME) return 0;
  }
  return empty ? 1 : E_NOSPACE;
}

/** A free record of `pid` (recordCost said it can have one, and checked the quota). */
function newRecord(pid: i32): i32 {
  let spare = -1;
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const i = pid * MAP_RECORD_FRAMES + d;
    const f = unchecked(recFrame[i]);
    if (f == 0) { if (spare < 0) spare = i; continue; }
    if (unchecked(recUsed[i]) == MAP_RECORDS_PER_FRAME) continue;
    for (let r = 0; r < MAP_RECORDS_PER_FRAME; r++) {
      const m = (f << REC_SHIFT) | r;
      if (rec(m, M_PID) == 0) { unchecked(recUsed[i] = unchecked(recUsed[i]) + 1); return m; }
    }
  }
  const f = chargedFrame(pid); // zeroed: every record free
  unchecked(recFrame[spare] = f); unchecked(recUsed[spare] = 1);
  return f << REC_SHIFT;
}

/** Free record `m` of `pid`; its frame goes back with its last record. */
function freeRecord(pid: i32, m: i32): void {
  setRec(m, M_PID, 0);
  const f = m >>> REC_SHIFT;
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const i = pid * MAP_RECORD_FRAMES + d;
    if (unchecked(recFrame[i]) != f) continue;
    const left = unchecked(recUsed[i]) - 1;
    unchecked(recUsed[i] = left);
    if (left == 0) { unchecked(recFrame[i] = 0); frameUnref(f); }
    return;
  }
}

function linkMapping(obj: i32, m: i32): void {
  const first = auxGet(obj, O_FIRST);
  setRec(m, M_NEXT, first); setRec(m, M_PREV, 0);
  if (first != 0) setRec(first - 1, M_PREV, m + 1);
  auxSet(obj, O_FIRST, m + 1);
  auxSet(obj, O_MAPS, auxGet(obj, O_MAPS) + 1);
}

function unlinkMapping(obj: i32, m: i32): void {
  const next = rec(m, M_NEXT), prev = rec(m, M_PREV);
  if (prev != 0) setRec(prev - 1, M_NEXT, next); else auxSet(obj, O_FIRST, next);
  if (next != 0) setRec(next - 1, M_PREV, prev);
  auxSet(obj, O_MAPS, auxGet(obj, O_MAPS) - 1);
}

// ---------------------------------------------------------------- lifetime

/** Called by the capability space when a K_MEMORY capability is installed. */
export function memCapAdded(obj: i32): void { auxSet(obj, O_CAPS, auxGet(obj, O_CAPS) + 1); }

/**
 * Called when one is removed: its mappings go, and the object with its last
 * capability. The deleter pays one unit per mapping of the object visited.
 */
export function memCapRemoved(g: i32, obj: i32): void {
  let m1 = auxGet(obj, O_FIRST);
  work(auxGet(obj, O_MAPS));
  while (m1 != 0) {
    const m = m1 - 1;
    m1 = rec(m, M_NEXT);
    if (rec(m, M_CAP) == g) work(unmapRecord(m, true));
  }
  const caps = auxGet(obj, O_CAPS) - 1;
  auxSet(obj, O_CAPS, caps);
  if (caps == 0) freeObject(obj);
}

function freeObject(obj: i32): void {
  const n = objPages(obj);
  work(n);
  for (let i = 0; i < n; i++) {
    const f = pageFrame(obj, i);
    setFrameObjRefs(f, frameObjRefs(f) - 1);
    frameUnref(f);
  }
  auxSet(obj, O_PAGES, 0);
  frameUnref(obj);
}

/** A new object's header in page-list frame `list`. */
function newObject(list: i32, npages: i32): void {
  auxSet(list, O_PAGES, npages); auxSet(list, O_CAPS, 0); auxSet(list, O_FIRST, 0); auxSet(list, O_MAPS, 0);
}

// ---------------------------------------------------------------- syscalls

export function memCreate(npages: i32): i32 {
  if (npages <= 0 || npages > MAX_OBJECT_PAGES) return E_ARG;
  const pid = current();
  // The quota first: a refused request (the usual one past it) needs no slot search.
  if (!affordable(pid, npages + 1)) return E_NOMEM; // its pages and its page list
  const slot = freeSlot(pid);
  if (slot < 0) return slot;
  work(npages);
  const obj = chargedFrame(pid);
  newObject(obj, npages);
  for (let i = 0; i < npages; i++) {
    const f = chargedFrame(pid);
    setFrameObjRefs(f, 1);
    setPageFrame(obj, i, f);
  }
  install(pid, slot, K_MEMORY, R_READ | R_WRITE | R_GRANT | R_CONTROL, obj, 0, 0, -1);
  return slot;
}

export function memMap(slot: i32, vaddr: i32, rights: i32): i32 {
  const pid = current();
  const g = lookup(pid, slot, K_MEMORY, 0);
  if (g < 0) return g;
  const obj = capTarget(g);
  const allowed = capVmRights(capRightsOf(g));
  if (rights == 0 || (rights & ~(VM_READ | VM_WRITE)) != 0 || (vaddr & (PAGE_SIZE - 1)) != 0) return E_ARG;
  if ((rights & ~allowed) != 0) return E_RIGHTS;
  const vpn = <i32>(<u32>vaddr >>> PAGE_SHIFT), n = objPages(obj);
  if (<i64>vpn + n > 1 << 20) return E_ARG;
  work(2 * n);
  for (let i = 0; i < n; i++) {
    const p = ptePtr(pid, vpn + i);
    if (p != 0 && load<u32>(p) != 0) return E_STATE;
  }
  const rc = recordCost(pid);
  if (rc < 0) return rc;
  if (!affordable(pid, tablesNeeded(pid, vpn, n) + rc)) return E_NOMEM;
  const m = newRecord(pid);
  for (let i = 0; i < n; i++) {
    const f = pageFrame(obj, i);
    frameRef(f);
    const cow = frameObjRefs(f) > 1 ? PTE_COW : 0;
    store<u32>(ptePtrCreate(pid, vpn + i), (<u32>f << PAGE_SHIFT) | PTE_PRESENT | PTE_SHARED | cow | permBits(rights));
  }
  setRec(m, M_PID, pid + 1); setRec(m, M_VPN, vpn); setRec(m, M_OBJ, obj); setRec(m, M_CAP, g); setRec(m, M_RIGHTS, allowed);
  linkMapping(obj, m);
  return OK;
}

/** A copy-on-write clone of the object: the same frames until either side writes. */
export function memClone(slot: i32): i32 {
  const pid = current();
  const g = lookup(pid, slot, K_MEMORY, R_READ);
  if (g < 0) return g;
  const src = capTarget(g);
  const s = freeSlot(pid);
  if (s < 0) return s;
  const obj = chargedFrame(pid); // the clone's page list: its one page of quota
  if (obj < 0) return E_NOMEM;
  const n = objPages(src);
  work(n);
  newObject(obj, n);
  for (let i = 0; i < n; i++) {
    const f = pageFrame(src, i);
    frameRef(f);
    setFrameObjRefs(f, frameObjRefs(f) + 1);
    setPageFrame(obj, i, f);
  }
  markCow(src);
  install(pid, s, K_MEMORY, R_READ | R_WRITE | R_GRANT | R_CONTROL, obj, 0, 0, -1);
  return s;
}

/** Every mapping of `obj` now copies before writing pages another object shares. */
function markCow(obj: i32): void {
  const n = objPages(obj);
  work(<i64>auxGet(obj, O_MAPS) * n);
  for (let m1 = auxGet(obj, O_FIRST); m1 != 0; m1 = rec(m1 - 1, M_NEXT)) {
    const m = m1 - 1;
    const pid = rec(m, M_PID) - 1, vpn = rec(m, M_VPN);
    for (let i = 0; i < n; i++) {
      const p = ptePtr(pid, vpn + i);
      if (frameObjRefs(pageFrame(obj, i)) > 1) store<u32>(p, load<u32>(p) | PTE_COW);
    }
  }
}

export function memInfo(slot: i32, field: i32): i32 {
  const g = lookup(current(), slot, K_MEMORY, 0);
  if (g < 0) return g;
  const obj = capTarget(g);
  if (field == MI_PAGES) return objPages(obj);
  if (field == MI_MAPPINGS) return auxGet(obj, O_MAPS);
  if (field == MI_FRAMES_SHARED) {
    const n = objPages(obj);
    work(n);
    let k = 0;
    for (let i = 0; i < n; i++) if (frameObjRefs(pageFrame(obj, i)) > 1) k++;
    return k;
  }
  return E_ARG;
}

// ---------------------------------------------------------------- for vm.ts

/** The mapping of `pid` that covers page `vpn`, or -1. Charges the records visited. */
export function mappingAt(pid: i32, vpn: i32): i32 {
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const f = unchecked(recFrame[pid * MAP_RECORD_FRAMES + d]);
    if (f == 0) continue;
    work(MAP_RECORDS_PER_FRAME);
    for (let r = 0; r < MAP_RECORDS_PER_FRAME; r++) {
      const m = (f << REC_SHIFT) | r;
      if (rec(m, M_PID) == 0) continue;
      const start = rec(m, M_VPN);
      if (vpn >= start && vpn < start + objPages(rec(m, M_OBJ))) return m;
    }
  }
  return -1;
}

export function mappingStart(m: i32): i32 { return rec(m, M_VPN); }
export function mappingPages(m: i32): i32 { return objPages(rec(m, M_OBJ)); }
export function mappingRights(m: i32): i32 { return rec(m, M_RIGHTS); }

/**
 * Remove mapping `m`: its PTEs, their frame references, its record, and (if
 * `prune`) tables left empty. Returns the most work that took, in units (pages,
 * and two scans of 1024 entries per table pruned), for the caller to charge.
 */
export function unmapRecord(m: i32, prune: bool): i32 {
  const pid = rec(m, M_PID) - 1, vpn = rec(m, M_VPN), obj = rec(m, M_OBJ), n = objPages(obj);
  unlinkMapping(obj, m);
  freeRecord(pid, m);
  for (let i = 0; i < n; i++) {
    const p = ptePtr(pid, vpn + i);
    if (p == 0) continue;
    const pte = load<u32>(p);
    store<u32>(p, 0);
    if ((pte & PTE_PRESENT) != 0) frameUnref(<i32>(pte >>> PAGE_SHIFT));
  }
  tlbFlush(pid);
  if (!prune) return n;
  let prunes = 1;
  for (let i = 0; i < n; i += 1024) { pruneTable(pid, vpn + i); prunes++; }
  pruneTable(pid, vpn + n - 1);
  return n + 2048 * prunes;
}

/**
 * Visit `pid`'s mappings against pages [vpn, vpn + n): with `remove`, remove
 * those inside it (tables are left for the caller to prune) and return their
 * pages; without, return E_ARG if one lies partly inside it, else 0.
 */
export function mappingsIn(pid: i32, vpn: i32, n: i32, remove: bool): i32 {
  let pages = 0;
  const end = <i64>vpn + n;
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const f = unchecked(recFrame[pid * MAP_RECORD_FRAMES + d]);
    if (f == 0) continue;
    work(MAP_RECORDS_PER_FRAME);
    for (let r = 0; r < MAP_RECORDS_PER_FRAME; r++) {
      const m = (f << REC_SHIFT) | r;
      if (rec(m, M_PID) == 0) continue;
      const start = <i64>rec(m, M_VPN), stop = start + objPages(rec(m, M_OBJ));
      if (stop <= vpn || start >= end) continue;
      const inside = start >= vpn && stop <= end;
      if (!remove) { if (!inside) return E_ARG; continue; }
      if (inside) { pages += <i32>(stop - start); work(unmapRecord(m, false)); }
    }
  }
  return pages;
}

/** Remove every mapping `pid` holds, and its record frames. */
export function unmapAllOf(pid: i32): void {
  for (let d = 0; d < MAP_RECORD_FRAMES; d++) {
    const i = pid * MAP_RECORD_FRAMES + d;
    const f = unchecked(recFrame[i]);
    if (f == 0) continue;
    // The frame goes with its last record, so check each record before reading it.
    for (let r = 0; r < MAP_RECORDS_PER_FRAME && unchecked(recFrame[i]) == f; r++) {
      const m = (f << REC_SHIFT) | r;
      if (rec(m, M_PID) != 0) unmapRecord(m, true);
    }
  }
}

/** Frames a write to page `vpn` (mapped by `m`) must allocate first: 1 if copy-on-write applies. */
export function cowCost(m: i32, vpn: i32): i32 {
  return frameObjRefs(pageFrame(rec(m, M_OBJ), vpn - rec(m, M_VPN))) > 1 ? 1 : 0;
}

/**
 * Before a write through mapping `m` at page `vpn`: give the object its own
 * copy of the page if another object shares it, and point every mapping of
 * the object at the copy. The copy is charged to `writer`. OK or E_NOMEM.
 */
export function breakCow(m: i32, vpn: i32, writer: i32): i32 {
  const obj = rec(m, M_OBJ), i = vpn - rec(m, M_VPN);
  const old = pageFrame(obj, i);
  if (frameObjRefs(old) > 1) {
    const f = chargedFrame(writer);
    if (f < 0) return E_NOMEM;
    memory.copy(frameAddr(f), frameAddr(old), PAGE_SIZE);
    setFrameObjRefs(f, 1);
    setPageFrame(obj, i, f);
    setFrameObjRefs(old, frameObjRefs(old) - 1);
    frameUnref(old); // the page list's reference
    repoint(obj, i, old, f);
  }
  const p = ptePtr(rec(m, M_PID) - 1, vpn);
  store<u32>(p, load<u32>(p) & ~PTE_COW);
  return OK;
}

/** Every mapping of `obj` whose page `i` is frame `old` now maps frame `f`. */
function repoint(obj: i32, i: i32, old: i32, f: i32): void {
  work(auxGet(obj, O_MAPS));
  for (let m1 = auxGet(obj, O_FIRST); m1 != 0; m1 = rec(m1 - 1, M_NEXT)) {
    const m = m1 - 1;
    const p = ptePtr(rec(m, M_PID) - 1, rec(m, M_VPN) + i);
    const pte = load<u32>(p);
    if (<i32>(pte >>> PAGE_SHIFT) != old) continue;
    store<u32>(p, (<u32>f << PAGE_SHIFT) | (pte & 0xfff & ~PTE_COW));
    frameRef(f);
    frameUnref(old);
  }
}
