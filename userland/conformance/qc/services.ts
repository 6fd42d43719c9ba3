// services: the service manager, through init's control protocol (the runner
// grants qc "init") and the registry. It works the lifecycle of qc-peer's
// second instance (the first serves the other suites): status, graceful stop,
// start, restart, pause and resume, disable and enable, an injected crash and
// its restart, the event log, metrics, dependencies, grants, the audit trail,
// a health check on demand, and balancing over both instances.
import {
  sys, capByName, registry, OK, E_BADSLOT, E_BUSY, E_STATE, E_CRASHED, E_UNSUPPORTED, LEASE_READ, LEASE_WRITE, LOOKUP_NAME,
  TAG_INIT_STATUS, TAG_INIT_FIND, TAG_INIT_START, TAG_INIT_STOP, TAG_INIT_RESTART, TAG_INIT_PAUSE, TAG_INIT_RESUME,
  TAG_INIT_ENABLE, TAG_INIT_DISABLE, TAG_INIT_CRASH, TAG_INIT_EVENTS, TAG_INIT_METRICS, TAG_INIT_DEPS, TAG_INIT_CAPS,
  TAG_INIT_HEALTH_CHECK, TAG_INIT_RELOAD, RELOAD_ROLLBACK_TEST, EV_RELOADED, EV_RELOAD_FAILED, EV_DRAINING, TAG_LOG_TAIL, SVC_RUNNING, SVC_STOPPED, SVC_PAUSED, SVC_DISABLED, EV_STOPPING, EV_EXITED, EV_CRASHED,
  EV_RESTARTING, EV_RESTARTED, EV_PAUSED, EV_RESUMED, EV_DISABLED, EV_ENABLED, FAULT_INJECTED, DEP_REQUIRES, DEP_REQUIRED_BY,
  GRANT_INIT, GRANT_CONSOLE, Balancer, BALANCE_ROUND_ROBIN, BALANCE_CONSISTENT_HASH,
} from "../../lib";
import { QC_ECHO, QC_STATUS, QC_PID } from "../common/tags";
import { test, step, phase, later, poll, waitOver, check, expect, finish, track, unsupported } from "./driver";
import { awaitPeer, logCap } from "./env";
import { findService as find, serviceStatus as status } from "./initctl";
import { eventsArrived, eventsLost } from "./registry";

const S = "services";
let init = -1;
let second = -1; // qc-peer#2's service index
let secondCap = -1; // a capability to it, from the registry
let qcIndex = -1;
let pidBefore: i64 = 0;
let restartsBefore: i64 = 0;
let callsBefore: i64 = 0;
let errorsBefore: i64 = 0;

export function addServicesTests(): void {
  step(S, awaitPeer);
  test(S, "init-finds-a-service-by-name-and-reports-it-running", findsRunning);
  test(S, "a-stop-is-graceful-and-leaves-the-service-stopped", stopIsGraceful);
  test(S, "a-stopped-service-refuses-stop-and-starts-again", startsAgain);
  test(S, "pause-holds-calls-with-e-busy-and-resume-lets-them-through", pauseResume);
  test(S, "disable-stops-it-and-forbids-start-until-enabled", disableEnable);
  test(S, "restart-keeps-its-pid-and-counts", restartKeepsPid);
  test(S, "an-injected-crash-is-restarted-by-its-policy-and-logged", injectedCrash);
  test(S, "a-reload-keeps-the-pid-and-every-capability", reloadKeeps);
  test(S, "a-reload-whose-new-instance-fails-rolls-back", reloadRollsBack);
  test(S, "the-event-log-is-in-time-order", eventsInOrder);
  test(S, "a-subscriber-whose-queue-overflowed-learns-how-many-events-it-missed", overflowCounted);
  test(S, "metrics-count-messages-and-errors", metricsCount);
  test(S, "dependencies-are-reported-both-ways", dependencies);
  test(S, "the-manifest-grants-are-listed", grants);
  test(S, "control-requests-for-a-service-that-does-not-exist-are-e-badslot", unknownService);
  test(S, "every-control-operation-is-in-the-audit-trail", audit);
  test(S, "a-health-check-on-demand-pings-every-running-service", healthCheck);
  test(S, "round-robin-alternates-between-the-instances-of-a-name", roundRobin);
  test(S, "a-consistent-hash-keeps-a-key-on-one-instance-and-a-circuit-breaker-moves-it", hashAndBreaker);
  step(S, awaitPeer);
}

function ctl(tag: i32, i: i32): i32 { return sys.call(init, tag, i, 0, 0, 0, 0, 0); }

/** Wait (polling) until service i is in `state`; false when the wait is over. */
function until(i: i32, state: i32, next: i32): bool {
  if (status(i) == state) return true;
  if (!waitOver()) { poll(next); return false; }
  return true;
}

