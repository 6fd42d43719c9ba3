// Interrupt controller: pending lines, gated by an enable mask. The kernel
// polls INTC_PENDING at every scheduling point, as a CPU samples its IRQ line.
import { check } from "./timer";
import { IRQ_DMA } from "../kernel/abi";
import { dmaCount, dmaReset } from "./dma";

// The DMA queue's registers sit in this window (abi/hal.ts); their handlers are dma.ts's.
export { dmaCount, dmaDev, dmaDir, dmaAddr, dmaPtr, dmaLen, dmaDone } from "./dma";

let pending = 0;
let enabled = 0;

export function intcReset(): void { pending = 0; enabled = 0; dmaReset(); }
export function raise(line: i32): void { pending |= line; }
export function intcPending(): i32 { return pending & enabled; }
/**
 * INTC_PENDING as the kernel reads it: the timer first raises its line if its
 * deadline has passed; IRQ_DMA is pending while a DMA request waits (level).
 */
export function intcPendingNow(): i32 {
  check();
  if (dmaCount() > 0) pending |= IRQ_DMA;
  return intcPending();
}
export function intcAck(bits: i32): void { pending &= ~bits; }
export function intcEnabled(): i32 { return enabled; }
export function intcSetEnabled(v: i32): void { enabled = v; }
