// Memory objects: a set of frames that processes map shared, named by
// K_MEMORY capabilities. An object's page list is one frame of u32 frame
// numbers. Every mapping of an object is recorded with the capability it was
// made through, so deleting that capability (and so revoking it) takes the
// mapping away. A clone shares the frames copy-on-write: a frame held by more
// than one object's page list is copied before a write reaches it.
import {
  MAX_OBJECT_PAGES, K_MEMORY, R_READ, R_WRITE, R_GRANT, R_CONTROL, VM_READ, VM_WRITE, PAGE_SHIFT, PAGE_SIZE,
  PTE_PRESENT, PTE_SHARED, PTE_COW, PTE_READ, PTE_WRITE, MI_PAGES, MI_MAPPINGS, MI_FRAMES_SHARED,
  OK, E_ARG, E_NOMEM, E_NOSPACE, E_STATE, E_RIGHTS,
} from "./abi";
import { current } from "./proc";
import { lookup, freeSlot, install, capTarget, capRights as capRightsOf } from "./cspace";
import {
  frameAddr, chargedFrame, frameRef, frameUnref, frameObjRefs, setFrameObjRefs, affordable,
} from "./frames";
import { ptePtr, ptePtrCreate, tablesNeeded, pruneTable, tlbFlush } from "./pagetable";

const MAX_OBJECTS = 256;
const oUsed = new StaticArray<i32>(MAX_OBJECTS);
const oPages = new StaticArray<i32>(MAX_OBJECTS);
const oList = new StaticArray<i32>(MAX_OBJECTS); // frame holding the page list
const oCaps = new StaticArray<i32>(MAX_OBJECTS); // capabilities naming the object

const MAX_MAPPINGS = 512;
const mUsed = new StaticArray<i32>(MAX_MAPPINGS);
const mPid = new StaticArray<i32>(MAX_MAPPINGS);
const mVpn = new StaticArray<i32>(MAX_MAPPINGS);
const mObj = new StaticArray<i32>(MAX_MAPPINGS);
const mCap = new StaticArray<i32>(MAX_MAPPINGS); // global index of the capability it was made through
const mRights = new StaticArray<i32>(MAX_MAPPINGS); // VM_* the capability allows

@inline function pageFrame(obj: i32, i: i32): i32 {
  return <i32>load<u32>(frameAddr(unchecked(oList[obj])) + (<usize>i << 2));
}
@inline function setPageFrame(obj: i32, i: i32, f: i32): void {
  store<u32>(frameAddr(unchecked(oList[obj])) + (<usize>i << 2), f);
}

@inline function permBits(rights: i32): u32 {
  return ((rights & VM_READ) != 0 ? PTE_READ : 0) | ((rights & VM_WRITE) != 0 ? PTE_WRITE : 0);
}

/** The VM_* rights a memory capability allows. */
@inline function capVmRights(capRights: i32): i32 {
  return ((capRights & R_READ) != 0 ? VM_READ : 0) | ((capRights & R_WRITE) != 0 ? VM_WRITE : 0);
}

// ---------------------------------------------------------------- lifetime

/** Called by the capability space when a K_MEMORY capability is installed. */
export function memCapAdded(obj: i32): void { unchecked(oCaps[obj] = unchecked(oCaps[obj]) + 1); }

/** Called when one is removed: its mappings go, and the object with its last capability. */
export function memCapRemoved(g: i32, obj: i32): void {
  for (let m = 0; m < MAX_MAPPINGS; m++) {
    if (unchecked(mUsed[m]) != 0 && unchecked(mCap[m]) == g) unmapRecord(m);
  }
  unchecked(oCaps[obj] = unchecked(oCaps[obj]) - 1);
  if (unchecked(oCaps[obj]) == 0) freeObject(obj);
}

