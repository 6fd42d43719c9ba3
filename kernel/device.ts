// Device capabilities: a K_DEVICE capability (badge = device id) lets its
// holder read and write that device's registers, and nothing else, through
// the kernel. Drivers live in user space; the kernel only checks the window.
// A static device's window is generated from abi/hal.ts (devices.ts); any
// other id is a hot-plugged device's, whose window the bus knows
// (BUS_RESOLVE). Ids are never reused, so a capability to a device that was
// unplugged answers E_REVOKED for good, whatever sits in its slot later.
import { K_DEVICE, R_READ, R_WRITE, E_ARG, E_PERM, E_REVOKED, OK, DEV_BUS, DEV_UART, BUS_BASE, BUS_RESOLVE, BUS_RESOLVE_SIZE, BUS_RESOLVE_FLAGS, BUS_F_DMA } from "./abi";
import { staticAddress } from "./devices";
import { current } from "./proc";
import { lookup, capBadge } from "./cspace";
import { mmio_read, mmio_write } from "./host";
import { dmaDrain, dmaMayWrite } from "./dma";

/** Where the bus has device `id` now: its window's address (> 0), 0 if no device ever had it, BUS_GONE if unplugged. */
function resolve(id: i32): i32 {
  mmio_write(BUS_BASE + BUS_RESOLVE, id);
  return mmio_read(BUS_BASE + BUS_RESOLVE);
}

/** The bus address of register `reg` of the device the capability names, or the error. */
function address(g: i32, reg: i32): i32 {
  if (reg < 0 || (reg & 3) != 0) return E_ARG;
  const id = capBadge(g);
  const a = staticAddress(id, reg); // the windows of abi/hal.ts
  if (a != 0) return a;
  const base = resolve(id);
  if (base <= 0) return base < 0 ? E_REVOKED : E_ARG;
  return reg < mmio_read(BUS_BASE + BUS_RESOLVE_SIZE) ? base + reg : E_ARG;
}

/**
 * Whether cap_derive may turn a device capability with badge `from` into one
 * naming device `to` (OK), or why not: a holder of the bus holds every device
 * on it (the device manager mints its drivers' and clients' capabilities this
 * way), but only one the bus has now (E_ARG), and never the UART (E_PERM): the
 * console driver's alone, granted by the manifest.
 */
export function deviceDerive(kind: i32, from: i32, to: i32): i32 {
  if (kind != K_DEVICE || from != DEV_BUS) return E_ARG;
  if (to == DEV_UART) return E_PERM;
  return resolve(to) > 0 ? OK : E_ARG;
}

/** Whether device `id` is present and reaches memory by DMA (its bus flags say BUS_F_DMA). */
export function deviceDoesDma(id: i32): bool {
  if (resolve(id) <= 0) return false;
  return (mmio_read(BUS_BASE + BUS_RESOLVE_FLAGS) & BUS_F_DMA) != 0;
}

/** The register's 32 bits, zero-extended, so no value reads as an error code. */
export function devRead(slot: i32, reg: i32): i64 {
  const g = lookup(current(), slot, K_DEVICE, R_READ);
  if (g < 0) return g;
  const a = address(g, reg);
  return a < 0 ? a : <i64><u32>mmio_read(a);
}

export function devWrite(slot: i32, reg: i32, value: i32): i32 {
  const pid = current();
  const g = lookup(pid, slot, K_DEVICE, R_WRITE);
  if (g < 0) return g;
  if (!dmaMayWrite(capBadge(g), pid)) return E_PERM;
  const a = address(g, reg);
  if (a < 0) return a;
  mmio_write(a, value);
  // A device that asked for DMA in answer to this write (a doorbell) is served before the driver runs on.
  dmaDrain();
  return OK;
}
