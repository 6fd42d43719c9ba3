// Drivers bound by the manifest's rules (docs/devices.md: The driver
// contract). A rule is a service's `driver = "TYPE"` and `driver_match`,
// which the build writes as GRANT_DRIVER and GRANT_MATCH records among that
// service's grants; the devmgr reads them from init (TAG_INIT_CAPS), the one
// place no service can change. A service becomes a driver only when it
// announces itself (TAG_DEV_DRIVER) through its devmgr capability, whose badge
// is its pid: a pid with no record is refused, so no service gets a device by
// claiming to be a driver. The devmgr then hands a bound driver exactly two
// capabilities per device, both copies of its own so that revoking takes them
// back: the device's registers (derived from the bus for that id) and the
// line of its slot (minted by init for the devmgr: interrupts = ["slots"]).
import {
  sys, fnv1a, capByName, OK, E_PERM, E_ARG, E_BUSY, E_DEAD, E_CRASHED, E_BADSLOT, K_ENDPOINT, R_READ, R_WRITE, CQ_TARGET,
  BUS_SLOT_COUNT, BUS_STATIC_SLOTS, DEV_TYPE_BLOCK, BLK_SECTORS, GRANT_DRIVER, GRANT_MATCH, GRANT_PLUG, GRANT_DEVICE, DEVMGR_DRIVERS,
  DEVMGR_MATCH_MAX, DEVP_ID, DEVP_SLOT, DEVP_SECTORS, BIND_EQ, BIND_NE, BIND_LT, BIND_GE, SVC_RUNNING,
  TAG_INIT_COUNT, TAG_INIT_CAPS, TAG_INIT_STATUS, TAG_DRV_ATTACH, TAG_DRV_LINE, TAG_DRV_DETACH, log,
} from "../lib";
import { errorName } from "../lib/names";
import { bus, sPresent, sId, sType } from "./bus";
import { clearBootPlugs, noteBootPlug } from "./bootplug";

/** The drivers' endpoints carry this label plus the driver's pid: a restarted devmgr finds each again. */
export const DRIVER_LABEL = 0x44564400; // "DVD" + pid
/** The device capabilities derived for drivers: a restarted devmgr revokes its predecessor's. */
export const DEVCAP_LABEL = 0x44564331; // "DVC1"

// One row per rule, in manifest order.
let rules = 0;
let rulesRead = false;
export const rIndex = new StaticArray<i32>(DEVMGR_DRIVERS); // the driver's service index
const rPid = new StaticArray<i32>(DEVMGR_DRIVERS);
const rType = new StaticArray<i32>(DEVMGR_DRIVERS);
const rConds = new StaticArray<i32>(DEVMGR_DRIVERS);
const rProp = new StaticArray<i32>(DEVMGR_DRIVERS * DEVMGR_MATCH_MAX);
const rOp = new StaticArray<i32>(DEVMGR_DRIVERS * DEVMGR_MATCH_MAX);
const rValue = new StaticArray<i32>(DEVMGR_DRIVERS * DEVMGR_MATCH_MAX);
export const rEp = new StaticArray<i32>(DEVMGR_DRIVERS); // its endpoint (from its announcement), -1: none
const rUp = new StaticArray<bool>(DEVMGR_DRIVERS); // announced and not known to have died since
const rInst = new StaticArray<i32>(DEVMGR_DRIVERS); // the restarts it announced with

// A static device is not bound by a rule: the manifest grants its registers
// to a service (caps = ["uart"]: a GRANT_DEVICE record), which drives it. For
// enumeration that service is its driver (driverOf), the first grant in
// manifest order, by device id.
const holderId = new StaticArray<i32>(BUS_STATIC_SLOTS);
const holderIndex = new StaticArray<i32>(BUS_STATIC_SLOTS);
let holders = 0;

// Per slot: the rule bound to its device (-1: none), and the device capability it was given.
export const sDriver = new StaticArray<i32>(BUS_SLOT_COUNT);
const sDevCap = new StaticArray<i32>(BUS_SLOT_COUNT);
const sLine = new StaticArray<i32>(BUS_SLOT_COUNT); // the slot's line capability (init's grant), -1: none
let pending = false; // a device may be waiting for a driver that is up: bind at the next chance

