// The device manager's figures, each beside a peer measured in the same run,
// alternating with it, so their ratio means something on a shared machine.
//
// dev.open: TAG_DEV_OPEN of the entropy device (a handle: a badged endpoint
// capability minted and handed over with the reply) and TAG_DEV_CLOSE through
// it (its revocation); dev.peer.call: a plain call round trip to the same
// devmgr (TAG_DEV_COUNT), the floor under both.
//
// dev.hotplug.seen: from the TAG_DEV_PLUG call (the devmgr writes BUS_PLUG,
// reads the bus, records the event with BUS_SEQ and sends it) to the entry of
// bench's quark_handle with that TAG_DEV_EVENT; dev.peer.send: a send to
// bench's own endpoint to the entry of the same handler, the delivery floor.
// dev.hotplug.bound: from the same TAG_DEV_PLUG call to the entry of bench's
// quark_handle with the TAG_DEV_BOUND a wait (TAG_DEV_WAIT_BOUND) for that
// device gets once blkdrv holds it; beside the same dev.peer.send.
// (In images/bench.toml bench drives the bus's line for irq.deliver, so the
// devmgr there sees changes at its next request rather than at IRQ_BUS.)
//
// dev.read.4k: a 4 KiB TAG_DEV_READ through a handle (the devmgr forwards
// it to blkdrv, which moves 8 sectors through the block device's registers
// into a lease of the devmgr's buffer, then the devmgr copies it into
// bench's lease); dev.read.4k.regs: the same 8 sectors read by bench itself
// through a capability to the device's registers, alternating with it: the
// register path under both, so the ratio is what the device manager, the
// driver and the extra copy add.
import {
  sys, callForCap, recvCap, capByName, OK, E_STATE, NOTE_TIMER, DEV_ENTROPY, DEV_TYPE_BLOCK, DEVEV_PLUG, TAG_DEV_OPEN,
  TAG_DEV_CLOSE, TAG_DEV_COUNT, TAG_DEV_SUBSCRIBE, TAG_DEV_PLUG, TAG_DEV_UNPLUG, TAG_DEV_EVENT, TAG_PING,
  TAG_DEV_WAIT_BOUND, TAG_DEV_BOUND, TAG_DEV_READ, TAG_DEV_WRITE, TAG_DEV_GET, LEASE_READ, LEASE_WRITE, R_READ,
  BLK_SECTOR, BLK_CMD, BLK_STATUS, BLK_DATA, BLK_CMD_READ, BLK_DONE, BLK_SECTOR_BYTES,
} from "../lib";
import { EmitWith, fail } from "./service";

const OPEN_BATCH = 100;
const PEER_BADGE = 0x5eed; // bench's own endpoint, for the peer's sends
const EVENT_BADGE = 0xde7; // the endpoint the devmgr sends events to
const WAIT_BADGE = 0xb0d; // the endpoint TAG_DEV_BOUND comes to
const WARM = 100;

let dm = -1;

/** dev.open and dev.peer.call, batches alternating. */
export function devOpen(samples: i32, emit: EmitWith): void {
  dm = capByName("devmgr");
  if (dm < 0) { fail("dev.open: no devmgr capability (" + dm.toString() + ")"); return; }
  const open = new Array<i64>(), peer = new Array<i64>();
  for (let s = -WARM / 10; s < samples; s++) {
    let t0 = sys.time();
    for (let i = 0; i < OPEN_BATCH; i++) {
      if (callForCap(dm, TAG_DEV_OPEN, DEV_ENTROPY) != OK) { fail("dev.open: open refused"); return; }
      sys.call(recvCap(), TAG_DEV_CLOSE, 0, 0, 0, 0, 0, 0);
    }
    if (s >= 0) open.push(sys.time() - t0);
    t0 = sys.time();
    for (let i = 0; i < OPEN_BATCH; i++) sys.call(dm, TAG_DEV_COUNT, 0, 0, 0, 0, 0, 0);
    if (s >= 0) peer.push(sys.time() - t0);
  }
  emit("dev.open", "ns", OPEN_BATCH, open, OPEN_BATCH, "");
  emit("dev.peer.call", "ns", OPEN_BATCH, peer, OPEN_BATCH, "");
}

