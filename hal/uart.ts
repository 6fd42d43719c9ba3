// Console UART model: a TX buffer flushed to the host a line at a time, and an
// RX FIFO the host fills byte by byte. Registers are in kernel/abi.ts (UART_*).
import { UART_RX_EOF, UART_RX_READY, UART_IRQ_RX, IRQ_UART_RX, E_QFULL, OK } from "../kernel/abi";
import { raise } from "./intc";

@external("host", "console_out")
declare function console_out(ptr: usize, len: i32): void;

const TX_SIZE = 4096;
const RX_SIZE = 1024;
const tx = new StaticArray<u8>(TX_SIZE);
const rx = new StaticArray<u8>(RX_SIZE);
let txLen = 0;
let rxHead = 0;
let rxCount = 0;
let rxEof = false;
let ctrl = 0;

export function uartReset(): void {
  txLen = 0; rxHead = 0; rxCount = 0; rxEof = false; ctrl = 0;
}

export function uartFlush(): void { flush(); }

function flush(): void {
  if (txLen > 0) console_out(changetype<usize>(tx), txLen);
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
  if (rxCount == RX_SIZE) return E_QFULL;
  unchecked(rx[(rxHead + rxCount) % RX_SIZE] = <u8>byte);
  rxCount++;
  if (ctrl & UART_IRQ_RX) raise(IRQ_UART_RX);
  return OK;
}
