// irq.deliver: an interrupt raised in the HAL to the driver's handler
// running. bench drives the bus's line (images/bench.toml: interrupts =
// ["bus"]); the bus raises it at every plug and unplug. A sample starts when
// the dev_write that raised the line returns (the bus's own work, a plug or an
// unplug that zeroes a disk, is the device's, not delivery's) and ends at the
// entry of quark_notify with the line's bit: the handler's return, the run
// loop's poll of the interrupt controller, the kernel masking the line and
// raising the bit, the entry. Its peer in the same run, irq.note.timer, is the
// same path for the kernel's own line: a timer_set for now, timed from its
// return to the entry of quark_notify with NOTE_TIMER, in the same handler.
// The two alternate, one of each per round, so both see the same machine.
import { sys, capByName, irqListen, irqDone, DEV_TYPE_BLOCK, BUS_PLUG, BUS_UNPLUG, NOTE_TIMER } from "../lib";
import { EmitWith, fail } from "./service";

const BIT = 0; // the notification bit the bus's line raises in bench
const WARM = 200; // rounds before the samples, for the engines' optimising tiers

let started = false;
let bus = -1;
let irq = -1;
let plugged = -1;
let t0: i64 = 0;
let rounds = 0;
const irqNs = new Array<i64>();
const noteNs = new Array<i64>();

/** Raise the bus's line: plug a block device, or unplug the one plugged; the sample starts once the write returns. */
function raise(): void {
  if (plugged < 0) {
    sys.dev_write(bus, BUS_PLUG, DEV_TYPE_BLOCK);
    plugged = <i32>sys.dev_read(bus, BUS_PLUG);
  } else {
    sys.dev_write(bus, BUS_UNPLUG, plugged);
    plugged = -1;
  }
  t0 = sys.time();
}

/** One step of the phase, from quark_notify with its bits; true once both figures are emitted (or cannot be). */
export function irqStep(bits: i32, samples: i32, emit: EmitWith): bool {
  const now = sys.time();
  if (!started) {
    started = true;
    bus = capByName("bus");
    irq = irqListen("bus", BIT);
    if (bus < 0 || irq < 0) { fail("irq.deliver: no bus line to drive (" + (bus < 0 ? bus : irq).toString() + ")"); return true; }
    raise();
    return false;
  }
  if (bits & (1 << BIT)) {
    if (rounds >= WARM) irqNs.push(now - t0);
    irqDone(irq);
    sys.timer_set(sys.time());
    t0 = sys.time();
    return false;
  }
  if ((bits & NOTE_TIMER) == 0) return false;
  if (rounds++ >= WARM) noteNs.push(now - t0);
  if (irqNs.length < samples) { raise(); return false; }
  emit("irq.deliver", "ns", 1, irqNs, 1, "");
  emit("irq.note.timer", "ns", 1, noteNs, 1, "");
  return true;
}

