// The kernel's page tables and memory objects, driven through their syscalls
// by a process running on the test bench (tests/harness/kernel.ts).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as abi from "../../kernel/abi";
import { asInit, type Bench } from "../harness/kernel";

const P = abi.PAGE_SIZE;
const RW = abi.VM_READ | abi.VM_WRITE;
const free = (b: Bench) => b.k.stats(abi.ST_FREE_FRAMES) as number;

/** Write `bytes` to virtual address `va` through init's private memory at `at`. */
function vwrite(b: Bench, va: number, bytes: Uint8Array, at = 0): number {
  b.mem.set(bytes, at);
  return b.k.vm_write(va, at, bytes.length);
}
function vread(b: Bench, va: number, len: number, at = 0x80000): Uint8Array | number {
  const r = b.k.vm_read(va, at, len);
  return r < 0 ? r : b.mem.slice(at, at + len);
}
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

describe("anonymous memory", () => {
  it("maps demand-zero pages: reads are zeros and take no frame; the first write takes one", () =>
    asInit((b) => {
      const before = free(b);
      expect(b.k.vm_map(0x10000, 4, RW)).toBe(abi.OK);
      const tables = before - free(b);
      expect(tables).toBe(2); // a root and one second-level table
      expect(vread(b, 0x10000, 3 * P)).toEqual(new Uint8Array(3 * P));
      expect(free(b)).toBe(before - tables);
      expect(b.k.vm_query(0x10000) & abi.PTE_ZERO).toBe(abi.PTE_ZERO);
      expect(vwrite(b, 0x10000 + P - 2, fill(4, 7))).toBe(4); // spans two pages
      expect(free(b)).toBe(before - tables - 2);
      expect(b.k.vm_query(0x10000) & (abi.PTE_PRESENT | abi.PTE_DIRTY)).toBe(abi.PTE_PRESENT | abi.PTE_DIRTY);
      expect(vread(b, 0x10000 + P - 4, 8)).toEqual(Uint8Array.of(0, 0, 7, 7, 7, 7, 0, 0));
      expect(b.k.vm_unmap(0x10000, 4)).toBe(4);
      expect(free(b)).toBe(before);
    }));

  it("refuses what it cannot do, and changes nothing", () =>
    asInit((b) => {
      expect(b.k.vm_map(0x10001, 1, RW)).toBe(abi.E_ARG); // not page aligned
      expect(b.k.vm_map(0x10000, 0, RW)).toBe(abi.E_ARG);
      expect(b.k.vm_map(0x10000, 1, 0)).toBe(abi.E_ARG);
      expect(b.k.vm_map(0x10000, 1, 8)).toBe(abi.E_ARG);
      expect(b.k.vm_map(0xfffff000 | 0, 2, RW)).toBe(abi.E_ARG); // past the top of the address space
      expect(b.k.vm_map(0x20000, 2, abi.VM_READ)).toBe(abi.OK);
      expect(b.k.vm_map(0x21000, 2, RW)).toBe(abi.E_STATE); // overlaps
      expect(vwrite(b, 0x20000, fill(1, 1))).toBe(abi.E_PROT);
      expect(vread(b, 0x22000, 1)).toBe(abi.E_UNMAPPED);
      expect(vread(b, 0x21fff, 2)).toBe(abi.E_UNMAPPED); // the second byte is unmapped
      expect(b.k.vm_read(0x20000, 1 << 20, 16)).toBe(abi.E_FAULT); // outside init's private memory
      expect(b.k.vm_protect(0x20000, 3, RW)).toBe(abi.E_UNMAPPED);
      expect(b.k.vm_protect(0x20000, 2, RW)).toBe(abi.OK);
      expect(vwrite(b, 0x20000, fill(1, 1))).toBe(1);
    }));

  it("charges frames to the page quota; over it is E_NOMEM and nothing is written", () =>
    asInit((b) => {
      const quota = abi.DEFAULT_PAGE_QUOTA;
      expect(b.k.vm_map(0, quota + 8, RW)).toBe(abi.OK); // demand-zero: tables only
      const big = fill((quota + 8) * P, 9);
      expect(vwrite(b, 0, big.subarray(0, 16))).toBe(16);
      const before = free(b);
      b.mem.set(big.subarray(0, (quota + 8) * P > b.mem.length ? b.mem.length : big.length));
      expect(b.k.vm_write(0, 0, Math.min(b.mem.length, (quota + 8) * P))).toBe(abi.E_NOMEM);
      expect(free(b)).toBe(before);
      expect(vread(b, P, 4)).toEqual(new Uint8Array(4));
    }, { privateBytes: 2 << 20 }));

  it("a write or read refused on its last page has changed nothing, even when it needed no frame", () =>
    asInit((b) => {
      expect(b.k.vm_map(0x10000, 3, RW)).toBe(abi.OK);
      expect(vwrite(b, 0x10000, fill(3 * P, 0x11))).toBe(3 * P); // every page has its frame: the write needs none
      const end = b.mem.length;
      expect(b.k.vm_write(0x10000, end - 2 * P, 3 * P)).toBe(abi.E_FAULT); // the source's last page is past private memory
      expect(vread(b, 0x10000, 3 * P)).toEqual(fill(3 * P, 0x11));
      b.mem.fill(0x99, end - P);
      expect(b.k.vm_read(0x10000, end - P, 2 * P)).toBe(abi.E_FAULT);
      expect(b.mem.subarray(end - P)).toEqual(fill(P, 0x99));
      expect(b.k.vm_unmap(0x10000, 3)).toBe(3);
    }));

  it("crosses second-level tables and the top of the address space", () =>
    asInit((b) => {
      const start = free(b);
      const va = (1023 << 12) >>> 0; // last page of the first table
      expect(b.k.vm_map(va, 2, RW)).toBe(abi.OK);
      expect(vwrite(b, va + P - 1, Uint8Array.of(1, 2))).toBe(2);
      expect(vread(b, va + P - 1, 2)).toEqual(Uint8Array.of(1, 2));
      const top = 0xfffff000 | 0;
      expect(b.k.vm_map(top, 1, RW)).toBe(abi.OK);
      expect(vwrite(b, top + P - 1, Uint8Array.of(5))).toBe(1);
      expect(b.k.vm_write(top + P - 1, 0, 2)).toBe(abi.E_ARG); // would wrap past 4 GiB
      expect(b.k.vm_unmap(va, 2)).toBe(2);
      expect(b.k.vm_unmap(top, 1)).toBe(1);
      expect(free(b)).toBe(start);
    }));
});

