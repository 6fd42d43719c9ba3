// The console's input: bytes from the UART's RX FIFO into a client's lease.
// The receive line is armed only while a listener waits for input, so the
// kernel tells the host that the machine waits for input exactly when a
// reader does (kernel/run.ts: deadline). When the line fires, the kernel
// masks it; the waiting listeners get TAG_CON_INPUT and read again, and a
// read that finds nothing arms the line once more. Input that arrives while
// nobody waits stays in the FIFO (the line stays latched) for the next read.
import {
  sys, reply, OK, E_ARG, E_EOF, E_NOSPACE, E_QFULL, K_ENDPOINT, MAX_PROCS, UART_DATA, UART_STATUS, UART_RX_EOF,
  IRQ_CTL_CLEAR, IRQ_CTL_ENABLE, CON_READ_MAX, CON_LISTENERS, CON_RX_BIT, TAG_CON_INPUT, keepCap, irqFind,
} from "../../lib";

const buf = new StaticArray<u8>(CON_READ_MAX);
// Bytes taken from the FIFO that a client's lease refused: the next read gets them first.
const held = new StaticArray<u8>(CON_READ_MAX);
let heldPos = 0;
let heldLen = 0;
/**
 * A listener's endpoint is labelled LISTEN_LABEL + its pid: capabilities stay
 * with the process across restarts, so a restarted driver finds its
 * listeners again (and wakes them: a read they waited on is asked again).
 */
const LISTEN_LABEL = 0x434f4e00; // "CON\0"
const lPid = new StaticArray<i32>(CON_LISTENERS); // the client's pid (its badge), 0: a free row
const lCap = new StaticArray<i32>(CON_LISTENERS); // its endpoint
const lWaiting = new StaticArray<bool>(CON_LISTENERS); // a read of its found nothing
let uart = -1;
let line = -1;

/** quark_start: bind the line (it stays masked), find the listeners kept across a restart and wake them. */
export function inputStart(cap: i32): i32 {
  uart = cap;
  line = irqFind("uart");
  if (line < 0) return line;
  const b = sys.irq_bind(line, CON_RX_BIT);
  if (b < 0) return b;
  let r = 0;
  for (let pid = 1; pid < MAX_PROCS && r < CON_LISTENERS; pid++) {
    const s = sys.cap_find(LISTEN_LABEL + pid);
    if (s < 0) continue;
    unchecked(lPid[r] = pid); unchecked(lCap[r] = s); unchecked(lWaiting[r] = false);
    sys.send(s, TAG_CON_INPUT, 0, 0, 0, 0, 0, 0);
    r++;
  }
  for (; r < CON_LISTENERS; r++) { unchecked(lPid[r] = 0); unchecked(lCap[r] = -1); unchecked(lWaiting[r] = false); }
  return OK;
}

function rowOf(pid: i32): i32 {
  for (let r = 0; r < CON_LISTENERS; r++) if (unchecked(lPid[r]) == pid) return r;
  return -1;
}

/** TAG_CON_LISTEN from `pid`: keep the endpoint that came (replacing its earlier one). */
export function listen(pid: i32): i32 {
  const cap = sys.msg_cap();
  if (cap < 0 || (sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
  if (pid <= 0 || pid >= MAX_PROCS) return E_ARG;
  let r = rowOf(pid);
  if (r >= 0) sys.cap_delete(unchecked(lCap[r]));
  else r = rowOf(0);
  if (r < 0) return E_NOSPACE;
  keepCap();
  sys.cap_label(cap, LISTEN_LABEL + pid);
  unchecked(lPid[r] = pid); unchecked(lCap[r] = cap); unchecked(lWaiting[r] = false);
  return OK;
}

/** TAG_CON_READ from `pid`: what is there, E_EOF at the end, or 0 and the line armed for its listener. */
export function read(pid: i32): i32 {
  const want = min(sys.lease_len(0), CON_READ_MAX);
  if (want < 0) return want;
  const probe = sys.lease_write(0, 0, changetype<usize>(buf), 0); // a lease it cannot write: refused before any byte is taken
  if (probe < 0) return probe;
  if (want == 0) { reply(0); return OK; }
  if (heldLen > 0) return deliverHeld(want);
  let n = 0;
  while (n < want) {
    const b = sys.dev_read(uart, UART_DATA);
    if (b < 0 || b > 255) break; // empty reads all ones (-1 as 32 bits)
    unchecked(buf[n] = <u8>b); // n < want <= CON_READ_MAX
    n++;
  }
  if (n > 0) {
    const w = sys.lease_write(0, 0, changetype<usize>(buf), n);
    if (w < 0) { memory.copy(changetype<usize>(held), changetype<usize>(buf), n); heldPos = 0; heldLen = n; return w; }
    reply(n);
    return OK;
  }
  const status = sys.dev_read(uart, UART_STATUS);
  if (status >= 0 && (status & UART_RX_EOF) != 0) return E_EOF;
  const r = rowOf(pid);
  if (r >= 0) {
    unchecked(lWaiting[r] = true);
    // The FIFO is empty now: forget what raised the line before, and arm it.
    sys.irq_control(line, IRQ_CTL_CLEAR | IRQ_CTL_ENABLE);
  }
  reply(0);
  return OK;
}

/** Bytes an earlier lease refused go first, and alone: they leave only once a lease took them. */
function deliverHeld(want: i32): i32 {
  const n = min(want, heldLen - heldPos);
  const w = sys.lease_write(0, 0, changetype<usize>(held) + <usize>heldPos, n);
  if (w < 0) return w;
  heldPos += n;
  if (heldPos == heldLen) { heldPos = 0; heldLen = 0; }
  reply(n);
  return OK;
}

/** The line fired (input arrived or ended): it is masked now; wake every listener that waits. */
export function inputArrived(): void {
  let retry = false;
  for (let r = 0; r < CON_LISTENERS; r++) {
    if (!unchecked(lWaiting[r])) continue;
    unchecked(lWaiting[r] = false);
    const s = sys.send(unchecked(lCap[r]), TAG_CON_INPUT, 0, 0, 0, 0, 0, 0);
    if (s == E_QFULL) { retry = true; unchecked(lWaiting[r] = true); } // its queue is full: try again at the next poll
    else if (s < 0) forgetRow(r); // gone for good (E_BADSLOT, E_DEAD after a stop): a restart listens again
  }
  // Armed without clearing: the line is still latched, so it fires again at the kernel's next poll.
  if (retry) sys.irq_control(line, IRQ_CTL_ENABLE);
}

function forgetRow(r: i32): void {
  sys.cap_delete(unchecked(lCap[r]));
  unchecked(lPid[r] = 0); unchecked(lCap[r] = -1); unchecked(lWaiting[r] = false);
}
