// entropy: the memory service's entropy pool, driven as a client drives it.
// get returns fresh bytes and debits the pool's credit; every source starts
// healthy; a source the HAL makes stuck or biased fails the SP 800-90B test
// meant to catch it and leaves the pool while the other keeps serving, and
// comes back only after passing a whole window again. qc holds the entropy
// device itself to inject the faults (ENT_SELECT, then ENT_FAULT). The pool
// may have sources past the device's (fed ones: the QPU's, docs/entropy.md),
// which these faults do not touch: the masks are checked on the device's bits,
// and a pool with a fed source in keeps serving when every device source is out.
import {
  sys, lendWrite, lendRead, OK, E_ARG, E_STATE, E_PERM, TAG_ENTROPY_GET, TAG_ENTROPY_REFRESH, TAG_ENTROPY_STATUS,
  TAG_ENTROPY_SOURCE, TAG_ENTROPY_FEED, ENT_SOURCES, ENT_SELECT, ENT_FAULT, ENT_FAULT_NONE, ENT_FAULT_STUCK,
  ENT_FAULT_BIASED, ENT_SRC_DEVICE, ENT_MAX_SOURCES,
} from "../../lib";
import { test, step, check, expect, finish, unsupported } from "./driver";
import { memoryCap, entropyDev } from "./env";
import { hex } from "./out";

const S = "entropy";
const WINDOW = 512; // the APT window of the HAL's (non-binary) sources
const MAX_ROUNDS = 32; // windows a biased source gets to fail in

// The last status reply: available bits, quality, healthy mask, failures, RCT failures, APT failures.
const st = new StaticArray<i64>(6);
const first = new StaticArray<i64>(6);
const bytes = new StaticArray<u8>(1024);
const other = new StaticArray<u8>(1024);

export function addEntropyTests(): void {
  test(S, "status-reports-every-source-healthy", everySourceHealthy);
  test(S, "get-returns-the-bytes-asked-for-and-debits-the-available-bits", getDebits);
  test(S, "two-gets-return-different-bytes", twoGetsDiffer);
  test(S, "a-get-of-more-than-48-bytes-fills-a-lease", leaseGet);
  test(S, "get-refuses-sizes-it-cannot-deliver", badSizes);
  test(S, "a-stuck-source-fails-the-repetition-count-test-and-leaves-the-pool", stuckFailsRct);
  test(S, "the-pool-keeps-serving-from-the-healthy-source", keepsServing);
  test(S, "a-cleared-source-stays-out-until-it-passes-a-whole-window", clearedStaysOut);
  test(S, "a-biased-source-fails-the-adaptive-proportion-test", biasedFailsApt);
  test(S, "get-refuses-to-serve-when-no-source-is-healthy", noHealthySource);
  test(S, "source-describes-each-device-source", describesDeviceSources);
  test(S, "feeding-the-pool-without-the-right-is-refused", feedRefused);
  step(S, restoreSources);
}

// ---------------------------------------------------------------- helpers

/** Why these tests cannot run here, or "" when they can. */
function missing(): string {
  if (memoryCap < 0) return "the image has no memory service";
  if (entropyDev < 0) return "qc holds no entropy device to inject faults with";
  return "";
}

function sources(): i32 { return <i32>sys.dev_read(entropyDev, ENT_SOURCES); }
function allSources(): i64 { return (<i64>1 << sources()) - 1; }
/** Every source of the pool, the fed ones too (TAG_ENTROPY_SOURCE answers E_ARG past the last). */
function poolSources(): i32 {
  let n = 0;
  while (n < ENT_MAX_SOURCES && sys.call(memoryCap, TAG_ENTROPY_SOURCE, n, 0, 0, 0, 0, 0) == OK) n++;
  return n;
}

/** Make source `s` fail as `kind` (ENT_FAULT_*), or heal it with ENT_FAULT_NONE. */
function inject(s: i32, kind: i32): bool {
  return expect("select source " + s.toString(), sys.dev_write(entropyDev, ENT_SELECT, s), OK) &&
    expect("fault " + kind.toString() + " into source " + s.toString(), sys.dev_write(entropyDev, ENT_FAULT, kind), OK);
}

/** Status of every source (which = 0) or of source which - 1, into st. */
function status(which: i32): bool {
  if (!expect("status(" + which.toString() + ")", sys.call(memoryCap, TAG_ENTROPY_STATUS, which, 0, 0, 0, 0, 0), OK)) return false;
  for (let i = 0; i < 6; i++) unchecked(st[i] = sys.reply_word(i));
  return true;
}
@inline function available(): i64 { return unchecked(st[0]); }
@inline function quality(): i64 { return unchecked(st[1]); }
@inline function healthy(): i64 { return unchecked(st[2]); }
@inline function failures(): i64 { return unchecked(st[3]); }
@inline function rctFailures(): i64 { return unchecked(st[4]); }
@inline function aptFailures(): i64 { return unchecked(st[5]); }

