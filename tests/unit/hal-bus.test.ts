// The HAL's bus and block device, driven through mmio_read/mmio_write as the
// kernel drives them (tests/unit/hal-machine.ts): enumeration against the
// generated description, hot-plug (slots, fresh ids, the sequence number,
// IRQ_BUS), the block device's programmed I/O and interrupt, instances that
// keep their own sectors, reset at unplug, power states and the time spent in
// each on the HAL's clock (which the test moves: every time is exact).
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { BUS, PLUGGABLE_MODELS, STATIC_DEVICES } from "../../tools/lib/devices";
import { freshHal, type Hal } from "./hal-machine";

const FIRST = abi.BUS_STATIC_SLOTS;
const PLUG_SLOTS = abi.BUS_SLOT_COUNT - abi.BUS_STATIC_SLOTS;
const WORDS = abi.BLK_SECTOR_BYTES / 4;
const caps = (states: string[]) => states.reduce((m, s) => m | (1 << ({ on: abi.BUS_PWR_ON, suspend: abi.BUS_PWR_SUSPEND, off: abi.BUS_PWR_OFF } as Record<string, number>)[s]), 0);

/** What the bus says of `slot`. */
function describeSlot(h: Hal, slot: number) {
  h.setBus(abi.BUS_SELECT, slot);
  return {
    state: h.bus(abi.BUS_STATE), type: h.bus(abi.BUS_TYPE), id: h.bus(abi.BUS_ID), base: h.bus(abi.BUS_WIN_BASE),
    size: h.bus(abi.BUS_WIN_SIZE), irq: h.bus(abi.BUS_IRQ), caps: h.bus(abi.BUS_POWER_CAPS), flags: h.bus(abi.BUS_FLAGS),
    power: h.bus(abi.BUS_POWER),
  };
}

/** Fill slot's data window with words made from `seed`. */
function fillWindow(h: Hal, slot: number, seed: number): number[] {
  const words = Array.from({ length: WORDS }, (_, i) => (Math.imul(seed + 1, 0x9e3779b1) ^ (i * 0x01010101)) | 0);
  words.forEach((w, i) => h.setSlot(slot, abi.BLK_DATA + 4 * i, w));
  return words;
}
const window = (h: Hal, slot: number): number[] => Array.from({ length: WORDS }, (_, i) => h.slot(slot, abi.BLK_DATA + 4 * i));

function command(h: Hal, slot: number, sector: number, cmd: number): number {
  h.setSlot(slot, abi.BLK_SECTOR, sector);
  h.setSlot(slot, abi.BLK_CMD, cmd);
  return h.slot(slot, abi.BLK_STATUS);
}

/** The pending lines, every line enabled; then acknowledged. */
function lines(h: Hal): number {
  h.write(abi.INTC_ENABLE, -1);
  const p = h.read(abi.INTC_PENDING);
  h.write(abi.INTC_ACK, p);
  return p;
}

/** Time slot spent in a state: LO latches HI. */
function spent(h: Hal, slot: number, lo: number, hi: number): number {
  h.setBus(abi.BUS_SELECT, slot);
  const l = h.bus(lo) >>> 0;
  return h.bus(hi) * 2 ** 32 + l;
}
const onTime = (h: Hal, s: number) => spent(h, s, abi.BUS_TIME_ON_LO, abi.BUS_TIME_ON_HI);
const suspendTime = (h: Hal, s: number) => spent(h, s, abi.BUS_TIME_SUSPEND_LO, abi.BUS_TIME_SUSPEND_HI);
const offTime = (h: Hal, s: number) => spent(h, s, abi.BUS_TIME_OFF_LO, abi.BUS_TIME_OFF_HI);

