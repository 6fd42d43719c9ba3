// The allocation protocol (TAG_MEM_*, TAG_ASSOC_*; kernel/abi.ts): every
// request names the caller by its badge, and a handle answers only to the
// client that got it.
import {
  sys, arg, reply, keepCap, OK, E_ARG, E_NOMEM, E_RIGHTS, E_BADSLOT, PAGE_SIZE, ST_FREE_FRAMES, ST_TOTAL_FRAMES,
  MEMTYPE_CLASSICAL, MEMTYPE_ASSOCIATIVE, MEMTYPE_QUANTUM, MEMKIND_ARENA, MEMKIND_OBJECT, MEMKIND_STORE, MEMKIND_QUBITS,
  MEM_CLIENT_QUOTA, MEM_SMALL_MAX, MAX_OBJECT_PAGES, K_ENDPOINT,
  TAG_MEM_ALLOC, TAG_MEM_RELEASE, TAG_MEM_SHARE, TAG_MEM_PROTECT, TAG_MEM_STATUS, TAG_MEM_RECLAIMABLE,
  TAG_ASSOC_PUT, TAG_ASSOC_GET, TAG_ASSOC_DEL, TAG_ASSOC_FIND, VM_READ, VM_WRITE,
} from "../../lib";
import { handlesInit, newHandle, owns, dropHandle, hKind, hOffset, hSize, hSlot } from "./handles";
import { clientsInit, validClient, chargeClient, cPages, cArena, cReclaim, fits } from "./clients";
import { classOf, classBytes, chunkAlloc, chunkFree, arenaReset } from "./arena";
import { objectAlloc, objectRelease, objectShare, objectProtect, ensureArena, createFor, pagesFor } from "./objects";
import { storesInit, storeOpen, storeClose, put, get, del, find, validStore } from "./assoc";
import { qubitsAlloc, qubitsFree, qubitsAvailable } from "./quantum";
import { checkPressure, noteRelease, reclaimedPages } from "./pressure";
import { flushDeferred } from "./deferred";

export function allocInit(): void {
  handlesInit();
  clientsInit();
  storesInit();
  for (let p = 0; p < 64; p++) arenaReset(p);
}

/** Is `tag` one of the allocation protocol's? */
@inline export function isAllocTag(tag: i32): bool {
  return (tag >= TAG_MEM_ALLOC && tag <= TAG_MEM_RECLAIMABLE) || (tag >= TAG_ASSOC_PUT && tag <= TAG_ASSOC_FIND);
}

export function handleAlloc(badge: i32, tag: i32): i32 {
  flushDeferred();
  if (!validClient(badge)) return E_RIGHTS;
  switch (tag) {
    case TAG_MEM_ALLOC: return alloc(badge, arg(0), <i32>arg(1));
    case TAG_MEM_RELEASE: return release(badge, arg(0));
    case TAG_MEM_SHARE: return owns(badge, arg(0)) ? objectShare(<i32>arg(0), <i32>arg(1)) : E_BADSLOT;
    case TAG_MEM_PROTECT: return owns(badge, arg(0)) ? objectProtect(<i32>arg(0), <i32>arg(1)) : E_BADSLOT;
    case TAG_MEM_STATUS: return status(badge);
    case TAG_MEM_RECLAIMABLE: return reclaimable(badge);
  }
  const h = arg(0);
  if (!owns(badge, h) || unchecked(hKind[<i32>h]) != MEMKIND_STORE) return E_BADSLOT;
  const s = unchecked(hOffset[<i32>h]);
  if (!validStore(s)) return E_BADSLOT;
  switch (tag) {
    case TAG_ASSOC_PUT: return put(s, arg(1), arg(2), arg(3), arg(4), arg(5));
    case TAG_ASSOC_GET: return get(s, arg(1), arg(2));
    case TAG_ASSOC_DEL: return del(s, arg(1), arg(2));
    case TAG_ASSOC_FIND: return find(s, arg(1), arg(2), arg(3));
  }
  return E_ARG;
}

