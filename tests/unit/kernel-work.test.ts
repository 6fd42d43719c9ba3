// Bounded kernel work: every syscall, driven with its most expensive
// arguments in the most expensive state the test can build (every process
// slot in use, full capability spaces, the deepest derivation tree, full
// queues, the whole address space mapped), does at most WORK_UNCHARGED steps
// plus WORK_PER_UNIT steps per unit of fuel it charged its caller (kernel/abi.ts,
// docs/security.md, "Kernel work per syscall"). Steps are counted, never
// timed: the kernel on this bench is a copy instrumented by binaryen's
// log-execution pass (a call at every function entry, return and loop header;
// tests/harness/kernel.ts). Steps taken inside another process's entry (the
// handler a call runs, a start, a save) are that entry's, not the caller's.
//
// The kernel runs under Node only here: a count of steps is a property of the
// kernel's bytes, the same in any engine, so wasmtime would count the same.
// The last test checks that every SYS_* syscall of kernel/abi.ts was measured.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit, type Bench, type Spawned } from "../harness/kernel";
import { STATIC_DEVICES } from "../../tools/lib/devices";

const P = abi.PAGE_SIZE;
const RW = abi.VM_READ | abi.VM_WRITE;
const PAGES = 1 << 20; // the whole 32-bit address space
const TABLES = 1024;

interface Cost { result: number; steps: number; charged: number }

/** Run one syscall and measure it (an i64 result is read as a number). */
function cost(b: Bench, call: () => number | bigint): Cost {
  const s0 = b.steps(), f0 = b.fuel();
  const result = Number(call());
  return { result, steps: b.steps() - s0, charged: Number(f0 - b.fuel()) };
}

// The syscalls measured so far, by export name (the first word of each label).
const measured = new Set<string>();

/**
 * The syscall's work is within its bound; returns the cost for further checks.
 * `extra` is work the call may do uncharged beyond WORK_UNCHARGED, where the
 * bound is the documented per-frame teardown of a process the call ends.
 */
function bounded(what: string, c: Cost, report = true, extra = 0): Cost {
  measured.add(/^[a-z_]+/.exec(what)![0]);
  if (report && process.env.QUARK_WORK_REPORT) console.log(`${what}: ${c.steps} steps, ${c.charged} units`);
  const bound = abi.WORK_UNCHARGED + abi.WORK_PER_UNIT * c.charged + extra;
  expect(c.steps, `${what}: ${c.steps} steps for ${c.charged} units charged (bound ${bound})`).toBeLessThanOrEqual(bound);
  return c;
}

// A process with room for every table of the address space and then some.
const BIG_QUOTA = 4 * TABLES;
const FRAMES = 8 * TABLES;

