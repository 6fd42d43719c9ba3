// init, PID 1: reads the boot table the build made from the manifest, starts
// every service in dependency order with the capabilities it was granted,
// reports ready, and supervises: faults come to its endpoint and are handled
// per each service's restart policy.
import {
  sys, arg, reply, fmtMillis, OK, E_ARG, INIT_SLOT_BOOT, INIT_SLOT_SELF, TAG_INIT_STATUS, NOTE_FAULT, FN_CAUSE_SHIFT,
  FN_DROPPED_SHIFT,
} from "../lib";
import { Service, readBootTable } from "./bootinfo";
import { spawnAll, startAll } from "./start";
import { onFault, onNotify } from "./supervisor";
import { say } from "./say";
import { isControlTag, control } from "./control";

let services = new Array<Service>();

export function quark_start(pid: i32, restarts: i32): i32 {
  const t0 = sys.time();
  const svcs = readBootTable();
  if (svcs == null) { say("the boot table is unreadable"); return E_ARG; }
  services = svcs;
  sys.fault_endpoint(INIT_SLOT_BOOT, INIT_SLOT_SELF); // faults raise NOTE_FAULT here
  spawnAll(services);
  const running = startAll(services, t0);
  say("ready: " + running.toString() + " of " + services.length.toString() + " services running, boot took " +
    fmtMillis(sys.time()) + " ms");
  sys.ready(INIT_SLOT_BOOT);
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (isControlTag(tag)) return control(services, badge, tag);
  return E_ARG;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_FAULT) != 0) {
    for (let r = sys.fault_next(INIT_SLOT_BOOT); r > 0; r = sys.fault_next(INIT_SLOT_BOOT)) {
      onFault(services, <i32>(r & 0xff), <i32>((r >> FN_CAUSE_SHIFT) & 0xff), <i32>(r >> FN_DROPPED_SHIFT));
    }
  }
  onNotify(services, bits);
  return OK;
}
