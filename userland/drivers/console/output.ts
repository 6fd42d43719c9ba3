// The console's output: a client's bytes, a chunk at a time from its lease,
// to the UART by DMA (UART_TX_*): each chunk goes into a page of this
// driver's kernel-managed memory, bound to the UART, and one UART_TX_GO
// sends it, so a line costs a few syscalls, not one per byte. Under
// BOOT_QUIET (the conformance runner) only protocol lines, those starting
// with '#', go out, as the kernel's own lines do (kernel/console.ts).
import {
  sys, reply, OK, E_ARG, E_STATE, E_NOSPACE, UART_DATA, UART_FLUSH, UART_TX_ADDR, UART_TX_LEN, UART_TX_GO, UART_TX_STATUS,
  UART_TX_MAX, UART_TX_BUSY, CON_WRITE_MAX, CON_WRITE_HOLD, VM_READ, VM_WRITE,
} from "../../lib";

const CHUNK = UART_TX_MAX;
const buf = new StaticArray<u8>(CHUNK);
/** Where the chunk goes for the device to read: one page of kernel-managed memory (CHUNK = 4096). */
const TX_AT: u32 = 0x40000000;
let uart = -1;
let quiet = false;
let atLineStart = true;
let lineMuted = false;
let lastLen = -1; // TX_LEN as last written: a run of equal chunks writes it once

/** quark_start: map the page, bind the UART for DMA (a restart binds again: a binding ends with its process) and aim it at the page. */
export function outputStart(cap: i32, quietBoot: bool): i32 {
  uart = cap;
  quiet = quietBoot;
  lastLen = -1;
  let r = sys.vm_map(TX_AT, 1, VM_READ | VM_WRITE);
  if (r == OK) r = sys.dma_bind(uart, 1);
  if (r == OK) r = sys.dev_write(uart, UART_TX_ADDR, <i32>TX_AT);
  return r;
}

/** Keep the bytes of `n` in buf that reach the console (all of them unless quiet); how many. */
function keep(n: i32): i32 {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>unchecked(buf[i]); // i < n <= CHUNK
    if (atLineStart) { lineMuted = quiet && c != 35; atLineStart = false; }
    if (c == 10) atLineStart = true;
    if (!lineMuted) { unchecked(buf[m] = <u8>c); m++; } // m <= i
  }
  return m;
}

/** The first `m` bytes of buf to the UART in one transfer: OK, or E_STATE if the device refused them (the capability is gone). */
function transmit(m: i32): i32 {
  if (sys.vm_write(TX_AT, changetype<usize>(buf), m) != m) return E_STATE;
  if (m != lastLen) {
    if (sys.dev_write(uart, UART_TX_LEN, m) != OK) return E_STATE;
    lastLen = m;
  }
  if (sys.dev_write(uart, UART_TX_GO, 1) != OK) return E_STATE;
  const s = <i32>sys.dev_read(uart, UART_TX_STATUS);
  if (s == m) return OK;
  // The DMA queue was full (QPU transfers ahead): these bytes go the slow way, in order.
  if (s == E_NOSPACE) return putEach(m);
  return s == UART_TX_BUSY ? OK : E_STATE; // BUSY cannot be seen here (abi/hal.ts): the bytes would still go, in order
}

function putEach(m: i32): i32 {
  for (let i = 0; i < m; i++) if (sys.dev_write(uart, UART_DATA, <i32>unchecked(buf[i])) != OK) return E_STATE; // i < m <= CHUNK
  return OK;
}

/** TAG_CON_WRITE: lease 0's bytes, w0 = flags. */
export function write(flags: i64): i32 {
  if ((flags & ~(<i64>CON_WRITE_HOLD)) != 0) return E_ARG;
  const len = sys.lease_len(0);
  if (len < 0) return len;
  if (len > CON_WRITE_MAX) return E_ARG;
  const p = changetype<usize>(buf);
  let endsLine = true; // what was sent ends with a newline: the TX buffer holds nothing of it
  for (let off = 0; off < len; off += CHUNK) {
    const n = sys.lease_read(0, off, p, min(CHUNK, len - off));
    if (n < 0) return n; // nothing of this chunk went out
    const m = keep(n);
    if (m == 0) continue;
    endsLine = unchecked(buf[m - 1]) == 10;
    const t = transmit(m);
    if (t != OK) return t;
  }
  // A write is a unit of output: a prompt with no newline still reaches the terminal.
  if (!endsLine && (flags & CON_WRITE_HOLD) == 0) flush();
  reply(len);
  return OK;
}

/** TAG_CON_FLUSH, and the end of every write not held. */
export function flush(): i32 { return sys.dev_write(uart, UART_FLUSH, 1); }
