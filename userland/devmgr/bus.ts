// The devmgr's picture of the bus, one row per slot, and the power policy it
// drives through BUS_POWER. The picture is refreshed from the bus whenever
// BUS_SEQ moved (sync): at IRQ_BUS, and at every request, so a devmgr whose
// manifest does not route it the bus's line is never stale either.
import {
  sys, BUS_SLOT_COUNT, BUS_SELECT, BUS_STATE, BUS_PRESENT, BUS_TYPE, BUS_ID, BUS_POWER, BUS_POWER_CAPS, BUS_SEQ,
  BUS_PWR_ON, BUS_PWR_SUSPEND, BUS_PWR_OFF, BUS_TIME_ON_LO, BUS_TIME_ON_HI, BUS_TIME_SUSPEND_LO, BUS_TIME_SUSPEND_HI,
  BUS_TIME_OFF_LO, BUS_TIME_OFF_HI, DEVPOL_AUTO, DEVPOL_ON, DEVPOL_OFF, DEVEV_PLUG, DEVEV_UNPLUG, DEVMGR_IDLE_MS,
  E_ARG, E_UNSUPPORTED,
} from "../lib";

export let bus = -1; // the bus capability (caps = ["bus"])

export const sId = new StaticArray<i32>(BUS_SLOT_COUNT); // the device's id, 0: empty (or a kernel device with no id)
export const sType = new StaticArray<i32>(BUS_SLOT_COUNT); // DEV_TYPE_*, 0: empty
export const sPresent = new StaticArray<bool>(BUS_SLOT_COUNT);
export const sRefs = new StaticArray<i32>(BUS_SLOT_COUNT); // power references, all handles together
export const sPolicy = new StaticArray<i32>(BUS_SLOT_COUNT); // DEVPOL_*
export const sIdleAt = new StaticArray<i64>(BUS_SLOT_COUNT); // when to suspend it (ns), 0: not pending
export const sOpens = new StaticArray<i32>(BUS_SLOT_COUNT); // handles open on it

export let seenSeq = 0; // the BUS_SEQ the picture matches
export let idleNs: i64 = <i64>DEVMGR_IDLE_MS * 1000000;

export function setIdleMs(ms: i32): void { idleNs = <i64>ms * 1000000; }

/** A register of the bus as 32 bits (dev_read zero-extends; errors are negative i64). */
@inline export function reg(r: i32): i32 {
  const v = sys.dev_read(bus, r);
  return v < 0 || v > 0xffffffff ? <i32>v : <i32><u32>v;
}

@inline function select(slot: i32): void { sys.dev_write(bus, BUS_SELECT, slot); }

export function busInit(cap: i32): void {
  bus = cap;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    unchecked(sId[s] = 0); unchecked(sType[s] = 0); unchecked(sPresent[s] = false); unchecked(sRefs[s] = 0);
    unchecked(sPolicy[s] = DEVPOL_AUTO); unchecked(sIdleAt[s] = 0); unchecked(sOpens[s] = 0);
  }
  seenSeq = -1;
  wakeAt = 0;
}

// What a sync found changed, for the caller to turn into events (unplugs first,
// in slot order, then plugs): at most two per slot.
export const changeKind = new StaticArray<i32>(2 * BUS_SLOT_COUNT);
export const changeSlot = new StaticArray<i32>(2 * BUS_SLOT_COUNT);
export const changeType = new StaticArray<i32>(2 * BUS_SLOT_COUNT);
export const changeId = new StaticArray<i32>(2 * BUS_SLOT_COUNT);
export let changes = 0;
export let syncSeq = 0; // BUS_SEQ at the last sync

const arrived = new StaticArray<bool>(BUS_SLOT_COUNT); // scratch for sync: the slots whose device is new

/**
 * Bring the picture up to the bus; true if BUS_SEQ had moved since the last
 * look (the first look at start records the machine as it is, with no events).
 * changes/changeKind.. then list what differs: unplugs first, then plugs,
 * each in slot order.
 */
export function sync(): bool {
  changes = 0;
  const seq = reg(BUS_SEQ);
  if (seq == seenSeq) return false;
  const first = seenSeq < 0;
  seenSeq = seq;
  syncSeq = seq;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    unchecked(arrived[s] = false);
    select(s);
    const present = reg(BUS_STATE) == BUS_PRESENT;
    const id = present ? reg(BUS_ID) : 0;
    const type = present ? reg(BUS_TYPE) : 0;
    if (present == unchecked(sPresent[s]) && id == unchecked(sId[s]) && type == unchecked(sType[s])) continue;
    if (unchecked(sPresent[s]) && !first) note(DEVEV_UNPLUG, s, unchecked(sType[s]), unchecked(sId[s]));
    unchecked(sPresent[s] = present); unchecked(sId[s] = id); unchecked(sType[s] = type);
    unchecked(sRefs[s] = 0); unchecked(sPolicy[s] = DEVPOL_AUTO); unchecked(sIdleAt[s] = 0); unchecked(sOpens[s] = 0);
    unchecked(arrived[s] = present && !first);
  }
  for (let s = 0; s < BUS_SLOT_COUNT; s++) if (unchecked(arrived[s])) note(DEVEV_PLUG, s, unchecked(sType[s]), unchecked(sId[s]));
  return !first;
}

function note(kind: i32, slot: i32, type: i32, id: i32): void {
  unchecked(changeKind[changes] = kind); unchecked(changeSlot[changes] = slot);
  unchecked(changeType[changes] = type); unchecked(changeId[changes] = id);
  changes++;
}