describe("every memory syscall's work is bounded or charged to its caller", () => {
  it("vm_unmap of the whole address space, nothing mapped, is cheap; 1000 of them charge next to nothing", () =>
    asInit((b) => {
      const c = bounded("vm_unmap(0, 2^20) of nothing", cost(b, () => b.k.vm_unmap(0, PAGES)));
      expect(c.result).toBe(0);
      expect(c.steps).toBeLessThan(abi.WORK_UNCHARGED); // absent tables are skipped whole
      let steps = 0;
      for (let i = 0; i < 1000; i++) steps += cost(b, () => b.k.vm_unmap(0, PAGES)).steps;
      expect(steps).toBeLessThan(1000 * abi.WORK_UNCHARGED);
    }, { instrument: true }));

  it("vm_map, vm_protect, vm_unmap with every page of the address space mapped (the deepest tree)", () =>
    asInit((b) => b.asProcess(BIG_QUOTA, (p) => {
      const map = bounded("vm_map(0, 2^20)", cost(p, () => p.k.vm_map(0, PAGES, RW)));
      expect(map.result).toBe(abi.OK);
      expect(map.charged).toBeGreaterThanOrEqual(PAGES);
      const again = bounded("vm_map(0, 2^20) over a full tree (E_STATE)", cost(p, () => p.k.vm_map(0, PAGES, RW)));
      expect(again.result).toBe(abi.E_STATE);
      const last = bounded("vm_map of the last page over a full tree", cost(p, () => p.k.vm_map(0xfffff000 | 0, 1, RW)));
      expect(last.result).toBe(abi.E_STATE);
      bounded("vm_protect(0, 2^20)", cost(p, () => p.k.vm_protect(0, PAGES, abi.VM_READ)));
      bounded("vm_query", cost(p, () => p.k.vm_query(0xfffff000 | 0)));
      bounded("vm_read of 1 MiB", cost(p, () => p.k.vm_read(0, 0, p.mem.length)));
      const un = bounded("vm_unmap(0, 2^20) of a full tree", cost(p, () => p.k.vm_unmap(0, PAGES)));
      expect(un.result).toBe(PAGES);
    }), { frames: FRAMES, instrument: true }));

  it("vm_write that backs every page of its range, and one that copies every page on write", () =>
    asInit((b) => b.asProcess(BIG_QUOTA, (p) => {
      const n = p.mem.length / P;
      expect(p.k.vm_map(0, n, RW)).toBe(abi.OK);
      const w = bounded("vm_write of 1 MiB, demand-zero", cost(p, () => p.k.vm_write(0, 0, p.mem.length)));
      expect(w.result).toBe(p.mem.length);
      expect(p.k.vm_unmap(0, n)).toBe(n);
      // An object as large as can be, mapped many times, cloned: every write breaks copy-on-write
      // and repoints every mapping of the object.
      const obj = p.k.mem_create(abi.MAX_OBJECT_PAGES);
      expect(obj).toBeGreaterThanOrEqual(0);
      const maps = 8;
      for (let i = 0; i < maps; i++) expect(p.k.mem_map(obj, i * abi.MAX_OBJECT_PAGES * P, RW)).toBe(abi.OK);
      const clone = bounded("mem_clone of a mapped object", cost(p, () => p.k.mem_clone(obj)));
      expect(clone.result).toBeGreaterThanOrEqual(0);
      const cw = bounded("vm_write across copy-on-write pages", cost(p, () => p.k.vm_write(0, 0, p.mem.length)));
      expect(cw.result).toBe(p.mem.length);
      bounded("mem_info(MI_FRAMES_SHARED)", cost(p, () => p.k.mem_info(clone.result, abi.MI_FRAMES_SHARED)));
      bounded("mem_info(MI_MAPPINGS)", cost(p, () => p.k.mem_info(obj, abi.MI_MAPPINGS)));
      bounded("cap_delete of a mapped object", cost(p, () => p.k.cap_delete(obj)));
      bounded("cap_delete of the clone", cost(p, () => p.k.cap_delete(clone.result)));
    }, 1 << 20), { frames: FRAMES, instrument: true }));

  it("mem_create and mem_map of the largest object; mappings up to the process's last record", () =>
    asInit((b) => b.asProcess(BIG_QUOTA, (p) => {
      const obj = bounded("mem_create(MAX_OBJECT_PAGES)", cost(p, () => p.k.mem_create(abi.MAX_OBJECT_PAGES))).result;
      expect(obj).toBeGreaterThanOrEqual(0);
      bounded("mem_map of the largest object", cost(p, () => p.k.mem_map(obj, 0, RW)));
      const small = p.k.mem_create(1);
      let last: Cost | undefined;
      const most = abi.MAP_RECORDS_PER_FRAME * abi.MAP_RECORD_FRAMES;
      for (let i = 1; i < most; i++) last = bounded("mem_map of a one-page object", cost(p, () => p.k.mem_map(small, (0x400 + i) * P, abi.VM_READ)), false);
      expect(last!.result).toBe(abi.OK);
      const refused = bounded("mem_map past the last record", cost(p, () => p.k.mem_map(small, 0x10000000, abi.VM_READ)));
      expect(refused.result).toBe(abi.E_NOSPACE);
      // Every record in use: a lookup visits them all (a copy-on-write write, a protect of an object page).
      bounded("vm_protect of the last object mapping", cost(p, () => p.k.vm_protect((0x400 + most - 1) * P, 1, abi.VM_READ)));
      bounded("vm_unmap of the whole space with every record in use", cost(p, () => p.k.vm_unmap(0, PAGES)));
      bounded("cap_delete of an object with every mapping", cost(p, () => p.k.cap_delete(small)));
    }), { frames: FRAMES, instrument: true }));
});

/** Fill the running process's capability space with copies of `slot`, then empty its last slot: the only free one. */
function fillAllButLast(p: Bench, slot: number): number {
  while (p.k.cap_derive(slot, abi.R_ALL, 0) >= 0);
  const last = abi.CSPACE_SLOTS - 1;
  expect(p.k.cap_delete(last)).toBe(abi.OK);
  return last;
}

