// Drivers: interrupts as notifications (docs/interrupts.md). A service whose
// manifest lists a device under `interrupts` holds a K_IRQ capability for the
// device's line, labelled "DEVICE.irq". It binds the line to one of its
// notification bits and arms it; each interrupt then masks the line and
// raises the bit in quark_notify, and the line stays latched until the driver
// says it is handled. Lines start masked at every (re)start, so quark_start
// binds again:
//
//   let irq = -1;
//   export function quark_start(pid: i32, restarts: i32): i32 { irq = irqListen("bus", 0); return OK; }
//   export function quark_notify(bits: i32, unused: i32): i32 {
//     if (bits & 1) { handleDevice(); irqDone(irq); }
//     return OK;
//   }
import * as sys from "./sys";
import { fnv1a } from "./caps";
import { IRQ_CTL_ENABLE, IRQ_CTL_CLEAR } from "../../kernel/abi";

/** The slot of the K_IRQ capability for `device`'s line, or E_BADSLOT (< 0) if the manifest did not route it here. */
export function irqFind(device: string): i32 { return sys.cap_find(fnv1a(device + ".irq")); }

/**
 * Bind `device`'s line to notification bit `bit` (its interrupts arrive as
 * 1 << bit) and arm it: the capability's slot for the calls below, or the
 * error (E_BADSLOT: not routed here; E_PERM: another process drives it;
 * E_ARG: a bit the kernel raises itself).
 */
export function irqListen(device: string, bit: i32): i32 {
  const slot = irqFind(device);
  if (slot < 0) return slot;
  const r = sys.irq_bind(slot, bit);
  if (r < 0) return r;
  const a = sys.irq_control(slot, IRQ_CTL_ENABLE);
  return a < 0 ? a : slot;
}

/** Handled: forget what the line latched and re-arm it (Hubris's irq_control with clear). */
export function irqDone(slot: i32): i32 { return sys.irq_control(slot, IRQ_CTL_CLEAR | IRQ_CTL_ENABLE); }

/** Re-arm without clearing: if the line is still latched, the interrupt is delivered again. */
export function irqArm(slot: i32): i32 { return sys.irq_control(slot, IRQ_CTL_ENABLE); }

/**
 * Forget what the line latched and leave it masked. For a device whose events
 * come on their own: clear first, then drain the device, then irqArm; an event
 * after the clear is latched again and delivered at the arm.
 */
export function irqClear(slot: i32): i32 { return sys.irq_control(slot, IRQ_CTL_CLEAR); }

/** Mask the line: its interrupts stay latched, undelivered, until irqArm. */
export function irqMask(slot: i32): i32 { return sys.irq_control(slot, 0); }
