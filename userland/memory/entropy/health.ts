// SP 800-90B continuous health tests, per raw source: the repetition count
// test (RCT) and the adaptive proportion test (APT) see every sample. A
// failure takes the source out of the pool at once; it comes back only after
// a whole APT window passes with no failure of either test. A new source must
// first pass the start-up test: enough whole windows to cover 1024 samples.
import { ENT_MAX_SOURCES, ENT_WHY_NONE, ENT_WHY_RCT, ENT_WHY_APT } from "../../lib";
import { aptWindow, rctCutoff, aptCutoff } from "./cutoffs";

export const MAX_SOURCES = ENT_MAX_SOURCES;
export const STARTUP_SAMPLES = 1024;

// Per source, structure-of-arrays.
const rctC = new StaticArray<i32>(MAX_SOURCES);
const rctLast = new StaticArray<u32>(MAX_SOURCES);
const rctRun = new StaticArray<i32>(MAX_SOURCES); // 0: no sample yet
const aptC = new StaticArray<i32>(MAX_SOURCES);
const aptW = new StaticArray<i32>(MAX_SOURCES);
const aptFirst = new StaticArray<u32>(MAX_SOURCES);
const aptCount = new StaticArray<i32>(MAX_SOURCES);
const aptSeen = new StaticArray<i32>(MAX_SOURCES); // samples of the current window so far
const windowFailed = new StaticArray<bool>(MAX_SOURCES);
const passed = new StaticArray<i32>(MAX_SOURCES); // whole windows passed since the last failure
const needed = new StaticArray<i32>(MAX_SOURCES); // windows to pass before the source counts
const healthy = new StaticArray<bool>(MAX_SOURCES);
const rctFails = new StaticArray<i64>(MAX_SOURCES);
const aptFails = new StaticArray<i64>(MAX_SOURCES);
const why = new StaticArray<i32>(MAX_SOURCES); // the test that failed last (ENT_WHY_*)

/** Set up source `s` (< MAX_SOURCES) for min-entropy `h` bits per sample; it starts untested. */
export function configure(s: i32, alphaLog2: f64, h: f64, binary: bool): void {
  const w = aptWindow(binary);
  unchecked(rctC[s] = rctCutoff(alphaLog2, h));
  unchecked(aptW[s] = w);
  unchecked(aptC[s] = aptCutoff(alphaLog2, h, w));
  unchecked(rctRun[s] = 0);
  unchecked(aptSeen[s] = 0);
  unchecked(windowFailed[s] = false);
  unchecked(passed[s] = 0);
  unchecked(needed[s] = (STARTUP_SAMPLES + w - 1) / w);
  unchecked(healthy[s] = false);
  unchecked(rctFails[s] = 0);
  unchecked(aptFails[s] = 0);
  unchecked(why[s] = ENT_WHY_NONE);
}

/** New cutoffs for source s (its min-entropy changed), its state and counts kept. */
export function retune(s: i32, alphaLog2: f64, h: f64): void {
  unchecked(rctC[s] = rctCutoff(alphaLog2, h));
  unchecked(aptC[s] = aptCutoff(alphaLog2, h, unchecked(aptW[s])));
}

/** Test one sample of source `s`; whether the source counts as healthy, this sample included. */
export function feed(s: i32, x: u32): bool {
  const r = rct(s, x);
  const a = apt(s, x);
  if (r || a) fail(s);
  if (unchecked(aptSeen[s]) == unchecked(aptW[s])) endWindow(s);
  return unchecked(healthy[s]);
}

/** Whether the repetition count test fails on `x`. */
function rct(s: i32, x: u32): bool {
  if (unchecked(rctRun[s]) == 0 || x != unchecked(rctLast[s])) {
    unchecked(rctLast[s] = x);
    unchecked(rctRun[s] = 1);
    return false;
  }
  const run = unchecked(rctRun[s]) + 1;
  if (run < unchecked(rctC[s])) { unchecked(rctRun[s] = run); return false; }
  // The run starts over, so a stuck source fails again every C − 1 samples.
  unchecked(rctRun[s] = 1);
  unchecked(rctFails[s] = unchecked(rctFails[s]) + 1);
  unchecked(why[s] = ENT_WHY_RCT);
  return true;
}

/** Whether the adaptive proportion test fails on `x` (at most once per window). */
function apt(s: i32, x: u32): bool {
  const seen = unchecked(aptSeen[s]);
  unchecked(aptSeen[s] = seen + 1);
  if (seen == 0) {
    unchecked(aptFirst[s] = x);
    unchecked(aptCount[s] = 1);
    return false;
  }
  if (x != unchecked(aptFirst[s])) return false;
  const count = unchecked(aptCount[s]) + 1;
  unchecked(aptCount[s] = count);
  if (count != unchecked(aptC[s])) return false;
  unchecked(aptFails[s] = unchecked(aptFails[s]) + 1);
  unchecked(why[s] = ENT_WHY_APT);
  return true;
}

function fail(s: i32): void {
  unchecked(healthy[s] = false);
  unchecked(windowFailed[s] = true);
  unchecked(passed[s] = 0);
  unchecked(needed[s] = 1);
}

function endWindow(s: i32): void {
  unchecked(aptSeen[s] = 0);
  if (unchecked(windowFailed[s])) { unchecked(windowFailed[s] = false); return; }
  const p = unchecked(passed[s]) + 1;
  unchecked(passed[s] = p);
  if (p >= unchecked(needed[s])) unchecked(healthy[s] = true);
}

export function isHealthy(s: i32): bool { return unchecked(healthy[s]); }
export function rctFailures(s: i32): i64 { return unchecked(rctFails[s]); }
export function aptFailures(s: i32): i64 { return unchecked(aptFails[s]); }
export function whyOut(s: i32): i32 { return unchecked(why[s]); }
export function rctCutoffOf(s: i32): i32 { return unchecked(rctC[s]); }
export function aptCutoffOf(s: i32): i32 { return unchecked(aptC[s]); }
export function aptWindowOf(s: i32): i32 { return unchecked(aptW[s]); }