// The slots init holds from boot: its fixed ones, then one per device with an id (abi/hal.ts).
const INIT_BOOT_SLOTS = abi.INIT_SLOT_DEVICES + STATIC_DEVICES.filter((d) => d.id !== null).length;

// Pids a service may have: all but the kernel's (0).
const PIDS = abi.MAX_PROCS - 1;

/** Spawn idle processes (no entries, 4 KiB of memory) until `left` process slots remain free. */
function idleProcesses(b: Bench, left: number): Spawned[] {
  const out: Spawned[] = [];
  while (b.k.stats(abi.ST_PROCS) < PIDS - left) out.push(b.spawn(1, {}, { privateBytes: 4096 }));
  return out;
}

const LEN = 1 << 20; // every process's private memory on this bench
const RIGHTS_RW = abi.LEASE_READ | abi.LEASE_WRITE;
const TAG_WORK = 1, TAG_EXIT = 2, TAG_TRAP = 3;

describe("every other syscall's work is bounded or charged to its caller", () => {
  it("IPC: a call with a capability, four whole-memory leases and a capability in its reply; a full queue", () =>
    asInit((b) => {
      const srv = b.spawn(64, {
        start: (p) => { expect(p.k.cap_recv(abi.RECV_ANY)).toBeGreaterThanOrEqual(0); },
        handle: (p, _badge, tag) => {
          if (tag !== TAG_WORK) return abi.OK;
          bounded("msg_word", cost(p, () => p.k.msg_word(abi.MSG_WORDS - 1)));
          bounded("msg_info", cost(p, () => p.k.msg_info()));
          const cap = bounded("msg_cap", cost(p, () => p.k.msg_cap())).result;
          expect(cap).toBeGreaterThanOrEqual(0);
          bounded("lease_len", cost(p, () => p.k.lease_len(abi.MAX_LEASES - 1)));
          expect(bounded("lease_read of a whole 1 MiB lease", cost(p, () => p.k.lease_read(0, 0, 0, LEN))).result).toBe(LEN);
          expect(bounded("lease_write of a whole 1 MiB lease", cost(p, () => p.k.lease_write(abi.MAX_LEASES - 1, 0, 0, LEN))).result).toBe(LEN);
          expect(bounded("reply", cost(p, () => p.k.reply(1n, 2n, 3n, 4n, 5n, 6n)))).toBeTruthy();
          expect(bounded("reply_cap", cost(p, () => p.k.reply_cap(cap))).result).toBe(abi.OK);
          // Armed again for the sends to come, with only its last slot free: the longest search.
          const last = fillAllButLast(p, cap);
          expect(bounded("cap_recv(RECV_ANY), only the last slot free", cost(p, () => p.k.cap_recv(abi.RECV_ANY))).result).toBe(last);
          return abi.OK;
        },
      });
      expect(srv.status).toBe(abi.OK);
      const ep = b.k.proc_endpoint(srv.slot, 7);
      for (let i = 0; i < abi.MAX_LEASES; i++) bounded("lease", cost(b, () => b.k.lease(i, 0, LEN, RIGHTS_RW)));
      bounded("xfer", cost(b, () => b.k.xfer(abi.INIT_SLOT_SELF)));
      expect(bounded("cap_recv", cost(b, () => b.k.cap_recv(abi.RECV_ANY))).result).toBeGreaterThanOrEqual(0);
      const call = bounded("call with a capability, four leases and a capability in the reply",
        cost(b, () => b.k.call(ep, TAG_WORK, 1n, 2n, 3n, 4n, 5n, 6n)));
      expect(call.result).toBe(abi.OK);
      expect(bounded("reply_word", cost(b, () => b.k.reply_word(abi.MSG_WORDS - 1))).result).toBe(6);
      expect(bounded("recv_cap", cost(b, () => b.k.recv_cap())).result).toBeGreaterThanOrEqual(0);
      const ntf = b.k.proc_notify(srv.slot, -1);
      expect(bounded("signal", cost(b, () => b.k.signal(ntf, 1))).result).toBe(abi.OK);
      // A paused server's queue fills: every send waits.
      expect(b.k.proc_pause(srv.slot, 1)).toBe(abi.OK);
      const depth = b.k.proc_info(srv.slot, abi.PI_QUEUE);
      expect(b.k.xfer(abi.INIT_SLOT_SELF)).toBe(abi.OK);
      expect(bounded("send with a capability", cost(b, () => b.k.send(ep, 2, 1n, 2n, 3n, 4n, 5n, 6n))).result).toBe(abi.OK);
      for (let i = 1; i < depth; i++) expect(bounded("send", cost(b, () => b.k.send(ep, 2, 0n, 0n, 0n, 0n, 0n, 0n)), false).result).toBe(abi.OK);
      expect(bounded("send to a full queue", cost(b, () => b.k.send(ep, 2, 0n, 0n, 0n, 0n, 0n, 0n))).result).toBe(abi.E_QFULL);
      // A capability sent to a process with no handler comes back out of its space.
      const bare = b.spawn(16, { start: (p) => { p.k.cap_recv(abi.RECV_ANY); } });
      expect(b.k.xfer(abi.INIT_SLOT_SELF)).toBe(abi.OK);
      expect(bounded("call with a capability into no handler", cost(b, () => b.k.call(b.k.proc_endpoint(bare.slot, 0), TAG_WORK, 0n, 0n, 0n, 0n, 0n, 0n))).result)
        .toBe(abi.E_NOENTRY);
    }, { instrument: true }));

  it("capabilities: every process slot in use, every space full, one capability every other one derives from", () =>
    asInit((b) => {
      const procs = idleProcesses(b, 0);
      const root = b.k.self_endpoint(0);
      const mid = b.k.cap_derive(root, abi.R_ALL, 0);
      const last = fillAllButLast(b, mid);
      const intoLast = (what: string, f: () => number) => {
        expect(bounded(what, cost(b, f)).result).toBe(last);
        expect(b.k.cap_delete(last)).toBe(abi.OK);
      };
      intoLast("cap_derive into the last free slot", () => b.k.cap_derive(mid, abi.R_ALL, 0));
      intoLast("self_endpoint into the last free slot", () => b.k.self_endpoint(1));
      intoLast("proc_endpoint into the last free slot", () => b.k.proc_endpoint(procs[0].slot, 1));
      intoLast("proc_notify into the last free slot", () => b.k.proc_notify(procs[0].slot, 1));
      expect(bounded("cap_find of a label no slot has, in a full space", cost(b, () => b.k.cap_find(0x5eed))).result).toBe(abi.E_BADSLOT);
      expect(bounded("cap_label", cost(b, () => b.k.cap_label(mid, 9))).result).toBe(abi.OK);
      expect(bounded("cap_info", cost(b, () => b.k.cap_info(mid))).result).toBe(abi.K_ENDPOINT | ((abi.R_CALL | abi.R_SEND | abi.R_GRANT) << 8));
      expect(bounded("cap_query of what derives from one with many copies", cost(b, () => b.k.cap_query(mid, abi.CQ_DERIVED))).result).toBe(1);
      expect(bounded("cap_query of an endpoint's target", cost(b, () => b.k.cap_query(mid, abi.CQ_TARGET))).result).toBe(abi.PID_INIT);
      expect(b.k.cap_derive(mid, abi.R_ALL, 0)).toBe(last);
      // Every other process's space filled with copies of `mid`; the last copy into each measured.
      for (const p of procs) {
        for (let i = 0; i < abi.CSPACE_SLOTS - 1; i++) expect(b.k.cap_give(p.slot, mid, abi.R_ALL, 0)).toBe(i);
        expect(bounded("cap_give into the last free slot", cost(b, () => b.k.cap_give(p.slot, mid, abi.R_ALL, 0)), p === procs[0]).result)
          .toBe(abi.CSPACE_SLOTS - 1);
      }
      expect(bounded("cap_give into a full space", cost(b, () => b.k.cap_give(procs[0].slot, mid, abi.R_ALL, 0))).result).toBe(abi.E_NOSPACE);
      for (const f of [abi.ST_MESSAGES, abi.ST_CALLS, abi.ST_SENDS, abi.ST_FAULTS, abi.ST_FREE_SLOTS, abi.ST_FREE_FRAMES, abi.ST_PROCS,
        abi.ST_TOTAL_FRAMES, abi.ST_BOOT_FLAGS]) bounded(`stats(${f})`, cost(b, () => b.k.stats(f)));
      expect(b.k.stats(abi.ST_FREE_SLOTS)).toBe(abi.CSPACE_SLOTS); // the kernel's own (pid 0) are never used
      // Every slot but init's fixed ones, its process capabilities and `root` descends from `root`.
      const derived = PIDS * abi.CSPACE_SLOTS - INIT_BOOT_SLOTS - procs.length - 1;
      // Deleting `mid` hands its children to `root`; revoking `root` then deletes every one.
      const del = bounded("cap_delete of a capability with every other one derived from it", cost(b, () => b.k.cap_delete(mid)));
      expect(del.result).toBe(abi.OK);
      expect(del.charged).toBe(derived - 1);
      const rev = bounded("cap_revoke of a capability with every other one derived from it", cost(b, () => b.k.cap_revoke(root)));
      expect(rev.result).toBe(derived - 1);
      expect(b.k.stats(abi.ST_FREE_SLOTS)).toBe(abi.CSPACE_SLOTS + derived);
    }, { instrument: true }));

  it("cap_revoke of the deepest derivation tree: one chain through every slot of every process", () =>
    asInit((b) => {
      const TAIL = 0x7a11, NEXT = 0x4e58;
      // Each process extends the chain through its whole space, then hands its tail to the next process.
      const extend = (p: Bench) => {
        let tail = p.k.cap_find(TAIL);
        expect(tail).toBeGreaterThanOrEqual(0);
        for (let s; (s = p.k.cap_derive(tail, abi.R_ALL, 0)) >= 0;) tail = s;
        const next = p.k.cap_find(NEXT);
        if (next >= 0) expect(p.k.cap_give(next, tail, abi.R_ALL, TAIL)).toBeGreaterThanOrEqual(0);
      };
      const procs: Spawned[] = [];
      while (b.k.stats(abi.ST_PROCS) < PIDS) procs.push(b.spawn(1, { start: extend }, { privateBytes: 4096, start: false }));
      for (let i = 0; i + 1 < procs.length; i++) expect(b.k.cap_give(procs[i].slot, procs[i + 1].slot, abi.R_ALL, NEXT)).toBeGreaterThanOrEqual(0);
      const root = b.k.self_endpoint(0);
      let tail = root;
      for (let s; (s = b.k.cap_derive(tail, abi.R_ALL, 0)) >= 0;) tail = s;
      expect(b.k.cap_give(procs[0].slot, tail, abi.R_ALL, TAIL)).toBeGreaterThanOrEqual(0);
      for (const p of procs) expect(b.k.proc_start(p.slot)).toBe(abi.OK);
      // The chain holds every slot but init's fixed ones and root, and each process's capability to the next.
      const depth = PIDS * abi.CSPACE_SLOTS - INIT_BOOT_SLOTS - procs.length - 1 - (procs.length - 1);
      const rev = bounded("cap_revoke of a chain through every process", cost(b, () => b.k.cap_revoke(root)));
      expect(rev.result).toBe(depth);
      expect(rev.charged).toBe(depth);
    }, { instrument: true }));

  it("cap_delete of the last process capability to a stopped process: its pid is freed, with every capability derived from its space", () =>
    asInit((b) => {
      const TAIL = 0x7a11, NEXT = 0x4e58;
      // The chain of the test above, through every slot of every process, starting in the first one spawned.
      const extend = (p: Bench) => {
        let tail = p.k.cap_find(TAIL);
        expect(tail).toBeGreaterThanOrEqual(0);
        for (let s; (s = p.k.cap_derive(tail, abi.R_ALL, 0)) >= 0;) tail = s;
        const next = p.k.cap_find(NEXT);
        if (next >= 0) expect(p.k.cap_give(next, tail, abi.R_ALL, TAIL)).toBeGreaterThanOrEqual(0);
      };
      const procs: Spawned[] = [];
      while (b.k.stats(abi.ST_PROCS) < PIDS) procs.push(b.spawn(1, { start: extend }, { privateBytes: 4096, start: false }));
      for (let i = 0; i + 1 < procs.length; i++) expect(b.k.cap_give(procs[i].slot, procs[i + 1].slot, abi.R_ALL, NEXT)).toBeGreaterThanOrEqual(0);
      const root = b.k.self_endpoint(0);
      expect(b.k.cap_give(procs[0].slot, root, abi.R_ALL, TAIL)).toBeGreaterThanOrEqual(0);
      for (const p of procs) expect(b.k.proc_start(p.slot)).toBe(abi.OK);
      const procsBefore = b.k.stats(abi.ST_PROCS), freeBefore = b.k.stats(abi.ST_FREE_SLOTS);
      expect(b.k.proc_kill(procs[0].slot)).toBe(abi.OK);
      // Everything in the first process's space and what derives from it: the chain through every process's
      // space (all but each one's capability to the next), and the first one's capability to the next.
      const held = procs.length * abi.CSPACE_SLOTS - (procs.length - 1) + 1;
      const del = bounded("cap_delete freeing a pid whose space every other capability derives from", cost(b, () => b.k.cap_delete(procs[0].slot)));
      expect(del.result).toBe(abi.OK);
      expect(del.charged).toBe(held);
      expect(b.k.stats(abi.ST_PROCS)).toBe(procsBefore - 1);
      expect(b.k.stats(abi.ST_FREE_SLOTS)).toBe(freeBefore + held + 1);
    }, { instrument: true }));

  it("processes: every process slot in use; a victim with its whole address space mapped and a full queue is pinged, reloaded, restarted, killed", () =>
    asInit((b) => {
      const idle = idleProcesses(b, 2);
      let reloading = false, backed = LEN;
      // A process that holds as much as it can: every table of its address space, 1 MiB of it backed, a queued capability.
      const hoard = (p: Bench) => {
        if (reloading) {
          expect(bounded("handoff_get of HANDOFF_MAX bytes", cost(p, () => p.k.handoff_get(0, abi.HANDOFF_MAX))).result).toBe(abi.HANDOFF_MAX);
          return;
        }
        expect(p.k.vm_map(0, PAGES, RW)).toBe(abi.OK);
        expect(p.k.vm_write(0, 0, backed)).toBe(backed);
        expect(p.k.cap_recv(abi.RECV_ANY)).toBeGreaterThanOrEqual(0);
      };
      const entries = {
        start: hoard,
        save: (p: Bench) => {
          expect(bounded("handoff_put of HANDOFF_MAX bytes", cost(p, () => p.k.handoff_put(0, abi.HANDOFF_MAX))).result).toBe(abi.HANDOFF_MAX);
        },
        handle: (p: Bench, _badge: number, tag: number) => {
          if (tag === TAG_EXIT) expect(bounded("exit", cost(p, () => p.k.exit(3))).result).toBe(abi.OK);
          return tag === TAG_TRAP ? abi.INVOKE_TRAPPED : abi.OK;
        },
      };
      const victim = b.spawn(BIG_QUOTA, entries);
      expect(victim.status).toBe(abi.OK);
      // The last free process slot, found by a search of every pid; then none.
      const last = bounded("proc_spawn into the last free process slot", cost(b, () => b.k.proc_spawn(abi.INIT_SLOT_BOOT, 1))).result;
      expect(last).toBeGreaterThanOrEqual(0);
      expect(b.k.proc_info(last, abi.PI_PID)).toBe(abi.MAX_PROCS - 1);
      expect(bounded("proc_spawn with every process slot in use", cost(b, () => b.k.proc_spawn(abi.INIT_SLOT_BOOT, 1))).result).toBe(abi.E_NOSPACE);
      expect(bounded("proc_start", cost(b, () => b.k.proc_start(last))).result).toBe(abi.OK);
      for (let f = abi.PI_STATE; f <= abi.PI_ERRORS; f++) bounded(`proc_info(${f})`, cost(b, () => b.k.proc_info(victim.slot, f)), f === abi.PI_STATE);
      expect(bounded("proc_quota", cost(b, () => b.k.proc_quota(idle[0].slot, 2))).result).toBe(abi.OK);
      expect(bounded("proc_budget", cost(b, () => b.k.proc_budget(idle[0].slot, 1n << 40n))).result).toBe(abi.OK);
      expect(bounded("proc_queue", cost(b, () => b.k.proc_queue(victim.slot, abi.QUEUE_DEPTH))).result).toBe(abi.OK);
      expect(bounded("proc_crash", cost(b, () => b.k.proc_crash(idle[0].slot))).result).toBe(abi.OK);
      expect(bounded("proc_ping", cost(b, () => b.k.proc_ping(victim.slot, 1000n))).result).toBe(abi.OK);
      // The victim's queue full of messages, the first with a capability.
      const ep = b.k.proc_endpoint(victim.slot, 1);
      expect(bounded("proc_pause", cost(b, () => b.k.proc_pause(victim.slot, 1))).result).toBe(abi.OK);
      expect(b.k.xfer(abi.INIT_SLOT_SELF)).toBe(abi.OK);
      for (let i = 0; i < abi.QUEUE_DEPTH; i++) expect(b.k.send(ep, 9, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(abi.OK);
      expect(bounded("proc_pause (resume) of a process with a full queue", cost(b, () => b.k.proc_pause(victim.slot, 0))).result).toBe(abi.OK);
      // Timers and ticks of every process searched for the earliest.
      bounded("timer_set", cost(b, () => b.k.timer_set(1n << 60n)));
      bounded("tick_set", cost(b, () => b.k.tick_set(1n << 60n)));
      reloading = true;
      expect(bounded("proc_reload", cost(b, () => b.k.proc_reload(victim.slot, 0))).result).toBe(abi.OK);
      reloading = false;
      // Ending a process tears its address space down: the kernel's own work, bounded by the frames it held.
      const teardown = (what: string, f: () => number, slot = victim.slot) => {
        const held = b.k.proc_info(slot, abi.PI_PAGES);
        expect(held).toBeGreaterThan(1024);
        const c = bounded(what, cost(b, f), true, abi.WORK_PER_FRAME_HELD * held);
        if (process.env.QUARK_WORK_REPORT) console.log(`  ${held} frames held: ${(c.steps / held).toFixed(1)} steps a frame`);
        return c;
      };
      expect(teardown("proc_restart of a process holding every table, with a full queue", () => b.k.proc_restart(victim.slot)).result).toBe(abi.OK);
      expect(b.k.proc_pause(victim.slot, 1)).toBe(abi.OK);
      for (let i = 0; i < abi.QUEUE_DEPTH; i++) expect(b.k.send(ep, 9, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(abi.OK);
      expect(teardown("proc_kill of a process holding every table, with a full queue", () => b.k.proc_kill(victim.slot)).result).toBe(abi.OK);
      // A call whose handler exits, and one whose handler traps, end the server the same way; with
      // nothing but page tables held (no page backed), each frame held is a table to walk.
      backed = 0;
      for (const [what, tag, status] of [["call into a handler that exits", TAG_EXIT, abi.OK], ["call into a handler that traps", TAG_TRAP, abi.E_CRASHED]] as const) {
        expect(b.k.proc_restart(victim.slot)).toBe(abi.OK);
        expect(teardown(what, () => b.k.call(ep, tag, 0n, 0n, 0n, 0n, 0n, 0n)).result).toBe(status);
      }
      expect(bounded("fault_endpoint", cost(b, () => b.k.fault_endpoint(abi.INIT_SLOT_BOOT, abi.INIT_SLOT_SELF))).result).toBe(abi.OK);
      expect(bounded("fault_next", cost(b, () => b.k.fault_next(abi.INIT_SLOT_BOOT))).result).toBeGreaterThan(0);
    }, { frames: FRAMES, instrument: true }));

  it("console, boot table, devices, time: the largest write, the whole table", () =>
    asInit((b) => {
      const n = bounded("console_write of 1 MiB", cost(b, () => b.k.console_write(abi.INIT_SLOT_CONSOLE, 0, LEN)));
      expect(n.result).toBe(LEN);
      const table = abi.BT_HEADER_BYTES; // the bench's boot table is a header
      expect(bounded("boot_read of the whole table", cost(b, () => b.k.boot_read(abi.INIT_SLOT_BOOT, 0, 0, table))).result).toBe(table);
      const dev = abi.INIT_SLOT_DEVICES + abi.DEV_ENTROPY - 1;
      bounded("dev_read", cost(b, () => b.k.dev_read(dev, 0)));
      bounded("dev_write", cost(b, () => b.k.dev_write(dev, 0, 0)));
      // DMA: a transfer as large as the device makes, served within the dev_write that rings it.
      expect(bounded("dma_bind", cost(b, () => b.k.dma_bind(dev, 1))).result).toBe(abi.OK);
      const va = 0x40000000;
      expect(b.k.vm_map(va, 2, abi.VM_READ | abi.VM_WRITE)).toBe(abi.OK);
      expect(b.k.dev_write(dev, abi.ENT_DMA_ADDR, va + 100)).toBe(abi.OK);
      expect(b.k.dev_write(dev, abi.ENT_DMA_LEN, abi.ENT_DMA_MAX)).toBe(abi.OK);
      bounded("dev_write ringing a DMA transfer of ENT_DMA_MAX bytes", cost(b, () => b.k.dev_write(dev, abi.ENT_DMA_GO, 1)));
      expect(Number(b.k.dev_read(dev, abi.ENT_DMA_STATUS))).toBe(abi.ENT_DMA_MAX);
      expect(b.k.dma_bind(dev, 0)).toBe(abi.OK);
      bounded("time", cost(b, () => b.k.time()));
      expect(bounded("self", cost(b, () => b.k.self())).result).toBe(abi.PID_INIT);
      expect(bounded("ready", cost(b, () => b.k.ready(abi.INIT_SLOT_BOOT))).result).toBe(abi.OK);
      expect(bounded("halt", cost(b, () => b.k.halt(abi.INIT_SLOT_BOOT, 0))).result).toBe(abi.OK);
    }, { instrument: true }));

  it("interrupts: minting into init's last free slot, binding and re-arming every line; a take-down releases them all", () =>
    asInit((b) => {
      // A driver holding every line a service can have: its take-down walks them all.
      let slots: number[] = [];
      const driver = b.spawn(64, {
        handle: (p) => {
          for (const s of slots) {
            expect(bounded("irq_bind", cost(p, () => p.k.irq_bind(s, 0)), false).result).toBe(abi.OK);
            expect(bounded("irq_control(IRQ_CTL_CLEAR | IRQ_CTL_ENABLE)", cost(p, () => p.k.irq_control(s, abi.IRQ_CTL_CLEAR | abi.IRQ_CTL_ENABLE)), false).result).toBe(abi.OK);
          }
          bounded("irq_bind with a bit the kernel raises (E_ARG)", cost(p, () => p.k.irq_bind(0, abi.NOTE_TIMER)));
          bounded("irq_control with edge flags (E_ARG)", cost(p, () => p.k.irq_control(0, -1)));
          return abi.OK;
        },
      });
      const lines = Array.from({ length: abi.IRQ_LINE_COUNT }, (_, l) => l).filter((l) => ((abi.IRQ_TIMER | abi.IRQ_DMA) & (1 << l)) === 0);
      slots = lines.map((l) => {
        const minted = bounded("irq_mint", cost(b, () => b.k.irq_mint(abi.INIT_SLOT_BOOT, l)), false).result;
        expect(minted).toBeGreaterThanOrEqual(0);
        const given = b.k.cap_give(driver.slot, minted, abi.R_CONTROL, 0);
        expect(given).toBeGreaterThanOrEqual(0);
        return given;
      });
      expect(bounded("irq_mint of the kernel's own line (E_ARG)", cost(b, () => b.k.irq_mint(abi.INIT_SLOT_BOOT, 0))).result).toBe(abi.E_ARG);
      const ep = b.k.proc_endpoint(driver.slot, 0);
      expect(b.k.call(ep, 1, 0n, 0n, 0n, 0n, 0n, 0n)).toBe(abi.OK);
      const last = fillAllButLast(b, abi.INIT_SLOT_CONSOLE);
      expect(bounded("irq_mint into the last free slot", cost(b, () => b.k.irq_mint(abi.INIT_SLOT_BOOT, lines[0]))).result).toBe(last);
      expect(bounded("proc_kill of a driver bound to every line", cost(b, () => b.k.proc_kill(driver.slot))).result).toBe(abi.OK);
    }, { instrument: true }));

  it("measured every syscall of kernel/abi.ts", () => {
    const all = Object.entries(abi).filter(([k, v]) => k.startsWith("SYS_") && k !== "SYS_COUNT" && typeof v === "number")
      .map(([k]) => k.slice(4).toLowerCase());
    // Numbers of syscalls that left the ABI are never reused: SYS_COUNT is one past the highest.
    expect(Math.max(...all.map((s) => (abi as Record<string, unknown>)[`SYS_${s.toUpperCase()}`] as number))).toBe(abi.SYS_COUNT - 1);
    expect(all.filter((s) => !measured.has(s))).toEqual([]);
  });
});
