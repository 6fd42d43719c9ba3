// Entropy device model: raw noise sources behind the ENT_* registers. Each
// source draws on its own stream of the host's random bytes (host.random_fill),
// fetched a batch at a time so the host is asked rarely. A test can make a
// source fail through ENT_FAULT: stuck (one value repeated) or biased (each
// bit is one with probability 255/256), which is what the health tests of a
// driver are there to notice.
import {
  ENT_FAULT_NONE, ENT_FAULT_STUCK, ENT_FAULT_BIASED, ENT_DMA_MAX, ENT_DMA_IDLE, ENT_DMA_BUSY, DEV_ENTROPY, IRQ_ENTROPY,
  DMA_FROM_DEVICE, E_ARG,
} from "../kernel/abi";
import { host_random_fill } from "./host";
import { dmaRequest, DMA_FOR_ENTROPY } from "./dma";
import { raise } from "./intc";


const SOURCES = 2;
const BATCH = 512; // bytes fetched per refill of one source
// Words OR-ed together for one biased word: a bit is zero only if it is zero in all of them.
const BIAS_WORDS = 8;

const batches = new StaticArray<u8>(SOURCES * BATCH);
const used = new StaticArray<i32>(SOURCES); // bytes of the source's batch consumed
const faults = new StaticArray<i32>(SOURCES);
const stuckAt = new StaticArray<u32>(SOURCES);
let selected = 0;
// DMA: the samples of one transfer are staged here, then the kernel copies them out (dma.ts).
const staged = new StaticArray<u8>(ENT_DMA_MAX);
let dmaAt = 0;
let dmaLength = 0;
let dmaStatus = ENT_DMA_IDLE;

export function entropyReset(): void {
  selected = 0;
  dmaAt = 0;
  dmaLength = 0;
  dmaStatus = ENT_DMA_IDLE;
  for (let s = 0; s < SOURCES; s++) {
    unchecked(used[s] = BATCH);
    unchecked(faults[s] = ENT_FAULT_NONE);
    unchecked(stuckAt[s] = 0);
  }
}

/** 32 bits of source `s`'s own stream, before any fault. */
function rawWord(s: i32): u32 {
  const base = changetype<usize>(batches) + <usize>(s * BATCH);
  let at = unchecked(used[s]);
  if (at + 4 > BATCH) {
    host_random_fill(<i32>base, BATCH);
    at = 0;
  }
  unchecked(used[s] = at + 4);
  return load<u32>(base + <usize>at);
}

function biasedWord(s: i32): u32 {
  let w: u32 = 0;
  for (let i = 0; i < BIAS_WORDS; i++) w |= rawWord(s);
  return w;
}

function data(): i32 {
  const s = selected;
  switch (unchecked(faults[s])) {
    case ENT_FAULT_STUCK: return <i32>unchecked(stuckAt[s]);
    case ENT_FAULT_BIASED: return <i32>biasedWord(s);
  }
  return <i32>rawWord(s);
}

function setFault(kind: i32): void {
  if (kind != ENT_FAULT_NONE && kind != ENT_FAULT_STUCK && kind != ENT_FAULT_BIASED) return;
  const s = selected;
  // A stuck source repeats whatever it was about to produce.
  if (kind == ENT_FAULT_STUCK) unchecked(stuckAt[s] = rawWord(s));
  unchecked(faults[s] = kind);
}

// Register handlers (abi/hal.ts routes each ENT_* register here).
export function entropySources(): i32 { return SOURCES; }
export function entropySelected(): i32 { return selected; }
export function entropyData(): i32 { return data(); }
export function entropyFault(): i32 { return unchecked(faults[selected]); } // selected < SOURCES: entropySelect keeps it so
// A source that does not exist is ignored: the selection stays valid.
export function entropySelect(value: i32): void { if (<u32>value < <u32>SOURCES) selected = value; }
export function entropySetFault(value: i32): void { setFault(value); }

/**
 * ENT_DMA_GO: stage DMA_LEN bytes of the selected source, faults and all, and
 * ask the kernel to write them at DMA_ADDR of the process that bound the
 * device. A transfer under way ignores the write (the driver waits for the line).
 */
function dmaGo(): void {
  if (dmaStatus == ENT_DMA_BUSY) return;
  const n = dmaLength;
  if (n <= 0 || n > ENT_DMA_MAX) { dmaStatus = E_ARG; raise(IRQ_ENTROPY); return; }
  const base = changetype<usize>(staged);
  for (let i = 0; i < n; i += 4) {
    const w = <u32>data();
    // The last word may be cut short: only whole bytes of it land.
    for (let k = 0; k < 4 && i + k < n; k++) store<u8>(base + <usize>(i + k), <u8>(w >>> (<u32>k << 3)));
  }
  const r = dmaRequest(DEV_ENTROPY, DMA_FROM_DEVICE, dmaAt, base, n, DMA_FOR_ENTROPY);
  if (r < 0) { dmaStatus = r; raise(IRQ_ENTROPY); return; }
  dmaStatus = ENT_DMA_BUSY;
}

/** The kernel's answer to the transfer: the bytes it wrote, or the error. */
export function entropyDmaEnded(result: i32): void {
  dmaStatus = result;
  raise(IRQ_ENTROPY);
}

export function entropyDmaAddr(): i32 { return dmaAt; }
export function entropySetDmaAddr(value: i32): void { dmaAt = value; }
export function entropyDmaLen(): i32 { return dmaLength; }
export function entropySetDmaLen(value: i32): void { dmaLength = value; }
export function entropyDmaGo(value: i32): void { dmaGo(); }
export function entropyDmaStatus(): i32 { return dmaStatus; }