/** What binding wants the caller to do when it went wrong for a reason that passes: try later. */
export let retryLater = false;

let onBound: (slot: i32) => void = (slot: i32): void => {};
/** Who hears that a slot's device was bound (the waits: events.ts). */
export function whenBound(f: (slot: i32) => void): void { onBound = f; }

export function driversInit(restarted: bool): void {
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    unchecked(sDriver[s] = -1); unchecked(sDevCap[s] = -1);
    unchecked(sLine[s] = s < BUS_STATIC_SLOTS ? -1 : sys.cap_find(fnv1a("slot" + s.toString() + ".irq")));
  }
  for (let r = 0; r < DEVMGR_DRIVERS; r++) { unchecked(rEp[r] = -1); unchecked(rUp[r] = false); }
  rules = 0;
  rulesRead = false;
  if (!restarted) return;
  // The old instance's device capabilities go, with the drivers' copies; the
  // lines' copies too (the devmgr keeps init's originals). Drivers are bound
  // again once the rules are read.
  for (let n = 0; n < 256; n++) {
    const c = sys.cap_find(DEVCAP_LABEL);
    if (c < 0) break;
    sys.cap_revoke(c); sys.cap_delete(c);
  }
  for (let s = BUS_STATIC_SLOTS; s < BUS_SLOT_COUNT; s++) if (unchecked(sLine[s]) >= 0) sys.cap_revoke(unchecked(sLine[s]));
}

@inline export function rulesKnown(): bool { return rulesRead; }

/**
 * Read every service's driver records from init: OK, or init's error while it
 * cannot answer (E_DEAD while it starts services): try again later. Without
 * a capability to init there are no rules, so no drivers.
 */
export function readRules(): i32 {
  if (rulesRead) return OK;
  const init = capByName("init");
  if (init < 0) { rulesRead = true; return OK; }
  const c = sys.call(init, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0);
  if (c < 0) return c;
  const count = <i32>sys.reply_word(0);
  rules = 0;
  holders = 0;
  clearBootPlugs();
  for (let i = 0; i < count; i++) {
    for (let k = 0; ; k++) {
      const r = sys.call(init, TAG_INIT_CAPS, i, k, 0, 0, 0, 0);
      if (r == E_BADSLOT) break;
      if (r < 0) return r;
      const kind = <i32>sys.reply_word(0);
      if (kind == GRANT_DRIVER) newRule(init, i, <i32>sys.reply_word(1));
      else if (kind == GRANT_MATCH && rules > 0 && unchecked(rIndex[rules - 1]) == i) {
        addCondition(rules - 1, <i32>sys.reply_word(1), <i32>sys.reply_word(2), <i32>sys.reply_word(3));
      } else if (kind == GRANT_PLUG) noteBootPlug(<i32>sys.reply_word(1));
      else if (kind == GRANT_DEVICE) noteHolder(<i32>sys.reply_word(1), i);
    }
  }
  rulesRead = true;
  // After a restart of the devmgr the drivers are running and announced
  // already: their endpoints are still here, by label.
  for (let r = 0; r < rules; r++) {
    const ep = sys.cap_find(DRIVER_LABEL + unchecked(rPid[r]));
    if (ep >= 0) { unchecked(rEp[r] = ep); unchecked(rUp[r] = true); pending = true; }
  }
  return OK;
}

function noteHolder(id: i32, index: i32): void {
  for (let h = 0; h < holders; h++) if (unchecked(holderId[h]) == id) return;
  if (holders == BUS_STATIC_SLOTS) return;
  unchecked(holderId[holders] = id); unchecked(holderIndex[holders] = index);
  holders++;
}

function newRule(init: i32, index: i32, type: i32): void {
  if (rules == DEVMGR_DRIVERS) { log("more than " + DEVMGR_DRIVERS.toString() + " drivers: service " + index.toString() + " is not bound"); return; }
  if (sys.call(init, TAG_INIT_STATUS, index, 0, 0, 0, 0, 0) != OK) return;
  unchecked(rIndex[rules] = index); unchecked(rPid[rules] = <i32>sys.reply_word(1)); unchecked(rType[rules] = type);
  unchecked(rConds[rules] = 0); unchecked(rEp[rules] = -1); unchecked(rUp[rules] = false); unchecked(rInst[rules] = -1);
  rules++;
}

