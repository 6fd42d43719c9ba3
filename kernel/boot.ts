// Boot: the host copies the boot table into the kernel's memory, then the
// kernel creates init (PID 1) with the machine's authority and runs its
// quark_start, from which init starts everything else. Also the syscalls that
// only the holder of the boot capability (init) may use.
import {
  BT_MAGIC, BT_MAGIC_OFF, BT_ABI_VERSION, BT_INIT_MODULE, BT_HEADER_BYTES, ABI_VERSION, PID_INIT, K_BOOT, K_CONSOLE, K_ENDPOINT, R_ALL, R_WRITE, R_READ,
  R_SPAWN, R_CONTROL, R_CALL, R_SEND, R_GRANT, INIT_SLOT_BOOT, INIT_SLOT_CONSOLE, INIT_SLOT_SELF, PS_CREATED,
  BOOT_UNTIL_READY, BOOT_QUIET, INTC_ENABLE, IRQ_TIMER, TIMER_CTRL, OK, E_ARG, E_FAULT, E_STATE, E_NOMODULE,
  MAX_PROCS, BT_RAM_FRAMES, DEFAULT_RAM_FRAMES,
  EXIT_PANIC,
} from "./abi";
import { installDevices } from "./devices";
import { KERNEL_LINES } from "./irq";
import { current, pState, pModule } from "./proc";
import { cspaceInit, install, lookup, capTarget, capBadge } from "./cspace";
import { ipcInit } from "./ipc";
import { framesInit, totalFrames } from "./frames";
import { quotaInit } from "./quota";
import { cpuInit } from "./cpu";
import { queuesInit } from "./endpoint";
import { startProcess } from "./process";
import { setSupervisor } from "./fault";
import { host_copy, mmio_write } from "./host";
import { spawnAs } from "./entry";
import { klog, putt, puti, setQuiet } from "./console";
import { KT_BANNER, KT_BOOT_FAILED, KT_COMMA, KT_HALT, KT_INIT_FAILED, KT_MIB, KT_NL, KT_NO_BOOT_TABLE, KT_NO_INIT, KT_NO_MEMORY, KT_OTHER_ABI, KT_PROCESS_SLOTS, KT_UNTIL_READY } from "./texts";
import { halt, bootFlags, setBootFlags, isHalted } from "./state";
import { table } from "./table";

const BOOT_MAX = 64 * 1024;
const bootTable = table<u8>(BOOT_MAX);
let bootLen = 0;
// The machine boots once: a second boot() would wipe every capability under
// running instances (the hosts never link boot to a service; this holds even so).
let booted = false;

export function bootBuffer(len: i32): i32 {
  if (booted || len < BT_HEADER_BYTES || len > BOOT_MAX) return 0;
  bootLen = len;
  return <i32>changetype<usize>(bootTable);
}

/** The boot table as the host copied it in (names.ts reads the records' names from it). */
export function bootBase(): usize { return changetype<usize>(bootTable); }
export function bootSize(): i32 { return bootLen; }

@inline function header(off: i32): u32 { return load<u32>(changetype<usize>(bootTable) + <usize>off); }

export function boot(flags: i32): i32 {
  if (booted) return E_STATE;
  booted = true;
  setBootFlags(flags);
  setQuiet((flags & BOOT_QUIET) != 0);
  if (bootLen < BT_HEADER_BYTES || header(BT_MAGIC_OFF) != <u32>BT_MAGIC) return bootError(KT_NO_BOOT_TABLE, E_ARG);
  if (header(BT_ABI_VERSION) != <u32>ABI_VERSION) return bootError(KT_OTHER_ABI, E_ARG);
  const frames = header(BT_RAM_FRAMES) == 0 ? DEFAULT_RAM_FRAMES : <i32>header(BT_RAM_FRAMES);
  if (!framesInit(frames)) return bootError(KT_NO_MEMORY, E_ARG);
  quotaInit();
  cpuInit();
  queuesInit();
  cspaceInit();
  ipcInit();
  mmio_write(INTC_ENABLE, KERNEL_LINES);
  mmio_write(TIMER_CTRL, 1);
  const initModule = <i32>header(BT_INIT_MODULE);
  const r = spawnAs(PID_INIT, initModule, 0);
  if (r < 0) return bootError(KT_NO_INIT, r == E_NOMODULE ? E_NOMODULE : r);
  unchecked(pState[PID_INIT] = PS_CREATED);
  unchecked(pModule[PID_INIT] = initModule);
  install(PID_INIT, INIT_SLOT_BOOT, K_BOOT, R_ALL, 0, 0, 0, -1);
  install(PID_INIT, INIT_SLOT_CONSOLE, K_CONSOLE, R_WRITE | R_READ, 0, 0, 0, -1);
  install(PID_INIT, INIT_SLOT_SELF, K_ENDPOINT, R_CALL | R_SEND | R_GRANT, PID_INIT, 0, 0, -1);
  installDevices(PID_INIT); // abi/hal.ts's devices
  klog(); putt(KT_BANNER); puti(ABI_VERSION); putt(KT_COMMA); puti(MAX_PROCS); putt(KT_PROCESS_SLOTS);
  puti(totalFrames() >> 8); putt(KT_MIB);
  const s = startProcess(PID_INIT);
  if (s < 0 && !isHalted()) { klog(); putt(KT_INIT_FAILED); puti(s); putt(KT_NL); halt(EXIT_PANIC); }
  return OK;
}

function bootError(why: u32, code: i32): i32 {
  klog(); putt(KT_BOOT_FAILED); putt(why); putt(KT_NL);
  return code;
}

function bootCap(slot: i32, right: i32): i32 { return lookup(current(), slot, K_BOOT, right); }

export function bootRead(slot: i32, off: i32, dst: i32, len: i32): i32 {
  const g = bootCap(slot, R_READ);
  if (g < 0) return g;
  if (off < 0 || len < 0) return E_ARG;
  if (<i64>off + <i64>len > <i64>bootLen) return E_FAULT;
  const r = host_copy(0, <i32>changetype<usize>(bootTable) + off, current(), dst, len);
  return r < 0 ? r : len;
}

export function faultEndpoint(slot: i32, ep: i32): i32 {
  const g = bootCap(slot, R_CONTROL);
  if (g < 0) return g;
  const e = lookup(current(), ep, K_ENDPOINT, R_SEND);
  if (e < 0) return e;
  setSupervisor(capTarget(e));
  return OK;
}

export function ready(slot: i32): i32 {
  const g = bootCap(slot, R_CONTROL);
  if (g < 0) return g;
  if ((bootFlags() & BOOT_UNTIL_READY) != 0) { klog(); putt(KT_UNTIL_READY); halt(0); }
  return OK;
}

export function sysHalt(slot: i32, code: i32): i32 {
  const g = bootCap(slot, R_CONTROL);
  if (g < 0) return g;
  if (isHalted()) return E_STATE;
  klog(); putt(KT_HALT); puti(code); putt(KT_NL);
  halt(code);
  return OK;
}
