// blkdrv: the driver of the block device model (hal/block.ts). Its manifest
// says driver = "block"; the device manager binds it to every block device
// and forwards its clients' reads, writes and controls (TAG_DRV_*), with the
// data in a lease of the devmgr's buffer. See docs/devices.md (The driver
// contract, and the walk-through of writing a driver).
import {
  arg, reply, OK, E_ARG, E_UNSUPPORTED, BLK_SECTOR_BYTES, BLK_STATUS, DEVIO_INFO, TAG_DRV_READ, TAG_DRV_WRITE,
  TAG_DRV_IOCTL, NOTE_STOP, DRV_DEVICES, sys, log,
} from "../../lib";
import { driverStart, driverHandle, driverDone, driverNotify, lineHandled, ioRow, dCap, dSectors, dId } from "../framework";
import { readSectors, writeSectors, sectorsOf } from "./sectors";

export function quark_start(pid: i32, restarts: i32): i32 {
  return driverStart(restarts);
}

export function quark_handle(badge: i32, tag: i32): i32 {
  let r = driverHandle(badge, tag);
  if (r == 1) r = serve(ioRow, tag);
  driverDone();
  return r;
}

function serve(row: i32, tag: i32): i32 {
  const sectors = unchecked(dSectors[row]);
  if (tag == TAG_DRV_IOCTL) {
    if (arg(1) != DEVIO_INFO) return E_UNSUPPORTED;
    reply(<i64>sectors * BLK_SECTOR_BYTES, BLK_SECTOR_BYTES);
    return OK;
  }
  if (tag != TAG_DRV_READ && tag != TAG_DRV_WRITE) return E_ARG;
  const n = sectorsOf(arg(1), arg(2), sectors);
  if (n < 0) return n;
  const first = <i32>(arg(1) / BLK_SECTOR_BYTES);
  const cap = unchecked(dCap[row]);
  const done = tag == TAG_DRV_READ ? readSectors(cap, first, n) : writeSectors(cap, first, n);
  lineHandled(row); // each command raised the line: forget it, stay armed
  if (done < 0) return done;
  reply(done);
  return OK;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  const rows = driverNotify(bits);
  // A completion nobody waited for: a command of an instance that crashed
  // before clearing its line. The sector it moved is in the device; only the
  // interrupt is left to handle.
  for (let r = 0; r < DRV_DEVICES; r++) {
    if ((rows & (1 << r)) == 0 || unchecked(dId[r]) == 0) continue;
    log("block-" + unchecked(dId[r]).toString() + ": a completion from before this start (status " + sys.dev_read(unchecked(dCap[r]), BLK_STATUS).toString() + ")");
    lineHandled(r);
  }
  return OK;
}
