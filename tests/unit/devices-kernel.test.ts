// The kernel's side of devices, on the test bench (tests/harness/kernel.ts:
// the real kernel and HAL, the test running as init): a capability to the bus
// plugs a block device, derives a capability to it by its fresh id, does I/O
// through dev_read/dev_write, and once the device is unplugged every access
// through that capability answers E_REVOKED, even after another device takes
// its slot. No syscall argument makes the kernel trap.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit, type Bench } from "../harness/kernel";

const BUS = abi.INIT_SLOT_DEVICES + abi.DEV_BUS - 1;
const ENTROPY = abi.INIT_SLOT_DEVICES + abi.DEV_ENTROPY - 1;
const RW = abi.R_READ | abi.R_WRITE;

const rd = (b: Bench, slot: number, reg: number): number => Number(b.k.dev_read(slot, reg));
/** A register read back as the i32 the device wrote (dev_read zero-extends). */
const rdSigned = (b: Bench, slot: number, reg: number): number => { const v = rd(b, slot, reg); return v < 0 ? v : v | 0; };

/** Plug a block device through the bus capability: its slot, id and a capability to it. */
function plugBlock(b: Bench): { slot: number; id: number; cap: number } {
  expect(b.k.dev_write(BUS, abi.BUS_PLUG, abi.DEV_TYPE_BLOCK)).toBe(abi.OK);
  const slot = rdSigned(b, BUS, abi.BUS_PLUG);
  expect(slot).toBeGreaterThanOrEqual(abi.BUS_STATIC_SLOTS);
  b.k.dev_write(BUS, abi.BUS_SELECT, slot);
  const id = rd(b, BUS, abi.BUS_ID);
  const cap = b.k.cap_derive(BUS, RW, id);
  expect(cap).toBeGreaterThanOrEqual(0);
  return { slot, id, cap };
}

function writeSector(b: Bench, cap: number, sector: number, words: number[]): number {
  words.forEach((w, i) => expect(b.k.dev_write(cap, abi.BLK_DATA + 4 * i, w)).toBe(abi.OK));
  b.k.dev_write(cap, abi.BLK_SECTOR, sector);
  b.k.dev_write(cap, abi.BLK_CMD, abi.BLK_CMD_WRITE);
  return rd(b, cap, abi.BLK_STATUS);
}

function readSector(b: Bench, cap: number, sector: number, n: number): number[] {
  b.k.dev_write(cap, abi.BLK_SECTOR, sector);
  b.k.dev_write(cap, abi.BLK_CMD, abi.BLK_CMD_READ);
  expect(rd(b, cap, abi.BLK_STATUS)).toBe(abi.BLK_DONE);
  return Array.from({ length: n }, (_, i) => rdSigned(b, cap, abi.BLK_DATA + 4 * i));
}

