// Capability syscalls on a process's own capability space.
import { K_NOTIFY, K_ENDPOINT, K_PROCESS, CQ_TARGET, CQ_DERIVED, E_ARG, E_RIGHTS, OK, R_SIGNAL, PS_RUNNING, PS_CREATED, PS_STARTING, E_DEAD } from "./abi";
import { current, pState } from "./proc";
import {
  lookup, lookupAny, freeSlot, install, remove, revoke, capKind, capRights, capTarget, capBadge, capLabel,
  setLabel, findLabel, inheritGeneration, hasDerived,
} from "./cspace";
import { raiseBits } from "./notify";
import { charge } from "./cpu";
import { reapOrphans } from "./lifecycle";
import { deviceDerive } from "./device";

/**
 * A new capability in the caller's space derived from `slot`, with the rights
 * of both, and a badge: an unbadged endpoint may be minted one, a badged one
 * keeps its own; for a notification capability the badge is the set of bits
 * it may raise, so deriving narrows it. A device capability names its device
 * by its badge: only one to the bus may name another device, one the bus holds
 * now (kernel/device.ts).
 */
export function capDerive(slot: i32, rights: i32, badge: i32): i32 {
  const pid = current();
  const g = lookupAny(pid, slot);
  if (g < 0) return g;
  const kind = capKind(g);
  let b = capBadge(g);
  if (kind == K_NOTIFY) b = badge == 0 ? b : b & badge;
  else if (badge != 0) {
    if (b != 0 && b != badge) {
      const d = deviceDerive(kind, b, badge);
      if (d < 0) return d;
    }
    b = badge;
  }
  const s = freeSlot(pid);
  if (s < 0) return s;
  inheritGeneration(install(pid, s, kind, capRights(g) & rights, capTarget(g), b, capLabel(g), g), g);
  return s;
}

// Work that grows with the derivation tree is the caller's: one unit of fuel
// per child handed up by a delete, per capability a revoke deletes. Deleting
// the last process capability to a stopped process frees its pid (lifecycle.ts).
export function capDelete(slot: i32): i32 {
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  charge(remove(g));
  reapOrphans();
  return OK;
}

export function capRevoke(slot: i32): i32 {
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  const n = revoke(g);
  charge(n);
  reapOrphans();
  return n;
}

export function capInfo(slot: i32): i32 {
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  return capKind(g) | (capRights(g) << 8);
}

export function capFind(label: i32): i32 { return findLabel(current(), label); }

/** What a server may learn of a capability it holds: where it delivers, and whether a copy of it is still out. */
export function capQuery(slot: i32, what: i32): i32 {
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  if (what == CQ_DERIVED) return hasDerived(g) ? 1 : 0;
  const kind = capKind(g);
  if (what != CQ_TARGET || (kind != K_ENDPOINT && kind != K_NOTIFY && kind != K_PROCESS)) return E_ARG;
  return capTarget(g);
}

export function capSetLabel(slot: i32, label: i32): i32 {
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  setLabel(g, label);
  return OK;
}

export function signal(slot: i32, bits: i32): i32 {
  const g = lookup(current(), slot, K_NOTIFY, R_SIGNAL);
  if (g < 0) return g;
  if ((bits & ~capBadge(g)) != 0) return E_RIGHTS;
  const t = capTarget(g);
  const st = unchecked(pState[t]);
  if (st != PS_RUNNING && st != PS_CREATED && st != PS_STARTING) return E_DEAD;
  raiseBits(t, bits);
  return OK;
}

