// The console driver's protocol (userland/drivers/console): the one service
// holding the UART's registers and its receive line serves the console to
// the services a manifest grants it to (the log, the shell). Bytes move in a
// lease; a read never blocks: it answers what the UART holds, or 0 and, for a
// client that gave the driver an endpoint (TAG_CON_LISTEN), a TAG_CON_INPUT
// send once input arrives or ends. docs/devices.md: The console driver.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "console",
  title: "console driver",
  range: [0x0800, 0x083f],
  tags: [
    { name: "TAG_CON_WRITE", value: "0x0801", doc: "lease 0 readable: the bytes (up to CON_WRITE_MAX); w0 = CON_WRITE_* flags; reply w0 = bytes written; E_NOLEASE, E_RIGHTS (a lease it cannot read), E_ARG (longer than CON_WRITE_MAX, or an unknown flag)" },
    { name: "TAG_CON_READ", value: "0x0802", doc: "lease 0 writable: reply w0 = bytes read (up to the lease's length and CON_READ_MAX), 0: none yet (a listener gets TAG_CON_INPUT when some come); E_EOF: input has ended and every byte was read; E_NOLEASE, E_RIGHTS (a lease it cannot write)" },
    { name: "TAG_CON_FLUSH", value: "0x0803", doc: "send what the UART's TX buffer holds now (output written with CON_WRITE_HOLD)" },
    { name: "TAG_CON_LISTEN", value: "0x0804", doc: "cap = an endpoint of the caller's: a read of the caller's that found nothing is followed by one TAG_CON_INPUT send to it; E_ARG: no endpoint came; E_NOSPACE: CON_LISTENERS other clients listen" },
    { name: "TAG_CON_INPUT", value: "0x0805", doc: "sent by the driver to a listener: input arrived or ended, or the driver restarted: read again" },
  ],
  constants: [
    {
      title: "console driver",
      doc: ["What the console driver keeps, and the flags of a write."],
      rows: [
        { name: "CON_WRITE_MAX", value: 65536, doc: "bytes one TAG_CON_WRITE may carry" },
        { name: "CON_READ_MAX", value: 4096, doc: "bytes one TAG_CON_READ answers at most (the UART's FIFO)" },
        { name: "CON_WRITE_HOLD", value: 1, doc: "TAG_CON_WRITE flag: keep a partial line in the TX buffer (more follows; TAG_CON_FLUSH sends it); without it, a write is sent at its end as the kernel's console_write did" },
        { name: "CON_LISTENERS", value: 4, doc: "clients the driver wakes for input" },
        { name: "CON_RX_BIT", value: 0, doc: "the notification bit the driver binds the UART's receive line to" },
      ],
    },
  ],
};
