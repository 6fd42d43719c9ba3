// What the pool knows of each source besides its health tests: what it is
// (a raw source of the HAL's device, or one a service feeds), who feeds it,
// the min-entropy it is credited at, what it gave and was credited, and its
// first bytes (the start of its start-up test, never absorbed: tests compare
// boots with them without reading anything the pool used).
import { ENT_MAX_SOURCES, ENT_SRC_DEVICE, ENT_STATE_STARTING, ENT_STATE_IN, ENT_STATE_OUT } from "../../lib";
import { isHealthy, rctFailures, aptFailures } from "./health";
import { UNIT_SHIFT } from "./config";

export const FIRST_BYTES = 8;

export const kind = new StaticArray<i32>(ENT_MAX_SOURCES);
export const feeder = new StaticArray<i32>(ENT_MAX_SOURCES); // the pid that feeds it (0: the device's)
export const hPpm = new StaticArray<i32>(ENT_MAX_SOURCES); // min-entropy per sample credited, ppm of a bit
export const credit = new StaticArray<i64>(ENT_MAX_SOURCES); // the same in 1/2^UNIT_SHIFT bit
export const bytesIn = new StaticArray<i64>(ENT_MAX_SOURCES);
export const creditedUnits = new StaticArray<i64>(ENT_MAX_SOURCES); // units, over its life
const first = new StaticArray<u8>(ENT_MAX_SOURCES * FIRST_BYTES);
const firstHeld = new StaticArray<i32>(ENT_MAX_SOURCES);

/** Source s is new: of `k` (ENT_SRC_*), fed by `pid`, credited `ppm` of a bit per sample. */
export function describe(s: i32, k: i32, pid: i32, ppm: i32): void {
  unchecked(kind[s] = k);
  unchecked(feeder[s] = pid);
  setCredit(s, ppm);
  unchecked(bytesIn[s] = 0);
  unchecked(creditedUnits[s] = 0);
  unchecked(firstHeld[s] = 0);
}

export function setCredit(s: i32, ppm: i32): void {
  unchecked(hPpm[s] = ppm);
  unchecked(credit[s] = (<i64>ppm << UNIT_SHIFT) / 1000000);
}

/** `n` bytes at `p` came from source s. */
export function took(s: i32, p: usize, n: i32): void {
  unchecked(bytesIn[s] = unchecked(bytesIn[s]) + n);
  keepFirst(s, p, n);
}

/** Whether source s's first bytes are still being kept. */
@inline export function keepingFirst(s: i32): bool { return unchecked(firstHeld[s]) < FIRST_BYTES; }

/** Keep what is missing of source s's first bytes from the `n` at `p`. */
export function keepFirst(s: i32, p: usize, n: i32): void {
  const held = unchecked(firstHeld[s]);
  if (held >= FIRST_BYTES) return;
  const k = min(n, FIRST_BYTES - held);
  memory.copy(changetype<usize>(first) + <usize>(s * FIRST_BYTES + held), p, <usize>k);
  unchecked(firstHeld[s] = held + k);
}

export function firstBytes(s: i32): usize { return changetype<usize>(first) + <usize>(s * FIRST_BYTES); }

export function state(s: i32): i32 {
  if (isHealthy(s)) return ENT_STATE_IN;
  return rctFailures(s) + aptFailures(s) > 0 ? ENT_STATE_OUT : ENT_STATE_STARTING;
}

export function isDevice(s: i32): bool { return unchecked(kind[s]) == ENT_SRC_DEVICE; }
