// Open handles: one row per TAG_DEV_OPEN, in fixed arrays with a free list
// (an open or a close touches a few words and allocates nothing). Each row
// holds the devmgr's own capability to its endpoint, badged for that row
// (self_endpoint); the client's handle is a copy of it, so revoking the
// devmgr's copy deletes the client's and every copy the client passed on.
// The badge carries a generation, bumped at every close, so a badge that
// names a closed row never matches the row's next open.
import {
  sys, OK, E_NOSPACE, E_STATE, E_REVOKED, CQ_DERIVED, DEVMGR_HANDLES, DEVMGR_CLIENT_HANDLES, DEVMGR_HANDLE_BADGE, DEVMGR_GEN_SHIFT, DEVMGR_REFS_MAX,
} from "../lib";
import { sId, sPresent, sOpens, refTaken, refsDropped } from "./bus";

/**
 * Every handle's capability in the devmgr's space carries this label, so a
 * restarted devmgr finds exactly the ones its predecessor minted (cap_find)
 * and leaves the manifest's grants alone.
 */
export const HANDLE_LABEL = 0x44564831; // "DVH1"

const GEN_MASK = 0xffff; // 16 bits of generation between the index (8 bits) and the handle flag (bit 24)

export const hUsed = new StaticArray<bool>(DEVMGR_HANDLES);
export const hGen = new StaticArray<i32>(DEVMGR_HANDLES);
export const hSlot = new StaticArray<i32>(DEVMGR_HANDLES); // the device's bus slot
export const hId = new StaticArray<i32>(DEVMGR_HANDLES); // the device's id
export const hOwner = new StaticArray<i32>(DEVMGR_HANDLES); // the opener's pid (its capability's badge)
export const hRefs = new StaticArray<i32>(DEVMGR_HANDLES); // power references held through this handle
export const hCap = new StaticArray<i32>(DEVMGR_HANDLES); // the devmgr's badged endpoint capability
export const hOpened = new StaticArray<i64>(DEVMGR_HANDLES); // when it was opened (ns): an end of its owner after it ends it
const freeList = new StaticArray<i32>(DEVMGR_HANDLES);
let freeTop = 0;
export let openCount = 0;

export function handlesInit(): void {
  freeTop = 0;
  openCount = 0;
  for (let h = DEVMGR_HANDLES - 1; h >= 0; h--) {
    unchecked(hUsed[h] = false); unchecked(hGen[h] = 0); unchecked(hCap[h] = -1); unchecked(hRefs[h] = 0);
    unchecked(freeList[freeTop++] = h);
  }
}

@inline export function badgeOf(h: i32): i32 { return DEVMGR_HANDLE_BADGE | (unchecked(hGen[h]) << DEVMGR_GEN_SHIFT) | h; }

@inline export function isHandleBadge(badge: i32): bool { return (badge & DEVMGR_HANDLE_BADGE) != 0; }

/** The row a handle's badge names, or E_REVOKED if it was closed (or never was). */
export function rowOf(badge: i32): i32 {
  const h = badge & ((1 << DEVMGR_GEN_SHIFT) - 1);
  if (h >= DEVMGR_HANDLES || !unchecked(hUsed[h]) || badgeOf(h) != badge) return E_REVOKED;
  return h;
}

/**
 * A new handle on the device in `slot` for `owner`: the row, with its
 * capability ready to go with the reply; E_NOSPACE when every row is taken or
 * this process has no free capability slot.
 */
export function openRow(slot: i32, owner: i32): i32 {
  if (freeTop == 0 || rowsOf(owner) >= DEVMGR_CLIENT_HANDLES) return E_NOSPACE;
  const h = unchecked(freeList[freeTop - 1]);
  const cap = sys.self_endpoint(DEVMGR_HANDLE_BADGE | (unchecked(hGen[h]) << DEVMGR_GEN_SHIFT) | h);
  if (cap < 0) return E_NOSPACE;
  sys.cap_label(cap, HANDLE_LABEL);
  freeTop--;
  unchecked(hUsed[h] = true); unchecked(hSlot[h] = slot); unchecked(hId[h] = unchecked(sId[slot]));
  unchecked(hOwner[h] = owner); unchecked(hRefs[h] = 0); unchecked(hCap[h] = cap); unchecked(hOpened[h] = sys.time());
  unchecked(sOpens[slot] = unchecked(sOpens[slot]) + 1);
  openCount++;
  return h;
}

