// Byte formatting into a caller's buffer, for log lines built without strings,
// and the few strings services show people.
import { VERSION_ANY_MAX, VERSION_MAJOR_SHIFT, VERSION_MINOR_SHIFT, VERSION_PART_MAX } from "../../kernel/abi";

/** Write "[sssss.uuuuuu] " for `ns` at `p`; returns the new end. */
export function writeStamp(p: usize, ns: i64): usize {
  const us = <u64>ns / 1000;
  store<u8>(p++, 91);
  let secs = us / 1000000;
  let digits = 1;
  for (let t = secs; t >= 10; t /= 10) digits++;
  for (let i = digits; i < 5; i++) store<u8>(p++, 32);
  p = writeU64(p, secs);
  store<u8>(p++, 46);
  const frac = us % 1000000;
  for (let d: u64 = 100000; d > 0; d /= 10) store<u8>(p++, 48 + <u8>((frac / d) % 10));
  store<u8>(p++, 93);
  store<u8>(p++, 32);
  return p;
}

export function writeU64(p: usize, v: u64): usize {
  let digits = 1;
  for (let t = v; t >= 10; t /= 10) digits++;
  let q = p + <usize>digits;
  const end = q;
  do { store<u8>(--q, 48 + <u8>(v % 10)); v /= 10; } while (v > 0);
  return end;
}

/** Copy the UTF-8 of `s` to `p` (at most `max` bytes); returns the new end. */
export function writeStr(p: usize, s: string, max: i32): usize {
  const n = String.UTF8.byteLength(s);
  if (n > max) {
    // Truncate on the UTF-16 side first so the UTF-8 encoder never overruns.
    return p + String.UTF8.encodeUnsafe(changetype<usize>(s), min(s.length, max / 3), p);
  }
  return p + String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p);
}

/** Microseconds with three decimals, for durations in log lines: "12.345". */
export function fmtMicros(ns: i64): string {
  const whole = ns / 1000;
  const frac = (ns % 1000 + 1000) % 1000;
  return whole.toString() + "." + (frac < 100 ? (frac < 10 ? "00" : "0") : "") + frac.toString();
}

/** Milliseconds with two decimals: "1.25". */
export function fmtMillis(ns: i64): string {
  const hundredths = ns / 10000;
  const frac = hundredths % 100;
  return (hundredths / 100).toString() + "." + (frac < 10 ? "0" : "") + frac.toString();
}

/** A packed interface version (kernel/abi.ts VERSION_*) as MAJOR.MINOR.PATCH; "any" for an open upper bound. */
export function fmtVersion(v: u32): string {
  if (v == <u32>VERSION_ANY_MAX) return "any";
  return (v >> VERSION_MAJOR_SHIFT).toString() + "." + ((v >> VERSION_MINOR_SHIFT) & VERSION_PART_MAX).toString() + "." +
    (v & VERSION_PART_MAX).toString();
}