describe("memory objects", () => {
  it("are shared: a write through one mapping shows through another", () =>
    asInit((b) => {
      const start = free(b);
      const obj = b.k.mem_create(2);
      expect(obj).toBeGreaterThanOrEqual(0);
      expect(b.k.mem_map(obj, 0x100000, RW)).toBe(abi.OK);
      expect(b.k.mem_map(obj, 0x200000, abi.VM_READ)).toBe(abi.OK);
      expect(b.k.vm_query(0x100000) & abi.PTE_SHARED).toBe(abi.PTE_SHARED);
      expect(vwrite(b, 0x100000 + 10, fill(3, 4))).toBe(3);
      expect(vread(b, 0x200000 + 10, 3)).toEqual(fill(3, 4));
      expect(vwrite(b, 0x200000, fill(1, 1))).toBe(abi.E_PROT);
      expect(b.k.mem_info(obj, abi.MI_MAPPINGS)).toBe(2);
      expect(b.k.vm_unmap(0x100000, 1)).toBe(abi.E_ARG); // part of a mapping
      expect(b.k.vm_unmap(0x200000, 2)).toBe(2); // a whole object mapping counts every page
      expect(b.k.mem_info(obj, abi.MI_MAPPINGS)).toBe(1);
      expect(b.k.cap_delete(obj)).toBe(abi.OK); // the mappings go with the capability
      expect(b.k.vm_query(0x100000)).toBe(abi.E_UNMAPPED);
      expect(free(b)).toBe(start);
    }));

  it("clone copy-on-write: each side keeps its own bytes after a write, and shares the rest", () =>
    asInit((b) => {
      const start = free(b);
      const a = b.k.mem_create(3);
      expect(b.k.mem_map(a, 0x100000, RW)).toBe(abi.OK);
      expect(vwrite(b, 0x100000, fill(3 * P, 1))).toBe(3 * P);
      const c = b.k.mem_clone(a);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(b.k.mem_info(c, abi.MI_FRAMES_SHARED)).toBe(3);
      expect(b.k.mem_map(c, 0x200000, RW)).toBe(abi.OK);
      expect(b.k.vm_query(0x200000) & abi.PTE_COW).toBe(abi.PTE_COW);
      expect(b.k.vm_query(0x100000) & abi.PTE_COW).toBe(abi.PTE_COW);
      const beforeWrite = free(b);
      expect(vwrite(b, 0x200000 + P, fill(2, 9))).toBe(2); // page 1 of the clone
      expect(free(b)).toBe(beforeWrite - 1);
      expect(vread(b, 0x100000 + P, 2)).toEqual(fill(2, 1));
      expect(vread(b, 0x200000 + P, 2)).toEqual(fill(2, 9));
      expect(b.k.mem_info(c, abi.MI_FRAMES_SHARED)).toBe(2);
      expect(vwrite(b, 0x100000 + P, fill(1, 5))).toBe(1); // the original's page 1 is its own again: no copy
      expect(free(b)).toBe(beforeWrite - 1);
      expect(b.k.cap_delete(a)).toBe(abi.OK);
      expect(vread(b, 0x200000, 1)).toEqual(fill(1, 1));
      expect(b.k.cap_delete(c)).toBe(abi.OK);
      expect(free(b)).toBe(start);
    }));

  it("revoking a capability takes away every mapping made through those derived from it", () =>
    asInit((b) => {
      const obj = b.k.mem_create(1);
      const ro = b.k.cap_derive(obj, abi.R_READ, 0);
      expect(b.k.mem_map(ro, 0x300000, RW)).toBe(abi.E_RIGHTS);
      expect(b.k.mem_map(ro, 0x300000, abi.VM_READ)).toBe(abi.OK);
      expect(b.k.mem_map(obj, 0x400000, RW)).toBe(abi.OK);
      expect(b.k.cap_revoke(obj)).toBe(1);
      expect(b.k.vm_query(0x300000)).toBe(abi.E_UNMAPPED);
      expect(b.k.vm_query(0x400000) & abi.PTE_PRESENT).toBe(abi.PTE_PRESENT);
      expect(b.k.vm_protect(0x400000, 1, abi.VM_READ)).toBe(abi.OK);
    }));

  it("refuses an object over the quota or too large", () =>
    asInit((b) => {
      expect(b.k.mem_create(0)).toBe(abi.E_ARG);
      expect(b.k.mem_create(abi.MAX_OBJECT_PAGES + 1)).toBe(abi.E_ARG);
      const start = free(b);
      expect(b.k.mem_create(abi.DEFAULT_PAGE_QUOTA)).toBe(abi.E_NOMEM); // the page list is one more frame
      expect(free(b)).toBe(start);
    }));
});

