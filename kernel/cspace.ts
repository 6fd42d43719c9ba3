// Capability spaces. Every process has CSPACE_SLOTS slots; a slot holds
// (kind, rights, target pid + generation, badge, label). Slot g of the whole
// machine is pid * CSPACE_SLOTS + slot. Capabilities form a derivation tree
// (parent / first child / siblings) so that revoke reaches everything derived
// from a capability, however it was passed on.
import {
  CSPACE_SLOTS, MAX_PROCS, K_NONE, K_ENDPOINT, K_NOTIFY, K_PROCESS, K_MEMORY, K_IRQ, R_ALL, RECV_ANY, RECV_NONE,
  OK, E_BADSLOT, E_KIND, E_RIGHTS, E_REVOKED, E_NOSPACE, E_STATE, E_NORECV,
} from "./abi";
import { pGen, pCtl } from "./proc";
import { mayBeFree } from "./lifecycle";
import { memCapAdded, memCapRemoved } from "./memobj";
import { irqCapRemoved } from "./irq";
import { charge } from "./cpu";
import { table } from "./table";

const N = MAX_PROCS * CSPACE_SLOTS;
const cKind = table<i32>(N); // K_NONE: empty
const cRights = table<i32>(N);
const cTarget = table<i32>(N);
const cGen = table<i32>(N);
const cBadge = table<i32>(N);
const cLabel = table<i32>(N);
const cParent = table<i32>(N);
const cFirst = table<i32>(N);
const cNext = table<i32>(N);
const cPrev = table<i32>(N);
// Per process: the empty slot it armed with cap_recv for the next capability
// transferred to it, or -1. The slot is reserved: freeSlot never hands it out,
// so nothing but that transfer fills it.
const cRecv = table<i32>(MAX_PROCS);

// Every slot starts empty (K_NONE is 0, and the tables start zeroed: table.ts).
// An empty slot's links are never read (install sets them all), so they are
// not set here: touching 16 384 slots' links at boot faulted in pages that
// most processes never use.
export function cspaceInit(): void {
  for (let p = 0; p < MAX_PROCS; p++) unchecked(cRecv[p] = -1);
}

@inline function pidBacked(kind: i32): bool {
  return kind == K_ENDPOINT || kind == K_NOTIFY || kind == K_PROCESS;
}

/**
 * The machine-wide index of `pid`'s slot `slot` if it holds a capability of
 * `kind` with every right in `rights`; otherwise the error. The only gate
 * between a slot number a process names and the object behind it.
 */
export function lookup(pid: i32, slot: i32, kind: i32, rights: i32): i32 { return lookupInline(pid, slot, kind, rights); }

/** lookup, written into its caller: for the message path (call, send) only, so the rest of the kernel stays small. */
@inline export function lookupInline(pid: i32, slot: i32, kind: i32, rights: i32): i32 {
  if (<u32>slot >= <u32>CSPACE_SLOTS) return E_BADSLOT;
  const g = pid * CSPACE_SLOTS + slot;
  const k = unchecked(cKind[g]);
  if (k == K_NONE) return E_BADSLOT;
  if (k != kind) return E_KIND;
  if ((unchecked(cRights[g]) & rights) != rights) return E_RIGHTS;
  if (pidBacked(k) && unchecked(pGen[unchecked(cTarget[g])]) != unchecked(cGen[g])) return E_REVOKED;
  return g;
}

/** Like lookup, for any kind. */
export function lookupAny(pid: i32, slot: i32): i32 {
  if (<u32>slot >= <u32>CSPACE_SLOTS) return E_BADSLOT;
  const g = pid * CSPACE_SLOTS + slot;
  if (unchecked(cKind[g]) == K_NONE) return E_BADSLOT;
  return g;
}

@inline export function capKind(g: i32): i32 { return unchecked(cKind[g]); }
@inline export function capRights(g: i32): i32 { return unchecked(cRights[g]); }
@inline export function capTarget(g: i32): i32 { return unchecked(cTarget[g]); }
@inline export function capBadge(g: i32): i32 { return unchecked(cBadge[g]); }
@inline export function capLabel(g: i32): i32 { return unchecked(cLabel[g]); }
/** Whether a capability derived from `g` exists (deleting one moves its children up, so a first child is enough). */
@inline export function hasDerived(g: i32): bool { return unchecked(cFirst[g]) >= 0; }
export function setLabel(g: i32, label: i32): void { unchecked(cLabel[g] = label); }

