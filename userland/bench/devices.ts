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
// (In images/bench.toml bench drives the bus's line for irq.deliver, so the
// devmgr there sees changes at its next request rather than at IRQ_BUS.)
import {
  sys, callForCap, recvCap, capByName, OK, NOTE_TIMER, DEV_ENTROPY, DEV_TYPE_BLOCK, DEVEV_PLUG, TAG_DEV_OPEN,
  TAG_DEV_CLOSE, TAG_DEV_COUNT, TAG_DEV_SUBSCRIBE, TAG_DEV_PLUG, TAG_DEV_UNPLUG, TAG_DEV_EVENT, TAG_PING,
} from "../lib";
import { EmitWith, fail } from "./service";

const OPEN_BATCH = 100;
const PEER_BADGE = 0x5eed; // bench's own endpoint, for the peer's sends
const EVENT_BADGE = 0xde7; // the endpoint the devmgr sends events to
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

let self = -1;
let rounds = 0;
let t0: i64 = 0;
let plugged = 0; // the id of the block device plugged, 0: none
const seen = new Array<i64>();
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
    emitFn!("dev.peer.send", "ns", 1, sendNs, 1, "");
    return true;
  }
  if ((rounds & 1) == 0) {
    if (plugged != 0) { sys.call(dm, TAG_DEV_UNPLUG, plugged, 0, 0, 0, 0, 0); plugged = 0; }
    t0 = sys.time();
    const r = sys.call(dm, TAG_DEV_PLUG, DEV_TYPE_BLOCK, 0, 0, 0, 0, 0);
    if (r != OK) { fail("dev.hotplug.seen: plug refused (" + r.toString() + ")"); return true; }
    plugged = <i32>sys.reply_word(1);
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
    if (rounds++ >= WARM) seen.push(now - t0);
  } else if (badge == PEER_BADGE) {
    if (rounds++ >= WARM) sendNs.push(now - t0);
  } else return OK;
  sys.timer_set(sys.time());
  return OK;
}
