// The userland library: everything a service needs, from one import.
//
//   import { arg, reply, log, OK, E_ARG } from "../lib";
//   export function quark_handle(badge: i32, tag: i32): i32 { ... }
//
// A service module exports any of quark_start(pid, restarts),
// quark_handle(badge, tag) and quark_notify(bits, 0), each returning i32;
// see docs/writing-a-service.md.
export * from "../../kernel/abi";
export * from "./proto/index";
export { call, send, result, arg, reply, isCall, leaseCount, lendRead, lendWrite, lendReadWrite, callForCap, recvCap, acceptCaps, keepCap, rearmCap } from "./ipc";
export { fnv1a, capByName } from "./caps";
export { endedSince, endsInstance, aliveState, clientGone } from "./ended";
export { serviceIndexOf, grantRights } from "./grants";
export { irqFind, irqListen, irqDone, irqArm, irqClear, irqMask } from "./irq";
export { log, logCap } from "./log";
export { conCap, conWrite, conFlush, conRead, conListen, CONSOLE_DRIVER } from "./console";
export { memAlloc, memFree, memError, memHandle } from "./memory";
export { writeStamp, writeU64, writeStr, fmtMicros, fmtMillis, fmtVersion } from "./fmt";
import * as sys from "./sys";
export { sys };
import * as registry from "./registry";
export { registry };
export { Balancer } from "./balance";
export { errorName, errorText, eventName, eventDetail, stateName, processStateName, healthName, faultText, kindName, rightName, rightsName } from "./names";
