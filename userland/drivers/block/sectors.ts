// Programmed I/O on a block device (hal/block.ts, docs/devices.md: The block
// device): every byte crosses a register. A request is whole sectors; each
// sector is select, command, status, then the 128 words of the data window.
// The model completes a command before the BLK_CMD write returns, so the
// status is read at once (BLK_DONE); a slower model that answered BLK_BUSY
// would be polled here. The line each command raises is cleared once per
// request by the caller (lineHandled), not taken as an interrupt per sector.
import {
  sys, OK, E_ARG, E_STATE, BLK_SECTOR, BLK_CMD, BLK_STATUS, BLK_DATA, BLK_CMD_READ, BLK_CMD_WRITE, BLK_DONE,
  BLK_SECTOR_BYTES,
} from "../../lib";

const WORDS = BLK_SECTOR_BYTES >> 2;
const sector = new StaticArray<u8>(BLK_SECTOR_BYTES);

/**
 * Between two sectors of a request (after sector `k` is done): nothing here;
 * a test's driver sets it to act in the middle of the read path.
 */
let betweenSectors: (k: i32) => void = (k: i32): void => {};
export function onBetweenSectors(f: (k: i32) => void): void { betweenSectors = f; }

/** Is [off, off + len) whole sectors inside a disk of `sectors`? */
export function validRange(off: i64, len: i64, sectors: i32): bool {
  const b = <i64>BLK_SECTOR_BYTES;
  return off >= 0 && len >= 0 && off % b == 0 && len % b == 0 && off + len <= <i64>sectors * b;
}

/** Run one command on sector `s`: OK, E_STATE (the device failed it, or is not on), or the capability's error (E_REVOKED: unplugged). */
function command(cap: i32, s: i32, cmd: i32): i32 {
  sys.dev_write(cap, BLK_SECTOR, s);
  sys.dev_write(cap, BLK_CMD, cmd);
  const st = sys.dev_read(cap, BLK_STATUS);
  if (st < 0) return <i32>st;
  return st == BLK_DONE ? OK : E_STATE;
}

/** Sectors [first, first + n) into lease 0 of the call being served: bytes read, or the error. */
export function readSectors(cap: i32, first: i32, n: i32): i32 {
  const at = changetype<usize>(sector);
  for (let k = 0; k < n; k++) {
    const r = command(cap, first + k, BLK_CMD_READ);
    if (r < 0) return r;
    for (let w = 0; w < WORDS; w++) {
      const v = sys.dev_read(cap, BLK_DATA + (w << 2));
      if (v < 0) return <i32>v;
      store<u32>(at + (<usize>w << 2), <u32>v);
    }
    const c = sys.lease_write(0, k * BLK_SECTOR_BYTES, at, BLK_SECTOR_BYTES);
    if (c < 0) return c;
    betweenSectors(k);
  }
  return n * BLK_SECTOR_BYTES;
}

/** Lease 0 of the call being served into sectors [first, first + n): bytes written, or the error. */
export function writeSectors(cap: i32, first: i32, n: i32): i32 {
  const at = changetype<usize>(sector);
  for (let k = 0; k < n; k++) {
    const c = sys.lease_read(0, k * BLK_SECTOR_BYTES, at, BLK_SECTOR_BYTES);
    if (c < 0) return c;
    for (let w = 0; w < WORDS; w++) sys.dev_write(cap, BLK_DATA + (w << 2), <i32>load<u32>(at + (<usize>w << 2)));
    const r = command(cap, first + k, BLK_CMD_WRITE);
    if (r < 0) return r;
    betweenSectors(k);
  }
  return n * BLK_SECTOR_BYTES;
}

/** Check a request's range and lease: the number of sectors, or E_ARG. */
export function sectorsOf(off: i64, len: i64, sectors: i32): i32 {
  if (!validRange(off, len, sectors)) return E_ARG;
  return <i32>(len / BLK_SECTOR_BYTES);
}