/** Sample `n` words of each source now (0: one window); the healthy mask after, or < 0. */
function refresh(n: i32): i64 {
  const r = sys.call(memoryCap, TAG_ENTROPY_REFRESH, n, 0, 0, 0, 0, 0);
  if (!expect("refresh(" + n.toString() + ")", r, OK)) return -1;
  return sys.reply_word(1);
}

function get(n: i32): i32 { return sys.call(memoryCap, TAG_ENTROPY_GET, n, 0, 0, 0, 0, 0); }

function getLease(buf: StaticArray<u8>, len: i32, asked: i32): i32 {
  lendWrite(0, changetype<usize>(buf), len);
  return get(asked);
}

function allZero(buf: StaticArray<u8>, from: i32, to: i32): bool {
  for (let i = from; i < to; i++) if (unchecked(buf[i]) != 0) return false;
  return true;
}

function same(a: StaticArray<u8>, b: StaticArray<u8>, len: i32): bool {
  return memory.compare(changetype<usize>(a), changetype<usize>(b), len) == 0;
}

// ---------------------------------------------------------------- tests

function everySourceHealthy(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  const n = sources();
  if (!check(n >= 2, "ENT_SOURCES: expected at least 2 sources, got " + n.toString())) return finish();
  if (!status(0)) return finish();
  expect("healthy-source mask (the device's sources)", healthy() & allSources(), allSources());
  for (let s = 0; s < n; s++) {
    if (!status(1 + s)) return finish();
    expect("health-test failures of source " + s.toString() + " since start", failures(), 0);
  }
  check(quality() >= 50 && quality() <= 100, "quality with every source healthy: expected 50..100, got " + quality().toString());
  return finish();
}

function getDebits(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  if (refresh(0) < 0 || !status(0)) return finish();
  const before = available();
  if (!check(before >= 128, "available bits after a refresh: expected at least 128, got " + before.toString())) return finish();
  if (!expect("get(16)", get(16), OK)) return finish();
  const w0 = sys.reply_word(0), w1 = sys.reply_word(1);
  check(w0 != 0 || w1 != 0, "the 16 bytes of get(16) are all zero");
  for (let i = 2; i < 6; i++) expect("reply word " + i.toString() + " past the 16 bytes asked for", sys.reply_word(i), 0);
  if (!status(0)) return finish();
  expect("available bits after get(16) from " + before.toString(), available(), before - 128);
  return finish();
}

function twoGetsDiffer(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  if (!expect("first get(48)", get(48), OK)) return finish();
  for (let i = 0; i < 6; i++) unchecked(first[i] = sys.reply_word(i));
  if (!expect("second get(48)", get(48), OK)) return finish();
  let equal = 0;
  for (let i = 0; i < 6; i++) if (unchecked(first[i]) == sys.reply_word(i)) equal++;
  check(equal < 6, "two get(48) returned the same bytes, starting " + hex(<u64>unchecked(first[0])));
  return finish();
}

function leaseGet(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  memory.fill(changetype<usize>(bytes), 0, 1024);
  memory.fill(changetype<usize>(other), 0, 1024);
  if (!expect("get(0) into a 1024-byte lease", getLease(bytes, 1024, 0), OK)) return finish();
  expect("bytes reported", sys.reply_word(0), 1024);
  check(!allZero(bytes, 0, 1024), "the lease is still all zero");
  if (!expect("get(300) into a second lease", getLease(other, 1024, 300), OK)) return finish();
  expect("bytes reported", sys.reply_word(0), 300);
  check(allZero(other, 300, 1024), "get(300) wrote past the 300 bytes asked for");
  check(!same(bytes, other, 300), "two lease gets returned the same bytes");
  return finish();
}

function badSizes(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  expect("get(49) with no lease", get(49), E_ARG);
  expect("get(0) with no lease", get(0), E_ARG);
  expect("get(-1) with no lease", get(-1), E_ARG);
  expect("get(513) into a 512-byte lease", getLease(bytes, 512, 513), E_ARG);
  return finish();
}

function stuckFailsRct(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  if (!status(1)) return finish();
  const rct = rctFailures();
  if (!inject(0, ENT_FAULT_STUCK)) return finish();
  const mask = refresh(0);
  if (mask < 0 || !status(1)) return finish();
  check(rctFailures() > rct, "repetition count test failures of stuck source 0: still " + rct.toString() + " after a window");
  expect("healthy-source mask after source 0 stuck", healthy() & allSources(), allSources() & ~1);
  expect("healthy-source mask in refresh's reply", mask & allSources(), allSources() & ~1);
  const most = 50 * popcnt<i64>(healthy()) / poolSources() + 50;
  check(quality() <= most, "quality with source 0 out: expected at most " + most.toString() + ", got " + quality().toString());
  return finish();
}

function keepsServing(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  const r = sys.call(memoryCap, TAG_ENTROPY_REFRESH, 0, 0, 0, 0, 0, 0);
  if (!expect("refresh with source 0 stuck", r, OK)) return finish();
  check(sys.reply_word(0) > 0, "bits credited by a refresh with one healthy source: 0");
  expect("get(32) with source 0 stuck", get(32), OK);
  return finish();
}