function findsRunning(): bool {
  init = capByName("init");
  if (init < 0) return unsupported("qc holds no init capability (the runner grants one)");
  second = find("qc-peer#2");
  qcIndex = find("qc");
  check(second >= 0, "init does not know qc-peer#2 (qc-peer has two instances)");
  expect("status of qc-peer#2", status(second), SVC_RUNNING);
  expect("status word 1 (its pid) is a real pid", sys.reply_word(1) > 1 ? 1 : 0, 1);
  pidBefore = sys.reply_word(1);
  for (let k = 0; k < 2; k++) {
    const cap = registry.lookup("qc-peer", LOOKUP_NAME, k);
    if (cap >= 0 && sys.reply_word(1) == second) secondCap = cap; // kept for the whole suite
    else if (cap >= 0) sys.cap_delete(cap);
  }
  check(secondCap >= 0, "the registry gave no capability to qc-peer#2");
  return finish();
}

function stopIsGraceful(): bool {
  if (init < 0) return unsupported("no init capability");
  if (phase() == 0) { expect("stop", ctl(TAG_INIT_STOP, second), OK); return later(1); }
  if (!until(second, SVC_STOPPED, 1)) return false;
  expect("state after the stop", status(second), SVC_STOPPED);
  expect("a call to the stopped service", sys.call(secondCap, QC_ECHO, 1, 0, 0, 0, 0, 0) < 0 ? 1 : 0, 1);
  return finish();
}

function startsAgain(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("stop of a stopped service", ctl(TAG_INIT_STOP, second), E_STATE);
  expect("start", ctl(TAG_INIT_START, second), OK);
  expect("state", status(second), SVC_RUNNING);
  expect("a call through the same capability", sys.call(secondCap, QC_ECHO, 7, 0, 0, 0, 0, 0), OK);
  expect("start of a running service", ctl(TAG_INIT_START, second), E_STATE);
  return finish();
}

function pauseResume(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("pause", ctl(TAG_INIT_PAUSE, second), OK);
  expect("state", status(second), SVC_PAUSED);
  expect("a call to the paused service", sys.call(secondCap, QC_ECHO, 1, 0, 0, 0, 0, 0), E_BUSY);
  expect("pause again", ctl(TAG_INIT_PAUSE, second), E_STATE);
  expect("resume", ctl(TAG_INIT_RESUME, second), OK);
  expect("a call once resumed", sys.call(secondCap, QC_ECHO, 1, 0, 0, 0, 0, 0), OK);
  return finish();
}

function disableEnable(): bool {
  if (init < 0) return unsupported("no init capability");
  if (phase() == 0) { expect("disable", ctl(TAG_INIT_DISABLE, second), OK); return later(1); }
  if (phase() == 1) {
    if (!until(second, SVC_DISABLED, 1)) return false;
    expect("state", status(second), SVC_DISABLED);
    expect("start while disabled", ctl(TAG_INIT_START, second), E_STATE);
    expect("enable", ctl(TAG_INIT_ENABLE, second), OK);
    expect("state once enabled", status(second), SVC_STOPPED);
    expect("start", ctl(TAG_INIT_START, second), OK);
    expect("state", status(second), SVC_RUNNING);
  }
  return finish();
}

function restartKeepsPid(): bool {
  if (init < 0) return unsupported("no init capability");
  status(second);
  restartsBefore = sys.reply_word(2);
  expect("restart", ctl(TAG_INIT_RESTART, second), OK);
  expect("state", status(second), SVC_RUNNING);
  expect("its pid", sys.reply_word(1), pidBefore);
  expect("its restarts", sys.reply_word(2), restartsBefore + 1);
  return finish();
}

function injectedCrash(): bool {
  if (init < 0) return unsupported("no init capability");
  if (phase() == 0) {
    expect("crash injection", ctl(TAG_INIT_CRASH, second), OK);
    expect("the next call into it", sys.call(secondCap, QC_ECHO, 1, 0, 0, 0, 0, 0), E_CRASHED);
    return later(1);
  }
  if (!until(second, SVC_RUNNING, 1)) return false;
  expect("state after the crash", status(second), SVC_RUNNING);
  let crashed = false, restarting = false, restarted = false;
  for (let k = 0; k < 8 && sys.call(init, TAG_INIT_EVENTS, second, k, 0, 0, 0, 0) == OK; k++) {
    const kind = sys.reply_word(0);
    if (kind == EV_CRASHED && sys.reply_word(2) == FAULT_INJECTED) crashed = true;
    if (kind == EV_RESTARTING) restarting = true;
    if (kind == EV_RESTARTED) restarted = true;
  }
  check(crashed, "no crashed event with FAULT_INJECTED");
  check(restarting && restarted, "no restarting and restarted events after the crash");
  return finish();
}

