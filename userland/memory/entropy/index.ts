// The entropy half of the memory & entropy manager: a pool fed by the HAL's
// raw noise sources through SP 800-90B health tests, conditioned with
// SHA-256, and served through an HMAC_DRBG (docs/entropy.md).
import {
  log, NOTE_TIMER, TAG_ENTROPY_GET, TAG_ENTROPY_REFRESH, TAG_ENTROPY_STATUS, TAG_ENTROPY_FEED, TAG_ENTROPY_SOURCE, E_ARG,
} from "../../lib";
import { startManager, healthyMask, onRefillTimer, drbg } from "./manager";
import { rctCutoffOf, aptCutoffOf, aptWindowOf } from "./health";
import { get, refresh, status, source } from "./protocol";
import { feedCall } from "./fed";
import { SOURCE_MIN_ENTROPY, ALPHA_LOG2 } from "./config";

export function startEntropy(pid: i32, restarts: i32): void {
  const n = startManager(pid, restarts);
  if (n < 0) { log("entropy: no entropy device (error " + n.toString() + "): entropy requests are refused"); return; }
  if (n == 0) { log("entropy: the device has no sources: entropy requests are refused"); return; }
  log("entropy: " + popcnt<i32>(healthyMask()).toString() + " of " + n.toString() + " sources healthy, " +
    (drbg.seeded ? "pool seeded" : "pool not seeded yet") + "; cutoffs for H = " + SOURCE_MIN_ENTROPY.toString() +
    ", α = 2^-" + (<i32>ALPHA_LOG2).toString() + ": repetition " + rctCutoffOf(0).toString() +
    ", proportion " + aptCutoffOf(0).toString() + " of " + aptWindowOf(0).toString());
}

export function isEntropyTag(tag: i32): bool {
  return tag == TAG_ENTROPY_GET || tag == TAG_ENTROPY_REFRESH || tag == TAG_ENTROPY_STATUS || tag == TAG_ENTROPY_FEED ||
    tag == TAG_ENTROPY_SOURCE;
}

export function handleEntropy(badge: i32, tag: i32): i32 {
  switch (tag) {
    case TAG_ENTROPY_FEED: return feedCall(badge);
    case TAG_ENTROPY_SOURCE: return source();
    case TAG_ENTROPY_GET: return get();
    case TAG_ENTROPY_REFRESH: return refresh();
    case TAG_ENTROPY_STATUS: return status();
  }
  return E_ARG;
}

export function entropyNotify(bits: i32): void {
  if ((bits & NOTE_TIMER) != 0) onRefillTimer();
}
