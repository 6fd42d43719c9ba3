// The kernel module's exports: the machine ABI the host drives
// (docs/machine-abi.md) and every syscall, under the names processes import
// from module "quark". Each syscall's number is in kernel/abi.ts; the
// generic `syscall` entry dispatches on it (syscall.ts).
import { deadline } from "./run";
import { getExitCode } from "./state";

export { bootBuffer as boot_buffer, boot } from "./boot";
export { run } from "./run";
export function next_deadline(): f64 { return deadline(); }
export function exit_code(): i32 { return getExitCode(); }

export { syscall } from "./syscall";
export {
  call, send, reply, msgWord as msg_word, replyWord as reply_word, msgInfo as msg_info, xfer,
  msgCap as msg_cap, replyCap as reply_cap, recvCap as recv_cap, capRecv as cap_recv,
} from "./ipc";
export { setLease as lease, leaseLen as lease_len, leaseRead as lease_read, leaseWrite as lease_write } from "./lease";
export {
  capDerive as cap_derive, capDelete as cap_delete, capRevoke as cap_revoke, capInfo as cap_info,
  capFind as cap_find, capSetLabel as cap_label, signal,
} from "./caps";
export {
  procSpawn as proc_spawn, procStart as proc_start, procEndpoint as proc_endpoint, capGive as cap_give,
  procRestart as proc_restart, procKill as proc_kill, procNotify as proc_notify, procInfo as proc_info,
  procQuota as proc_quota, procBudget as proc_budget, procCrash as proc_crash, procPause as proc_pause, procQueue as proc_queue,
  procPing as proc_ping,
} from "./process";
export { procReload as proc_reload, handoffPut as handoff_put, handoffGet as handoff_get } from "./reload";
// Loaded modules import these, and only the loader can name them
// (tools/loader/): the hosts link them to no other import.
export { fuel, fuelOut as fuel_out } from "./cpu";
export { stack, stackOut as stack_out } from "./stack";
export { bootRead as boot_read, faultEndpoint as fault_endpoint, ready, sysHalt as halt } from "./boot";
export { faultNext as fault_next, sysExit as exit, memLimit as mem_limit } from "./fault";
export { consoleRead as console_read } from "./input";
export { devRead as dev_read, devWrite as dev_write } from "./device";
export {
  vmMap as vm_map, vmUnmap as vm_unmap, vmProtect as vm_protect, vmRead as vm_read, vmWrite as vm_write, vmQuery as vm_query,
} from "./vm";
export { memCreate as mem_create, memMap as mem_map, memClone as mem_clone, memInfo as mem_info } from "./memobj";
export {
  time, timerSet as timer_set, tickSet as tick_set, consoleWrite as console_write, self, stats, selfEndpoint as self_endpoint,
  envAbort as env_abort, envTrace as env_trace, envSeed as env_seed,
} from "./misc";