/** The handles `owner` holds: one client may not take the whole table (DEVMGR_CLIENT_HANDLES). */
function rowsOf(owner: i32): i32 {
  let n = 0;
  for (let h = 0; h < DEVMGR_HANDLES; h++) if (unchecked(hUsed[h]) && unchecked(hOwner[h]) == owner) n++;
  return n;
}

/** Is the device the handle was opened on still in its slot? */
@inline function devicePresent(h: i32): bool {
  const s = unchecked(hSlot[h]);
  return unchecked(sPresent[s]) && unchecked(sId[s]) == unchecked(hId[h]);
}

/**
 * Close row `h`: its references go back to the device (the last one starts
 * the idle delay), every copy of its capability is deleted, and its badge
 * will never be valid again.
 */
export function closeRow(h: i32): void {
  if (devicePresent(h)) {
    const s = unchecked(hSlot[h]);
    refsDropped(s, unchecked(hRefs[h]));
    unchecked(sOpens[s] = unchecked(sOpens[s]) - 1);
  }
  const cap = unchecked(hCap[h]);
  if (cap >= 0) { sys.cap_revoke(cap); sys.cap_delete(cap); }
  unchecked(hUsed[h] = false); unchecked(hRefs[h] = 0); unchecked(hCap[h] = -1);
  unchecked(hGen[h] = (unchecked(hGen[h]) + 1) & GEN_MASK);
  unchecked(freeList[freeTop++] = h);
  openCount--;
}

/** Take a reference through row `h`. */
export function getRef(h: i32): i32 {
  if (!devicePresent(h)) return E_REVOKED; // cannot happen: an unplug closes its rows first
  if (unchecked(hRefs[h]) >= DEVMGR_REFS_MAX) return E_NOSPACE;
  unchecked(hRefs[h] = unchecked(hRefs[h]) + 1);
  refTaken(unchecked(hSlot[h]));
  return OK;
}

/** Drop a reference through row `h`: E_STATE if it holds none (a put is never below zero). */
export function putRef(h: i32): i32 {
  if (!devicePresent(h)) return E_REVOKED;
  if (unchecked(hRefs[h]) == 0) return E_STATE;
  unchecked(hRefs[h] = unchecked(hRefs[h]) - 1);
  refsDropped(unchecked(hSlot[h]), 1);
  return OK;
}

/** Close every row `owner` opened (a crash, an exit, TAG_DEV_RELEASE_ALL): how many. */
export function closeOwner(owner: i32): i32 {
  let n = 0;
  for (let h = 0; h < DEVMGR_HANDLES; h++) if (unchecked(hUsed[h]) && unchecked(hOwner[h]) == owner) { closeRow(h); n++; }
  return n;
}

/** Close every row on device `id` (it was unplugged): how many. */
export function closeDevice(id: i32): i32 {
  let n = 0;
  for (let h = 0; h < DEVMGR_HANDLES; h++) if (unchecked(hUsed[h]) && unchecked(hId[h]) == id) { closeRow(h); n++; }
  return n;
}

/**
 * Close every row whose handle no process holds any more: the client's copy
 * (and every copy it passed on) derives from the devmgr's, so a row with
 * nothing derived is one whose copies were all deleted (dropped without a
 * close, or their holders' pids freed). How many were closed (their
 * references released).
 */
export function sweepHandles(): i32 {
  let n = 0;
  for (let h = 0; h < DEVMGR_HANDLES; h++) {
    if (!unchecked(hUsed[h]) || sys.cap_query(unchecked(hCap[h]), CQ_DERIVED) != 0) continue;
    closeRow(h);
    n++;
  }
  return n;
}

/** The earliest open among `owner`'s rows (ns), or -1 if it has none. */
export function firstOpenOf(owner: i32): i64 {
  let t: i64 = -1;
  for (let h = 0; h < DEVMGR_HANDLES; h++) {
    if (unchecked(hUsed[h]) && unchecked(hOwner[h]) == owner && (t < 0 || unchecked(hOpened[h]) < t)) t = unchecked(hOpened[h]);
  }
  return t;
}
