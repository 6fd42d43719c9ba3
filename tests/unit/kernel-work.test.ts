// Bounded kernel work: each memory syscall, driven with its most expensive
// arguments, does at most WORK_UNCHARGED steps plus WORK_PER_UNIT steps per
// unit of fuel it charged its caller (kernel/abi.ts, docs/memory.md). Steps are
// counted, never timed: the kernel on this bench is a copy instrumented by
// binaryen's log-execution pass (a call at every function entry, return and
// loop header; tests/harness/kernel.ts).
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit, type Bench } from "../harness/kernel";

const P = abi.PAGE_SIZE;
const RW = abi.VM_READ | abi.VM_WRITE;
const PAGES = 1 << 20; // the whole 32-bit address space
const TABLES = 1024;

interface Cost { result: number; steps: number; charged: number }

/** Run one syscall and measure it. */
function cost(b: Bench, call: () => number): Cost {
  const s0 = b.steps(), f0 = b.fuel();
  const result = call();
  return { result, steps: b.steps() - s0, charged: Number(f0 - b.fuel()) };
}

/** The syscall's work is within its bound; returns the cost for further checks. */
function bounded(what: string, c: Cost, report = true): Cost {
  if (report && process.env.QUARK_WORK_REPORT) console.log(`${what}: ${c.steps} steps, ${c.charged} units`);
  const bound = abi.WORK_UNCHARGED + abi.WORK_PER_UNIT * c.charged;
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
