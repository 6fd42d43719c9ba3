// The HAL never traps on any register write: every register of every device
// (and a plugged block device's), the addresses around and between them,
// unaligned ones, and random ones, written with edge values and read back;
// then the bus's errors, each as documented: unknown and static types, unplug
// of static, empty and missing slots, plugging until the bus is full and
// beyond. Driven through mmio_read/mmio_write as the kernel drives them.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as abi from "../../kernel/abi";
import { halDevices, halTypes } from "../../abi/hal";
import { freshHal, type Hal } from "./hal-machine";

const EDGES = [0, -1, 1, 2, 3, 4, 5, 0x7fffffff, -0x80000000, 0xff, 0x100, 0x1000, 0xffff, 0x10000, 128, 512];
const FIRST = abi.BUS_STATIC_SLOTS;
const PLUG_SLOTS = abi.BUS_SLOT_COUNT - FIRST;

/** Every address worth trying: each register, its neighbours and unaligned offsets, each window's edges, each slot's window. */
function addresses(): number[] {
  const out = new Set<number>([0, -1, 1, 0x7fffffff, -0x80000000, 0xfff, abi.BUS_SLOT_BASE - 4,
    abi.BUS_SLOT_BASE + abi.BUS_SLOT_COUNT * abi.BUS_SLOT_STRIDE, abi.BUS_SLOT_BASE + abi.BUS_SLOT_COUNT * abi.BUS_SLOT_STRIDE - 4]);
  for (const d of halDevices) {
    const bases = d.base !== undefined ? [d.base] : Array.from({ length: abi.BUS_SLOT_COUNT }, (_, s) => abi.BUS_SLOT_BASE + s * abi.BUS_SLOT_STRIDE);
    for (const base of bases) {
      for (const r of d.registers) {
        const last = r.offset + 4 * ((r.count ?? 1) - 1);
        for (const off of [r.offset, last]) for (const k of [-4, -1, 0, 1, 2, 3, 4]) out.add(base + off + k);
      }
      for (const off of [d.size - 4, d.size, d.size + 4, abi.BUS_SLOT_STRIDE - 4]) out.add(base + off);
    }
  }
  return [...out];
}

/** Every address written with every edge value, each read after; the bus reset to a known state first. */
function hammer(h: Hal, addrs: number[]): void {
  for (const a of addrs) {
    for (const v of EDGES) {
      h.write(a, v);
      h.read(a);
    }
  }
}

