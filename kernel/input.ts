// Console input: the HAL's UART fills an RX FIFO from the host's input; a
// process holding the console with R_READ reads it with console_read. When
// there is nothing yet, the reader is remembered and gets NOTE_INPUT on the
// next RX interrupt (input or its end), so it never polls.
import { K_CONSOLE, R_READ, E_ARG, E_EOF, UART_DATA, UART_STATUS, UART_RX_EOF, NOTE_INPUT } from "./abi";
import { current } from "./proc";
import { lookup } from "./cspace";
import { mmio_read } from "./host";
import { host_copy } from "./host";
import { raiseBits } from "./notify";

const CHUNK = 256;
const buf = new StaticArray<u8>(CHUNK);
let waiter = -1;

export function consoleRead(slot: i32, dst: i32, len: i32): i32 {
  const g = lookup(current(), slot, K_CONSOLE, R_READ);
  if (g < 0) return g;
  if (len < 0) return E_ARG;
  let n = 0;
  const want = min(len, CHUNK);
  // Check the destination before taking bytes from the FIFO: a refused read loses no input.
  if (want > 0) {
    const ok = host_copy(current(), dst, current(), dst, want);
    if (ok < 0) return ok;
  }
  while (n < want) {
    const b = mmio_read(UART_DATA);
    if (b < 0) break;
    unchecked(buf[n++] = <u8>b);
  }
  if (n > 0) {
    const r = host_copy(0, <i32>changetype<usize>(buf), current(), dst, n);
    return r < 0 ? r : n;
  }
  if ((mmio_read(UART_STATUS) & UART_RX_EOF) != 0) return E_EOF;
  waiter = current();
  return 0;
}

/** The RX interrupt: wake the process waiting for input, if any. */
export function inputArrived(): void {
  if (waiter < 0) return;
  raiseBits(waiter, NOTE_INPUT);
  waiter = -1;
}

/** `pid` is being freed: a wait of its own must not wake the next process given the pid. */
export function forgetReader(pid: i32): void { if (waiter == pid) waiter = -1; }

/** Is a process waiting for console input (so the host should wait for it too)? */
export function awaitingInput(): bool { return waiter >= 0; }
