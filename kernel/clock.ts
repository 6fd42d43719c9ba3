// Time, from the HAL's timer device.
import { TIMER_NOW_LO, TIMER_NOW_HI, TIMER_CMP_HI, TIMER_CMP_LO } from "./abi";
import { mmio_read, mmio_write } from "./host";

export function nowNs(): i64 {
  const lo = mmio_read(TIMER_NOW_LO); // latches HI
  const hi = mmio_read(TIMER_NOW_HI);
  return (<i64>hi << 32) | (<i64>lo & 0xffffffff);
}

/** Arm the comparator; 0 disarms. */
export function armTimer(deadline: i64): void {
  mmio_write(TIMER_CMP_HI, <i32>(deadline >>> 32));
  mmio_write(TIMER_CMP_LO, <i32>deadline);
}