function freeObject(obj: i32): void {
  for (let i = 0, n = unchecked(oPages[obj]); i < n; i++) {
    const f = pageFrame(obj, i);
    setFrameObjRefs(f, frameObjRefs(f) - 1);
    frameUnref(f);
  }
  frameUnref(unchecked(oList[obj]));
  unchecked(oUsed[obj] = 0);
}

function newObject(): i32 {
  for (let o = 0; o < MAX_OBJECTS; o++) if (unchecked(oUsed[o]) == 0) return o;
  return -1;
}

// ---------------------------------------------------------------- syscalls

export function memCreate(npages: i32): i32 {
  if (npages <= 0 || npages > MAX_OBJECT_PAGES) return E_ARG;
  const pid = current();
  const slot = freeSlot(pid);
  if (slot < 0) return slot;
  const obj = newObject();
  if (obj < 0) return E_NOSPACE;
  if (!affordable(pid, npages + 1)) return E_NOMEM;
  const list = chargedFrame(pid);
  unchecked(oUsed[obj] = 1); unchecked(oPages[obj] = npages); unchecked(oList[obj] = list); unchecked(oCaps[obj] = 0);
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
  const vpn = <i32>(<u32>vaddr >>> PAGE_SHIFT), n = unchecked(oPages[obj]);
  if (<i64>vpn + n > 1 << 20) return E_ARG;
  for (let i = 0; i < n; i++) {
    const p = ptePtr(pid, vpn + i);
    if (p != 0 && load<u32>(p) != 0) return E_STATE;
  }
  const m = freeMapping();
  if (m < 0) return E_NOSPACE;
  if (!affordable(pid, tablesNeeded(pid, vpn, n))) return E_NOMEM;
  for (let i = 0; i < n; i++) {
    const f = pageFrame(obj, i);
    frameRef(f);
    const cow = frameObjRefs(f) > 1 ? PTE_COW : 0;
    store<u32>(ptePtrCreate(pid, vpn + i), (<u32>f << PAGE_SHIFT) | PTE_PRESENT | PTE_SHARED | cow | permBits(rights));
  }
  unchecked(mUsed[m] = 1); unchecked(mPid[m] = pid); unchecked(mVpn[m] = vpn); unchecked(mObj[m] = obj);
  unchecked(mCap[m] = g); unchecked(mRights[m] = allowed);
  return OK;
}


function freeMapping(): i32 {
  for (let m = 0; m < MAX_MAPPINGS; m++) if (unchecked(mUsed[m]) == 0) return m;
  return -1;
}

/** A copy-on-write clone of the object: the same frames until either side writes. */
export function memClone(slot: i32): i32 {
  const pid = current();
  const g = lookup(pid, slot, K_MEMORY, R_READ);
  if (g < 0) return g;
  const src = capTarget(g);
  const s = freeSlot(pid);
  if (s < 0) return s;
  const obj = newObject();
  if (obj < 0) return E_NOSPACE;
  const list = chargedFrame(pid);
  if (list < 0) return E_NOMEM;
  const n = unchecked(oPages[src]);
  unchecked(oUsed[obj] = 1); unchecked(oPages[obj] = n); unchecked(oList[obj] = list); unchecked(oCaps[obj] = 0);
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
  for (let m = 0; m < MAX_MAPPINGS; m++) {
    if (unchecked(mUsed[m]) == 0 || unchecked(mObj[m]) != obj) continue;
    const pid = unchecked(mPid[m]), vpn = unchecked(mVpn[m]);
    for (let i = 0, n = unchecked(oPages[obj]); i < n; i++) {
      const p = ptePtr(pid, vpn + i);
      if (frameObjRefs(pageFrame(obj, i)) > 1) store<u32>(p, load<u32>(p) | PTE_COW);
    }
  }
}

