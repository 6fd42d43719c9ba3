// Device capabilities: a K_DEVICE capability (badge = device id) lets its
// holder read and write that device's registers, and nothing else, through
// the kernel. Drivers live in user space; the kernel only checks the window.
import { K_DEVICE, R_READ, R_WRITE, E_ARG, OK } from "./abi";
import { deviceAddress } from "./devices";
import { current } from "./proc";
import { lookup, capBadge } from "./cspace";
import { mmio_read, mmio_write } from "./host";

/** The bus address of register `reg` of the device the capability names, or -1. */
function address(g: i32, reg: i32): i32 {
  if (reg < 0 || (reg & 3) != 0) return -1;
  return deviceAddress(capBadge(g), reg); // the windows of abi/hal.ts
}

/** The register's 32 bits, zero-extended, so no value reads as an error code. */
export function devRead(slot: i32, reg: i32): i64 {
  const g = lookup(current(), slot, K_DEVICE, R_READ);
  if (g < 0) return g;
  const a = address(g, reg);
  return a < 0 ? E_ARG : <i64><u32>mmio_read(a);
}

export function devWrite(slot: i32, reg: i32, value: i32): i32 {
  const g = lookup(current(), slot, K_DEVICE, R_WRITE);
  if (g < 0) return g;
  const a = address(g, reg);
  if (a < 0) return E_ARG;
  mmio_write(a, value);
  return OK;
}
