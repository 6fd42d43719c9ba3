// DMA: the kernel as the IOMMU. A device model does not reach memory itself;
// it queues a request in the HAL (hal/dma.ts) and the kernel serves it here:
// the process that bound the device with dma_bind is the only one whose
// memory the device reaches, through that process's page tables and with its
// pages' rights (a device writes only writable pages, reads only readable
// ones; a demand-zero or copy-on-write page is backed as the process's own
// write would be, charged to it), and host.copy moves the bytes between the
// frames and the HAL's memory (COPY_HAL). A binding ends with its process
// (take-down): a device then reaches no memory until a driver binds it again.
import {
  K_DEVICE, R_WRITE, OK, E_ARG, E_PERM, E_STATE, E_NOSPACE, E_UNSUPPORTED, E_REVOKED, COPY_HAL, DMA_BINDINGS, DMA_DRAIN, DMA_MAX,
  DMA_TO_DEVICE, DMA_FROM_DEVICE, INTC_DMA_COUNT, INTC_DMA_DEV, INTC_DMA_DIR, INTC_DMA_ADDR, INTC_DMA_PTR,
  INTC_DMA_LEN, INTC_DMA_DONE,
} from "./abi";
import { current } from "./proc";
import { lookup, capBadge } from "./cspace";
import { mmio_read, mmio_write } from "./host";
import { copyIn, copyOut } from "./vm";
import { deviceDoesDma } from "./device";
import { table } from "./table";

const boundId = table<i32>(DMA_BINDINGS); // device id, 0: a free entry (no device has id 0)
const boundPid = table<i32>(DMA_BINDINGS);

function entryOf(id: i32): i32 {
  for (let i = 0; i < DMA_BINDINGS; i++) if (unchecked(boundId[i]) == id) return i;
  return -1;
}

/** dma_bind(slot, on): the device's DMA reaches the caller's memory (on = 1) or no longer (on = 0). */
export function dmaBind(slot: i32, on: i32): i32 {
  const pid = current();
  const g = lookup(pid, slot, K_DEVICE, R_WRITE);
  if (g < 0) return g;
  if (on != 0 && on != 1) return E_ARG;
  const id = capBadge(g);
  // Unbinding needs no DMA check: a device unplugged since is unbound all the same.
  if (on == 1 && !deviceDoesDma(id)) return E_UNSUPPORTED;
  let e = entryOf(id);
  if (e >= 0 && unchecked(boundPid[e]) != pid) return E_PERM;
  if (on == 0) {
    if (e < 0) return E_STATE;
    unchecked(boundId[e] = 0);
    return OK;
  }
  if (e < 0) e = entryOf(0);
  if (e < 0) return E_NOSPACE;
  unchecked(boundId[e] = id);
  unchecked(boundPid[e] = pid);
  return OK;
}

/**
 * Whether `pid` may write the registers of device `id`: a device bound for
 * DMA is its binder's alone, or another holder of it could aim its transfers
 * at the binder's memory.
 */
export function dmaMayWrite(id: i32, pid: i32): bool {
  const e = entryOf(id);
  return e < 0 || unchecked(boundPid[e]) == pid;
}

/** At `pid`'s take-down: its devices reach no memory any more. */
export function dmaRelease(pid: i32): void {
  for (let i = 0; i < DMA_BINDINGS; i++) if (unchecked(boundPid[i]) == pid) unchecked(boundId[i] = 0);
}

/** One request: the bytes moved, or why none did (E_STATE: no process has the device bound). */
function serve(id: i32, dir: i32, va: i32, at: i32, len: i32): i32 {
  if (id == 0 || len <= 0 || len > DMA_MAX) return E_ARG;
  const e = entryOf(id);
  if (e < 0) return E_STATE;
  // A request left by a device unplugged since moves nothing.
  if (!deviceDoesDma(id)) return E_REVOKED;
  const pid = unchecked(boundPid[e]);
  if (dir == DMA_FROM_DEVICE) return copyIn(pid, va, COPY_HAL, at, len);
  if (dir == DMA_TO_DEVICE) return copyOut(pid, va, COPY_HAL, at, len);
  return E_ARG;
}

/** Serve the devices' DMA queue, at most DMA_DRAIN requests (IRQ_DMA stays pending for the rest). */
export function dmaDrain(): void {
  for (let n = 0; n < DMA_DRAIN && mmio_read(INTC_DMA_COUNT) > 0; n++) {
    const r = serve(mmio_read(INTC_DMA_DEV), mmio_read(INTC_DMA_DIR), mmio_read(INTC_DMA_ADDR), mmio_read(INTC_DMA_PTR), mmio_read(INTC_DMA_LEN));
    mmio_write(INTC_DMA_DONE, r);
  }
}
