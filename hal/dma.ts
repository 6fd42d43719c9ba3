// The DMA queue: a device model that moves bytes between its own memory and
// a process's asks here, and the kernel serves the requests (kernel/dma.ts):
// it finds the process that bound the device (dma_bind), walks that
// process's page tables with its pages' rights (the kernel is the IOMMU) and
// copies with host.copy, whose COPY_HAL names this module's memory. The
// queue sits behind the interrupt controller's INTC_DMA_* registers, which
// only the kernel reaches, and keeps IRQ_DMA pending while it holds a
// request. Each request says which device model to tell when it is done.
import { DMA_QUEUE, DMA_MAX, DMA_TO_DEVICE, DMA_FROM_DEVICE, E_ARG, E_NOSPACE } from "../kernel/abi";
import { entropyDmaEnded } from "./entropy";
import { qpuDmaEnded } from "./qpu-device";
import { uartDmaEnded } from "./uart";

/** Who is told when a request ends: one value per device model that does DMA. */
export const DMA_FOR_ENTROPY = 1;
export const DMA_FOR_QPU = 2;
export const DMA_FOR_UART = 3;

const dev = new StaticArray<i32>(DMA_QUEUE);
const dir = new StaticArray<i32>(DMA_QUEUE);
const addr = new StaticArray<i32>(DMA_QUEUE);
const ptr = new StaticArray<i32>(DMA_QUEUE);
const len = new StaticArray<i32>(DMA_QUEUE);
const owner = new StaticArray<i32>(DMA_QUEUE);
const tag = new StaticArray<i32>(DMA_QUEUE); // the owner's own word (a pluggable model's slot)
let head = 0;
let count = 0;

export function dmaReset(): void { head = 0; count = 0; }

/**
 * Ask for a transfer of `n` bytes between `at` in this module's memory and
 * virtual address `va` of the process that bound device `id`. OK when
 * queued (the owner hears the result later), or why not: the owner is not
 * told of a request refused here.
 */
export function dmaRequest(id: i32, direction: i32, va: i32, at: usize, n: i32, who: i32, ownTag: i32 = 0): i32 {
  if (direction != DMA_TO_DEVICE && direction != DMA_FROM_DEVICE) return E_ARG;
  if (n <= 0 || n > DMA_MAX) return E_ARG;
  if (count >= DMA_QUEUE) return E_NOSPACE;
  const i = (head + count) % DMA_QUEUE;
  unchecked(dev[i] = id);
  unchecked(dir[i] = direction);
  unchecked(addr[i] = va);
  unchecked(ptr[i] = <i32>at);
  unchecked(len[i] = n);
  unchecked(owner[i] = who);
  unchecked(tag[i] = ownTag);
  count++;
  return 0;
}

// INTC_DMA_* (abi/hal.ts): the oldest request, read by the kernel.
export function dmaCount(): i32 { return count; }
export function dmaDev(): i32 { return count > 0 ? unchecked(dev[head]) : 0; }
export function dmaDir(): i32 { return count > 0 ? unchecked(dir[head]) : 0; }
export function dmaAddr(): i32 { return count > 0 ? unchecked(addr[head]) : 0; }
export function dmaPtr(): i32 { return count > 0 ? unchecked(ptr[head]) : 0; }
export function dmaLen(): i32 { return count > 0 ? unchecked(len[head]) : 0; }

/** INTC_DMA_DONE: the oldest request's result; it leaves the queue before its owner hears it, so the owner may ask again. */
export function dmaDone(result: i32): void {
  if (count == 0) return;
  const who = unchecked(owner[head]);
  const t = unchecked(tag[head]), id = unchecked(dev[head]);
  head = (head + 1) % DMA_QUEUE;
  count--;
  if (who == DMA_FOR_ENTROPY) entropyDmaEnded(result);
  else if (who == DMA_FOR_QPU) qpuDmaEnded(t, id, result);
  else if (who == DMA_FOR_UART) uartDmaEnded(result);
}
