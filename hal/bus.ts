// The bus: every device sits in one of its BUS_SLOT_COUNT slots. The static
// devices (abi/hal.ts rows with a slot) are always there; a pluggable model is
// instantiated in the lowest free slot by a write of its type to BUS_PLUG and
// removed by a write of the slot to BUS_UNPLUG. Every plug gets a fresh id,
// never reused while the HAL runs, so a capability naming an unplugged device
// can never reach the one plugged in its slot later (the kernel asks
// BUS_RESOLVE). Slot s raises interrupt line s; the bus raises its own,
// IRQ_BUS, at every plug and unplug, and counts them in BUS_SEQ.
//
// Power: each slot is BUS_PWR_ON, BUS_PWR_SUSPEND or BUS_PWR_OFF (0 when
// empty), among the states its device supports. A device not on reads 0 and
// ignores writes (hal/mmio.ts and slotRead/slotWrite gate them); entering OFF
// resets it. The time spent in each state is kept per slot in ns of the HAL's
// clock (host.now), from its plug (a static device's: from hal_init).
//
// The registers describe the slot BUS_SELECT names; the descriptions come
// from the generated table (hal/devices.ts).
import {
  BUS_SLOT_COUNT, BUS_STATIC_SLOTS, BUS_SLOT_BASE, BUS_SLOT_STRIDE, BUS_FIRST_ID, BUS_EMPTY, BUS_PRESENT,
  BUS_PWR_ON, BUS_PWR_SUSPEND, BUS_PWR_OFF, BUS_GONE, IRQ_BUS, OK, E_ARG, E_STATE, E_NOSPACE, E_UNSUPPORTED,
} from "../kernel/abi";
import {
  staticType, staticId, staticBase, staticSize, staticIrq, staticPowerCaps, staticFlags, staticPowerReset,
  typeKnown, modelPluggable, modelSize, modelRaises, modelPowerCaps, modelFlags, modelReset, modelRead, modelWrite,
} from "./devices";
import { raise, intcAck } from "./intc";
import { nowNs } from "./timer";

const N = BUS_SLOT_COUNT;
const STATES = 3; // BUS_PWR_ON .. BUS_PWR_OFF
// The largest id a plug may hand out: ids are i32 badges and never wrap.
const LAST_ID = 0x7fffffff;

const kind = new StaticArray<i32>(N); // DEV_TYPE_*, 0: empty
const ids = new StaticArray<i32>(N);
const power = new StaticArray<i32>(N); // BUS_PWR_*, 0: empty
const since = new StaticArray<i64>(N); // when the slot entered its power state
const spent = new StaticArray<i64>(N * STATES); // ns in each state before that, per slot

let selected = 0;
let seq = 0;
let nextId = BUS_FIRST_ID;
let plugResult = E_STATE;
let unplugResult = E_STATE;
let timeHi = 0;
// BUS_RESOLVE's answer, found once at the write: the slot, or -1 (no such id) or -2 (gone).
let resolvedSlot = -1;

export function busReset(): void {
  const now = nowNs();
  for (let s = 0; s < N; s++) {
    const t = unchecked(kind[s]);
    if (s >= BUS_STATIC_SLOTS && t != 0) modelReset(t, s);
    const fixed = s < BUS_STATIC_SLOTS;
    unchecked(kind[s] = fixed ? unchecked(staticType[s]) : 0);
    unchecked(ids[s] = fixed ? unchecked(staticId[s]) : 0);
    unchecked(power[s] = fixed ? BUS_PWR_ON : 0);
    unchecked(since[s] = now);
    for (let p = 0; p < STATES; p++) unchecked(spent[s * STATES + p] = 0);
  }
  selected = 0; seq = 0; nextId = BUS_FIRST_ID;
  plugResult = E_STATE; unplugResult = E_STATE; timeHi = 0; resolvedSlot = -1;
}

/** Whether slot `slot` (< N: the callers' constants) is powered on. */
@inline export function busOn(slot: i32): bool { return unchecked(power[slot]) == BUS_PWR_ON; }

