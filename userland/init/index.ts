// init, PID 1: reads the boot table the build made from the manifest, starts
// every service in dependency order with the capabilities it was granted,
// reports ready, and supervises: faults come to its endpoint and are handled
// per each service's restart policy.
import {
  sys, OK, E_ARG, E_RIGHTS, INIT_SLOT_BOOT, INIT_SLOT_SELF, NOTE_FAULT, NOTE_TICK, FN_CAUSE_SHIFT, FN_DROPPED_SHIFT, BADGE_REGISTRY,
} from "../lib";
import { readBootTable } from "./bootinfo";
import { spawnAll, startReady } from "./start";
import { onFault, onNotify } from "./supervisor";
import { say } from "./say";
import { isControlTag, control } from "./control";
import { registryInit, isRegistryTag, registry } from "./registry";
import { onTick, armTick } from "./health";

export function quark_start(pid: i32, restarts: i32): i32 {
  if (!readBootTable()) { say("the boot table is unreadable"); return E_ARG; }
  registryInit();
  sys.fault_endpoint(INIT_SLOT_BOOT, INIT_SLOT_SELF); // faults raise NOTE_FAULT here
  spawnAll();
  startReady(); // reports ready once nothing is left Starting
  armTick();
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (isRegistryTag(tag)) return registry(badge & (BADGE_REGISTRY - 1), tag);
  if (isControlTag(tag)) return (badge & BADGE_REGISTRY) != 0 ? E_RIGHTS : control(badge, tag);
  return E_ARG;
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_FAULT) != 0) {
    for (let r = sys.fault_next(INIT_SLOT_BOOT); r > 0; r = sys.fault_next(INIT_SLOT_BOOT)) {
      onFault(<i32>(r & 0xff), <i32>((r >> FN_CAUSE_SHIFT) & 0xff), <i32>(r >> FN_DROPPED_SHIFT));
    }
  }
  onNotify(bits);
  if ((bits & NOTE_TICK) != 0) onTick();
  return OK;
}
