// Fed sources (docs/entropy.md: Fed sources): raw bits a service with the
// feed right hands the pool, such as the quantum scheduler's measurements of
// |+⟩ states. Each feeder is one binary source: every bit goes through the
// same SP 800-90B health tests as the device's samples (W = 1024), and the
// bits that pass are absorbed and credited at the min-entropy the feeder
// claims for them. A failure takes the source out, logged with the test.
import {
  sys, arg, reply, log, OK, E_ARG, E_UNSUPPORTED, ENT_FEED_MAX_BITS, ENT_FEED_TEST_PPM, ENT_WHY_RCT, ENT_STATE_IN,
  ENT_STATE_OUT,
} from "../../lib";
import { hasDevice } from "./device";
import { feed, retune, isHealthy, whyOut, rctFailures, aptFailures, rctCutoffOf, aptCutoffOf, aptWindowOf } from "./health";
import { absorbBytes, missingUnits } from "./pool";
import { fedSource, reseed } from "./manager";
import { hPpm, credit, creditedUnits, took, setCredit, state } from "./sources";
import { mayFeed } from "./feeders";
import { ALPHA_LOG2, UNIT_SHIFT } from "./config";

const MAX_BYTES = ENT_FEED_MAX_BITS >> 3;
const incoming = new StaticArray<u8>(MAX_BYTES);
const passed = new StaticArray<u8>(MAX_BYTES); // the bits that passed, packed again
const PPM: i64 = 1000000;

/** TAG_ENTROPY_FEED: w0 = bits, w1 = min-entropy per bit in ppm; lease 0 = the bits. */
export function feedCall(badge: i32): i32 {
  if (!hasDevice()) return E_UNSUPPORTED;
  // The right first: a caller without it learns nothing else, whatever it sends.
  const may = mayFeed(badge);
  if (may != OK) return may;
  const bits = arg(0), ppm = arg(1);
  if (bits < 1 || bits > ENT_FEED_MAX_BITS || ppm < 0 || ppm > PPM) return E_ARG;
  const len = sys.lease_len(0);
  if (len < 0) return len;
  const bytes = (<i32>bits + 7) >> 3;
  if (bytes > len) return E_ARG;
  const p = changetype<usize>(incoming);
  const got = sys.lease_read(0, 0, p, bytes);
  if (got < 0) return got;
  if (got != bytes) return E_ARG;
  const s = source(badge, <i32>ppm);
  if (s < 0) return s;
  const before = state(s);
  const failures = rctFailures(s) + aptFailures(s);
  const units = test(s, p, <i32>bits);
  took(s, p, bytes);
  unchecked(creditedUnits[s] = unchecked(creditedUnits[s]) + units);
  reseed(false);
  // Only a failure and a return after one are logged: a source that starts
  // well says nothing, so a boot's log does not depend on when it started.
  if (rctFailures(s) + aptFailures(s) > failures) say(s, badge, ENT_STATE_OUT);
  if (isHealthy(s) && before == ENT_STATE_OUT) say(s, badge, ENT_STATE_IN);
  reply(units >> UNIT_SHIFT, wanted(s), s, isHealthy(s) ? 1 : 0);
  return OK;
}

/** The caller's source, made at its first feed; its credit and cutoffs follow the min-entropy it claims now. */
function source(pid: i32, ppm: i32): i32 {
  const s = fedSource(pid, ppm, testH(ppm));
  if (s < 0) return s;
  if (unchecked(hPpm[s]) != ppm) {
    setCredit(s, ppm);
    retune(s, ALPHA_LOG2, testH(ppm));
  }
  return s;
}

/**
 * The min-entropy the tests' cutoffs are computed for: the claim, but never
 * below ENT_FEED_TEST_PPM. A source claiming less (a readout stuck on one
 * value claims 0) is then held to 0.5 bit per bit and fails the tests,
 * rather than being waved through with cutoffs no run could reach.
 */
function testH(ppm: i32): f64 { return <f64>max(ppm, ENT_FEED_TEST_PPM) / 1e6; }

/** Every bit through source s's health tests; the passing ones absorbed. The units credited. */
function test(s: i32, p: usize, bits: i32): i64 {
  const out = changetype<usize>(passed);
  let n = 0;
  for (let i = 0; i < bits; i++) {
    const bit = (<u32>load<u8>(p + <usize>(i >> 3)) >> (<u32>i & 7)) & 1;
    if (!feed(s, bit)) continue;
    // Only a bit of a source that passed its tests, this bit included, feeds the pool.
    const at = out + <usize>(n >> 3);
    if ((n & 7) == 0) store<u8>(at, 0);
    store<u8>(at, load<u8>(at) | <u8>(bit << (<u32>n & 7)));
    n++;
  }
  if (n == 0) return 0;
  const units = unchecked(credit[s]) * n;
  absorbBytes(out, (n + 7) >> 3, units);
  memory.fill(out, 0, (n + 7) >> 3); // absorbed input is not kept
  return units;
}

/** Bits the pool would take from source s now: a window while it is out or starting, else what fills the pool. */
function wanted(s: i32): i64 {
  if (!isHealthy(s)) return aptWindowOf(s);
  const c = unchecked(credit[s]);
  if (c <= 0) return 0;
  const missing = missingUnits();
  if (missing <= 0) return 0;
  return min<i64>((missing + c - 1) / c, ENT_FEED_MAX_BITS);
}

function say(s: i32, pid: i32, now: i32): void {
  const name = "entropy: source " + s.toString() + " (fed by pid " + pid.toString() + ")";
  if (now == ENT_STATE_IN) {
    log(name + " back in: " + aptWindowOf(s).toString() + " bits passed whole; credited " + ppmText(unchecked(hPpm[s])) +
      " bit per bit, cutoffs: repetition " + rctCutoffOf(s).toString() + ", proportion " + aptCutoffOf(s).toString() +
      " of " + aptWindowOf(s).toString());
  } else if (now == ENT_STATE_OUT) {
    const rct = whyOut(s) == ENT_WHY_RCT;
    log(name + " out: the " + (rct ? "repetition count" : "adaptive proportion") + " test failed (cutoff " +
      (rct ? rctCutoffOf(s).toString() + " equal bits in a row" : aptCutoffOf(s).toString() + " of " + aptWindowOf(s).toString()) +
      "); its bits are not absorbed until a whole window passes");
  }
}

/** 0.971234 for 971234 ppm. */
function ppmText(ppm: i32): string {
  const frac = (ppm % 1000000).toString();
  return (ppm / 1000000).toString() + "." + "000000".substring(frac.length) + frac;
}
