// The console's output: a client's bytes, a chunk at a time from its lease,
// to the UART's TX register. Under BOOT_QUIET (the conformance runner) only
// protocol lines, those starting with '#', go out, as the kernel's own lines
// do (kernel/console.ts).
import { sys, reply, OK, E_ARG, E_STATE, UART_DATA, UART_FLUSH, CON_WRITE_MAX, CON_WRITE_HOLD } from "../../lib";

const CHUNK = 512;
const buf = new StaticArray<u8>(CHUNK);
let uart = -1;
let quiet = false;
let atLineStart = true;
let lineMuted = false;

export function outputStart(cap: i32, quietBoot: bool): void { uart = cap; quiet = quietBoot; }

/** One byte to the UART: false if the device refused it (the capability is gone). */
@inline function put(c: i32): bool {
  if (atLineStart) { lineMuted = quiet && c != 35; atLineStart = false; }
  if (c == 10) atLineStart = true;
  return lineMuted || sys.dev_write(uart, UART_DATA, c) == OK;
}

/** TAG_CON_WRITE: lease 0's bytes, w0 = flags. */
export function write(flags: i64): i32 {
  if ((flags & ~(<i64>CON_WRITE_HOLD)) != 0) return E_ARG;
  const len = sys.lease_len(0);
  if (len < 0) return len;
  if (len > CON_WRITE_MAX) return E_ARG;
  const p = changetype<usize>(buf);
  for (let off = 0; off < len; off += CHUNK) {
    const n = sys.lease_read(0, off, p, min(CHUNK, len - off));
    if (n < 0) return n; // nothing of this chunk went out
    for (let i = 0; i < n; i++) if (!put(<i32>unchecked(buf[i]))) return E_STATE;
  }
  // A write is a unit of output: a prompt with no newline still reaches the terminal.
  if (len > 0 && (flags & CON_WRITE_HOLD) == 0) flush();
  reply(len);
  return OK;
}

/** TAG_CON_FLUSH, and the end of every write not held. */
export function flush(): i32 { return sys.dev_write(uart, UART_FLUSH, 1); }
