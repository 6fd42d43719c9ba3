// Console UART model: a TX buffer flushed to the host a line at a time, and an
// RX FIFO the host fills: a byte at a time (uart_rx) or, through a staging
// buffer in this memory, as many bytes as fit in one call (uart_rx_write).
// When the FIFO is full the host keeps the rest and retries after the kernel
// has run: that is the back-pressure. Registers are in abi/hal.ts (UART_*).
import { UART_RX_EOF, UART_RX_READY, UART_IRQ_RX, UART_RX_BUFFER, IRQ_UART_RX, E_QFULL, E_ARG, OK } from "../kernel/abi";
import { raise } from "./intc";
import { host_console_out } from "./host";

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

export function uartReset(): void {
  txLen = 0; rxHead = 0; rxCount = 0; rxEof = false; ctrl = 0;
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