describe("device capabilities and hot-plug", () => {
  it("init holds the bus from boot, in the slot its id says", () =>
    asInit((b) => {
      expect(b.k.cap_info(BUS) & 0xff).toBe(abi.K_DEVICE);
      expect(rd(b, BUS, abi.BUS_SLOTS)).toBe(abi.BUS_SLOT_COUNT);
      expect(rd(b, ENTROPY, abi.ENT_SOURCES)).toBe(2);
    }));

  it("reaches a hot-plugged block device by its id: a sector written and read back through dev_write/dev_read", () =>
    asInit((b) => {
      const { cap } = plugBlock(b);
      const words = [1, -1, 0x7fffffff, -0x80000000, 0x12345678, 0];
      expect(writeSector(b, cap, 9, words)).toBe(abi.BLK_DONE);
      for (let i = 0; i < words.length; i++) b.k.dev_write(cap, abi.BLK_DATA + 4 * i, 0);
      expect(readSector(b, cap, 9, words.length)).toEqual(words);
      // Its window and nothing past it.
      for (const reg of [abi.BLOCK_SIZE, abi.BLOCK_SIZE + 4, abi.BUS_SLOT_STRIDE, -4, 2, 0x7ffffffc]) {
        expect(rd(b, cap, reg), String(reg)).toBe(abi.E_ARG);
        expect(b.k.dev_write(cap, reg, 1), String(reg)).toBe(abi.E_ARG);
      }
    }));

  it("answers E_REVOKED through a capability whose device was unplugged, even once another device has its slot", () =>
    asInit((b) => {
      const first = plugBlock(b);
      expect(writeSector(b, first.cap, 0, [42])).toBe(abi.BLK_DONE);
      expect(b.k.dev_write(BUS, abi.BUS_UNPLUG, first.slot)).toBe(abi.OK);
      expect(rdSigned(b, BUS, abi.BUS_UNPLUG)).toBe(abi.OK);
      expect(rd(b, first.cap, abi.BLK_STATUS)).toBe(abi.E_REVOKED);
      expect(b.k.dev_write(first.cap, abi.BLK_CMD, abi.BLK_CMD_READ)).toBe(abi.E_REVOKED);
      const second = plugBlock(b);
      expect(second.slot).toBe(first.slot);
      expect(second.id).not.toBe(first.id);
      expect(rd(b, first.cap, abi.BLK_DATA)).toBe(abi.E_REVOKED);
      expect(readSector(b, second.cap, 0, 1)).toEqual([0]); // a blank disk, not the first one's
      // A capability to the gone id cannot be minted again.
      expect(b.k.cap_derive(BUS, RW, first.id)).toBe(abi.E_ARG);
    }));

  it("lets only a bus capability name another device, and only one the bus holds now", () =>
    asInit((b) => {
      const { cap, id } = plugBlock(b);
      expect(b.k.cap_derive(ENTROPY, RW, id)).toBe(abi.E_ARG);
      expect(b.k.cap_derive(ENTROPY, RW, abi.DEV_BUS)).toBe(abi.E_ARG);
      expect(b.k.cap_derive(cap, RW, abi.DEV_BUS)).toBe(abi.E_ARG);
      for (const never of [id + 1, abi.BUS_FIRST_ID - 1, 4, -1, 0x7fffffff, -0x80000000]) expect(b.k.cap_derive(BUS, RW, never), String(never)).toBe(abi.E_ARG);
      // The UART is on the bus, and the console driver's alone: never derived from it, with any rights.
      for (const rights of [RW, abi.R_READ, abi.R_WRITE, 0]) expect(b.k.cap_derive(BUS, rights, abi.DEV_UART)).toBe(abi.E_PERM);
      // Nor from another device's capability (E_ARG: only the bus names other devices).
      expect(b.k.cap_derive(ENTROPY, RW, abi.DEV_UART)).toBe(abi.E_ARG);
      // Narrowed rights hold: a read-only capability cannot write.
      const ro = b.k.cap_derive(BUS, abi.R_READ, id);
      expect(ro).toBeGreaterThanOrEqual(0);
      expect(rd(b, ro, abi.BLK_SECTORS)).toBe(abi.BLK_SECTOR_COUNT);
      expect(b.k.dev_write(ro, abi.BLK_CMD, abi.BLK_CMD_READ)).toBe(abi.E_RIGHTS);
      // The bus holds its static devices too.
      const ent = b.k.cap_derive(BUS, abi.R_READ, abi.DEV_ENTROPY);
      expect(rd(b, ent, abi.ENT_SOURCES)).toBe(2);
    }));

  it("never traps on any slot, register or value of dev_read, dev_write or cap_derive", () =>
    asInit((b) => {
      const { cap } = plugBlock(b);
      const gone = plugBlock(b);
      b.k.dev_write(BUS, abi.BUS_UNPLUG, gone.slot);
      const slots = [-1, 0, 1, 2, BUS, ENTROPY, cap, gone.cap, 255, 256, 0x7fffffff, -0x80000000];
      const regs = [-0x80000000, -4, -1, 0, 1, 2, 3, 4, 0x54, 0x58, 0x200, 0x3fc, 0x400, 0xffc, 0x1000, 0x10000, 0x7ffffffc, 0x7fffffff];
      const values = [0, -1, 1, abi.DEV_TYPE_BLOCK, abi.BUS_SLOT_COUNT, 0x7fffffff, -0x80000000];
      for (const s of slots) {
        for (const r of regs) {
          b.k.dev_read(s, r);
          for (const v of values) b.k.dev_write(s, r, v);
          for (const v of values) b.k.cap_derive(s, RW, v);
        }
      }
      expect(rd(b, BUS, abi.BUS_SLOTS)).toBe(abi.BUS_SLOT_COUNT);
    }));
});
