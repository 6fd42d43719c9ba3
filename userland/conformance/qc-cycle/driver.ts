// The driver (pid 1, the image's init): starts and stops victims as many
// times as the boot table says, through the syscalls alone, and checks what
// a process's end must leave behind: no pid, slot or frame used up, every
// capability to a freed pid revoked, and each new process on a pristine
// instance. One line of results at the end, then halt: 0 if all held.
import {
  sys, call, OK, E_NOSPACE, E_REVOKED, E_CRASHED, E_NOMODULE, INIT_SLOT_BOOT, INIT_SLOT_CONSOLE, ST_PROCS, ST_FREE_SLOTS,
  ST_FREE_FRAMES, BT_HEADER_BYTES, BT_INIT_MODULE, RELOAD_ROLLBACK_TEST, MAX_PROCS, PI_PID, PI_CALLS,
} from "../../lib";
import { T_VERDICT, T_CRASH, T_SIZE, T_GROW, T_PROBE } from "./protocol";

const BOOT = INIT_SLOT_BOOT;
const MAX_PAGES = 4; // the module's memory maximum (tests/e2e/lifecycle.test.ts compiles it so)
let failures = 0;
let probe = -1; // where a fresh instance's first allocation lands

function say(text: string): void {
  const bytes = String.UTF8.encode("qc-cycle: " + text + "\n");
  sys.console_write(INIT_SLOT_CONSOLE, changetype<usize>(bytes), bytes.byteLength);
}

function expect(what: string, got: i64, want: i64): bool {
  if (got == want) return true;
  failures++;
  if (failures <= 20) say("FAIL " + what + ": got " + got.toString() + ", want " + want.toString());
  return false;
}

function param(i: i32): i32 {
  const at = memory.data(4);
  sys.boot_read(BOOT, BT_HEADER_BYTES + 4 * i, at, 4);
  return load<i32>(at);
}

function myModule(): i32 {
  const at = memory.data(4);
  sys.boot_read(BOOT, BT_INIT_MODULE, at, 4);
  return load<i32>(at);
}

/** Every fault record read, so no pid waits for its supervisor. */
function drainFaults(): void { while (sys.fault_next(BOOT) != 0) {} }

/** A new instance is as fresh as the first: its own verdict, the same first allocation, memory within the maximum. */
function checkFresh(what: string, ep: i32): void {
  expect(what + ": its start found its instance pristine", call(ep, T_VERDICT), 0);
  const at = call(ep, T_PROBE);
  if (probe < 0) probe = at;
  expect(what + ": its first allocation where a fresh instance puts it", at, probe);
  const size = call(ep, T_SIZE);
  if (size < 1 || size > MAX_PAGES) expect(what + ": memory.size within the maximum", size, MAX_PAGES);
}

/** Spawn, start and reach a victim: its process slot, its endpoint in *ep. */
let ep = -1;
function victim(module: i32): i32 {
  const slot = sys.proc_spawn(BOOT, module);
  if (!expect("proc_spawn", slot < 0 ? slot : OK, OK)) return -1;
  expect("proc_start", sys.proc_start(slot), OK);
  ep = sys.proc_endpoint(slot, 0);
  return slot;
}

/** Stop a victim for good: kill, and let go of every capability to it. */
function release(slot: i32, endpoint: i32): void {
  expect("proc_kill", sys.proc_kill(slot), OK);
  if (endpoint >= 0) sys.cap_delete(endpoint);
  expect("cap_delete of the process capability", sys.cap_delete(slot), OK);
}

