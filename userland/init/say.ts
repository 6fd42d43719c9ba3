// init's own log lines: through the log service once it runs, straight to the
// console (in the same format) before that.
import { sys, log, logCap, writeStamp, writeStr, INIT_SLOT_CONSOLE } from "../lib";

const line = new StaticArray<u8>(1200);

export function say(msg: string): void {
  if (logCap() >= 0 && log(msg) >= 0) return;
  const base = changetype<usize>(line);
  let p = writeStamp(base, sys.time());
  p = writeStr(p, "init: ", 16);
  p = writeStr(p, msg, 1024);
  store<u8>(p++, 10);
  sys.console_write(INIT_SLOT_CONSOLE, base, <i32>(p - base));
}
