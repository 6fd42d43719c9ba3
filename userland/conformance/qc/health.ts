// health: init pings every running service each health interval through the
// kernel (proc_ping: a call with a fuel deadline); a service that misses the
// deadline is faulted FAULT_HUNG and restarted; status and the last ping are
// there for anyone holding the registry capability. Ticks arrive as NOTE_TICK.
import {
  sys, OK, E_BADSLOT, E_KIND, HEALTH_HEALTHY, TAG_REG_HEALTH, EV_CRASHED, FAULT_HUNG,
} from "../../lib";
import { QC_HANG_PINGS } from "../common/tags";
import { test, step, phase, later, poll, waitOver, check, expect, finish } from "./driver";
import { peer, peerAnswers, awaitPeer } from "./env";
import { seenKinds, seenDetails, peerServiceIndex, registryCap } from "./registry";

const S = "health";
let ticks = 0;
let ticksBefore = 0;
let seenBefore = 0;

/** From qc's quark_notify. */
export function onTick(): void { ticks++; }

export function addHealthTests(): void {
  step(S, awaitPeer);
  test(S, "a-running-service-is-pinged-and-healthy", pingedAndHealthy);
  test(S, "health-of-a-service-that-does-not-exist-is-e-badslot", unknownService);
  test(S, "proc-ping-needs-a-process-capability", pingNeedsProcess);
  test(S, "a-tick-raises-note-tick", tickArrives);
  test(S, "a-service-that-misses-its-ping-deadline-is-faulted-hung-and-restarted", hungRestarted);
  step(S, awaitPeer);
}

function pingedAndHealthy(): bool {
  if (!check(registryCap() >= 0 && peerServiceIndex() >= 0, "the registry suite found no registry or no qc-peer")) return finish();
  if (phase() == 0) return later(1, 1100000000); // one health interval, so a ping has happened
  expect("health of qc-peer", sys.call(registryCap(), TAG_REG_HEALTH, peerServiceIndex(), 0, 0, 0, 0, 0), OK);
  expect("its status", sys.reply_word(0), HEALTH_HEALTHY);
  check(sys.reply_word(2) > 0, "qc-peer has never been pinged");
  check(sys.reply_word(4) == 1, "qc-peer is not ready");
  return finish();
}

function unknownService(): bool {
  expect("health of service 4096", sys.call(registryCap(), TAG_REG_HEALTH, 4096, 0, 0, 0, 0, 0), E_BADSLOT);
  return finish();
}

function pingNeedsProcess(): bool {
  expect("proc_ping on an endpoint capability", sys.proc_ping(peer, 1000), E_KIND);
  expect("proc_ping on slot 100 000", sys.proc_ping(100000, 1000), E_BADSLOT);
  expect("proc_ping on slot -1", sys.proc_ping(-1, 1000), E_BADSLOT);
  return finish();
}

function tickArrives(): bool {
  if (phase() == 0) {
    ticksBefore = ticks;
    expect("tick_set", sys.tick_set(sys.time() + 1000000), OK);
    return later(1, 2000000);
  }
  if (ticks == ticksBefore && !waitOver()) return poll(1);
  check(ticks > ticksBefore, "no NOTE_TICK arrived after tick_set");
  expect("tick_set(0) cancels", sys.tick_set(0), OK);
  return finish();
}

function hungRestarted(): bool {
  if (phase() == 0) {
    seenBefore = seenKinds.length;
    expect("asking qc-peer to hang on pings", sys.call(peer, QC_HANG_PINGS, 0, 0, 0, 0, 0, 0), OK);
    return later(1);
  }
  let hung = false;
  for (let k = seenBefore; k < seenKinds.length; k++) if (seenKinds[k] == EV_CRASHED && seenDetails[k] == FAULT_HUNG) hung = true;
  if (phase() == 1 && !hung && !waitOver()) return poll(1);
  if (phase() == 1) {
    check(hung, "no EV_CRASHED event with FAULT_HUNG arrived (qc subscribed to qc-peer in the registry suite)");
    return later(2);
  }
  if (!peerAnswers() && !waitOver()) return poll(2);
  check(peerAnswers(), "qc-peer does not answer after it was restarted for missing a ping");
  return finish();
}