describe("the bus enumerates the machine from its description", () => {
  it("serves every static device in its fixed slot as abi/hal.ts describes it, and the other slots empty", async () => {
    const h = await freshHal();
    expect(h.bus(abi.BUS_SLOTS)).toBe(BUS.slots);
    expect(STATIC_DEVICES.map((d) => d.slot)).toEqual([...Array(BUS.staticSlots).keys()]);
    for (const d of STATIC_DEVICES) {
      expect(describeSlot(h, d.slot!), d.name).toEqual({
        state: abi.BUS_PRESENT, type: d.typeValue, id: d.id ?? 0, base: d.base, size: d.size,
        irq: d.line === null ? 0 : 2 ** (d.line as number), caps: caps(d.power), flags: d.dma === "none" ? 0 : abi.BUS_F_DMA, power: abi.BUS_PWR_ON,
      });
    }
    for (let s = FIRST; s < abi.BUS_SLOT_COUNT; s++) {
      expect(describeSlot(h, s)).toEqual({ state: abi.BUS_EMPTY, type: 0, id: 0, base: 0, size: 0, irq: 0, caps: 0, flags: 0, power: 0 });
    }
    expect(h.bus(abi.BUS_SEQ)).toBe(0);
  });

  it("keeps the lines of before the bus: the timer's slot is line 0 and the UART's line 1, as IRQ_TIMER and IRQ_UART_RX say", async () => {
    const h = await freshHal();
    expect(describeSlot(h, 0)).toMatchObject({ type: abi.DEV_TYPE_TIMER, irq: abi.IRQ_TIMER, base: 0x2000 });
    expect(describeSlot(h, 1)).toMatchObject({ type: abi.DEV_TYPE_UART, id: abi.DEV_UART, irq: abi.IRQ_UART_RX, base: 0x1000 });
    expect([abi.IRQ_TIMER, abi.IRQ_UART_RX, abi.IRQ_ENTROPY, abi.IRQ_BUS]).toEqual([1, 2, 4, 16]);
  });

  it("a select of a slot that does not exist keeps the selection", async () => {
    const h = await freshHal();
    h.setBus(abi.BUS_SELECT, 3);
    for (const v of [-1, abi.BUS_SLOT_COUNT, 0x7fffffff, -0x80000000]) h.setBus(abi.BUS_SELECT, v);
    expect(h.bus(abi.BUS_SELECT)).toBe(3);
  });
});

describe("hot-plug", () => {
  it("a plug puts the model in the lowest free slot with a fresh id, bumps the sequence number and raises IRQ_BUS", async () => {
    const h = await freshHal();
    lines(h);
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(FIRST);
    expect(h.bus(abi.BUS_SEQ)).toBe(1);
    expect(lines(h)).toBe(abi.IRQ_BUS);
    const block = PLUGGABLE_MODELS.find((m) => m.name === "block")!;
    expect(describeSlot(h, FIRST)).toEqual({
      state: abi.BUS_PRESENT, type: abi.DEV_TYPE_BLOCK, id: abi.BUS_FIRST_ID, base: abi.BUS_SLOT_BASE + FIRST * abi.BUS_SLOT_STRIDE,
      size: abi.BLOCK_SIZE, irq: 2 ** FIRST, caps: caps(block.power), flags: abi.BUS_F_HOTPLUG, power: abi.BUS_PWR_ON,
    });
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(FIRST + 1);
    h.setBus(abi.BUS_SELECT, FIRST + 1);
    expect(h.bus(abi.BUS_ID)).toBe(abi.BUS_FIRST_ID + 1);
    expect(h.bus(abi.BUS_SEQ)).toBe(2);
  });

  it("an unplug empties the slot, bumps the sequence number, raises IRQ_BUS, and the slot's next device has a new id", async () => {
    const h = await freshHal();
    const a = h.plug(abi.DEV_TYPE_BLOCK);
    const b = h.plug(abi.DEV_TYPE_BLOCK);
    lines(h);
    expect(h.unplug(a)).toBe(abi.OK);
    expect(h.bus(abi.BUS_SEQ)).toBe(3);
    expect(lines(h)).toBe(abi.IRQ_BUS);
    expect(describeSlot(h, a).state).toBe(abi.BUS_EMPTY);
    expect(describeSlot(h, b).id).toBe(abi.BUS_FIRST_ID + 1);
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(a);
    expect(describeSlot(h, a).id).toBe(abi.BUS_FIRST_ID + 2);
    expect(h.bus(abi.BUS_SEQ)).toBe(4);
  });

  it("RESOLVE finds an id's window (static or plugged), says BUS_GONE once it is unplugged, 0 for an id never handed out", async () => {
    const h = await freshHal();
    const resolve = (id: number) => { h.setBus(abi.BUS_RESOLVE, id); return [h.bus(abi.BUS_RESOLVE), h.bus(abi.BUS_RESOLVE_SIZE)]; };
    expect(resolve(abi.DEV_ENTROPY)).toEqual([abi.ENTROPY_BASE, abi.ENTROPY_SIZE]);
    expect(resolve(abi.DEV_BUS)).toEqual([abi.BUS_BASE, abi.BUS_SIZE]);
    expect(resolve(abi.DEV_UART)).toEqual([abi.UART_BASE, abi.UART_SIZE]);
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    const id = abi.BUS_FIRST_ID;
    expect(resolve(id)).toEqual([abi.BUS_SLOT_BASE + s * abi.BUS_SLOT_STRIDE, abi.BLOCK_SIZE]);
    h.unplug(s);
    h.plug(abi.DEV_TYPE_BLOCK); // the same slot, another id
    expect(resolve(id)).toEqual([abi.BUS_GONE, 0]);
    expect(resolve(id + 1)).toEqual([abi.BUS_SLOT_BASE + s * abi.BUS_SLOT_STRIDE, abi.BLOCK_SIZE]);
    for (const never of [0, -1, 4, abi.BUS_FIRST_ID - 1, id + 2, 0x7fffffff, -0x80000000]) expect(resolve(never), String(never)).toEqual([0, 0]);
  });
});

