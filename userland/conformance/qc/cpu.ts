// cpu: CPU budgets. Every service is metered at build time; a handler that
// spends its budget is stopped like any trap, its caller gets E_CRASHED, and
// the service comes back by its restart policy. (The runner gives qc-peer a
// budget of 2 000 000 units.)
import { sys, OK, E_CRASHED } from "../../lib";
import { QC_SPIN, QC_SPIN_N } from "../common/tags";
import { test, step, expect, check, finish } from "./driver";
import { peer, peerAnswers, awaitPeer } from "./env";

const S = "cpu";

export function addCpuTests(): void {
  test(S, "a-handler-within-its-budget-runs-to-the-end", withinBudget);
  test(S, "a-handler-over-its-budget-is-stopped-and-its-caller-gets-e-crashed", overBudget);
  step(S, awaitPeer);
  test(S, "a-service-stopped-for-cpu-is-restarted-and-answers-again", answersAgain);
}

function withinBudget(): bool {
  expect("counting to 10 000 in qc-peer", sys.call(peer, QC_SPIN_N, 10000, 0, 0, 0, 0, 0), OK);
  expect("iterations done", sys.reply_word(0), 10000);
  return finish();
}

function overBudget(): bool {
  expect("a handler that never returns", sys.call(peer, QC_SPIN, 0, 0, 0, 0, 0, 0), E_CRASHED);
  return finish();
}

function answersAgain(): bool {
  check(peerAnswers(), "qc-peer does not answer after it was stopped for CPU (restart policy always)");
  return finish();
}
