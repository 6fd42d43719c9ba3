// The entropy device, through the K_DEVICE capability the manifest grants as
// "entropy" (registers in kernel/abi.ts, ENT_*).
import { sys, capByName, ENT_SOURCES, ENT_SELECT, ENT_DATA } from "../../lib";

let slot = -1;

/** Find the device; the number of raw sources it has, or an error (< 0). */
export function openDevice(): i32 {
  slot = capByName("entropy");
  if (slot < 0) return slot;
  const n = sys.dev_read(slot, ENT_SOURCES);
  return n < 0 ? <i32>n : <i32>min<i64>(n, 0x7fffffff);
}

export function hasDevice(): bool { return slot >= 0; }

/** Direct the next samples to source `s`. The selection is shared with anyone else holding the device, so select before every batch. */
export function select(s: i32): i32 { return sys.dev_write(slot, ENT_SELECT, s); }

/** One raw 32-bit sample of the selected source, or an error (< 0). */
@inline export function sample(): i64 { return sys.dev_read(slot, ENT_DATA); }