/** The lowest empty slot of `pid` other than its armed receive slot, or E_NOSPACE. */
export function freeSlot(pid: i32): i32 {
  const base = pid * CSPACE_SLOTS;
  const armed = unchecked(cRecv[pid]);
  for (let s = 0; s < CSPACE_SLOTS; s++) if (unchecked(cKind[base + s]) == K_NONE && s != armed) return s;
  return E_NOSPACE;
}

/**
 * Arm `slot` of `pid` to receive the next capability transferred to it:
 * RECV_ANY picks the lowest free slot, -1 disarms. The slot armed (OK when
 * disarming); E_BADSLOT out of range, E_STATE if it holds a capability,
 * E_NOSPACE if RECV_ANY finds no free slot.
 */
export function armRecv(pid: i32, slot: i32): i32 {
  if (slot == RECV_NONE) { unchecked(cRecv[pid] = -1); return OK; }
  if (slot == RECV_ANY) {
    const old = unchecked(cRecv[pid]);
    unchecked(cRecv[pid] = -1); // the slot armed before may be picked again
    slot = freeSlot(pid);
    if (slot < 0) { unchecked(cRecv[pid] = old); return slot; }
  } else {
    if (<u32>slot >= <u32>CSPACE_SLOTS) return E_BADSLOT;
    if (unchecked(cKind[pid * CSPACE_SLOTS + slot]) != K_NONE) return E_STATE;
  }
  unchecked(cRecv[pid] = slot);
  return slot;
}

/** The slot `pid` armed if it is still empty (it takes the next transfer), or E_NORECV. */
export function recvSlot(pid: i32): i32 {
  const s = unchecked(cRecv[pid]);
  if (s < 0 || unchecked(cKind[pid * CSPACE_SLOTS + s]) != K_NONE) return E_NORECV;
  return s;
}

/** Put a new capability in `pid`'s slot `slot`, as a child of `parent` (-1: a root). */
export function install(pid: i32, slot: i32, kind: i32, rights: i32, target: i32, badge: i32, label: i32, parent: i32): i32 {
  const g = pid * CSPACE_SLOTS + slot;
  unchecked(cKind[g] = kind);
  unchecked(cRights[g] = rights);
  unchecked(cTarget[g] = target);
  unchecked(cGen[g] = pidBacked(kind) ? unchecked(pGen[target]) : 0);
  unchecked(cBadge[g] = badge);
  unchecked(cLabel[g] = label);
  unchecked(cFirst[g] = -1);
  link(g, parent);
  if (kind == K_MEMORY) memCapAdded(target);
  if (kind == K_PROCESS && target != pid) unchecked(pCtl[target] = unchecked(pCtl[target]) + 1);
  return g;
}

/** A copy of capability `src` into a free slot of `pid`, derived from it. */
export function copyTo(src: i32, pid: i32, rights: i32, badge: i32, label: i32): i32 {
  const s = freeSlot(pid);
  if (s < 0) return s;
  copyInto(src, pid, s, rights, badge, label);
  return s;
}

/**
 * Deliver a transferred capability: a copy of `src` (same rights and badge)
 * into the slot `pid` armed, which it consumes. The slot, or E_NORECV when
 * `pid` armed none or it is no longer empty: then nothing is copied.
 */
export function receive(src: i32, pid: i32): i32 {
  const s = recvSlot(pid);
  if (s < 0) return s;
  unchecked(cRecv[pid] = -1);
  copyInto(src, pid, s, R_ALL, unchecked(cBadge[src]), 0);
  return s;
}

/** A copy of capability `src` into the empty slot `slot` of `pid`, derived from it. */
function copyInto(src: i32, pid: i32, slot: i32, rights: i32, badge: i32, label: i32): void {
  const g = install(pid, slot, unchecked(cKind[src]), unchecked(cRights[src]) & rights, unchecked(cTarget[src]), badge, label, src);
  inheritGeneration(g, src);
}

/** A copy names the same object generation as its source: copying never revives a stale capability. */
export function inheritGeneration(g: i32, src: i32): void { unchecked(cGen[g] = unchecked(cGen[src])); }