export function memInfo(slot: i32, field: i32): i32 {
  const g = lookup(current(), slot, K_MEMORY, 0);
  if (g < 0) return g;
  const obj = capTarget(g);
  if (field == MI_PAGES) return unchecked(oPages[obj]);
  if (field == MI_MAPPINGS) {
    let k = 0;
    for (let m = 0; m < MAX_MAPPINGS; m++) if (unchecked(mUsed[m]) != 0 && unchecked(mObj[m]) == obj) k++;
    return k;
  }
  if (field == MI_FRAMES_SHARED) {
    let k = 0;
    for (let i = 0, n = unchecked(oPages[obj]); i < n; i++) if (frameObjRefs(pageFrame(obj, i)) > 1) k++;
    return k;
  }
  return E_ARG;
}

// ---------------------------------------------------------------- for vm.ts

/** The mapping of `pid` that covers page `vpn`, or -1. */
export function mappingAt(pid: i32, vpn: i32): i32 {
  for (let m = 0; m < MAX_MAPPINGS; m++) {
    if (unchecked(mUsed[m]) == 0 || unchecked(mPid[m]) != pid) continue;
    const start = unchecked(mVpn[m]);
    if (vpn >= start && vpn < start + unchecked(oPages[unchecked(mObj[m])])) return m;
  }
  return -1;
}

export function mappingStart(m: i32): i32 { return unchecked(mVpn[m]); }
export function mappingPages(m: i32): i32 { return unchecked(oPages[unchecked(mObj[m])]); }
export function mappingRights(m: i32): i32 { return unchecked(mRights[m]); }

/** Remove mapping `m`: its PTEs, their frame references, and tables left empty. */
export function unmapRecord(m: i32): void {
  const pid = unchecked(mPid[m]), vpn = unchecked(mVpn[m]), n = mappingPages(m);
  unchecked(mUsed[m] = 0);
  for (let i = 0; i < n; i++) {
    const p = ptePtr(pid, vpn + i);
    if (p == 0) continue;
    const pte = load<u32>(p);
    store<u32>(p, 0);
    if ((pte & PTE_PRESENT) != 0) frameUnref(<i32>(pte >>> PAGE_SHIFT));
  }
  tlbFlush(pid);
  for (let i = 0; i < n; i += 1024) pruneTable(pid, vpn + i);
  pruneTable(pid, vpn + n - 1);
}

/** Remove every mapping `pid` holds. */
export function unmapAllOf(pid: i32): void {
  for (let m = 0; m < MAX_MAPPINGS; m++) if (unchecked(mUsed[m]) != 0 && unchecked(mPid[m]) == pid) unmapRecord(m);
}

/** Frames a write to page `vpn` (mapped by `m`) must allocate first: 1 if copy-on-write applies. */
export function cowCost(m: i32, vpn: i32): i32 {
  return frameObjRefs(pageFrame(unchecked(mObj[m]), vpn - unchecked(mVpn[m]))) > 1 ? 1 : 0;
}

/**
 * Before a write through mapping `m` at page `vpn`: give the object its own
 * copy of the page if another object shares it, and point every mapping of
 * the object at the copy. The copy is charged to `writer`. OK or E_NOMEM.
 */
export function breakCow(m: i32, vpn: i32, writer: i32): i32 {
  const obj = unchecked(mObj[m]), i = vpn - unchecked(mVpn[m]);
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
  const p = ptePtr(unchecked(mPid[m]), vpn);
  store<u32>(p, load<u32>(p) & ~PTE_COW);
  return OK;
}

/** Every mapping of `obj` whose page `i` is frame `old` now maps frame `f`. */
function repoint(obj: i32, i: i32, old: i32, f: i32): void {
  for (let m = 0; m < MAX_MAPPINGS; m++) {
    if (unchecked(mUsed[m]) == 0 || unchecked(mObj[m]) != obj) continue;
    const p = ptePtr(unchecked(mPid[m]), unchecked(mVpn[m]) + i);
    const pte = load<u32>(p);
    if (<i32>(pte >>> PAGE_SHIFT) != old) continue;
    store<u32>(p, (<u32>f << PAGE_SHIFT) | (pte & 0xfff & ~PTE_COW));
    frameRef(f);
    frameUnref(old);
  }
}