function clearedStaysOut(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  if (!status(1)) return finish();
  const rct = rctFailures();
  if (!inject(0, ENT_FAULT_NONE)) return finish();
  // Less than a window after the fault: no window can have passed whole.
  const early = refresh(64);
  if (early < 0) return finish();
  expect("healthy-source mask 64 samples after the fault was cleared", early & 1, 0);
  if (!status(1)) return finish();
  expect("repetition count test failures of source 0 once cleared", rctFailures(), rct);
  // The window the fault was in ends within 512 samples; the next one passes whole.
  expect("healthy-source mask two windows after the fault was cleared", refresh(2 * WINDOW) & allSources(), allSources());
  return finish();
}

function biasedFailsApt(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  if (!status(1)) return finish();
  const apt = aptFailures();
  if (!inject(0, ENT_FAULT_BIASED)) return finish();
  let rounds = 0;
  while (rounds < MAX_ROUNDS) {
    rounds++;
    if (refresh(WINDOW) < 0 || !status(1)) return finish();
    if (aptFailures() > apt) break;
  }
  check(aptFailures() > apt, "adaptive proportion test failures of biased source 0: still " + apt.toString() +
    " after " + rounds.toString() + " windows");
  expect("source 0 in the healthy-source mask while biased", healthy() & 1, 0);
  return finish();
}

function noHealthySource(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  const n = sources();
  for (let s = 0; s < n; s++) if (!inject(s, ENT_FAULT_STUCK)) return finish();
  const mask = refresh(0);
  expect("healthy-source mask with every device source stuck", mask & allSources(), 0);
  // A fed source still in (the QPU's) keeps the pool serving; with none, nothing may come out.
  const fedIn = (mask & ~allSources()) != 0;
  expect("get(16) with no healthy device source" + (fedIn ? " and a fed source in" : " and no other"), get(16), fedIn ? OK : E_STATE);
  if (!fedIn && status(0)) expect("quality with no healthy source", quality(), 0);
  for (let s = 0; s < n; s++) inject(s, ENT_FAULT_NONE);
  expect("healthy-source mask two windows after every fault was cleared", refresh(2 * WINDOW) & allSources(), allSources());
  expect("get(16) once the sources are back", get(16), OK);
  return finish();
}

function describesDeviceSources(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  const n = sources();
  for (let s = 0; s < n; s++) {
    memory.fill(changetype<usize>(other), 0, 8);
    lendWrite(0, changetype<usize>(other), 8);
    if (!expect("source(" + s.toString() + ")", sys.call(memoryCap, TAG_ENTROPY_SOURCE, s, 0, 0, 0, 0, 0), OK)) return finish();
    check(!allZero(other, 0, 8), "source " + s.toString() + "'s first 8 bytes are all zero");
    expect("source " + s.toString() + "'s kind", sys.reply_word(0), ENT_SRC_DEVICE);
    check(sys.reply_word(3) > 0, "bytes source " + s.toString() + " gave: 0");
    check(sys.reply_word(5) > 0 && sys.reply_word(5) <= 32000000, "source " + s.toString() + "'s min-entropy per sample: " + sys.reply_word(5).toString() + " ppm of a bit");
  }
  const total = poolSources();
  expect("source(" + total.toString() + "), past the last", sys.call(memoryCap, TAG_ENTROPY_SOURCE, total, 0, 0, 0, 0, 0), E_ARG);
  expect("source(-1)", sys.call(memoryCap, TAG_ENTROPY_SOURCE, -1, 0, 0, 0, 0, 0), E_ARG);
  return finish();
}

/** qc's grant of the memory service carries no feed right (memory:call+control): every feed is E_PERM, and adds no source. */
function feedRefused(): bool {
  const why = missing();
  if (why.length > 0) return unsupported(why);
  const before = poolSources();
  lendRead(0, changetype<usize>(bytes), 1024);
  expect("feed(8192 bits, 1 bit each)", sys.call(memoryCap, TAG_ENTROPY_FEED, 8192, 1000000, 0, 0, 0, 0), E_PERM);
  lendRead(0, changetype<usize>(bytes), 1024);
  expect("feed(0 bits)", sys.call(memoryCap, TAG_ENTROPY_FEED, 0, 0, 0, 0, 0, 0), E_PERM);
  expect("feed(-1 bits) with no lease", sys.call(memoryCap, TAG_ENTROPY_FEED, -1, -1, 0, 0, 0, 0), E_PERM);
  expect("sources after the refused feeds", poolSources(), before);
  return finish();
}

/** Heal every source whatever the tests left, so the image goes on as it came. */
function restoreSources(): bool {
  if (missing().length > 0) return true;
  const n = sources();
  for (let s = 0; s < n; s++) {
    sys.dev_write(entropyDev, ENT_SELECT, s);
    sys.dev_write(entropyDev, ENT_FAULT, ENT_FAULT_NONE);
  }
  sys.call(memoryCap, TAG_ENTROPY_REFRESH, 2 * WINDOW, 0, 0, 0, 0, 0);
  return true;
}
