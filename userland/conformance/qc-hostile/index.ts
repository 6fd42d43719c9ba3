// qc-hostile: a service that tries to escape its limits the way a stranger
// writing from the docs would. It recurses to any depth before a syscall, so
// that an overflow of the engine's stack would land in the kernel's frames or
// in the server it calls; and it calls abort and carries on, as if abort were
// a log line. The hostile suite (qc/hostile.ts) drives it and checks that each
// attempt is its own fault, with its own cause, and nobody else's.
import { sys, arg, capByName, OK, E_ARG } from "../../lib";
import { QC_DEEP, QC_DEEP_SELF, QC_DEEP_CALL, QC_ABORT_AND_RETURN, QC_ECHO } from "../common/tags";

@external("env", "abort") declare function envAbort(msg: usize, file: usize, line: u32, col: u32): void;

let peer = -1;

export function quark_start(pid: i32, restarts: i32): i32 {
  peer = capByName("qc-peer");
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == QC_DEEP) return deep(<i32>arg(0), <i32>arg(1), 0);
  if (tag == QC_ABORT_AND_RETURN) {
    for (let i = 0; i < 1000; i++) envAbort(0, 0, 1, 1);
    return 42;
  }
  return E_ARG;
}

/** Recurse `n` frames (each with a little state, so it is a real frame), then make the syscall. */
function deep(n: i32, what: i32, acc: i64): i32 {
  if (n > 0) {
    const r = deep(n - 1, what, acc * 31 + n);
    return r == 0 && acc == -1 ? 1 : r; // use acc after the call: the frame must hold it
  }
  if (what == QC_DEEP_SELF) return sys.self() > 0 ? OK : E_ARG;
  if (what == QC_DEEP_CALL) return sys.call(peer, QC_ECHO, acc, 0, 0, 0, 0, 0);
  return E_ARG;
}
