// Allocations with a memory object of their own: classical requests above
// MEM_SMALL_MAX, and the clients' arenas. The manager keeps the object's
// original capability; the client gets one derived from it in the reply, so
// release (a revoke of the original) takes the object from every holder.
import {
  sys, OK, E_ARG, E_RIGHTS, E_NOMEM, VM_READ, VM_WRITE, R_READ, R_WRITE, R_GRANT, PAGE_SIZE, MEMKIND_OBJECT,
  MEM_ARENA_PAGES,
} from "../../lib";
import { newHandle, hSlot, hKind, hSize, hRights, dropHandle } from "./handles";
import { fits, chargeClient, cArena } from "./clients";
import { deferDelete } from "./deferred";

@inline export function pagesFor(bytes: i32): i32 { return (bytes + PAGE_SIZE - 1) / PAGE_SIZE; }

/** A new object of `pages` charged to the client; the manager's slot, or an error. */
export function createFor(badge: i32, pages: i32): i32 {
  if (!fits(badge, pages)) return E_NOMEM;
  const slot = sys.mem_create(pages);
  if (slot < 0) return slot;
  chargeClient(badge, pages);
  return slot;
}

/** Give the client a capability to `slot` in this call's reply. */
function handOver(slot: i32, rights: i32): i32 {
  const d = sys.cap_derive(slot, rights, 0);
  if (d < 0) return d;
  deferDelete(d); // the reply copies it when the handler returns; the copy stays revocable through `slot`
  return sys.reply_cap(d);
}

export function objectAlloc(badge: i32, bytes: i32): i32 {
  const pages = pagesFor(bytes);
  const slot = createFor(badge, pages);
  if (slot < 0) return slot;
  const h = newHandle(badge, MEMKIND_OBJECT, 0, pages * PAGE_SIZE, slot, VM_READ | VM_WRITE);
  if (h == 0) { release(slot, badge, pages); return E_NOMEM; }
  const r = handOver(slot, R_READ | R_WRITE | R_GRANT);
  // A client that armed no slot for the capability (E_NORECV) could never use the object: undo it.
  if (r < 0) { objectRelease(badge, h); return r; }
  sys.reply(h, 0, pages * PAGE_SIZE, MEMKIND_OBJECT, 0, 0);
  return OK;
}

/** The client's arena (made on first use) comes with this reply; false if it cannot be made. */
export function ensureArena(badge: i32, giveCap: bool): i32 {
  let slot = unchecked(cArena[badge]);
  if (slot < 0) {
    slot = createFor(badge, MEM_ARENA_PAGES);
    if (slot < 0) return slot;
    // The client must take the arena's capability now (it armed a slot), or it gets no arena.
    const r = handOver(slot, R_READ | R_WRITE);
    if (r < 0) { release(slot, badge, MEM_ARENA_PAGES); return r; }
    unchecked(cArena[badge] = slot);
    return OK;
  }
  return giveCap ? handOver(slot, R_READ | R_WRITE) : OK;
}

function release(slot: i32, badge: i32, pages: i32): void {
  sys.cap_revoke(slot);
  sys.cap_delete(slot);
  chargeClient(badge, -pages);
}

export function objectRelease(badge: i32, h: i32): i32 {
  release(unchecked(hSlot[h]), badge, unchecked(hSize[h]) / PAGE_SIZE);
  dropHandle(h);
  return OK;
}

/** A capability to the object for someone else, with at most the rights the owner allows. */
export function objectShare(h: i32, rights: i32): i32 {
  if (unchecked(hKind[h]) != MEMKIND_OBJECT) return E_ARG;
  if (rights == 0 || (rights & ~(VM_READ | VM_WRITE)) != 0) return E_ARG;
  if ((rights & ~unchecked(hRights[h])) != 0) return E_RIGHTS;
  const caps = ((rights & VM_READ) != 0 ? R_READ : 0) | ((rights & VM_WRITE) != 0 ? R_WRITE : 0) | R_GRANT;
  const r = handOver(unchecked(hSlot[h]), caps);
  return r < 0 ? r : OK;
}

/** The rights later shares of the object may carry. */
export function objectProtect(h: i32, rights: i32): i32 {
  if (unchecked(hKind[h]) != MEMKIND_OBJECT) return E_ARG;
  if ((rights & ~(VM_READ | VM_WRITE)) != 0) return E_ARG;
  unchecked(hRights[h] = rights);
  return OK;
}
