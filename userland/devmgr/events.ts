// Hot-plug events: a ring of the last DEVMGR_EVENTS, each with the bus's
// sequence number, which TAG_DEV_EVENTS reads from any point (a reader that
// fell behind the ring is told how many it missed); sends of TAG_DEV_EVENT to
// subscribers (a send that finds the queue full is counted and reported with
// the next one that goes through); and waits for a device to be present.
import {
  sys, OK, E_NOSPACE, E_REVOKED, E_BADSLOT, CSPACE_SLOTS, DEVMGR_EVENTS, DEVMGR_SUBSCRIBERS, DEVMGR_WAITERS, DEVMGR_CLIENT_SUBSCRIBERS,
  DEVMGR_CLIENT_WAITERS, DEVEV_PLUG,
  TAG_DEV_EVENT, TAG_DEV_PRESENT, TAG_DEV_BOUND, BUS_SLOT_COUNT,
} from "../lib";
import { sPresent, sType, sId } from "./bus";
import { sDriver, driverOf } from "./drivers";

const eSeq = new StaticArray<i32>(DEVMGR_EVENTS);
const eKind = new StaticArray<i32>(DEVMGR_EVENTS);
const eSlot = new StaticArray<i32>(DEVMGR_EVENTS);
const eType = new StaticArray<i32>(DEVMGR_EVENTS);
const eId = new StaticArray<i32>(DEVMGR_EVENTS);
let eCount = 0; // events recorded since start (the ring holds the last DEVMGR_EVENTS)

const subCap = new StaticArray<i32>(DEVMGR_SUBSCRIBERS); // -1: free
const subMissed = new StaticArray<i32>(DEVMGR_SUBSCRIBERS);
const subOwner = new StaticArray<i32>(DEVMGR_SUBSCRIBERS); // the subscriber's pid: its subscription ends with it
const waitCap = new StaticArray<i32>(DEVMGR_WAITERS); // -1: free
const waitType = new StaticArray<i32>(DEVMGR_WAITERS);
const waitId = new StaticArray<i32>(DEVMGR_WAITERS);
const waitOwner = new StaticArray<i32>(DEVMGR_WAITERS);
const waitBound = new StaticArray<bool>(DEVMGR_WAITERS); // answered when the device is bound, not just present

/**
 * Subscribers' and waiters' endpoints carry a label of their own row,
 * PEER_LABEL + row (waiters' rows after the subscribers'). A client's
 * endpoint in the devmgr's space is a copy derived from the client's own, so
 * the kernel deletes it when the client goes; the slot may then hold the next
 * capability received. A row uses or deletes its slot only while the slot
 * still carries the row's label, and a restarted devmgr deletes every slot
 * labelled in that range.
 */
export const PEER_LABEL = 0x44565000; // "DVP" + row
const PEER_ROWS = DEVMGR_SUBSCRIBERS + DEVMGR_WAITERS;
@inline function subLabel(i: i32): i32 { return PEER_LABEL + i; }
@inline function waitLabel(i: i32): i32 { return PEER_LABEL + DEVMGR_SUBSCRIBERS + i; }

/** Whether `cap` still holds the endpoint the row labelled `label` was given. */
@inline function held(cap: i32, label: i32): bool { return cap >= 0 && sys.cap_find(label) == cap; }

/** Delete a row's endpoint, if its slot still holds it. */
function release(cap: i32, label: i32): void { if (held(cap, label)) sys.cap_delete(cap); }

/** A restarted devmgr: delete every endpoint its predecessor kept for subscribers and waiters. */
export function forgetPeers(): void {
  for (let l = 0; l < PEER_ROWS; l++) {
    for (let s = sys.cap_find(PEER_LABEL + l), n = 0; s >= 0 && n < CSPACE_SLOTS; s = sys.cap_find(PEER_LABEL + l), n++) sys.cap_delete(s);
  }
}

export function eventsInit(): void {
  eCount = 0;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) unchecked(subCap[i] = -1);
  for (let i = 0; i < DEVMGR_WAITERS; i++) unchecked(waitCap[i] = -1);
}

/** Record an event, send it to every subscriber, and answer the waits it satisfies. */
export function publish(seq: i32, kind: i32, slot: i32, type: i32, id: i32): void {
  const k = eCount % DEVMGR_EVENTS;
  unchecked(eSeq[k] = seq); unchecked(eKind[k] = kind); unchecked(eSlot[k] = slot); unchecked(eType[k] = type); unchecked(eId[k] = id);
  eCount++;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) {
    const cap = unchecked(subCap[i]);
    if (cap < 0) continue;
    if (!held(cap, subLabel(i))) { unchecked(subCap[i] = -1); continue; } // its owner went: the kernel deleted the copy
    const r = sys.send(cap, TAG_DEV_EVENT, seq, kind, slot, type, id, unchecked(subMissed[i]));
    if (r == OK) unchecked(subMissed[i] = 0);
    else if (r == E_REVOKED || r == E_BADSLOT) { sys.cap_delete(cap); unchecked(subCap[i] = -1); } // its endpoint is gone for good
    else unchecked(subMissed[i] = unchecked(subMissed[i]) + 1); // a full queue, or it is down: it hears how many later
  }
  if (kind != DEVEV_PLUG) return;
  for (let i = 0; i < DEVMGR_WAITERS; i++) {
    const cap = unchecked(waitCap[i]);
    if (cap < 0 || unchecked(waitBound[i]) || !matches(unchecked(waitType[i]), unchecked(waitId[i]), type, id)) continue;
    if (held(cap, waitLabel(i))) { sys.send(cap, TAG_DEV_PRESENT, id, slot, type, seq, 0, 0); sys.cap_delete(cap); }
    unchecked(waitCap[i] = -1);
  }
}