// ---------------------------------------------------------------- against a model

type Op =
  | { op: "map"; page: number; n: number; rights: number }
  | { op: "unmap"; page: number; n: number }
  | { op: "protect"; page: number; n: number; rights: number }
  | { op: "write"; addr: number; len: number; byte: number }
  | { op: "read"; addr: number; len: number };

// Pages near the ends of second-level tables and of the address space.
const PAGES = [0, 1, 2, 3, 1021, 1022, 1023, 1024, 1025, 2047, 2048, 0xffffd, 0xffffe, 0xfffff];
const page = fc.constantFrom(...PAGES);
const rights = fc.constantFrom(abi.VM_READ, abi.VM_WRITE, RW, 0, 4);
const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("map" as const), page, n: fc.integer({ min: -1, max: 4 }), rights }),
  fc.record({ op: fc.constant("unmap" as const), page, n: fc.integer({ min: -1, max: 4 }) }),
  fc.record({ op: fc.constant("protect" as const), page, n: fc.integer({ min: -1, max: 4 }), rights }),
  fc.record({ op: fc.constant("write" as const), addr: fc.tuple(page, fc.integer({ min: 0, max: P - 1 })).map(([p, o]) => p * P + o), len: fc.integer({ min: -1, max: 2 * P }), byte: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant("read" as const), addr: fc.tuple(page, fc.integer({ min: 0, max: P - 1 })).map(([p, o]) => p * P + o), len: fc.integer({ min: -1, max: 2 * P }) }),
);