const READ_BYTES = 4096;
const readBuf = new StaticArray<u8>(READ_BYTES);

/** dev.read.4k and dev.read.4k.regs, alternating, on a block device plugged for them. */
export function devRead(samples: i32, emit: EmitWith): void {
  if (dm < 0) dm = capByName("devmgr");
  const bus = capByName("bus");
  if (sys.call(dm, TAG_DEV_PLUG, DEV_TYPE_BLOCK, 0, 0, 0, 0, 0) != OK) { fail("dev.read.4k: plug refused"); return; }
  const id = <i32>sys.reply_word(1);
  if (sys.call(dm, TAG_DEV_WAIT_BOUND, DEV_TYPE_BLOCK, id, 0, 0, 0, 0) != OK || sys.reply_word(0) != id) {
    fail("dev.read.4k: block-" + id.toString() + " has no driver (blkdrv in images/bench.toml)");
    sys.call(dm, TAG_DEV_UNPLUG, id, 0, 0, 0, 0, 0);
    return;
  }
  if (callForCap(dm, TAG_DEV_OPEN, id) != OK) { fail("dev.read.4k: open refused"); return; }
  const h = recvCap();
  const regs = sys.cap_derive(bus, R_READ, id);
  sys.call(h, TAG_DEV_GET, 0, 0, 0, 0, 0, 0); // kept on throughout: the idle delay never suspends it under the register reads
  for (let i = 0; i < READ_BYTES; i++) unchecked(readBuf[i] = <u8>i);
  sys.lease(0, changetype<usize>(readBuf), READ_BYTES, LEASE_READ);
  sys.call(h, TAG_DEV_WRITE, 0, READ_BYTES, 0, 0, 0, 0);
  const through = new Array<i64>(), direct = new Array<i64>();
  for (let s = -WARM / 10; s < samples; s++) {
    let t0 = sys.time();
    sys.lease(0, changetype<usize>(readBuf), READ_BYTES, LEASE_WRITE);
    const r = sys.call(h, TAG_DEV_READ, 0, READ_BYTES, 0, 0, 0, 0);
    if (s >= 0) through.push(sys.time() - t0);
    if (r != OK) { fail("dev.read.4k: read refused (" + r.toString() + ")"); break; }
    t0 = sys.time();
    const d = readRegisters(regs);
    if (s >= 0) direct.push(sys.time() - t0);
    if (d != OK) { fail("dev.read.4k.regs: the registers refused (" + d.toString() + ")"); break; }
  }
  sys.call(h, TAG_DEV_CLOSE, 0, 0, 0, 0, 0, 0);
  sys.cap_delete(regs);
  sys.call(dm, TAG_DEV_UNPLUG, id, 0, 0, 0, 0, 0);
  if (through.length < samples || direct.length < samples) return;
  emit("dev.read.4k", "ns", 1, through, 1, "");
  emit("dev.read.4k.regs", "ns", 1, direct, 1, "");
}

/** 8 sectors from the registers into readBuf, as blkdrv reads them (without the lease). */
function readRegisters(regs: i32): i32 {
  const at = changetype<usize>(readBuf);
  for (let k = 0; k < READ_BYTES / BLK_SECTOR_BYTES; k++) {
    sys.dev_write(regs, BLK_SECTOR, k);
    sys.dev_write(regs, BLK_CMD, BLK_CMD_READ);
    if (sys.dev_read(regs, BLK_STATUS) != BLK_DONE) return E_STATE;
    const base = at + <usize>(k * BLK_SECTOR_BYTES);
    for (let w = 0; w < BLK_SECTOR_BYTES >> 2; w++) store<u32>(base + (<usize>w << 2), <u32>sys.dev_read(regs, BLK_DATA + (w << 2)));
  }
  return OK;
}