/** The slot holding device `id` now, or E_ARG. */
export function slotOf(id: i64): i32 {
  if (id <= 0 || id > 0x7fffffff) return E_ARG;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) if (unchecked(sPresent[s]) && unchecked(sId[s]) == <i32>id) return s;
  return E_ARG;
}

@inline export function validSlot(slot: i64): bool { return slot >= 0 && slot < BUS_SLOT_COUNT; }

export function powerOf(slot: i32): i32 {
  if (!unchecked(sPresent[slot])) return 0;
  select(slot);
  return reg(BUS_POWER);
}

/** Move the device in `slot` to `state` if it supports it; E_UNSUPPORTED otherwise. */
export function setPower(slot: i32, state: i32): i32 {
  select(slot);
  if ((reg(BUS_POWER_CAPS) & (1 << state)) == 0) return E_UNSUPPORTED;
  if (reg(BUS_POWER) != state) { select(slot); sys.dev_write(bus, BUS_POWER, state); }
  return state;
}

/** The ns the device in `slot` has spent in each state (the bus latches HI at each LO read). */
export function timeIn(slot: i32, lo: i32, hi: i32): i64 {
  select(slot);
  const l = <i64><u32>reg(lo);
  return (<i64><u32>reg(hi) << 32) | l;
}
export function timeOn(slot: i32): i64 { return timeIn(slot, BUS_TIME_ON_LO, BUS_TIME_ON_HI); }
export function timeSuspend(slot: i32): i64 { return timeIn(slot, BUS_TIME_SUSPEND_LO, BUS_TIME_SUSPEND_HI); }
export function timeOff(slot: i32): i64 { return timeIn(slot, BUS_TIME_OFF_LO, BUS_TIME_OFF_HI); }

// ---- power references -------------------------------------------------------

/** A reference was taken on `slot`: under auto, the device is on (and no suspend is pending). */
export function refTaken(slot: i32): void {
  unchecked(sRefs[slot] = unchecked(sRefs[slot]) + 1);
  unchecked(sIdleAt[slot] = 0);
  if (unchecked(sPolicy[slot]) == DEVPOL_AUTO) setPower(slot, BUS_PWR_ON);
}

/** `n` references were dropped from `slot`: the last one starts the idle delay. */
export function refsDropped(slot: i32, n: i32): void {
  if (n <= 0) return;
  unchecked(sRefs[slot] = unchecked(sRefs[slot]) - n);
  if (unchecked(sRefs[slot]) == 0 && unchecked(sPolicy[slot]) == DEVPOL_AUTO) startIdle(slot);
}

function startIdle(slot: i32): void {
  if (idleNs == 0) { suspend(slot); return; }
  unchecked(sIdleAt[slot] = sys.time() + idleNs);
  armTimer();
}

/** Suspend an idle device; one that cannot suspend but can go off stays on (off would lose its state). */
function suspend(slot: i32): void {
  unchecked(sIdleAt[slot] = 0);
  setPower(slot, BUS_PWR_SUSPEND);
}

/** TAG_DEV_POWER: the slot's policy. */
export function setPolicy(slot: i32, policy: i32): i32 {
  if (policy == DEVPOL_ON || policy == DEVPOL_OFF) {
    const r = setPower(slot, policy == DEVPOL_ON ? BUS_PWR_ON : BUS_PWR_OFF);
    if (r < 0) return r;
    unchecked(sIdleAt[slot] = 0);
  } else if (policy == DEVPOL_AUTO) {
    if (unchecked(sRefs[slot]) > 0) setPower(slot, BUS_PWR_ON);
    else startIdle(slot);
  } else return E_ARG;
  unchecked(sPolicy[slot] = policy);
  return powerOf(slot);
}

/** NOTE_TIMER: suspend every device whose idle delay ran out; arm for the next. */
export function idleTimer(): void {
  const now = sys.time();
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    const at = unchecked(sIdleAt[s]);
    if (at == 0 || at > now) continue;
    if (unchecked(sRefs[s]) == 0 && unchecked(sPolicy[s]) == DEVPOL_AUTO && unchecked(sPresent[s])) suspend(s);
    else unchecked(sIdleAt[s] = 0);
  }
  armTimer();
}

/**
 * The one timer serves the idle delays and the devmgr's own retries (reaching
 * init, binding a driver that was busy): its deadline is the earliest of all.
 */
export let wakeAt: i64 = 0;

/** NOTE_TIMER for a retry `ns` from now (or sooner, if one is armed already). */
export function wakeAfter(ns: i64): void {
  const at = sys.time() + ns;
  if (wakeAt == 0 || at < wakeAt) wakeAt = at;
  armTimer();
}

/** At NOTE_TIMER: is a retry due? (it is then disarmed; a retry that fails again asks anew) */
export function wakeDue(): bool {
  if (wakeAt == 0 || wakeAt > sys.time()) return false;
  wakeAt = 0;
  return true;
}

function armTimer(): void {
  let next: i64 = wakeAt;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    const at = unchecked(sIdleAt[s]);
    if (at != 0 && (next == 0 || at < next)) next = at;
  }
  if (next != 0) sys.timer_set(next);
}

/** The number of devices present. */
export function presentCount(): i32 {
  let n = 0;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) if (unchecked(sPresent[s])) n++;
  return n;
}