function addCondition(r: i32, prop: i32, op: i32, value: i32): void {
  const n = unchecked(rConds[r]);
  if (n == DEVMGR_MATCH_MAX) return;
  const k = r * DEVMGR_MATCH_MAX + n;
  unchecked(rProp[k] = prop); unchecked(rOp[k] = op); unchecked(rValue[k] = value);
  unchecked(rConds[r] = n + 1);
}

/** The rule of the service with pid `pid`, or -1. */
function ruleOfPid(pid: i32): i32 {
  for (let r = 0; r < rules; r++) if (unchecked(rPid[r]) == pid) return r;
  return -1;
}

/** The rule of service `index`, or -1. */
export function ruleOfIndex(index: i32): i32 {
  for (let r = 0; r < rules; r++) if (unchecked(rIndex[r]) == index) return r;
  return -1;
}

/**
 * TAG_DEV_DRIVER from `pid` with its endpoint in `cap`: the rule's type, or
 * E_PERM (no record names it), E_ARG (no endpoint), E_BUSY (the records are
 * not read yet). Binding waits for the caller's start to end (it is Starting,
 * so a call to it now would find it dead): the caller arms the timer.
 */
export function announce(pid: i32, cap: i32, restarts: i32): i32 {
  if (!rulesRead && readRules() != OK) return E_BUSY;
  const r = ruleOfPid(pid);
  if (r < 0) return E_PERM;
  if (cap < 0 || (sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
  if (sys.cap_query(cap, CQ_TARGET) != pid) return E_PERM; // an endpoint to another service would make that one the driver
  // A new instance: whatever the old one held is taken back first.
  driverDown(r, false);
  const old = unchecked(rEp[r]);
  if (old >= 0 && old != cap) sys.cap_delete(old);
  sys.cap_label(cap, DRIVER_LABEL + pid);
  unchecked(rEp[r] = cap); unchecked(rUp[r] = true); unchecked(rInst[r] = restarts);
  pending = true;
  return unchecked(rType[r]);
}

/**
 * Service `index` crashed, exited, was stopped or killed: unless it has
 * announced itself again already (a restart is fast, and the event is a
 * queued send), its devices lose their driver until it does.
 */
export function driverEnded(index: i32): void {
  const r = ruleOfIndex(index);
  if (r < 0 || !unchecked(rUp[r])) return;
  const init = capByName("init");
  if (init >= 0 && sys.call(init, TAG_INIT_STATUS, index, 0, 0, 0, 0, 0) == OK &&
      <i32>sys.reply_word(0) == SVC_RUNNING && <i32>sys.reply_word(2) == unchecked(rInst[r])) return;
  driverDown(r, false);
}

/** Rule `r`'s driver is gone (or replaced): every device bound to it is unbound, its capabilities taken back. */
export function driverDown(r: i32, keepUp: bool): void {
  for (let s = 0; s < BUS_SLOT_COUNT; s++) if (unchecked(sDriver[s]) == r) unbind(s, 0);
  unchecked(rUp[r] = keepUp);
}

/**
 * The device in `slot` leaves its driver: the driver is told (if `id` is not
 * 0 and it is up), then its copies of the registers and the line are revoked.
 */
export function unbind(slot: i32, id: i32): void {
  const r = unchecked(sDriver[slot]);
  if (r < 0) return;
  if (id != 0 && unchecked(rUp[r])) sys.call(unchecked(rEp[r]), TAG_DRV_DETACH, id, 0, 0, 0, 0, 0);
  const cap = unchecked(sDevCap[slot]);
  if (cap >= 0) { sys.cap_revoke(cap); sys.cap_delete(cap); }
  if (unchecked(sLine[slot]) >= 0) sys.cap_revoke(unchecked(sLine[slot]));
  unchecked(sDriver[slot] = -1); unchecked(sDevCap[slot] = -1);
}

/** A device appeared, or a driver announced itself: bind at the next chance. */
export function wantBind(): void { pending = true; }
@inline export function bindPending(): bool { return pending; }

/**
 * Bind every present device that has no driver to the first rule that
 * matches it and whose driver is up. A driver that cannot take a call now
 * (E_BUSY: it is in one) leaves `retryLater` set for the caller's timer.
 */
export function bindAll(): void {
  if (!pending || !rulesRead) return;
  pending = false;
  retryLater = false;
  for (let s = BUS_STATIC_SLOTS; s < BUS_SLOT_COUNT; s++) {
    if (!unchecked(sPresent[s]) || unchecked(sDriver[s]) >= 0) continue;
    bindSlot(s);
  }
  if (retryLater) pending = true;
}

function bindSlot(s: i32): void {
  const type = unchecked(sType[s]), id = unchecked(sId[s]);
  let cap = -1, sectors = 0;
  for (let r = 0; r < rules; r++) {
    if (unchecked(rType[r]) != type || !unchecked(rUp[r])) continue;
    if (cap < 0) {
      cap = sys.cap_derive(bus, R_READ | R_WRITE, id);
      if (cap < 0) return;
      sys.cap_label(cap, DEVCAP_LABEL);
      if (type == DEV_TYPE_BLOCK) sectors = <i32>sys.dev_read(cap, BLK_SECTORS);
    }
    if (!matches(r, id, s, sectors)) continue;
    const res = attach(r, s, id, type, sectors, cap);
    if (res == OK) { unchecked(sDriver[s] = r); unchecked(sDevCap[s] = cap); onBound(s); return; }
    if (res != E_BUSY) log("device " + id.toString() + " not bound to service " + unchecked(rIndex[r]).toString() + ": " + errorName(res));
    sys.cap_revoke(cap); // the driver may hold a copy from a half-done attach
    if (res == E_BUSY) { retryLater = true; break; }
    if (res == E_DEAD || res == E_CRASHED) driverDown(r, false);
  }
  if (cap >= 0) sys.cap_delete(cap);
}

function matches(r: i32, id: i32, slot: i32, sectors: i32): bool {
  const n = unchecked(rConds[r]);
  for (let c = 0; c < n; c++) {
    const k = r * DEVMGR_MATCH_MAX + c;
    const p = unchecked(rProp[k]);
    const v = p == DEVP_ID ? id : p == DEVP_SLOT ? slot : p == DEVP_SECTORS ? sectors : 0;
    const want = unchecked(rValue[k]), op = unchecked(rOp[k]);
    const ok = op == BIND_EQ ? v == want : op == BIND_NE ? v != want : op == BIND_LT ? v < want : op == BIND_GE ? v >= want : false;
    if (!ok) return false;
  }
  return true;
}

/** Give driver `r` the device's registers, then its line: OK or the call's error (the device left undone). */
function attach(r: i32, s: i32, id: i32, type: i32, sectors: i32, cap: i32): i32 {
  const ep = unchecked(rEp[r]);
  sys.xfer(cap);
  let res = sys.call(ep, TAG_DRV_ATTACH, id, s, type, sectors, 0, 0);
  if (res != OK) return res;
  const line = unchecked(sLine[s]);
  if (line < 0) return OK; // no line to give (the manifest did not route the slots): the driver polls
  sys.xfer(line);
  res = sys.call(ep, TAG_DRV_LINE, id, 0, 0, 0, 0, 0);
  if (res == OK) return OK;
  sys.call(ep, TAG_DRV_DETACH, id, 0, 0, 0, 0, 0);
  sys.cap_revoke(line);
  return res;
}

/** The service index of the driver bound to `slot`, -1: none. */
/** The service index that drives the device in `slot`: its bound driver, or for a static device its manifest holder; -1: none. */
export function driverOf(slot: i32): i32 {
  const r = unchecked(sDriver[slot]);
  if (r >= 0) return unchecked(rIndex[r]);
  if (slot >= BUS_STATIC_SLOTS) return -1;
  const id = unchecked(sId[slot]);
  for (let h = 0; h < holders; h++) if (unchecked(holderId[h]) == id) return unchecked(holderIndex[h]);
  return -1;
}

/** Mark that the device in `slot` has no working driver now that its call found the driver dead. */
export function driverFailed(slot: i32): void {
  const r = unchecked(sDriver[slot]);
  if (r >= 0) driverDown(r, false);
}

/** The endpoint of the driver bound to `slot`, or -1. */
export function endpointOf(slot: i32): i32 {
  const r = unchecked(sDriver[slot]);
  return r < 0 ? -1 : unchecked(rEp[r]);
}
