// The driver's side of the driver contract (docs/devices.md: The driver
// contract). A driver is a service whose manifest says `driver = "TYPE"`
// and holds "devmgr:call+grant"; it owns nothing device-related until the
// device manager binds it:
//
// - at every (re)start it announces itself (TAG_DEV_DRIVER) with an endpoint
//   to itself badged DRV_BADGE; the devmgr checks the manifest's record for
//   it and keeps the endpoint, the only way to reach these tags;
// - for each device it binds, the devmgr sends TAG_DRV_ATTACH with a
//   capability to that device's registers, then TAG_DRV_LINE with its
//   interrupt line, which the driver binds and arms: lines start masked at
//   every (re)start (the kernel unbinds them at take-down), so a latched
//   interrupt from before a crash is delivered once the new instance arms;
// - TAG_DRV_DETACH (unplugged, or bound again) masks the line and forgets both.
//
// The device-specific work (I/O, what an interrupt means) is the driver's own
// module: it calls driverStart, driverHandle and driverNotify from its entries.
import {
  sys, arg, reply, capByName, acceptCaps, keepCap, rearmCap, OK, E_ARG, E_RIGHTS, E_NOSPACE, E_BUSY, E_DEAD, E_BADSLOT,
  K_DEVICE, K_IRQ, NOTE_TIMER, DRV_BADGE, DRV_DEVICES, DRV_IRQ_BIT, IRQ_CTL_ENABLE, IRQ_CTL_CLEAR,
  TAG_DEV_DRIVER, TAG_DRV_ATTACH, TAG_DRV_LINE, TAG_DRV_DETACH, log,
} from "../lib";

/** The endpoint handed to the devmgr keeps this label: a restarted instance finds it instead of minting another. */
const ENDPOINT_LABEL = 0x44525645; // "DRVE"
/**
 * Row r's device capability is labelled CAP_LABEL + 2r, its line's + 2r + 1.
 * The devmgr may revoke them without a word (its own restart), and a slot
 * freed that way can hold the next capability received: a slot is deleted
 * only while it still carries its row's label.
 */
const CAP_LABEL = 0x44524300; // "DRC"

export const dId = new StaticArray<i32>(DRV_DEVICES); // the device's id, 0: a free row
export const dSlot = new StaticArray<i32>(DRV_DEVICES); // its bus slot
export const dType = new StaticArray<i32>(DRV_DEVICES); // DEV_TYPE_*
export const dSectors = new StaticArray<i32>(DRV_DEVICES); // DEVP_SECTORS, as the devmgr read it
export const dCap = new StaticArray<i32>(DRV_DEVICES); // its registers (K_DEVICE)
export const dIrq = new StaticArray<i32>(DRV_DEVICES); // its line (K_IRQ), -1 until TAG_DRV_LINE

let restartsNow = 0;
let announced = false;

/** quark_start: announce the driver (again, after a restart); until the devmgr binds it, it has no device. */
export function driverStart(restarts: i32): i32 {
  restartsNow = restarts;
  for (let r = 0; r < DRV_DEVICES; r++) { unchecked(dId[r] = 0); unchecked(dCap[r] = -1); unchecked(dIrq[r] = -1); }
  acceptCaps();
  return announce();
}

/**
 * Hand the devmgr an endpoint to this driver. While the devmgr is in a call
 * (E_BUSY: init starts the drivers inside the devmgr's report that it is
 * ready) try again as soon as the run loop comes back; before it has read
 * the manifest's records or while it restarts
 * (E_DEAD), the same.
 */
function announce(): i32 {
  const devmgr = capByName("devmgr");
  if (devmgr < 0) { log("no devmgr capability: a driver needs \"devmgr:call+grant\""); return devmgr; }
  let ep = sys.cap_find(ENDPOINT_LABEL);
  if (ep < 0) {
    ep = sys.self_endpoint(DRV_BADGE);
    if (ep < 0) return ep;
    sys.cap_label(ep, ENDPOINT_LABEL);
  }
  sys.xfer(ep);
  const r = sys.call(devmgr, TAG_DEV_DRIVER, restartsNow, 0, 0, 0, 0, 0);
  if (r == E_BUSY || r == E_DEAD) { sys.timer_set(sys.time() + (r == E_BUSY ? 0 : 1000000)); return OK; }
  if (r < 0) { log("the devmgr refused this driver: " + r.toString()); return r; }
  announced = true;
  return OK;
}

/** The row driving device `id`, or E_BADSLOT. */
export function rowOf(id: i64): i32 {
  if (id <= 0 || id > 0x7fffffff) return E_BADSLOT;
  for (let r = 0; r < DRV_DEVICES; r++) if (unchecked(dId[r]) == <i32>id) return r;
  return E_BADSLOT;
}