function link(g: i32, parent: i32): void {
  unchecked(cParent[g] = parent);
  unchecked(cPrev[g] = -1);
  if (parent < 0) { unchecked(cNext[g] = -1); return; }
  const first = unchecked(cFirst[parent]);
  unchecked(cNext[g] = first);
  if (first >= 0) unchecked(cPrev[first] = g);
  unchecked(cFirst[parent] = g);
}

function unlink(g: i32): void {
  const p = unchecked(cParent[g]), prev = unchecked(cPrev[g]), next = unchecked(cNext[g]);
  if (prev >= 0) unchecked(cNext[prev] = next);
  else if (p >= 0) unchecked(cFirst[p] = next);
  if (next >= 0) unchecked(cPrev[next] = prev);
  unchecked(cParent[g] = -1); unchecked(cPrev[g] = -1); unchecked(cNext[g] = -1);
}

/**
 * Delete one capability. Its children move up to its parent, so a later
 * revoke of an ancestor still reaches them. Returns how many moved: work that
 * grows with the tree, which cap_delete charges to its caller.
 */
export function remove(g: i32): i32 {
  const parent = unchecked(cParent[g]);
  let c = unchecked(cFirst[g]), moved = 0;
  while (c >= 0) {
    const next = unchecked(cNext[c]);
    unlink(c);
    link(c, parent);
    c = next;
    moved++;
  }
  unchecked(cFirst[g] = -1);
  unlink(g);
  const kind = unchecked(cKind[g]);
  unchecked(cKind[g] = K_NONE);
  const target = unchecked(cTarget[g]);
  // A memory capability takes its mappings with it (and the object, if it was the last).
  if (kind == K_MEMORY) memCapRemoved(g, target);
  // An interrupt capability takes its holder's binding of the line with it.
  if (kind == K_IRQ) irqCapRemoved(g / CSPACE_SLOTS, unchecked(cBadge[g]));
  // The last hold on a process: it may be freed (lifecycle.ts), once this syscall is done.
  if (kind == K_PROCESS && target != g / CSPACE_SLOTS) {
    const n = unchecked(pCtl[target]) - 1;
    unchecked(pCtl[target] = n);
    if (n == 0) mayBeFree(target);
  }
  unchecked(cRights[g] = 0);
  unchecked(cBadge[g] = 0);
  unchecked(cLabel[g] = 0);
  return moved;
}

/**
 * Delete every capability derived from `g` (not `g` itself); returns how many.
 * Depth first, stepping back to a deleted leaf's parent rather than starting
 * again from `g`: each capability is passed at most twice however deep the
 * tree (starting again made a chain quadratic: 128 million steps for one
 * through every slot). cap_revoke charges the count to its caller.
 */
export function revoke(g: i32): i32 {
  let n = 0, c = g;
  while (true) {
    const first = unchecked(cFirst[c]);
    if (first >= 0) { c = first; continue; }
    if (c == g) break;
    const up = unchecked(cParent[c]);
    remove(c);
    n++;
    c = up;
  }
  return n;
}

/**
 * Empty every slot of `pid`, which is being freed, with everything derived
 * from them: a capability the process handed on (a badge naming its pid
 * among them) must not outlive it into the next process given the pid.
 */
export function clearCspace(pid: i32): void {
  unchecked(cRecv[pid] = -1);
  const base = pid * CSPACE_SLOTS;
  // One unit per capability deleted, as cap_revoke: the caller pays (lifecycle.ts).
  for (let g = base; g < base + CSPACE_SLOTS; g++) if (unchecked(cKind[g]) != K_NONE) { charge(revoke(g) + 1); remove(g); }
}

/** Every slot of the machine is visited: one unit each, charged to the caller (stats(ST_FREE_SLOTS)). */
export function freeSlotsTotal(): i32 {
  charge(N);
  let n = 0;
  for (let g = 0; g < N; g++) if (unchecked(cKind[g]) == K_NONE) n++;
  return n;
}

export function findLabel(pid: i32, label: i32): i32 {
  const base = pid * CSPACE_SLOTS;
  for (let s = 0; s < CSPACE_SLOTS; s++) {
    const g = base + s;
    if (unchecked(cKind[g]) != K_NONE && unchecked(cLabel[g]) == label) return s;
  }
  return E_BADSLOT;
}