@inline function plugged(s: i32): bool { return s >= BUS_STATIC_SLOTS && unchecked(kind[s]) != 0; }

function windowBase(s: i32): i32 {
  if (s < BUS_STATIC_SLOTS) return unchecked(staticBase[s]);
  return unchecked(kind[s]) != 0 ? BUS_SLOT_BASE + s * BUS_SLOT_STRIDE : 0;
}

function windowSize(s: i32): i32 {
  if (s < BUS_STATIC_SLOTS) return unchecked(staticSize[s]);
  const t = unchecked(kind[s]);
  return t != 0 ? modelSize(t) : 0;
}

/** Move slot `s` (occupied) to power state `p`, closing the time spent in the old one. */
function enter(s: i32, p: i32): void {
  const now = nowNs();
  const old = unchecked(power[s]);
  const at = s * STATES + old - 1;
  unchecked(spent[at] = unchecked(spent[at]) + (now - unchecked(since[s])));
  unchecked(since[s] = now);
  unchecked(power[s] = p);
  // Off loses the device's state: back on, it is as just plugged.
  if (p == BUS_PWR_OFF) {
    if (s < BUS_STATIC_SLOTS) staticPowerReset(s);
    else modelReset(unchecked(kind[s]), s);
  }
}

/** Time slot `selected` has spent in state `p`, the running stretch included; the high word is latched. */
function timeLo(p: i32): i32 {
  const s = selected;
  let t = unchecked(spent[s * STATES + p - 1]);
  if (unchecked(power[s]) == p) t += nowNs() - unchecked(since[s]);
  timeHi = <i32>(t >>> 32);
  return <i32>t;
}

// Register handlers (abi/hal.ts routes each BUS_* register here). `selected` < N: busSelect keeps it so.
export function busSlots(): i32 { return N; }
export function busSelected(): i32 { return selected; }
export function busSelect(v: i32): void { if (<u32>v < <u32>N) selected = v; }
export function busState(): i32 { return unchecked(kind[selected]) != 0 ? BUS_PRESENT : BUS_EMPTY; }
export function busType(): i32 { return unchecked(kind[selected]); }
export function busId(): i32 { return unchecked(ids[selected]); }
/** The id of the device in slot `s` (0: empty), for a model that names itself in a DMA request. */
export function slotId(s: i32): i32 { return <u32>s < <u32>N ? unchecked(ids[s]) : 0; }
export function busWinBase(): i32 { return windowBase(selected); }
export function busWinSize(): i32 { return windowSize(selected); }

export function busIrq(): i32 {
  const s = selected;
  if (s < BUS_STATIC_SLOTS) return unchecked(staticIrq[s]);
  const t = unchecked(kind[s]);
  return t != 0 && modelRaises(t) ? 1 << s : 0;
}

export function busPowerCaps(): i32 {
  const s = selected;
  if (s < BUS_STATIC_SLOTS) return unchecked(staticPowerCaps[s]);
  const t = unchecked(kind[s]);
  return t != 0 ? modelPowerCaps(t) : 0;
}

export function busFlags(): i32 { return flagsOf(selected); }

function flagsOf(s: i32): i32 {
  if (s < BUS_STATIC_SLOTS) return unchecked(staticFlags[s]);
  const t = unchecked(kind[s]);
  return t != 0 ? modelFlags(t) : 0;
}

export function busPower(): i32 { return unchecked(power[selected]); }

/** A state the device does not support, an empty slot, or the state it is in already: nothing happens. */
export function busSetPower(v: i32): void {
  const s = selected;
  if (unchecked(kind[s]) == 0 || v < BUS_PWR_ON || v > BUS_PWR_OFF || v == unchecked(power[s])) return;
  const caps = s < BUS_STATIC_SLOTS ? unchecked(staticPowerCaps[s]) : modelPowerCaps(unchecked(kind[s]));
  if ((caps & (1 << v)) == 0) return;
  enter(s, v);
}