let self = -1;
let waitEp = -1; // the endpoint TAG_DEV_BOUND comes to (WAIT_BADGE)
let rounds = 0;
let t0: i64 = 0;
let plugged = 0; // the id of the block device plugged, 0: none
const seen = new Array<i64>();
const boundNs = new Array<i64>();
let lastId = 0; // the id of the last plug: the next is this + 1 (ids are never reused)
const sendNs = new Array<i64>();
let target = 0;
let emitFn: EmitWith | null = null;

/** Start dev.hotplug.seen: subscribe, then one round per timer. False if it cannot run. */
export function hotplugStart(samples: i32, emit: EmitWith): bool {
  if (dm < 0) dm = capByName("devmgr");
  if (dm < 0) { fail("dev.hotplug.seen: no devmgr capability"); return false; }
  const ep = sys.self_endpoint(EVENT_BADGE);
  sys.xfer(ep);
  const r = sys.call(dm, TAG_DEV_SUBSCRIBE, 0, 0, 0, 0, 0, 0);
  sys.cap_delete(ep);
  if (r != OK) { fail("dev.hotplug.seen: subscribe refused (" + r.toString() + ")"); return false; }
  self = sys.self_endpoint(PEER_BADGE);
  waitEp = sys.self_endpoint(WAIT_BADGE);
  target = samples;
  emitFn = emit;
  sys.timer_set(sys.time());
  return true;
}

/** From quark_notify: the next round. True once both figures are emitted. */
export function hotplugTimer(bits: i32): bool {
  if ((bits & NOTE_TIMER) == 0) return false;
  if (seen.length >= target && sendNs.length >= target) {
    if (plugged != 0) sys.call(dm, TAG_DEV_UNPLUG, plugged, 0, 0, 0, 0, 0);
    emitFn!("dev.hotplug.seen", "ns", 1, seen, 1, "");
    if (boundNs.length >= target) emitFn!("dev.hotplug.bound", "ns", 1, boundNs, 1, "");
    else fail("dev.hotplug.bound: " + boundNs.length.toString() + " plugs bound of " + target.toString() + " (blkdrv in images/bench.toml)");
    emitFn!("dev.peer.send", "ns", 1, sendNs, 1, "");
    return true;
  }
  if ((rounds & 1) == 0) {
    if (plugged != 0) { sys.call(dm, TAG_DEV_UNPLUG, plugged, 0, 0, 0, 0, 0); plugged = 0; }
    // The wait for the device this plug makes, before the clock starts: its answer is a send.
    sys.xfer(waitEp);
    sys.call(dm, TAG_DEV_WAIT_BOUND, DEV_TYPE_BLOCK, lastId == 0 ? 0 : lastId + 1, 0, 0, 0, 0);
    t0 = sys.time();
    const r = sys.call(dm, TAG_DEV_PLUG, DEV_TYPE_BLOCK, 0, 0, 0, 0, 0);
    if (r != OK) { fail("dev.hotplug.seen: plug refused (" + r.toString() + ")"); return true; }
    plugged = <i32>sys.reply_word(1);
    lastId = plugged;
  } else {
    t0 = sys.time();
    sys.send(self, TAG_PING, 0, 0, 0, 0, 0, 0);
  }
  return false;
}

/** From quark_handle: the event (or the peer's send) arrived. */
export function hotplugHandle(badge: i32, tag: i32): i32 {
  const now = sys.time();
  if (badge == EVENT_BADGE && tag == TAG_DEV_EVENT) {
    if (sys.msg_word(1) != DEVEV_PLUG) return OK; // the unplug before the next plug: not a sample
    if (rounds >= WARM) seen.push(now - t0);
    return OK; // the round ends with the device bound
  } else if (badge == WAIT_BADGE && tag == TAG_DEV_BOUND) {
    if (<i32>sys.msg_word(0) != plugged) return OK;
    if (rounds++ >= WARM) boundNs.push(now - t0);
  } else if (badge == PEER_BADGE) {
    if (rounds++ >= WARM) sendNs.push(now - t0);
  } else return OK;
  sys.timer_set(sys.time());
  return OK;
}
