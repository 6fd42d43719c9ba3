// The generic syscall entry: one dispatch on the syscall number (kernel/abi.ts)
// to the same handlers the typed imports reach directly. Languages and tools
// that prefer one entry use it, and so does the hostile-syscall test. Every
// argument arrives as i64 and is narrowed here; no value traps the kernel.
import * as abi from "./abi";
import { call, send, reply, msgWord, replyWord, msgInfo, xfer, msgCap, replyCap, recvCap, capRecv } from "./ipc";
import { setLease, leaseLen, leaseRead, leaseWrite } from "./lease";
import { capDerive, capDelete, capRevoke, capInfo, capFind, capSetLabel, signal } from "./caps";
import { procSpawn, procStart, procEndpoint, capGive, procRestart, procKill, procNotify, procInfo, procQuota, procBudget, procCrash, procPause, procQueue, procPing } from "./process";
import { bootRead, faultEndpoint, ready, sysHalt } from "./boot";
import { faultNext, sysExit } from "./fault";
import { consoleRead } from "./input";
import { time, timerSet, tickSet, consoleWrite, self, stats, selfEndpoint } from "./misc";
import { devRead, devWrite } from "./device";
import { procReload, handoffPut, handoffGet } from "./reload";
import { vmMap, vmUnmap, vmProtect, vmRead, vmWrite, vmQuery } from "./vm";
import { memCreate, memMap, memClone, memInfo } from "./memobj";

// How many leading arguments of each syscall are 32-bit (slots, indices,
// pointers, lengths, rights); the rest are 64-bit words or deadlines. Indexed
// by syscall number, in the order of kernel/abi.ts.
const NARROW: StaticArray<u8> = [
  0, // (none)
  2, 2, 0, 1, 1, 0, 1, // call send reply msg_word reply_word msg_info xfer
  4, 1, 4, 4, // lease lease_len lease_read lease_write
  3, 1, 1, 1, 1, 2, // cap_derive cap_delete cap_revoke cap_info cap_find signal
  0, 0, 3, // timer_set time console_write
  2, 1, 2, 4, 1, 1, 2, 4, 1, 2, // proc_spawn proc_start proc_endpoint cap_give proc_restart proc_kill fault_endpoint boot_read ready halt
  0, 1, 0, 2, 2, 0, 2, 1, // msg_cap reply_cap recv_cap proc_notify proc_info self cap_label stats
  3, 2, 3, 3, 3, 1, // vm_map vm_unmap vm_protect vm_read vm_write vm_query
  1, 3, 1, 2, 1, // mem_create mem_map mem_clone mem_info self_endpoint
  2, 3, 2, 1, 1, 3, 1, 1, 2, 2, // dev_read dev_write proc_quota fault_next proc_budget console_read proc_crash exit proc_pause proc_queue
  0, 1, 2, 2, 2, // tick_set proc_ping proc_reload handoff_put handoff_get
  1, // cap_recv
];

/** A 32-bit argument given as 64 bits must be an i32 or u32 bit pattern; anything wider is refused, not cut. */
@inline function narrow(v: i64): bool { return v >= -0x80000000 && v <= 0xffffffff; }

function argsFit(n: i32, a0: i64, a1: i64, a2: i64, a3: i64): bool {
  const k = <i32>unchecked(NARROW[n]);
  return (k < 1 || narrow(a0)) && (k < 2 || narrow(a1)) && (k < 3 || narrow(a2)) && (k < 4 || narrow(a3));
}

