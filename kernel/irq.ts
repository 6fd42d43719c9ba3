// Interrupts to user space, as in Hubris (docs/interrupts.md). A K_IRQ
// capability (badge = line) is minted only with init's boot capability; its
// holder binds the line to one of its notification bits and arms it. When an
// armed line is pending the kernel masks it and raises the bit: the line
// stays latched in the interrupt controller until the driver clears it, so
// nothing the device raised is lost while the driver handles it, crashes or
// restarts. The driver re-arms explicitly (irq_control). The timer's and the
// DMA queue's lines stay the kernel's (run.ts); the UART's receive line is the
// console driver's, like any device's. A line is bound to one process
// at a time; its take-down (death, restart) unbinds and masks it, so every
// new instance starts masked and binds again.
import {
  K_IRQ, K_BOOT, R_CONTROL, IRQ_TIMER, IRQ_DMA, IRQ_CTL_ENABLE, IRQ_CTL_CLEAR, IRQ_LINE_COUNT, INTC_ENABLE, INTC_ACK,
  NOTE_TIMER, NOTE_STOP, NOTE_FAULT, NOTE_INPUT, NOTE_TICK, OK, INTC_PENDING, E_ARG, E_PERM, E_STATE,
} from "./abi";
import { current } from "./proc";
import { lookup, freeSlot, install, capBadge } from "./cspace";
import { raiseBits } from "./notify";
import { mmio_read, mmio_write } from "./host";
import { table } from "./table";

export const KERNEL_LINES = IRQ_TIMER | IRQ_DMA;
const KERNEL_NOTES = NOTE_TIMER | NOTE_STOP | NOTE_FAULT | NOTE_INPUT | NOTE_TICK; // NOTE_INPUT: reserved, raised no more
// A badge of 0 lets cap_derive mint any badge: line 0 must be the kernel's, never minted.
if ((KERNEL_LINES & 1) == 0) ERROR("line 0 must be a kernel line: an IRQ capability's badge may not be 0");

const owner = table<i32>(IRQ_LINE_COUNT); // pid bound to the line, 0: none (pid 0 is the kernel)
const noteBit = table<i32>(IRQ_LINE_COUNT); // the bit it raises
let armed = 0; // lines enabled for their drivers

function setArmed(lines: i32): void {
  armed = lines;
  mmio_write(INTC_ENABLE, KERNEL_LINES | lines);
}

export function irqMint(bootSlot: i32, line: i32): i32 {
  const pid = current();
  const g = lookup(pid, bootSlot, K_BOOT, R_CONTROL);
  if (g < 0) return g;
  if (<u32>line >= <u32>IRQ_LINE_COUNT || (KERNEL_LINES & (1 << line)) != 0) return E_ARG;
  const s = freeSlot(pid);
  if (s >= 0) install(pid, s, K_IRQ, R_CONTROL, 0, line, 0, -1);
  return s;
}

/** The line of the caller's IRQ capability in `slot`, or the error. */
function lineOf(slot: i32): i32 {
  const g = lookup(current(), slot, K_IRQ, R_CONTROL);
  return g < 0 ? g : capBadge(g);
}

export function irqBind(slot: i32, bit: i32): i32 {
  const line = lineOf(slot);
  if (line < 0) return line;
  if (<u32>bit > 31 || (KERNEL_NOTES & (1 << bit)) != 0) return E_ARG;
  const o = unchecked(owner[line]);
  if (o != 0 && o != current()) return E_PERM;
  unchecked(owner[line] = current());
  unchecked(noteBit[line] = 1 << bit);
  return OK;
}

export function irqControl(slot: i32, flags: i32): i32 {
  const line = lineOf(slot);
  if (line < 0) return line;
  if (<u32>flags > <u32>(IRQ_CTL_ENABLE | IRQ_CTL_CLEAR)) return E_ARG;
  if (unchecked(owner[line]) != current()) return E_STATE; // bind it first
  const b = 1 << line;
  if (flags & IRQ_CTL_CLEAR) mmio_write(INTC_ACK, b);
  setArmed(flags & IRQ_CTL_ENABLE ? armed | b : armed & ~b);
  return OK;
}

/** The run loop's share: `lines` (armed, pending) are masked and their drivers' bits raised. */
export function irqDeliver(lines: i32): void {
  lines &= armed; // only an armed line has a driver to hear it
  setArmed(armed & ~lines);
  while (lines != 0) {
    const l = ctz(lines);
    lines &= lines - 1;
    raiseBits(unchecked(owner[l]), unchecked(noteBit[l]));
  }
}

/** A take-down: every line bound to `pid` is unbound and masked, still latched for the next driver. */
/**
 * A K_IRQ capability of `pid` is gone (deleted, or revoked by whoever gave it):
 * if `pid` had the line bound, it is unbound and masked, as at take-down, so
 * the next driver given the line can bind it. A process holding two copies
 * binds again with the other.
 */
export function irqCapRemoved(pid: i32, line: i32): void {
  if (<u32>line >= <u32>IRQ_LINE_COUNT || unchecked(owner[line]) != pid) return;
  unchecked(owner[line] = 0);
  setArmed(armed & ~(1 << line));
}

export function irqRelease(pid: i32): void {
  let a = armed;
  for (let l = 0; l < IRQ_LINE_COUNT; l++) {
    if (unchecked(owner[l]) == pid) { unchecked(owner[l] = 0); a &= ~(1 << l); }
  }
  if (a != armed) setArmed(a);
}

/**
 * Whether `lines` (bits) are all bound, armed and not latched: a driver waits
 * for its device on them. The run loop asks it of the UART's receive line to
 * tell the host that the machine waits for console input (run.ts: deadline).
 */
export function linesWaiting(lines: i32): bool {
  return (armed & lines) == lines && (mmio_read(INTC_PENDING) & lines) == 0;
}
