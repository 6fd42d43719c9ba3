// Console UART model: a TX buffer flushed to the host a line at a time, and an
// RX FIFO the host fills: a byte at a time (uart_rx) or, through a staging
// buffer in this memory, as many bytes as fit in one call (uart_rx_write).
// When the FIFO is full the host keeps the rest and retries after the kernel
// has run: that is the back-pressure. A driver transmits in bulk by DMA
// (UART_TX_*): the bytes come from its memory into a staging buffer here and
// go to the host whole lines at a time. Registers are in abi/hal.ts (UART_*).
import {
  UART_RX_EOF, UART_RX_READY, UART_IRQ_RX, UART_RX_BUFFER, UART_TX_MAX, UART_TX_IDLE, UART_TX_BUSY, IRQ_UART_RX, DEV_UART,
  DMA_TO_DEVICE, E_QFULL, E_ARG, OK,
} from "../kernel/abi";
import { raise } from "./intc";
import { host_console_out } from "./host";
import { dmaRequest, DMA_FOR_UART } from "./dma";

const TX_SIZE = 4096;
const RX_SIZE = UART_RX_BUFFER;
const tx = new StaticArray<u8>(TX_SIZE);
const rx = new StaticArray<u8>(RX_SIZE);
const staged = new StaticArray<u8>(UART_RX_BUFFER);
let txLen = 0;
let rxHead = 0;
let rxCount = 0;
let rxEof = false;
let ctrl = 0;
// Transmit by DMA: the bytes land here first, so the kernel's own lines
// (written to DATA meanwhile) cannot be overwritten by a transfer in flight.
const txStaged = new StaticArray<u8>(UART_TX_MAX);
let txAddr = 0;
let txCount = 0;
let txStatus = UART_TX_IDLE;

export function uartReset(): void {
  txLen = 0; rxHead = 0; rxCount = 0; rxEof = false; ctrl = 0;
  txAddr = 0; txCount = 0; txStatus = UART_TX_IDLE;
}

/** UART_FLUSH: any value written sends what the TX buffer holds. */
export function uartFlush(_value: i32): void { flush(); }

function flush(): void {
  if (txLen > 0) host_console_out(<i32>changetype<usize>(tx), txLen);
  txLen = 0;
}

export function uartTx(b: i32): void {
  unchecked(tx[txLen] = <u8>b);
  txLen++;
  // A line is the unit of output, so two hosts interleave nothing differently.
  if (b == 10 || txLen == TX_SIZE) flush();
}

export function uartRxRead(): i32 {
  if (rxCount == 0) return -1;
  const b = <i32>unchecked(rx[rxHead]);
  rxHead = (rxHead + 1) % RX_SIZE;
  rxCount--;
  return b;
}

export function uartStatus(): i32 {
  return (rxCount > 0 ? UART_RX_READY : 0) | (rxEof ? UART_RX_EOF : 0);
}

export function uartCtrl(): i32 { return ctrl; }
export function uartSetCtrl(v: i32): void { ctrl = v; }

/** Host input: one byte, or -1 for end of input. */
export function uartRx(byte: i32): i32 {
  if (byte < 0) { rxEof = true; if (ctrl & UART_IRQ_RX) raise(IRQ_UART_RX); return OK; }
  if (byte > 255) return E_ARG;
  if (rxCount == RX_SIZE) return E_QFULL;
  unchecked(rx[(rxHead + rxCount) % RX_SIZE] = <u8>byte);
  rxCount++;
  if (ctrl & UART_IRQ_RX) raise(IRQ_UART_RX);
  return OK;
}

/** Where the host stages bytes for uartRxWrite: UART_RX_BUFFER bytes of this memory. */
export function uartRxBuffer(): usize { return changetype<usize>(staged); }

/**
 * Host input in bulk: move the first `len` staged bytes, as many as fit, into
 * the RX FIFO. Returns how many it took (0 when the FIFO is full), or E_ARG
 * for a length outside 0..UART_RX_BUFFER.
 */
export function uartRxWrite(len: i32): i32 {
  if (<u32>len > <u32>UART_RX_BUFFER) return E_ARG;
  const n = min(len, RX_SIZE - rxCount);
  for (let i = 0; i < n; i++) {
    unchecked(rx[(rxHead + rxCount) % RX_SIZE] = unchecked(staged[i])); // i < n <= len <= UART_RX_BUFFER
    rxCount++;
  }
  if (n > 0 && (ctrl & UART_IRQ_RX) != 0) raise(IRQ_UART_RX);
  return n;
}

export function uartTxAddr(): i32 { return txAddr; }
export function uartSetTxAddr(value: i32): void { txAddr = value; }
export function uartTxLen(): i32 { return txCount; }
export function uartSetTxLen(value: i32): void { txCount = value; }
export function uartTxStatus(): i32 { return txStatus; }

/**
 * UART_TX_GO: ask the kernel for TX_LEN bytes at TX_ADDR of the process that
 * bound the UART. A transmit under way ignores the write; a refused one says
 * why in TX_STATUS at once. No line rises: the kernel serves a doorbell
 * before the driver's dev_write returns, so the driver reads TX_STATUS next.
 */
export function uartTxGo(_value: i32): void {
  if (txStatus == UART_TX_BUSY) return;
  const n = txCount;
  if (n <= 0 || n > UART_TX_MAX) { txStatus = E_ARG; return; }
  const r = dmaRequest(DEV_UART, DMA_TO_DEVICE, txAddr, changetype<usize>(txStaged), n, DMA_FOR_UART);
  txStatus = r < 0 ? r : UART_TX_BUSY;
}

/** The kernel's answer to a transmit: the bytes it read (then sent), or the error. */
export function uartDmaEnded(result: i32): void {
  if (result > 0) send(min(result, UART_TX_MAX));
  txStatus = result;
}

/**
 * `n` staged bytes after what the TX buffer holds: every whole line in one
 * call to the host (a held partial line joined to it when there is room), a
 * last partial line kept in the TX buffer as DATA keeps one.
 */
function send(n: i32): void {
  const p = changetype<usize>(txStaged);
  let lines = n;
  while (lines > 0 && load<u8>(p + <usize>(lines - 1)) != 10) lines--;
  if (lines > 0) {
    if (txLen + lines <= TX_SIZE) {
      memory.copy(changetype<usize>(tx) + <usize>txLen, p, lines);
      txLen += lines;
      flush();
    } else {
      flush();
      host_console_out(<i32>p, lines);
    }
  }
  for (let i = lines; i < n; i++) uartTx(<i32>load<u8>(p + <usize>i)); // no newline among them: kept, or sent when full
}
