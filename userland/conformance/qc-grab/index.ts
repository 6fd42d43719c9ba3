// qc-grab: imports what the host drives instead of a syscall. boot() would
// reboot the kernel under every running service and run() would deliver
// messages inside a running handler; the host must refuse to link it, so init
// cannot create it and the hostile suite finds it failed.
import { OK } from "../../lib";

@external("quark", "boot") declare function boot(flags: i32): i32;
@external("quark", "run") declare function run(): i32;
@external("quark", "boot_buffer") declare function bootBuffer(len: i32): i32;

export function quark_start(pid: i32, restarts: i32): i32 {
  bootBuffer(64);
  boot(0);
  run();
  return OK;
}