export function busTimeOnLo(): i32 { return timeLo(BUS_PWR_ON); }
export function busTimeSuspendLo(): i32 { return timeLo(BUS_PWR_SUSPEND); }
export function busTimeOffLo(): i32 { return timeLo(BUS_PWR_OFF); }
export function busTimeHi(): i32 { return timeHi; }
export function busSeq(): i32 { return seq; }
export function busPlugResult(): i32 { return plugResult; }
export function busUnplugResult(): i32 { return unplugResult; }

export function busPlug(type: i32): void {
  if (!modelPluggable(type)) { plugResult = typeKnown(type) ? E_UNSUPPORTED : E_ARG; return; }
  let s = BUS_STATIC_SLOTS;
  while (s < N && unchecked(kind[s]) != 0) s++;
  if (s == N || nextId == LAST_ID) { plugResult = E_NOSPACE; return; }
  // The slot's instance was reset when it was last unplugged (or never used): only the bus's books change.
  unchecked(kind[s] = type);
  unchecked(ids[s] = nextId++);
  unchecked(power[s] = BUS_PWR_ON);
  unchecked(since[s] = nowNs());
  seq++;
  raise(IRQ_BUS);
  plugResult = s;
}

export function busUnplug(slot: i32): void {
  if (<u32>slot >= <u32>N) { unplugResult = E_ARG; return; }
  if (slot < BUS_STATIC_SLOTS) { unplugResult = E_UNSUPPORTED; return; }
  const t = unchecked(kind[slot]);
  if (t == 0) { unplugResult = E_STATE; return; }
  modelReset(t, slot);
  unchecked(kind[slot] = 0);
  unchecked(ids[slot] = 0);
  unchecked(power[slot] = 0);
  for (let p = 0; p < STATES; p++) unchecked(spent[slot * STATES + p] = 0);
  // Its interrupt, if one was pending, belonged to the device that is gone.
  intcAck(1 << slot);
  seq++;
  raise(IRQ_BUS);
  unplugResult = OK;
}

export function busResolve(id: i32): void {
  resolvedSlot = -1;
  if (id <= 0) return;
  const from = id < BUS_FIRST_ID ? 0 : BUS_STATIC_SLOTS;
  const to = id < BUS_FIRST_ID ? BUS_STATIC_SLOTS : N;
  for (let s = from; s < to; s++) if (unchecked(ids[s]) == id) { resolvedSlot = s; return; }
  // An id a plug handed out that is in no slot now: its device was unplugged.
  if (id >= BUS_FIRST_ID && id < nextId) resolvedSlot = -2;
}

export function busResolved(): i32 {
  const s = resolvedSlot;
  if (s < 0) return s == -2 ? BUS_GONE : 0;
  return windowBase(s);
}

export function busResolvedSize(): i32 { return resolvedSlot < 0 ? 0 : windowSize(resolvedSlot); }
export function busResolvedFlags(): i32 { return resolvedSlot < 0 ? 0 : flagsOf(resolvedSlot); }

/**
 * A register of a plugged device: `addr` lies in the slots' windows (hal/mmio.ts
 * checked). A static slot's stretch, an empty slot, a device not on, or an
 * offset past its window reads 0 and ignores writes.
 */
export function slotRead(addr: i32): i32 {
  const at = <u32>(addr - BUS_SLOT_BASE);
  const s = <i32>(at / <u32>BUS_SLOT_STRIDE);
  const off = <i32>(at % <u32>BUS_SLOT_STRIDE);
  if (!plugged(s) || !busOn(s)) return 0;
  const t = unchecked(kind[s]);
  return off < modelSize(t) ? modelRead(t, s, off) : 0;
}

export function slotWrite(addr: i32, value: i32): void {
  const at = <u32>(addr - BUS_SLOT_BASE);
  const s = <i32>(at / <u32>BUS_SLOT_STRIDE);
  const off = <i32>(at % <u32>BUS_SLOT_STRIDE);
  if (!plugged(s) || !busOn(s)) return;
  const t = unchecked(kind[s]);
  if (off < modelSize(t)) modelWrite(t, s, off, value);
}
