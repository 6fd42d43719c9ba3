// Reads, writes and controls through a handle, forwarded to the device's
// driver (docs/devices.md: I/O through handles). A lease lives in one call's
// frame: the devmgr cannot pass the client's on to the driver, so the data
// crosses the devmgr's own buffer, which it lends to the driver (one copy
// more than a direct path; `npm run bench` shows it against the register
// path it rides on). The I/O holds a power reference while it runs, so a
// device under `auto` is on for it and suspended the idle delay after.
import {
  sys, arg, reply, leaseCount, OK, E_ARG, E_STATE, E_UNSUPPORTED, BUS_STATIC_SLOTS, E_DEAD, E_CRASHED, E_NOLEASE, E_FAULT, LEASE_READ, LEASE_WRITE,
  DEVMGR_IO_MAX, TAG_DEV_READ, TAG_DEV_WRITE, TAG_DRV_READ, TAG_DRV_WRITE, TAG_DRV_IOCTL,
} from "../lib";
import { sPresent, sId, refTaken, refsDropped } from "./bus";
import { endpointOf, driverFailed, driverOf } from "./drivers";

const buffer = new StaticArray<u8>(DEVMGR_IO_MAX);

/** Is device `id` still in `slot`? */
@inline function still(slot: i32, id: i32): bool { return unchecked(sPresent[slot]) && unchecked(sId[slot]) == id; }

/**
 * TAG_DEV_READ, TAG_DEV_WRITE or TAG_DEV_IOCTL on device `id` in `slot`.
 * `look` brings the devmgr's picture up to the bus (an unplug during the
 * driver's work shows there): a device gone by then is E_DEAD, whatever the
 * driver answered.
 */
export function deviceIo(slot: i32, id: i32, tag: i32, look: () => void): i32 {
  const ep = endpointOf(slot);
  // A static device held by a manifest grant is driven through its holder's own protocol (the console's, the entropy manager's).
  if (ep < 0) return slot < BUS_STATIC_SLOTS && driverOf(slot) >= 0 ? E_UNSUPPORTED : E_STATE; // else no driver: none matches, or it has not announced itself (again, after a crash)
  let len: i64 = 0;
  if (tag != TAG_DEV_READ && tag != TAG_DEV_WRITE) {
    // A control has no data: the driver's answer words are the reply.
    const r = forward(slot, id, ep, TAG_DRV_IOCTL, arg(0), arg(1), look);
    if (r < 0) return r;
    reply(sys.reply_word(0), sys.reply_word(1), sys.reply_word(2), sys.reply_word(3), sys.reply_word(4), sys.reply_word(5));
    return OK;
  }
  const off = arg(0);
  len = arg(1);
  if (off < 0 || off > 0x7fffffff || len < 0 || len > DEVMGR_IO_MAX) return E_ARG;
  const n = <i32>len, at = changetype<usize>(buffer);
  if (leaseCount() == 0) return E_NOLEASE;
  if (sys.lease_len(0) < n) return E_FAULT;
  if (tag == TAG_DEV_READ) {
    // The lease's rights before the device is touched: a zero-length copy checks them.
    const probe = sys.lease_write(0, 0, at, 0);
    if (probe < 0) return probe;
    sys.lease(0, at, n, LEASE_WRITE);
    const r = forward(slot, id, ep, TAG_DRV_READ, off, len, look);
    if (r < 0) return r;
    const got = min(<i32>sys.reply_word(0), n);
    const c = sys.lease_write(0, 0, at, got);
    if (c < 0) return c;
    reply(got);
    return OK;
  }
  const c = sys.lease_read(0, 0, at, n);
  if (c < 0) return c;
  sys.lease(0, at, n, LEASE_READ);
  const r = forward(slot, id, ep, TAG_DRV_WRITE, off, len, look);
  if (r < 0) return r;
  reply(sys.reply_word(0));
  return OK;
}

/** One call to the driver, under a power reference: its status, with the failures named for the client. */
function forward(slot: i32, id: i32, ep: i32, tag: i32, a: i64, b: i64, look: () => void): i32 {
  refTaken(slot);
  const r = sys.call(ep, tag, id, a, b, 0, 0, 0);
  if (r >= 0) { refsDropped(slot, 1); return r; }
  look();
  if (!still(slot, id)) return E_DEAD; // unplugged during it: its references went with it
  refsDropped(slot, 1);
  if (r == E_CRASHED || r == E_DEAD) { driverFailed(slot); return r == E_CRASHED ? E_CRASHED : E_STATE; }
  return r;
}