export function syscall(n: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64, a7: i64): i64 {
  if (n <= 0 || n >= abi.SYS_COUNT || n >= NARROW.length) return abi.E_NOSYS;
  if (!argsFit(n, a0, a1, a2, a3)) return abi.E_ARG;
  const x0 = <i32>a0, x1 = <i32>a1, x2 = <i32>a2, x3 = <i32>a3;
  switch (n) {
    case abi.SYS_CALL: return call(x0, x1, a2, a3, a4, a5, a6, a7);
    case abi.SYS_SEND: return send(x0, x1, a2, a3, a4, a5, a6, a7);
    case abi.SYS_REPLY: return reply(a0, a1, a2, a3, a4, a5);
    case abi.SYS_MSG_WORD: return msgWord(x0);
    case abi.SYS_REPLY_WORD: return replyWord(x0);
    case abi.SYS_MSG_INFO: return msgInfo();
    case abi.SYS_XFER: return xfer(x0);
    case abi.SYS_LEASE: return setLease(x0, x1, x2, x3);
    case abi.SYS_LEASE_LEN: return leaseLen(x0);
    case abi.SYS_LEASE_READ: return leaseRead(x0, x1, x2, x3);
    case abi.SYS_LEASE_WRITE: return leaseWrite(x0, x1, x2, x3);
    case abi.SYS_CAP_DERIVE: return capDerive(x0, x1, x2);
    case abi.SYS_CAP_DELETE: return capDelete(x0);
    case abi.SYS_CAP_REVOKE: return capRevoke(x0);
    case abi.SYS_CAP_INFO: return capInfo(x0);
    case abi.SYS_CAP_FIND: return capFind(x0);
    case abi.SYS_SIGNAL: return signal(x0, x1);
    case abi.SYS_TIMER_SET: return timerSet(a0);
    case abi.SYS_TIME: return time();
    case abi.SYS_CONSOLE_WRITE: return consoleWrite(x0, x1, x2);
    case abi.SYS_PROC_SPAWN: return procSpawn(x0, x1);
    case abi.SYS_PROC_START: return procStart(x0);
    case abi.SYS_PROC_ENDPOINT: return procEndpoint(x0, x1);
    case abi.SYS_CAP_GIVE: return capGive(x0, x1, x2, x3);
    case abi.SYS_PROC_RESTART: return procRestart(x0);
    case abi.SYS_PROC_KILL: return procKill(x0);
    case abi.SYS_FAULT_ENDPOINT: return faultEndpoint(x0, x1);
    case abi.SYS_BOOT_READ: return bootRead(x0, x1, x2, x3);
    case abi.SYS_READY: return ready(x0);
    case abi.SYS_HALT: return sysHalt(x0, x1);
    case abi.SYS_MSG_CAP: return msgCap();
    case abi.SYS_REPLY_CAP: return replyCap(x0);
    case abi.SYS_RECV_CAP: return recvCap();
    case abi.SYS_CAP_RECV: return capRecv(x0);
    case abi.SYS_PROC_NOTIFY: return procNotify(x0, x1);
    case abi.SYS_PROC_INFO: return procInfo(x0, x1);
    case abi.SYS_SELF: return self();
    case abi.SYS_CAP_LABEL: return capSetLabel(x0, x1);
    case abi.SYS_STATS: return stats(x0);
    case abi.SYS_VM_MAP: return vmMap(x0, x1, x2);
    case abi.SYS_VM_UNMAP: return vmUnmap(x0, x1);
    case abi.SYS_VM_PROTECT: return vmProtect(x0, x1, x2);
    case abi.SYS_VM_READ: return vmRead(x0, x1, x2);
    case abi.SYS_VM_WRITE: return vmWrite(x0, x1, x2);
    case abi.SYS_VM_QUERY: return vmQuery(x0);
    case abi.SYS_MEM_CREATE: return memCreate(x0);
    case abi.SYS_MEM_MAP: return memMap(x0, x1, x2);
    case abi.SYS_MEM_CLONE: return memClone(x0);
    case abi.SYS_MEM_INFO: return memInfo(x0, x1);
    case abi.SYS_PROC_QUOTA: return procQuota(x0, x1);
    case abi.SYS_FAULT_NEXT: return faultNext(x0);
    case abi.SYS_PROC_BUDGET: return procBudget(x0, a1);
    case abi.SYS_CONSOLE_READ: return consoleRead(x0, x1, x2);
    case abi.SYS_PROC_CRASH: return procCrash(x0);
    case abi.SYS_EXIT: return sysExit(x0);
    case abi.SYS_PROC_PAUSE: return procPause(x0, x1);
    case abi.SYS_PROC_QUEUE: return procQueue(x0, x1);
    case abi.SYS_TICK_SET: return tickSet(a0);
    case abi.SYS_PROC_PING: return procPing(x0, a1);
    case abi.SYS_PROC_RELOAD: return procReload(x0, x1);
    case abi.SYS_HANDOFF_PUT: return handoffPut(x0, x1);
    case abi.SYS_HANDOFF_GET: return handoffGet(x0, x1);
    case abi.SYS_SELF_ENDPOINT: return selfEndpoint(x0);
    case abi.SYS_DEV_READ: return devRead(x0, x1);
    case abi.SYS_DEV_WRITE: return devWrite(x0, x1, x2);
  }
  return abi.E_NOSYS;
}