/** Spawn until no pid is left; every stop frees one; a capability to a freed pid is revoked, even once the pid is reused. */
function exhaust(module: i32): void {
  const slots = new StaticArray<i32>(MAX_PROCS);
  let n = 0;
  let r = 0;
  while (n < MAX_PROCS && (r = sys.proc_spawn(BOOT, module)) >= 0) unchecked(slots[n++] = r);
  expect("proc_spawn once every pid is taken", r, E_NOSPACE);
  expect("processes spawned before E_NOSPACE", n, MAX_PROCS - 2);
  const first = unchecked(slots[0]);
  const oldPid = sys.proc_info(first, PI_PID);
  const stale = sys.proc_endpoint(first, 0);
  const staleNote = sys.proc_notify(first, 1);
  for (let i = 0; i < n; i++) release(unchecked(slots[i]), -1);
  expect("a call to a freed pid", call(stale, T_VERDICT), E_REVOKED);
  expect("a signal to a freed pid", sys.signal(staleNote, 1), E_REVOKED);
  const eps = new StaticArray<i32>(MAX_PROCS);
  for (let i = 0; i < n; i++) { unchecked(slots[i] = victim(module)); unchecked(eps[i] = ep); }
  const reused = sys.proc_info(unchecked(slots[0]), PI_PID);
  expect("the freed pid given again", reused, oldPid);
  expect("a call through the old capability to the reused pid", call(stale, T_VERDICT), E_REVOKED);
  expect("a signal through the old capability to the reused pid", sys.signal(staleNote, 1), E_REVOKED);
  expect("calls the new process got from the old capability", sys.proc_info(unchecked(slots[0]), PI_CALLS), 0);
  for (let i = 0; i < n; i++) release(unchecked(slots[i]), unchecked(eps[i]));
  sys.cap_delete(stale);
  sys.cap_delete(staleNote);
}

function spawnKill(module: i32, cycles: i32): void {
  for (let i = 0; i < cycles; i++) {
    const slot = victim(module);
    if (slot < 0) return;
    checkFresh("spawned victim", ep);
    // Its memory grew in an earlier life; the maximum still holds.
    if (i % 1000 == 0) expect("memory.grow past the maximum", call(ep, T_GROW, MAX_PAGES), -1);
    release(slot, ep);
  }
}

function restarts(module: i32, cycles: i32): void {
  const slot = victim(module);
  if (slot < 0) return;
  const endpoint = ep;
  for (let i = 0; i < cycles; i++) {
    expect("a call that traps", call(endpoint, T_CRASH), E_CRASHED);
    drainFaults();
    expect("proc_restart", sys.proc_restart(slot), OK);
    checkFresh("restarted victim", endpoint);
  }
  release(slot, endpoint);
}

function reloads(module: i32, cycles: i32): void {
  const slot = victim(module);
  if (slot < 0) return;
  const endpoint = ep;
  for (let i = 0; i < cycles; i++) {
    // One in ten is rolled back: the staged instance is discarded, the old one runs on.
    const rollback = i % 10 == 9;
    expect("proc_reload", sys.proc_reload(slot, rollback ? RELOAD_ROLLBACK_TEST : 0), rollback ? E_CRASHED : OK);
    if (!rollback) checkFresh("reloaded victim", endpoint);
  }
  drainFaults();
  release(slot, endpoint);
}

export function drive(): void {
  const module = myModule();
  const cycles = param(0), restartCount = param(1), reloadCount = param(2);
  const procs = sys.stats(ST_PROCS), slots = sys.stats(ST_FREE_SLOTS), frames = sys.stats(ST_FREE_FRAMES);
  expect("a spawn of a module the image lacks", sys.proc_spawn(BOOT, 999), E_NOMODULE);
  exhaust(module);
  spawnKill(module, cycles);
  restarts(module, restartCount);
  reloads(module, reloadCount);
  drainFaults();
  const procs2 = sys.stats(ST_PROCS), slots2 = sys.stats(ST_FREE_SLOTS), frames2 = sys.stats(ST_FREE_FRAMES);
  expect("processes at the end", procs2, procs);
  expect("free capability slots at the end", slots2, slots);
  expect("free frames at the end", frames2, frames);
  say(
    (cycles + restartCount + reloadCount).toString() + " cycles (" + cycles.toString() + " spawn/kill, " + restartCount.toString() +
    " restarts, " + reloadCount.toString() + " reloads), " + failures.toString() + " failures; processes " + procs.toString() + " -> " +
    procs2.toString() + ", free slots " + slots.toString() + " -> " + slots2.toString() + ", free frames " + frames.toString() + " -> " +
    frames2.toString(),
  );
  sys.halt(BOOT, failures == 0 ? 0 : 1);
}
