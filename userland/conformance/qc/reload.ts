// reload: the kernel's side of hot reload refuses what is not a reload.
// proc_reload needs a process capability with R_CONTROL (qc holds none: only
// init does, so a real reload is checked end to end in tests/e2e/reload.test.ts);
// handoff_put and handoff_get work only inside a reload, and outside one they
// answer E_STATE whatever their arguments, through either entry.
import {
  sys, E_BADSLOT, E_KIND, E_ARG, E_STATE, CSPACE_SLOTS, HANDOFF_MAX, SYS_PROC_RELOAD, SYS_HANDOFF_PUT, SYS_HANDOFF_GET,
  RELOAD_ROLLBACK_TEST,
} from "../../lib";
import { test, expect, check, finish } from "./driver";
import { peer, peerAnswers } from "./env";

const S = "reload";
const buf = new StaticArray<u8>(16);

export function addReloadTests(): void {
  test(S, "proc-reload-needs-a-process-capability", reloadNeedsProcess);
  test(S, "handoff-outside-a-reload-is-e-state", handoffOutsideReload);
}

function reloadNeedsProcess(): bool {
  expect("proc_reload(-1, 0)", sys.proc_reload(-1, 0), E_BADSLOT);
  expect("proc_reload(CSPACE_SLOTS, 0)", sys.proc_reload(CSPACE_SLOTS, 0), E_BADSLOT);
  expect("proc_reload of an empty slot", sys.proc_reload(CSPACE_SLOTS - 1, 0), E_BADSLOT);
  expect("proc_reload(qc-peer's endpoint, 0)", sys.proc_reload(peer, 0), E_KIND);
  expect("proc_reload(qc-peer's endpoint, RELOAD_ROLLBACK_TEST)", sys.proc_reload(peer, RELOAD_ROLLBACK_TEST), E_KIND);
  expect("syscall(SYS_PROC_RELOAD, 2^32, 0)", sys.syscall(SYS_PROC_RELOAD, <i64>1 << 32, 0, 0, 0, 0, 0, 0, 0), E_ARG);
  check(peerAnswers(), "qc-peer does not answer after the refused reloads");
  return finish();
}

function handoffOutsideReload(): bool {
  const p = changetype<usize>(buf);
  expect("handoff_put(buf, 8)", sys.handoff_put(p, 8), E_STATE);
  expect("handoff_put(buf, 0)", sys.handoff_put(p, 0), E_STATE);
  expect("handoff_put(buf, HANDOFF_MAX + 1)", sys.handoff_put(p, HANDOFF_MAX + 1), E_STATE);
  expect("handoff_put(buf, -1)", sys.handoff_put(p, -1), E_STATE);
  expect("handoff_get(buf, 8)", sys.handoff_get(p, 8), E_STATE);
  expect("handoff_get(-1, 1 << 30)", sys.handoff_get(<usize>-1, 1 << 30), E_STATE);
  expect("syscall(SYS_HANDOFF_PUT, buf, 8)", sys.syscall(SYS_HANDOFF_PUT, <i64>p, 8, 0, 0, 0, 0, 0, 0), E_STATE);
  expect("syscall(SYS_HANDOFF_GET, buf, 8)", sys.syscall(SYS_HANDOFF_GET, <i64>p, 8, 0, 0, 0, 0, 0, 0), E_STATE);
  return finish();
}