function newestEvents(n: i32): i64[] {
  const out = new Array<i64>();
  for (let k = 0; k < n && sys.call(init, TAG_INIT_EVENTS, second, k, 0, 0, 0, 0) == OK; k++) out.push(sys.reply_word(0));
  return out;
}

function reloadKeeps(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("reload", sys.call(init, TAG_INIT_RELOAD, second, 0, 0, 0, 0, 0), OK);
  expect("state", status(second), SVC_RUNNING);
  expect("its pid", sys.reply_word(1), pidBefore);
  expect("a call through the capability held before", sys.call(secondCap, QC_ECHO, 9, 0, 0, 0, 0, 0), OK);
  const ev = newestEvents(4);
  check(ev.includes(EV_DRAINING) && ev.includes(EV_RELOADED), "the event log lacks draining and reloaded");
  return finish();
}

function reloadRollsBack(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("a reload made to fail", sys.call(init, TAG_INIT_RELOAD, second, RELOAD_ROLLBACK_TEST, 0, 0, 0, 0) < 0 ? 1 : 0, 1);
  expect("state", status(second), SVC_RUNNING);
  expect("its pid", sys.reply_word(1), pidBefore);
  expect("a call to the old instance", sys.call(secondCap, QC_ECHO, 9, 0, 0, 0, 0, 0), OK);
  check(newestEvents(2).includes(EV_RELOAD_FAILED), "the event log lacks reload-failed");
  return finish();
}

function eventsInOrder(): bool {
  if (init < 0) return unsupported("no init capability");
  let prev: i64 = i64.MAX_VALUE;
  let seen = 0;
  const kinds = new Array<i64>();
  for (let k = 0; sys.call(init, TAG_INIT_EVENTS, second, k, 0, 0, 0, 0) == OK; k++) {
    check(sys.reply_word(1) <= prev, "event " + k.toString() + " is newer than the one after it");
    prev = sys.reply_word(1);
    kinds.push(sys.reply_word(0));
    seen++;
  }
  for (let k = 0; k < 6; k++) {
    const want: i64 = [EV_STOPPING, EV_EXITED, EV_PAUSED, EV_RESUMED, EV_DISABLED, EV_ENABLED][k];
    check(kinds.includes(want), "the event log lacks event kind " + want.toString());
  }
  expect("events past the oldest", sys.call(init, TAG_INIT_EVENTS, second, seen, 0, 0, 0, 0), E_BADSLOT);
  return finish();
}

let lostBefore: i64 = 0;
let arrivedBefore = 0;

// qc subscribed to qc-p* in the registry suite. Forty events in one go
// overflow its queue of 16; the first event delivered after it drains says how
// many were lost.
function overflowCounted(): bool {
  if (init < 0) return unsupported("no init capability");
  if (phase() == 0) {
    lostBefore = eventsLost;
    for (let i = 0; i < 20; i++) { ctl(TAG_INIT_PAUSE, second); ctl(TAG_INIT_RESUME, second); }
    return later(1);
  }
  if (phase() == 1) {
    arrivedBefore = eventsArrived;
    ctl(TAG_INIT_PAUSE, second); // the queue has drained: this one is delivered, with the count
    ctl(TAG_INIT_RESUME, second);
    return later(2);
  }
  if (eventsArrived == arrivedBefore && !waitOver()) return poll(2);
  const lost = eventsLost - lostBefore;
  check(lost >= 24 && lost <= 40, "the events reported lost: " + lost.toString() + " (40 were sent to a queue of 16)");
  expect("state", status(second), SVC_RUNNING);
  return finish();
}

function metricsCount(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("metrics", sys.call(init, TAG_INIT_METRICS, second, 0, 0, 0, 0, 0), OK);
  callsBefore = sys.reply_word(0);
  errorsBefore = sys.reply_word(5);
  sys.call(secondCap, QC_ECHO, 1, 0, 0, 0, 0, 0);
  sys.call(secondCap, QC_STATUS, E_UNSUPPORTED, 0, 0, 0, 0, 0);
  expect("metrics", sys.call(init, TAG_INIT_METRICS, second, 0, 0, 0, 0, 0), OK);
  expect("messages handled", sys.reply_word(0), callsBefore + 2);
  expect("errors", sys.reply_word(5), errorsBefore + 1);
  check(sys.reply_word(4) > 0, "its uptime is not positive");
  return finish();
}

