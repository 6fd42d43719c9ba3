// condrv: the console driver. It alone holds the UART's registers (caps =
// ["uart"]) and its receive line (interrupts = ["uart"]), and serves the
// console to the services its manifest grants it to: the log writes through
// it, the shell reads and writes through it (abi/protocols/console.ts). The
// kernel keeps only its own lines, written to the UART directly
// (kernel/console.ts). See docs/devices.md: The console driver.
import {
  sys, arg, capByName, acceptCaps, rearmCap, OK, E_ARG, E_RIGHTS, ST_BOOT_FLAGS, BOOT_QUIET, NOTE_STOP, UART_CTRL, UART_IRQ_RX,
  CON_RX_BIT, TAG_CON_WRITE, TAG_CON_READ, TAG_CON_FLUSH, TAG_CON_LISTEN, TAG_DRV_ATTACH, TAG_DRV_IOCTL,
} from "../../lib";
import { outputStart, write, flush } from "./output";
import { inputStart, inputArrived, listen, read } from "./input";

export function quark_start(pid: i32, restarts: i32): i32 {
  const uart = capByName("uart");
  if (uart < 0) return uart;
  const o = outputStart(uart, (sys.stats(ST_BOOT_FLAGS) & BOOT_QUIET) != 0);
  if (o < 0) return o;
  // The line rises when input arrives or ends; it reaches this driver only while armed.
  const c = sys.dev_write(uart, UART_CTRL, UART_IRQ_RX);
  if (c < 0) return c;
  acceptCaps();
  return inputStart(uart);
}

export function quark_handle(badge: i32, tag: i32): i32 {
  const r = serve(badge, tag);
  rearmCap();
  return r;
}

function serve(badge: i32, tag: i32): i32 {
  if (tag == TAG_CON_WRITE) return write(arg(0));
  if (tag == TAG_CON_READ) return read(badge);
  if (tag == TAG_CON_FLUSH) return flush();
  if (tag == TAG_CON_LISTEN) return listen(badge);
  // The device manager's tags: this driver's device is static, granted by the manifest; no one binds it.
  if (tag >= TAG_DRV_ATTACH && tag <= TAG_DRV_IOCTL) return E_RIGHTS;
  return E_ARG;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  if ((bits & (1 << CON_RX_BIT)) != 0) inputArrived();
  return OK;
}
