// The kernel module's exports: the machine ABI the host drives
// (docs/machine-abi.md), every syscall under the name processes import from
// module "quark" (kernel/exports.ts, generated from abi/syscalls.ts), and the
// few imports only the loader and the runtime shim may name.
import { deadline } from "./run";
import { getExitCode } from "./state";

export { bootBuffer as boot_buffer, boot } from "./boot";
export { run } from "./run";
export function next_deadline(): f64 { return deadline(); }
export function exit_code(): i32 { return getExitCode(); }
// Why a service's trap happened (FAULT_*): the board names it (abi/machine.ts, FAULT_CAUSE_EXPORT).
export { faultCause as fault_cause } from "./fault";

export * from "./exports";
// Loaded modules import these, and only the loader can name them
// (tools/loader/): the hosts link them to no other import.
export { fuel, fuelOut as fuel_out } from "./cpu";
export { stack, stackOut as stack_out } from "./stack";
export { memLimit as mem_limit } from "./fault";
// AssemblyScript's runtime imports of module "env", linked as env_<name>.
export { envAbort as env_abort, envTrace as env_trace, envSeed as env_seed } from "./misc";
