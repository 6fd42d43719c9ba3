// Page tables: per process a two-level radix tree in kernel memory, like
// Sv32. A 32-bit virtual address is | L1 index (10) | L2 index (10) | offset (12) |.
// The root and every second-level table are one frame of 1024 u32 entries.
// An L1 entry is (table frame << 12) | PTE_PRESENT; an L2 entry (a PTE) is
// (frame << 12) | PTE_* flags, and 0 means unmapped (docs/memory.md).
// A small per-process translation cache maps a page number to its PTE's
// address, so repeated access does not walk the tree.
import { MAX_PROCS, PTE_PRESENT, PAGE_SHIFT } from "./abi";
import { frameAddr, chargedFrame, frameUnref } from "./frames";
import { table } from "./table";

export const pRoot = table<i32>(MAX_PROCS); // root table frame; 0: no address space yet

const TLB = 16; // entries per process, direct-mapped by the page number's low bits
const tlbTag = table<i32>(MAX_PROCS * TLB); // vpn + 1; 0: empty
const tlbPte = table<u32>(MAX_PROCS * TLB);

@inline function l1Ptr(root: i32, vpn: i32): usize { return frameAddr(root) + (<usize>(vpn >>> 10) << 2); }

/** The address of `pid`'s PTE for page `vpn`, or 0 when no table holds it. */
export function ptePtr(pid: i32, vpn: i32): usize {
  const root = unchecked(pRoot[pid]);
  if (root == 0) return 0;
  const l1 = load<u32>(l1Ptr(root, vpn));
  if ((l1 & PTE_PRESENT) == 0) return 0;
  return frameAddr(<i32>(l1 >>> PAGE_SHIFT)) + (<usize>(vpn & 1023) << 2);
}

/** The same through the translation cache. */
export function translate(pid: i32, vpn: i32): usize {
  const i = pid * TLB + (vpn & (TLB - 1));
  if (unchecked(tlbTag[i]) == vpn + 1) return <usize>unchecked(tlbPte[i]);
  const p = ptePtr(pid, vpn);
  if (p != 0) { unchecked(tlbTag[i] = vpn + 1); unchecked(tlbPte[i] = <u32>p); }
  return p;
}

/** Forget `pid`'s cached translations (its tables changed shape). */
export function tlbFlush(pid: i32): void {
  for (let i = 0; i < TLB; i++) unchecked(tlbTag[pid * TLB + i] = 0);
}

/** How many table frames mapping pages [vpn, vpn + n) would add. */
export function tablesNeeded(pid: i32, vpn: i32, n: i32): i32 {
  const root = unchecked(pRoot[pid]);
  let need = root == 0 ? 1 : 0;
  for (let t = vpn >>> 10, last = (vpn + n - 1) >>> 10; t <= last; t++) {
    if (root == 0 || (load<u32>(frameAddr(root) + (<usize>t << 2)) & PTE_PRESENT) == 0) need++;
  }
  return need;
}

/** The PTE's address, creating the tables on the way (charged to `pid`); 0 when out of frames. */
export function ptePtrCreate(pid: i32, vpn: i32): usize {
  let root = unchecked(pRoot[pid]);
  if (root == 0) {
    root = chargedFrame(pid);
    if (root < 0) return 0;
    unchecked(pRoot[pid] = root);
  }
  const e = l1Ptr(root, vpn);
  let l1 = load<u32>(e);
  if ((l1 & PTE_PRESENT) == 0) {
    const t = chargedFrame(pid);
    if (t < 0) return 0;
    l1 = (<u32>t << PAGE_SHIFT) | PTE_PRESENT;
    store<u32>(e, l1);
  }
  return frameAddr(<i32>(l1 >>> PAGE_SHIFT)) + (<usize>(vpn & 1023) << 2);
}

/** Free the second-level table holding `vpn` if it is empty, and the root if that empties it. */
export function pruneTable(pid: i32, vpn: i32): void {
  const root = unchecked(pRoot[pid]);
  if (root == 0) return;
  const e = l1Ptr(root, vpn);
  const l1 = load<u32>(e);
  if ((l1 & PTE_PRESENT) == 0) return;
  const table = frameAddr(<i32>(l1 >>> PAGE_SHIFT));
  for (let i = 0; i < 1024; i++) if (load<u32>(table + (<usize>i << 2)) != 0) return;
  store<u32>(e, 0);
  frameUnref(<i32>(l1 >>> PAGE_SHIFT));
  tlbFlush(pid);
  const rootTable = frameAddr(root);
  for (let i = 0; i < 1024; i++) if (load<u32>(rootTable + (<usize>i << 2)) != 0) return;
  unchecked(pRoot[pid] = 0);
  frameUnref(root);
}

/** The address of the second-level table `t` (0..1023) of `pid`, or 0. */
export function tableAt(pid: i32, t: i32): usize {
  const root = unchecked(pRoot[pid]);
  if (root == 0) return 0;
  const l1 = load<u32>(frameAddr(root) + (<usize>t << 2));
  return (l1 & PTE_PRESENT) == 0 ? 0 : frameAddr(<i32>(l1 >>> PAGE_SHIFT));
}

/** Free every table of `pid` (its PTEs were released first). */
export function freeTables(pid: i32): void {
  const root = unchecked(pRoot[pid]);
  if (root == 0) return;
  for (let t = 0; t < 1024; t++) {
    const l1 = load<u32>(frameAddr(root) + (<usize>t << 2));
    if ((l1 & PTE_PRESENT) != 0) frameUnref(<i32>(l1 >>> PAGE_SHIFT));
  }
  unchecked(pRoot[pid] = 0);
  frameUnref(root);
  tlbFlush(pid);
}
