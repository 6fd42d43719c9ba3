// The console through its driver (userland/drivers/console): a client's
// manifest grants it as "condrv" ("condrv:call+grant" to listen for input).
// The bytes go in a lease; a read answers at once, with 0 when there is
// nothing yet, and a listener gets a TAG_CON_INPUT message once input comes.
import * as sys from "./sys";
import { LEASE_READ, LEASE_WRITE } from "../../kernel/abi";
import { TAG_CON_WRITE, TAG_CON_READ, TAG_CON_FLUSH, TAG_CON_LISTEN, CON_WRITE_MAX } from "./proto/index";
import { capByName } from "./caps";

/** The name a manifest grants the console driver by. */
export const CONSOLE_DRIVER = "condrv";

let conSlot = -1;

/** The console driver's capability, or < 0 if the manifest grants none. */
export function conCap(): i32 {
  if (conSlot < 0) conSlot = capByName(CONSOLE_DRIVER);
  return conSlot;
}

/**
 * Write `len` bytes at `ptr`, CON_WRITE_MAX at a time: the bytes written, or
 * the error of the first write refused (E_DEAD, E_CRASHED while the driver
 * restarts).
 */
export function conWrite(ptr: usize, len: i32, flags: i32 = 0): i32 {
  const slot = conCap();
  if (slot < 0) return slot;
  let off = 0;
  do {
    const n = min(len - off, CON_WRITE_MAX);
    const l = sys.lease(0, ptr + <usize>off, n, LEASE_READ);
    if (l < 0) return l;
    const r = sys.call(slot, TAG_CON_WRITE, flags, 0, 0, 0, 0, 0);
    if (r < 0) return r;
    off += n;
  } while (off < len);
  return len;
}

/** Send what the driver holds of a partial line. */
export function conFlush(): i32 {
  const slot = conCap();
  return slot < 0 ? slot : sys.call(slot, TAG_CON_FLUSH, 0, 0, 0, 0, 0, 0);
}

/** Read up to `len` bytes into `ptr`: how many; 0: none yet (a listener hears TAG_CON_INPUT); E_EOF: input ended. */
export function conRead(ptr: usize, len: i32): i32 {
  const slot = conCap();
  if (slot < 0) return slot;
  const l = sys.lease(0, ptr, len, LEASE_WRITE);
  if (l < 0) return l;
  const r = sys.call(slot, TAG_CON_READ, 0, 0, 0, 0, 0, 0);
  return r < 0 ? r : <i32>sys.reply_word(0);
}

/**
 * Be told when input comes: the driver keeps an endpoint to this service
 * badged `badge` and sends TAG_CON_INPUT through it after a read that found
 * nothing, and after its own restart. Needs "condrv:call+grant".
 */
export function conListen(badge: i32): i32 {
  const slot = conCap();
  if (slot < 0) return slot;
  const ep = sys.self_endpoint(badge);
  if (ep < 0) return ep;
  sys.xfer(ep);
  const r = sys.call(slot, TAG_CON_LISTEN, 0, 0, 0, 0, 0, 0);
  sys.cap_delete(ep); // the driver holds its copy
  return r;
}
