// The kernel's early console: its own lines (boot, faults, panics, a service's
// trap, and init's lines before the console driver runs) go to the HAL's UART
// directly, with small formatters so that no string is ever built (the kernel
// allocates nothing). Everything else reaches the console through the console
// driver (userland/drivers/console), which holds the UART's capability.
import { UART_BASE, UART_DATA } from "./abi";
import { mmio_write } from "./host";
import { nowNs } from "./clock";
import { KT_BLOB, KT_LEN_BITS, KT_KERNEL, KT_STAMP_END } from "./texts";

let quiet = false;
let atLineStart = true;
let lineMuted = false;

export function setQuiet(q: bool): void { quiet = q; }

/** In quiet mode only protocol lines (starting with '#') reach the console. */
export function putc(c: i32): void {
  if (atLineStart) { lineMuted = quiet && c != 35; atLineStart = false; }
  if (!lineMuted) mmio_write(UART_BASE + UART_DATA, c);
  if (c == 10) atLineStart = true;
}

/** One of the kernel's texts (kernel/texts.ts, generated from abi/kernel-texts.ts). */
export function putt(t: u32): void {
  const at = KT_BLOB + <usize>(t >> KT_LEN_BITS);
  for (let i: u32 = 0, n = t & ((1 << KT_LEN_BITS) - 1); i < n; i++) putc(load<u8>(at + i));
}

export function putu(v: u64): void {
  if (v >= 10) putu(v / 10);
  putc(48 + <i32>(v % 10));
}

export function puti(v: i64): void {
  if (v < 0) { putc(45); putu(<u64>(-v)); } else putu(<u64>v);
}

/** `v` right-aligned in `width` columns. */
export function putuw(v: u64, width: i32): void {
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  for (let i = digits; i < width; i++) putc(32);
  putu(v);
}

/** The time stamp every log line starts with: "[    1.234567] ". */
export function stamp(): void {
  const us = <u64>nowNs() / 1000;
  putc(91);
  putuw(us / 1000000, 5);
  putc(46);
  const frac = us % 1000000;
  for (let d: u64 = 100000; d > 0; d /= 10) putc(48 + <i32>((frac / d) % 10));
  putt(KT_STAMP_END);
}

/** Start a kernel log line. */
export function klog(): void { stamp(); putt(KT_KERNEL); }