/**
 * The framework's tags, from the devmgr's endpoint only: OK or an error for
 * them, and `1` for a tag the driver itself serves (I/O): the row is then
 * `ioRow`. Every caller but the devmgr is E_RIGHTS.
 */
export let ioRow = -1;
export function driverHandle(badge: i32, tag: i32): i32 {
  if (badge != DRV_BADGE) return E_RIGHTS;
  if (tag == TAG_DRV_ATTACH) return attach();
  if (tag == TAG_DRV_LINE) return line();
  if (tag == TAG_DRV_DETACH) { const r = rowOf(arg(0)); if (r < 0) return r; forget(r); return OK; }
  const r = rowOf(arg(0));
  if (r < 0) return r;
  ioRow = r;
  return 1;
}

/** After each message: a capability that came and was not kept is deleted, a slot armed for the next. */
export function driverDone(): void { rearmCap(); }

function attach(): i32 {
  const cap = sys.msg_cap();
  if (cap < 0 || (sys.cap_info(cap) & 0xff) != K_DEVICE) return E_ARG;
  const id = arg(0);
  if (id <= 0 || id > 0x7fffffff) return E_ARG;
  let r = rowOf(id);
  if (r >= 0) forget(r);
  r = E_NOSPACE;
  for (let k = 0; k < DRV_DEVICES; k++) if (unchecked(dId[k]) == 0 || stale(k)) { r = k; break; }
  if (r < 0) return E_NOSPACE;
  keepCap();
  sys.cap_label(cap, CAP_LABEL + 2 * r);
  unchecked(dId[r] = <i32>id); unchecked(dSlot[r] = <i32>arg(1)); unchecked(dType[r] = <i32>arg(2));
  unchecked(dSectors[r] = <i32>arg(3)); unchecked(dCap[r] = cap); unchecked(dIrq[r] = -1);
  return OK;
}

/** The device's line: bound to its row's bit and armed (masked until now, at every start). */
function line(): i32 {
  const r = rowOf(arg(0));
  if (r < 0) return r;
  const cap = sys.msg_cap();
  if (cap < 0 || (sys.cap_info(cap) & 0xff) != K_IRQ) return E_ARG;
  const b = sys.irq_bind(cap, DRV_IRQ_BIT + r);
  if (b < 0) return b;
  const a = sys.irq_control(cap, IRQ_CTL_ENABLE);
  if (a < 0) return a;
  drop(unchecked(dIrq[r]), CAP_LABEL + 2 * r + 1);
  keepCap();
  sys.cap_label(cap, CAP_LABEL + 2 * r + 1);
  unchecked(dIrq[r] = cap);
  return OK;
}

/** Mask the line and drop both capabilities (the devmgr revokes its originals' copies too). */
function forget(r: i32): void {
  const irq = unchecked(dIrq[r]);
  if (irq >= 0 && sys.cap_find(CAP_LABEL + 2 * r + 1) == irq) sys.irq_control(irq, 0);
  drop(irq, CAP_LABEL + 2 * r + 1);
  drop(unchecked(dCap[r]), CAP_LABEL + 2 * r);
  unchecked(dId[r] = 0); unchecked(dCap[r] = -1); unchecked(dIrq[r] = -1);
}

/**
 * A row whose device capability the devmgr revoked without a word (it could
 * not reach this driver then: an unplug noticed while the driver was calling
 * it): free for the next device.
 */
function stale(r: i32): bool {
  if (sys.cap_find(CAP_LABEL + 2 * r) == unchecked(dCap[r])) return false;
  forget(r);
  return true;
}

/** Delete `slot` if it still holds the capability labelled `label`. */
function drop(slot: i32, label: i32): void {
  if (slot >= 0 && sys.cap_find(label) == slot) sys.cap_delete(slot);
}

/** A request served: what the device raised meanwhile is forgotten and the line stays armed. */
@inline export function lineHandled(r: i32): void {
  const irq = unchecked(dIrq[r]);
  if (irq >= 0) sys.irq_control(irq, IRQ_CTL_CLEAR | IRQ_CTL_ENABLE);
}

/**
 * quark_notify: retry the announcement, and the rows whose line fired: the
 * bits of those rows (each row's line raises 1 << (DRV_IRQ_BIT + row)). The
 * caller looks at each device, then calls lineHandled.
 */
export function driverNotify(bits: i32): i32 {
  if ((bits & NOTE_TIMER) != 0 && !announced) announce();
  return (bits >>> DRV_IRQ_BIT) & ((1 << DRV_DEVICES) - 1);
}
