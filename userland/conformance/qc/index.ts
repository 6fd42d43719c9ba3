// qc: the conformance suite that runs inside an image. It checks the kernel's
// rules from a service's point of view, with qc-peer (a controllable server)
// and qc-fuzz (a hostile one), and writes one #qc line per result straight to
// the console (see tools/lib/results.ts for the protocol).
//
// qc starts last, from init's quark_start, while init itself is executing: so
// it only arms a timer there and runs the tests from quark_notify.
import { sys, arg, OK, NOTE_TIMER, NOTE_TICK, TAG_REG_EVENT } from "../../lib";
import { drive } from "./driver";
import { findCaps } from "./env";
import { addCapsTests } from "./caps";
import { addIpcTests } from "./ipc";
import { addLeaseTests } from "./lease";
import { addFaultTests } from "./faults";
import { addMemoryTests } from "./memory";
import { addBadArgsTests } from "./badargs";
import { addEntropyTests } from "./entropy";
import { addDmaTests } from "./dma";
import { addMemsvcTests } from "./memsvc";
import { addCpuTests } from "./cpu";
import { addRegistryTests, onRegistryEvent } from "./registry";
import { addHealthTests, onTick } from "./health";
import { addReloadTests } from "./reload";
import { addServicesTests } from "./services";
import { addHostileTests } from "./hostile";

let registered = false;

export function quark_start(pid: i32, restarts: i32): i32 {
  findCaps();
  if (!registered) {
    addCapsTests();
    addIpcTests();
    addLeaseTests();
    addFaultTests();
    addMemoryTests();
    addBadArgsTests();
    addEntropyTests();
    addDmaTests();
    addMemsvcTests();
    addCpuTests();
    addRegistryTests();
    addHealthTests();
    addReloadTests();
    addServicesTests();
    addHostileTests();
    registered = true;
  }
  sys.timer_set(max<i64>(sys.time(), 1));
  return OK;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_TICK) != 0) onTick();
  if ((bits & NOTE_TIMER) != 0) drive();
  return OK;
}

/** State changes of the services qc subscribed to (the registry suite). */
export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == TAG_REG_EVENT) onRegistryEvent(badge, arg(0), arg(1), arg(3), arg(5));
  return OK;
}
