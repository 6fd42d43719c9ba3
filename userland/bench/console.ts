// The console's output figure, beside its floor measured in the same run,
// alternating with it.
//
// con.write.line: a 64-byte line written through the console driver
// (TAG_CON_WRITE: the driver copies it from the lease and sends it by the
// UART's DMA transmit); con.write.kernel: the same line through the kernel's
// own console_write (the early console's path, a byte at a time into the
// UART inside the kernel), the floor under it; quark bench adds the kernel's
// console to this service for it (tools/bench/run.ts), since no manifest with
// the console driver may grant it. The line starts with '#', so the quiet
// boot quark bench uses lets both reach the console.
import { sys, capByName, conWrite } from "../lib";
import { EmitWith, fail } from "./service";

const LINE = "#con 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV\n";
const BATCH = 10;
const WARM = 5;

export function consoleLine(samples: i32, emit: EmitWith): void {
  const kernel = capByName("console");
  if (kernel < 0) { fail("con.write.line: no console capability for its floor (" + kernel.toString() + ")"); return; }
  const bytes = String.UTF8.encode(LINE);
  const p = changetype<usize>(bytes), n = bytes.byteLength;
  const driver = new Array<i64>(), floor = new Array<i64>();
  for (let s = -WARM; s < samples; s++) {
    let t0 = sys.time();
    for (let i = 0; i < BATCH; i++) {
      const r = conWrite(p, n);
      if (r != n) { fail("con.write.line: the driver answered " + r.toString()); return; }
    }
    if (s >= 0) driver.push(sys.time() - t0);
    t0 = sys.time();
    for (let i = 0; i < BATCH; i++) {
      const r = sys.console_write(kernel, p, n);
      if (r != n) { fail("con.write.line: console_write answered " + r.toString()); return; }
    }
    if (s >= 0) floor.push(sys.time() - t0);
  }
  emit("con.write.line", "ns", BATCH, driver, BATCH, "bytes=" + n.toString());
  emit("con.write.kernel", "ns", BATCH, floor, BATCH, "bytes=" + n.toString());
}
