// Timer model: a 64-bit nanosecond counter read from the host's monotonic
// clock, and one comparator that raises IRQ_TIMER once the counter passes it.
import { IRQ_TIMER } from "../kernel/abi";
import { raise } from "./intc";
import { host_now } from "./host";

let latched: i64 = 0;
let compare: i64 = 0;
let cmpHi = 0;
let ctrl = 0;

export function timerReset(): void { latched = 0; compare = 0; cmpHi = 0; ctrl = 0; }

export function nowNs(): i64 { return <i64>host_now(); }

/** Reading the low word latches the high word, so a 64-bit read is consistent. */
export function timerNowLo(): i32 {
  latched = nowNs();
  check();
  return <i32>latched;
}
export function timerNowHi(): i32 { return <i32>(latched >>> 32); }

export function timerSetCmpHi(v: i32): void { cmpHi = v; }
export function timerSetCmpLo(v: i32): void {
  compare = (<i64>cmpHi << 32) | (<i64>v & 0xffffffff);
  check();
}
export function timerCtrl(): i32 { return ctrl; }
export function timerSetCtrl(v: i32): void { ctrl = v; check(); }

/** Raise the interrupt if the comparator has been passed. */
export function check(): void {
  if ((ctrl & 1) != 0 && compare > 0 && nowNs() >= compare) {
    raise(IRQ_TIMER);
    compare = 0;
  }
}