function dependencies(): bool {
  if (init < 0) return unsupported("no init capability");
  let requiresPeer = false;
  for (let k = 0; sys.call(init, TAG_INIT_DEPS, qcIndex, k, 0, 0, 0, 0) == OK; k++) {
    if (sys.reply_word(0) == DEP_REQUIRES && sys.reply_word(1) == find("qc-peer")) requiresPeer = true;
  }
  check(requiresPeer, "qc's dependencies do not include: requires qc-peer");
  let requiredBy = false;
  for (let k = 0; sys.call(init, TAG_INIT_DEPS, find("qc-peer"), k, 0, 0, 0, 0) == OK; k++) {
    if (sys.reply_word(0) == DEP_REQUIRED_BY && sys.reply_word(1) == qcIndex) requiredBy = true;
  }
  check(requiredBy, "qc-peer's relations do not include: required by qc");
  return finish();
}

function grants(): bool {
  if (init < 0) return unsupported("no init capability");
  let console = false, initGrant = false;
  let k = 0;
  for (; sys.call(init, TAG_INIT_CAPS, qcIndex, k, 0, 0, 0, 0) == OK; k++) {
    if (sys.reply_word(0) == GRANT_CONSOLE) console = true;
    if (sys.reply_word(0) == GRANT_INIT) initGrant = true;
  }
  check(console && initGrant, "qc's grants do not list the console and init");
  expect("the grant past the last", sys.call(init, TAG_INIT_CAPS, qcIndex, k, 0, 0, 0, 0), E_BADSLOT);
  return finish();
}

function unknownService(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("status of service -1", ctl(TAG_INIT_STATUS, -1), E_BADSLOT);
  expect("stop of service 1 000 000", ctl(TAG_INIT_STOP, 1000000), E_BADSLOT);
  expect("events of service 4096", sys.call(init, TAG_INIT_EVENTS, 4096, 0, 0, 0, 0, 0), E_BADSLOT);
  expect("find of a name no service has", find("no-such-service"), -1);
  return finish();
}

const line = new StaticArray<u8>(256);

function audit(): bool {
  if (logCap < 0) return unsupported("the image has no log service to keep the audit trail");
  const want = "through its init capability: stop qc-peer#2: ok";
  let found = false;
  for (let k = 0; k < 200 && !found; k++) {
    sys.lease(0, changetype<usize>(line), line.length, LEASE_WRITE);
    if (sys.call(logCap, TAG_LOG_TAIL, k, 0, 0, 0, 0, 0) != OK) break;
    const text = String.UTF8.decodeUnsafe(changetype<usize>(line), min(<i32>sys.reply_word(0), line.length));
    if (text.includes("init: audit: pid " + sys.self().toString() + " (qc), " + want)) found = true;
  }
  check(found, "the log's last 200 lines hold no audit line for qc's stop of qc-peer#2");
  return finish();
}

function healthCheck(): bool {
  if (init < 0) return unsupported("no init capability");
  expect("health check", sys.call(init, TAG_INIT_HEALTH_CHECK, 0, 0, 0, 0, 0, 0), OK);
  check(sys.reply_word(0) >= 4, "fewer than 4 services pinged (qc, qc-fuzz and two qc-peers run)");
  check(sys.reply_word(1) > 0, "the check took no time");
  return finish();
}

function pidVia(b: Balancer, key: u64): i64 { return b.call(key, QC_PID) == OK ? sys.reply_word(0) : -1; }

function roundRobin(): bool {
  const b = new Balancer("qc-peer", BALANCE_ROUND_ROBIN);
  expect("instances of qc-peer the registry gives", b.refresh(), 2);
  const p0 = pidVia(b, 0), p1 = pidVia(b, 0), p2 = pidVia(b, 0), p3 = pidVia(b, 0);
  check(p0 > 0 && p1 > 0 && p0 != p1, "two calls in a row went to the same instance");
  check(p2 == p0 && p3 == p1, "round robin did not alternate");
  for (let m = 0; m < b.size; m++) sys.cap_delete(b.slots[m]);
  return finish();
}

function hashAndBreaker(): bool {
  const b = new Balancer("qc-peer", BALANCE_CONSISTENT_HASH, 3, 60000);
  b.refresh();
  const key: u64 = 0x5eed;
  const home = pidVia(b, key);
  check(home > 0 && pidVia(b, key) == home && pidVia(b, key) == home, "one key went to different instances");
  const m = b.last;
  for (let i = 0; i < 3; i++) expect("a failing request", b.call(key, QC_STATUS, E_UNSUPPORTED), E_UNSUPPORTED);
  check(b.isOpen(m), "three failures in a row did not open the instance's circuit");
  const moved = pidVia(b, key);
  check(moved > 0 && moved != home, "with its circuit open, the key still went to the same instance");
  for (let k = 0; k < b.size; k++) sys.cap_delete(b.slots[k]);
  return finish();
}