@inline function matches(wantType: i64, wantId: i64, type: i32, id: i32): bool {
  return (wantType == 0 || wantType == type) && (wantId == 0 || wantId == id);
}

/** TAG_DEV_EVENTS: the first event after `after`, with how many after it are no longer kept. */
export function eventAfter(after: i64): i32 {
  const oldest = eCount > DEVMGR_EVENTS ? eCount - DEVMGR_EVENTS : 0;
  for (let n = oldest; n < eCount; n++) {
    const k = n % DEVMGR_EVENTS;
    const seq = unchecked(eSeq[k]);
    if (<i64>seq <= after) continue;
    const missed = after < 0 ? 0 : <i64>seq - after - 1;
    sys.reply(seq, unchecked(eKind[k]), unchecked(eSlot[k]), unchecked(eType[k]), unchecked(eId[k]), missed);
    return OK;
  }
  sys.reply(0, 0, 0, 0, 0, 0);
  return OK;
}

/** TAG_DEV_SUBSCRIBE: keep the endpoint that came with the call. */
export function subscribe(cap: i32, owner: i32): i32 {
  let mine = 0;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) if (unchecked(subCap[i]) >= 0 && unchecked(subOwner[i]) == owner) mine++;
  if (mine >= DEVMGR_CLIENT_SUBSCRIBERS) return E_NOSPACE;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) {
    if (unchecked(subCap[i]) >= 0) continue;
    unchecked(subCap[i] = cap); unchecked(subMissed[i] = 0); unchecked(subOwner[i] = owner);
    sys.cap_label(cap, subLabel(i));
    return OK;
  }
  return E_NOSPACE;
}

/** The device in `slot` was bound to a driver: answer the waits for it (TAG_DEV_WAIT_BOUND). */
export function bound(slot: i32): void {
  const type = unchecked(sType[slot]), id = unchecked(sId[slot]);
  for (let i = 0; i < DEVMGR_WAITERS; i++) {
    const cap = unchecked(waitCap[i]);
    if (cap < 0 || !unchecked(waitBound[i]) || !matches(unchecked(waitType[i]), unchecked(waitId[i]), type, id)) continue;
    if (held(cap, waitLabel(i))) { sys.send(cap, TAG_DEV_BOUND, id, slot, type, driverOf(slot), 0, 0); sys.cap_delete(cap); }
    unchecked(waitCap[i] = -1);
  }
}

/**
 * TAG_DEV_WAIT (TAG_DEV_WAIT_BOUND with `isBound`): the slot of a present
 * (and bound) device matching (type, id), or -1.
 */
export function presentMatch(type: i64, id: i64, isBound: bool = false): i32 {
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    if (!unchecked(sPresent[s]) || !matches(type, id, unchecked(sType[s]), unchecked(sId[s]))) continue;
    if (!isBound || unchecked(sDriver[s]) >= 0) return s;
  }
  return -1;
}

/** Keep a wait whose answer is a send to `cap` (E_NOSPACE when every wait is taken). */
export function addWait(type: i64, id: i64, cap: i32, owner: i32, isBound: bool = false): i32 {
  let mine = 0;
  for (let i = 0; i < DEVMGR_WAITERS; i++) if (unchecked(waitCap[i]) >= 0 && unchecked(waitOwner[i]) == owner) mine++;
  if (mine >= DEVMGR_CLIENT_WAITERS) return E_NOSPACE;
  for (let i = 0; i < DEVMGR_WAITERS; i++) {
    if (unchecked(waitCap[i]) >= 0) continue;
    unchecked(waitCap[i] = cap); unchecked(waitType[i] = <i32>type); unchecked(waitId[i] = <i32>id); unchecked(waitOwner[i] = owner);
    unchecked(waitBound[i] = isBound);
    sys.cap_label(cap, waitLabel(i));
    return OK;
  }
  return E_NOSPACE;
}

/** A client went away (or asked): its subscriptions and waits end, their capabilities deleted. How many. */
export function dropOwner(owner: i32): i32 {
  let n = 0;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) {
    if (unchecked(subCap[i]) < 0 || unchecked(subOwner[i]) != owner) continue;
    release(unchecked(subCap[i]), subLabel(i)); unchecked(subCap[i] = -1); n++;
  }
  for (let i = 0; i < DEVMGR_WAITERS; i++) {
    if (unchecked(waitCap[i]) < 0 || unchecked(waitOwner[i]) != owner) continue;
    release(unchecked(waitCap[i]), waitLabel(i)); unchecked(waitCap[i] = -1); n++;
  }
  return n;
}

/**
 * Forget every subscription and wait whose endpoint the kernel has deleted
 * (its owner went; its slot may hold another capability by now): the sweep
 * after a service event was lost. How many.
 */
export function sweepPeers(): i32 {
  let n = 0;
  for (let i = 0; i < DEVMGR_SUBSCRIBERS; i++) {
    if (unchecked(subCap[i]) >= 0 && !held(unchecked(subCap[i]), subLabel(i))) { unchecked(subCap[i] = -1); n++; }
  }
  for (let i = 0; i < DEVMGR_WAITERS; i++) {
    if (unchecked(waitCap[i]) >= 0 && !held(unchecked(waitCap[i]), waitLabel(i))) { unchecked(waitCap[i] = -1); n++; }
  }
  return n;
}