/** A reference address space: page -> rights and contents (null: never written). */
class Model {
  pages = new Map<number, { rights: number; data: Uint8Array | null }>();
  range(p: number, n: number): number[] | null {
    if (n <= 0 || p + n > 1 << 20) return null;
    return Array.from({ length: n }, (_, i) => p + i);
  }
  map(p: number, n: number, r: number): number {
    const ps = this.range(p, n);
    if (!ps || r === 0 || (r & ~RW) !== 0) return abi.E_ARG;
    if (ps.some((x) => this.pages.has(x))) return abi.E_STATE;
    for (const x of ps) this.pages.set(x, { rights: r, data: null });
    return abi.OK;
  }
  unmap(p: number, n: number): number {
    const ps = this.range(p, n);
    if (!ps) return abi.E_ARG;
    let k = 0;
    for (const x of ps) if (this.pages.delete(x)) k++;
    return k;
  }
  protect(p: number, n: number, r: number): number {
    const ps = this.range(p, n);
    if (!ps || r === 0 || (r & ~RW) !== 0) return abi.E_ARG;
    if (ps.some((x) => !this.pages.has(x))) return abi.E_UNMAPPED;
    for (const x of ps) this.pages.get(x)!.rights = r;
    return abi.OK;
  }
  access(addr: number, len: number, right: number): number {
    if (len < 0 || addr + len > 2 ** 32) return abi.E_ARG;
    for (let x = Math.floor(addr / P); len > 0 && x <= Math.floor((addr + len - 1) / P); x++) {
      const e = this.pages.get(x);
      if (!e) return abi.E_UNMAPPED;
      if ((e.rights & right) === 0) return abi.E_PROT;
    }
    return abi.OK;
  }
  write(addr: number, len: number, byte: number): number {
    const c = this.access(addr, len, abi.VM_WRITE);
    if (c !== abi.OK) return c;
    for (let i = 0; i < len; i++) {
      const e = this.pages.get(Math.floor((addr + i) / P))!;
      e.data ??= new Uint8Array(P);
      e.data[(addr + i) % P] = byte;
    }
    return len;
  }
  read(addr: number, len: number): number | Uint8Array {
    const c = this.access(addr, len, abi.VM_READ);
    if (c !== abi.OK) return c;
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.pages.get(Math.floor((addr + i) / P))!.data?.[(addr + i) % P] ?? 0;
    return out;
  }
}

describe("the address space against a reference model", () => {
  it("agrees on every result and every byte over random map/unmap/protect/read/write, and leaks no frame", () =>
    asInit((b) => {
      const start = free(b);
      fc.assert(
        fc.property(fc.array(ops, { maxLength: 40 }), (seq) => {
          const m = new Model();
          try {
            for (const o of seq) {
              switch (o.op) {
                case "map": expect(b.k.vm_map(o.page * P, o.n, o.rights)).toBe(m.map(o.page, o.n, o.rights)); break;
                case "unmap": expect(b.k.vm_unmap(o.page * P, o.n)).toBe(m.unmap(o.page, o.n)); break;
                case "protect": expect(b.k.vm_protect(o.page * P, o.n, o.rights)).toBe(m.protect(o.page, o.n, o.rights)); break;
                case "write":
                  b.mem.fill(o.byte, 0, Math.max(o.len, 0));
                  expect(b.k.vm_write(o.addr | 0, 0, o.len)).toBe(m.write(o.addr, o.len, o.byte));
                  break;
                case "read": expect(vread(b, o.addr | 0, o.len)).toEqual(m.read(o.addr, o.len)); break;
              }
            }
          } finally {
            for (const x of m.pages.keys()) b.k.vm_unmap(x * P, 1);
          }
          expect(free(b)).toBe(start);
        }),
        { numRuns: 300, seed: 424242 },
      );
    }, { privateBytes: 4 << 20 }));
});

describe("hostile arguments", () => {
  it("never trap the kernel, and every frame comes back", () =>
    asInit((b) => {
      const start = free(b);
      let x = 0x2545f491;
      const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x | 0; };
      const edge = [0, 1, -1, 4096, 4095, 0x7fffffff, -0x80000000, 0xfffff000 | 0, 1 << 20, 64];
      const arg = () => (rnd() & 3) === 0 ? edge[(rnd() >>> 0) % edge.length] : (rnd() & 1 ? rnd() & 0xffff : rnd());
      const calls = ["vm_map", "vm_unmap", "vm_protect", "vm_read", "vm_write", "vm_query", "mem_create", "mem_map", "mem_clone", "mem_info"];
      for (let i = 0; i < 20000; i++) {
        const f = calls[(rnd() >>> 0) % calls.length];
        const r = b.k[f](arg(), arg(), arg());
        expect(typeof r).toBe("number");
      }
      for (let s = 0; s < abi.CSPACE_SLOTS; s++) {
        const info = b.k.cap_info(s);
        if (info >= 0 && (info & 0xff) === abi.K_MEMORY) b.k.cap_delete(s);
      }
      b.k.vm_unmap(0, 1 << 20);
      expect(free(b)).toBe(start);
    }));
});
