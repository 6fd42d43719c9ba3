// qc-cycle: 100 000 process lives in one boot (tests/e2e/lifecycle.test.ts).
// The image's init is this module: as pid 1 it drives (driver.ts), holding
// the boot capability; every process it spawns runs this module too, as a
// victim (victim.ts).
import { OK, PID_INIT } from "../../lib";
import { drive } from "./driver";
import { victimStart, victimHandle } from "./victim";

export function quark_start(pid: i32, restarts: i32): i32 {
  if (pid != PID_INIT) return victimStart();
  drive();
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 { return victimHandle(tag); }