function alloc(badge: i32, raw: i64, type: i32): i32 {
  if (raw <= 0 || raw > <i64>MAX_OBJECT_PAGES * PAGE_SIZE) return E_ARG;
  const bytes = <i32>raw;
  // A chunk of an arena the client has already moves no page, so, as when one
  // is released, there is no pressure to check (two syscalls fewer on the usual request).
  if (type == MEMTYPE_CLASSICAL && bytes <= MEM_SMALL_MAX && unchecked(cArena[badge]) >= 0) return small(badge, bytes);
  let r: i32;
  if (type == MEMTYPE_CLASSICAL) r = bytes <= MEM_SMALL_MAX ? small(badge, bytes) : objectAlloc(badge, bytes);
  else if (type == MEMTYPE_ASSOCIATIVE) r = associative(badge, bytes);
  else if (type == MEMTYPE_QUANTUM) r = qubits(badge, bytes);
  else return E_ARG;
  if (r == OK && type != MEMTYPE_QUANTUM) checkPressure();
  return r;
}

/** A chunk of the client's arena; the arena's capability comes along the first time. */
function small(badge: i32, bytes: i32): i32 {
  const made = ensureArena(badge, false);
  if (made < 0) return made;
  const c = classOf(bytes);
  const off = chunkAlloc(badge, c);
  if (off < 0) return E_NOMEM;
  const h = newHandle(badge, MEMKIND_ARENA, off, classBytes(c), -1, 0);
  if (h == 0) { chunkFree(badge, c, off); return E_NOMEM; }
  reply(h, off, classBytes(c), MEMKIND_ARENA);
  return OK;
}

function associative(badge: i32, bytes: i32): i32 {
  const pages = pagesFor(bytes);
  const slot = createFor(badge, pages);
  if (slot < 0) return slot;
  const s = storeOpen(slot, pages);
  if (s < 0) { sys.cap_delete(slot); chargeClient(badge, -pages); return s; }
  const h = newHandle(badge, MEMKIND_STORE, s, pages * PAGE_SIZE / 64, slot, 0);
  if (h == 0) { storeClose(s); sys.cap_delete(slot); chargeClient(badge, -pages); return E_NOMEM; }
  reply(h, 0, pages * PAGE_SIZE / 64, MEMKIND_STORE);
  return OK;
}

function qubits(badge: i32, n: i32): i32 {
  const first = qubitsAlloc(n);
  if (first < 0) return E_NOMEM;
  const h = newHandle(badge, MEMKIND_QUBITS, first, n, -1, 0);
  if (h == 0) { qubitsFree(first, n); return E_NOMEM; }
  reply(h, first, n, MEMKIND_QUBITS);
  return OK;
}

function release(badge: i32, raw: i64): i32 {
  if (!owns(badge, raw)) return E_BADSLOT;
  const h = <i32>raw;
  const kind = unchecked(hKind[h]);
  let pages = 0;
  if (kind == MEMKIND_ARENA) {
    chunkFree(badge, classOf(unchecked(hSize[h])), unchecked(hOffset[h]));
    dropHandle(h);
  } else if (kind == MEMKIND_OBJECT) {
    pages = unchecked(hSize[h]) / PAGE_SIZE;
    objectRelease(badge, h);
  } else if (kind == MEMKIND_STORE) {
    pages = unchecked(hSize[h]) * 64 / PAGE_SIZE;
    storeClose(unchecked(hOffset[h]));
    sys.cap_delete(unchecked(hSlot[h]));
    chargeClient(badge, -pages);
    dropHandle(h);
  } else {
    qubitsFree(unchecked(hOffset[h]), unchecked(hSize[h]));
    dropHandle(h);
  }
  noteRelease(badge, pages);
  if (pages > 0) checkPressure();
  return OK;
}

function status(badge: i32): i32 {
  reply(sys.stats(ST_FREE_FRAMES), sys.stats(ST_TOTAL_FRAMES), unchecked(cPages[badge]), MEM_CLIENT_QUOTA,
    reclaimedPages(), qubitsAvailable());
  return OK;
}

/** The endpoint capability that came with the call is where reclaim requests go. */
function reclaimable(badge: i32): i32 {
  const slot = sys.msg_cap();
  if (slot < 0) return E_ARG;
  if ((sys.cap_info(slot) & 0xff) != K_ENDPOINT) return E_ARG; // rearmCap deletes what is not kept
  keepCap();
  const old = unchecked(cReclaim[badge]);
  if (old >= 0) sys.cap_delete(old);
  unchecked(cReclaim[badge] = slot);
  return OK;
}