describe("the block device", () => {
  it("writes a sector from its data window and reads it back, raising its slot's line at each completion", async () => {
    const h = await freshHal();
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    lines(h);
    expect(h.slot(s, abi.BLK_SECTORS)).toBe(abi.BLK_SECTOR_COUNT);
    expect(h.slot(s, abi.BLK_STATUS)).toBe(abi.BLK_IDLE);
    const words = fillWindow(h, s, 7);
    expect(command(h, s, 7, abi.BLK_CMD_WRITE)).toBe(abi.BLK_DONE);
    expect(lines(h)).toBe(2 ** s);
    expect(command(h, s, 8, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE); // a sector never written reads as zeros
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
    expect(command(h, s, 7, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE);
    expect(window(h, s)).toEqual(words);
    expect(lines(h)).toBe(2 ** s);
    expect(h.slot(s, abi.BLK_SECTOR)).toBe(7);
    expect(h.slot(s, abi.BLK_CMD)).toBe(abi.BLK_CMD_READ);
    // The last sector is there; the one past it is not.
    fillWindow(h, s, 9);
    expect(command(h, s, abi.BLK_SECTOR_COUNT - 1, abi.BLK_CMD_WRITE)).toBe(abi.BLK_DONE);
  });

  it("answers a sector out of range or an unknown command with an error status, changing nothing, and still raises its line", async () => {
    const h = await freshHal();
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    const words = fillWindow(h, s, 1);
    lines(h);
    for (const sector of [abi.BLK_SECTOR_COUNT, -1, 0x7fffffff, -0x80000000]) {
      expect(command(h, s, sector, abi.BLK_CMD_WRITE), String(sector)).toBe(abi.BLK_ERR_SECTOR);
      expect(command(h, s, sector, abi.BLK_CMD_READ), String(sector)).toBe(abi.BLK_ERR_SECTOR);
    }
    for (const cmd of [0, 3, -1, 0x7fffffff]) expect(command(h, s, 0, cmd), String(cmd)).toBe(abi.BLK_ERR_CMD);
    expect(lines(h)).toBe(2 ** s);
    expect(window(h, s)).toEqual(words);
    expect(command(h, s, 0, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE);
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
  });

  it("keeps each instance's sectors its own, several at once, and the bus full of them", async () => {
    const h = await freshHal();
    const slots = Array.from({ length: PLUG_SLOTS }, () => h.plug(abi.DEV_TYPE_BLOCK));
    expect(slots).toEqual(Array.from({ length: PLUG_SLOTS }, (_, i) => FIRST + i));
    const written = slots.map((s) => { const w = fillWindow(h, s, s); command(h, s, 3, abi.BLK_CMD_WRITE); return w; });
    for (const s of slots) fillWindow(h, s, 1000); // scribble over every window
    slots.forEach((s, i) => {
      expect(command(h, s, 3, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE);
      expect(window(h, s), `slot ${s}`).toEqual(written[i]);
    });
  });

  it("forgets everything when unplugged: the next device in its slot has blank sectors and registers", async () => {
    const h = await freshHal();
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    fillWindow(h, s, 5);
    command(h, s, 2, abi.BLK_CMD_WRITE);
    fillWindow(h, s, 6);
    expect(h.unplug(s)).toBe(abi.OK);
    expect(h.slot(s, abi.BLK_SECTORS)).toBe(0); // an empty slot reads 0
    expect(h.plug(abi.DEV_TYPE_BLOCK)).toBe(s);
    expect([h.slot(s, abi.BLK_SECTOR), h.slot(s, abi.BLK_CMD), h.slot(s, abi.BLK_STATUS)]).toEqual([0, 0, abi.BLK_IDLE]);
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
    expect(command(h, s, 2, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE);
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
  });

  it("drops its pending interrupt when unplugged", async () => {
    const h = await freshHal();
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    lines(h);
    command(h, s, 0, abi.BLK_CMD_READ);
    h.unplug(s);
    expect(lines(h)).toBe(abi.IRQ_BUS);
  });
});

describe("power states", () => {
  it("a suspended device reads 0 and ignores writes, and comes back with its state; off loses it", async () => {
    const h = await freshHal();
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    const words = fillWindow(h, s, 3);
    command(h, s, 4, abi.BLK_CMD_WRITE);
    h.setBus(abi.BUS_SELECT, s);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_SUSPEND);
    expect(h.bus(abi.BUS_POWER)).toBe(abi.BUS_PWR_SUSPEND);
    lines(h);
    expect([h.slot(s, abi.BLK_SECTORS), h.slot(s, abi.BLK_STATUS), h.slot(s, abi.BLK_SECTOR), h.slot(s, abi.BLK_DATA)]).toEqual([0, 0, 0, 0]);
    h.setSlot(s, abi.BLK_SECTOR, 9);
    h.setSlot(s, abi.BLK_DATA, 12345);
    h.setSlot(s, abi.BLK_CMD, abi.BLK_CMD_READ);
    expect(lines(h)).toBe(0); // nothing ran
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    expect(h.slot(s, abi.BLK_SECTOR)).toBe(4);
    expect(window(h, s)).toEqual(words);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_OFF);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
    expect(command(h, s, 4, abi.BLK_CMD_READ)).toBe(abi.BLK_DONE);
    expect(window(h, s)).toEqual(new Array(WORDS).fill(0));
  });

  it("a state the device does not support, a value that is no state, or an empty slot: nothing happens", async () => {
    const h = await freshHal();
    for (const d of STATIC_DEVICES.filter((x) => x.power.length === 1)) {
      h.setBus(abi.BUS_SELECT, d.slot!);
      for (const v of [abi.BUS_PWR_SUSPEND, abi.BUS_PWR_OFF, 0, 4, -1]) h.setBus(abi.BUS_POWER, v);
      expect(h.bus(abi.BUS_POWER), d.name).toBe(abi.BUS_PWR_ON);
    }
    h.setBus(abi.BUS_SELECT, FIRST);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    expect(h.bus(abi.BUS_POWER)).toBe(0);
    // The kernel's devices work on whatever was written.
    expect(h.read(abi.TIMER_CTRL)).toBe(0);
    h.write(abi.TIMER_CTRL, 1);
    expect(h.read(abi.TIMER_CTRL)).toBe(1);
  });

  it("the entropy device can be suspended (it reads 0) and off resets its faults", async () => {
    const h = await freshHal();
    const e = STATIC_DEVICES.find((d) => d.name === "entropy")!.slot!;
    h.write(abi.ENTROPY_BASE + abi.ENT_FAULT, abi.ENT_FAULT_STUCK);
    h.setBus(abi.BUS_SELECT, e);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_SUSPEND);
    expect(h.read(abi.ENTROPY_BASE + abi.ENT_SOURCES)).toBe(0);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    expect(h.read(abi.ENTROPY_BASE + abi.ENT_SOURCES)).toBe(2);
    expect(h.read(abi.ENTROPY_BASE + abi.ENT_FAULT)).toBe(abi.ENT_FAULT_STUCK);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_OFF);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    expect(h.read(abi.ENTROPY_BASE + abi.ENT_FAULT)).toBe(abi.ENT_FAULT_NONE);
  });

  it("counts the ns each slot spends in each state on the HAL's clock, 64 bits, from its plug", async () => {
    const h = await freshHal(1000);
    h.now = 5000;
    const s = h.plug(abi.DEV_TYPE_BLOCK);
    h.now = 5500;
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([500, 0, 0]);
    expect(onTime(h, 0)).toBe(4500); // the timer: on since hal_init
    h.setBus(abi.BUS_SELECT, s);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_SUSPEND);
    h.now = 5800;
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([500, 300, 0]);
    h.setBus(abi.BUS_SELECT, s);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_OFF);
    h.now = 5800 + 2 ** 32 + 5; // past the low word
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([500, 300, 2 ** 32 + 5]);
    h.setBus(abi.BUS_SELECT, s);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    h.now += 10;
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([510, 300, 2 ** 32 + 5]);
    // Writing the state it is in changes nothing.
    h.setBus(abi.BUS_SELECT, s);
    h.setBus(abi.BUS_POWER, abi.BUS_PWR_ON);
    h.now += 10;
    expect(onTime(h, s)).toBe(520);
    // An unplug ends the accounting; the next device starts from zero.
    h.unplug(s);
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([0, 0, 0]);
    h.plug(abi.DEV_TYPE_BLOCK);
    h.now += 7;
    expect([onTime(h, s), suspendTime(h, s), offTime(h, s)]).toEqual([7, 0, 0]);
  });
});