describe("the HAL under hostile register traffic", () => {
  it("takes every register, neighbour and unaligned address, with every edge value, without a trap, with devices plugged and not", async () => {
    const h = await freshHal();
    const addrs = addresses();
    hammer(h, addrs);
    // Fill the bus, with every plugged device powered in turn, and hammer again.
    h.write(abi.BUS_BASE + abi.BUS_UNPLUG, 0);
    for (let i = 0; i < PLUG_SLOTS; i++) h.plug(abi.DEV_TYPE_BLOCK);
    hammer(h, addrs);
    for (const p of [abi.BUS_PWR_SUSPEND, abi.BUS_PWR_OFF, abi.BUS_PWR_ON]) {
      for (let s = 0; s < abi.BUS_SLOT_COUNT; s++) { h.setBus(abi.BUS_SELECT, s); h.setBus(abi.BUS_POWER, p); }
      hammer(h, addrs);
    }
    // The machine still works: the bus enumerates, the timer counts, a fresh block device does I/O.
    expect(h.bus(abi.BUS_SLOTS)).toBe(abi.BUS_SLOT_COUNT);
    for (let s = FIRST; s < abi.BUS_SLOT_COUNT; s++) h.unplug(s);
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    expect(s).toBe(FIRST);
    h.setSlot(s, abi.BLK_DATA, 0x1234);
    h.setSlot(s, abi.BLK_SECTOR, 1);
    h.setSlot(s, abi.BLK_CMD, abi.BLK_CMD_WRITE);
    h.setSlot(s, abi.BLK_DATA, 0);
    h.setSlot(s, abi.BLK_CMD, abi.BLK_CMD_READ);
    expect([h.slot(s, abi.BLK_STATUS), h.slot(s, abi.BLK_DATA)]).toEqual([abi.BLK_DONE, 0x1234]);
  });

  it("takes any sequence of random writes and reads anywhere in its register space without a trap, and stays consistent", async () => {
    const top = abi.BUS_SLOT_BASE + abi.BUS_SLOT_COUNT * abi.BUS_SLOT_STRIDE + 0x100;
    const op = fc.record({
      addr: fc.oneof(fc.integer({ min: 0, max: top }), fc.constantFrom(...addresses()), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
      value: fc.oneof(fc.constantFrom(...EDGES, abi.DEV_TYPE_BLOCK, ...Array.from({ length: abi.BUS_SLOT_COUNT }, (_, i) => i)), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
      write: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 400 }), async (ops) => {
      const h = await freshHal();
      for (const o of ops) {
        if (o.write) h.write(o.addr, o.value);
        else h.read(o.addr);
      }
      // Every occupied slot has a distinct id; plugged ones come from BUS_FIRST_ID on.
      const seen = new Set<number>();
      for (let s = 0; s < abi.BUS_SLOT_COUNT; s++) {
        h.setBus(abi.BUS_SELECT, s);
        const id = h.bus(abi.BUS_ID);
        if (s >= FIRST && h.bus(abi.BUS_STATE) === abi.BUS_PRESENT) {
          expect(id).toBeGreaterThanOrEqual(abi.BUS_FIRST_ID);
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
        if (s >= FIRST && h.bus(abi.BUS_STATE) === abi.BUS_EMPTY) expect(id).toBe(0);
      }
    }), { numRuns: 60 });
  });
});

describe("the bus's errors", () => {
  it("refuses a type that is no DEV_TYPE_* with E_ARG and a type no model can plug with E_UNSUPPORTED, changing nothing", async () => {
    const h = await freshHal();
    expect(h.bus(abi.BUS_PLUG)).toBe(abi.E_STATE); // before any plug
    for (const t of [0, -1, 0x7fffffff, -0x80000000, 999, Math.max(...halTypes.map((x) => x.value)) + 1]) expect(h.plug(t), String(t)).toBe(abi.E_ARG);
    for (const d of halDevices.filter((x) => !x.pluggable)) {
      const t = halTypes.find((x) => x.name === d.type)!.value;
      expect(h.plug(t), d.name).toBe(abi.E_UNSUPPORTED);
    }
    expect(h.bus(abi.BUS_SEQ)).toBe(0);
    for (let s = FIRST; s < abi.BUS_SLOT_COUNT; s++) { h.setBus(abi.BUS_SELECT, s); expect(h.bus(abi.BUS_STATE)).toBe(abi.BUS_EMPTY); }
  });

  it("refuses to unplug a static device (E_UNSUPPORTED), an empty slot (E_STATE) or a slot that does not exist (E_ARG)", async () => {
    const h = await freshHal();
    expect(h.bus(abi.BUS_UNPLUG)).toBe(abi.E_STATE); // before any unplug
    for (let s = 0; s < FIRST; s++) expect(h.unplug(s), `slot ${s}`).toBe(abi.E_UNSUPPORTED);
    for (let s = FIRST; s < abi.BUS_SLOT_COUNT; s++) expect(h.unplug(s), `slot ${s}`).toBe(abi.E_STATE);
    for (const s of [-1, abi.BUS_SLOT_COUNT, 0x7fffffff, -0x80000000]) expect(h.unplug(s), String(s)).toBe(abi.E_ARG);
    expect(h.bus(abi.BUS_SEQ)).toBe(0);
    // The static devices are all still there.
    for (let s = 0; s < FIRST; s++) { h.setBus(abi.BUS_SELECT, s); expect(h.bus(abi.BUS_STATE)).toBe(abi.BUS_PRESENT); }
  });

  it("plugs until the bus is full, then answers E_NOSPACE; a freed slot takes the next plug", async () => {
    const h = await freshHal();
    const slots = Array.from({ length: PLUG_SLOTS }, () => h.plug(abi.DEV_TYPE_BLOCK));
    expect(slots).toEqual(Array.from({ length: PLUG_SLOTS }, (_, i) => FIRST + i));
    for (let i = 0; i < 3; i++) expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(abi.E_NOSPACE);
    expect(h.bus(abi.BUS_SEQ)).toBe(PLUG_SLOTS);
    expect(h.unplug(FIRST + 3)).toBe(abi.OK);
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(FIRST + 3);
    h.setBus(abi.BUS_SELECT, FIRST + 3);
    expect(h.bus(abi.BUS_ID)).toBe(abi.BUS_FIRST_ID + PLUG_SLOTS);
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(abi.E_NOSPACE);
  });

  it("never reuses an id: a thousand plugs and unplugs in one slot give a thousand ids", async () => {
    const h = await freshHal();
    const ids = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const s = h.plug(abi.DEV_TYPE_BLOCK);
      h.setBus(abi.BUS_SELECT, s);
      ids.add(h.bus(abi.BUS_ID));
      expect(h.unplug(s)).toBe(abi.OK);
    }
    expect(ids.size).toBe(1000);
    expect(h.bus(abi.BUS_SEQ)).toBe(2000);
  });
});
