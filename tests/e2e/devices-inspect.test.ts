// `quark inspect` lists the machine's devices from the description generated
// from abi/hal.ts, and what it lists is what the HAL's bus serves at run time
// (the HAL on its own, tests/unit/hal-machine.ts), in the text and the --json
// output; each device names the services whose manifest grants it.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { quark, root } from "./helpers";
import { freshHal } from "../unit/hal-machine";

const manifest = join(root, "tests", "fixtures", "devices-bus", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");
const POWER: Record<string, number> = { on: abi.BUS_PWR_ON, suspend: abi.BUS_PWR_SUSPEND, off: abi.BUS_PWR_OFF };

describe("quark inspect lists the devices", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it("--json: every slot's device as the bus enumerates it at run time, the pluggable models as a plug makes them, and who is granted each", async () => {
    const r = quark(["inspect", image, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { devices } = JSON.parse(r.stdout);
    expect(devices.bus).toEqual({ slots: abi.BUS_SLOT_COUNT, staticSlots: abi.BUS_STATIC_SLOTS, slotBase: abi.BUS_SLOT_BASE, slotStride: abi.BUS_SLOT_STRIDE, firstId: abi.BUS_FIRST_ID });
    const h = await freshHal();
    const seen = (slot: number) => {
      h.setBus(abi.BUS_SELECT, slot);
      return { type: h.bus(abi.BUS_TYPE), id: h.bus(abi.BUS_ID), base: h.bus(abi.BUS_WIN_BASE), size: h.bus(abi.BUS_WIN_SIZE), irq: h.bus(abi.BUS_IRQ), caps: h.bus(abi.BUS_POWER_CAPS), dma: (h.bus(abi.BUS_FLAGS) & abi.BUS_F_DMA) !== 0 };
    };
    const caps = (power: string[]) => power.reduce((m, p) => m | (1 << POWER[p]), 0);
    expect(devices.static.map((d: any) => d.slot)).toEqual([...Array(abi.BUS_STATIC_SLOTS).keys()]);
    for (const d of devices.static) {
      expect(seen(d.slot), d.name).toEqual({
        type: d.typeValue, id: d.id ?? 0, base: d.base, size: d.size, irq: d.line === null ? 0 : 2 ** d.line, caps: caps(d.power), dma: d.dma !== "none",
      });
    }
    for (const m of devices.pluggable) {
      const slot = h.plug(m.typeValue);
      expect(slot, m.name).toBe(abi.BUS_STATIC_SLOTS);
      expect(seen(slot), m.name).toMatchObject({ type: m.typeValue, base: abi.BUS_SLOT_BASE + slot * abi.BUS_SLOT_STRIDE, size: m.size, irq: m.line === "slot" ? 2 ** slot : 0, caps: caps(m.power), dma: m.dma !== "none" });
      h.unplug(slot);
    }
    expect(devices.pluggable.map((m: any) => m.name)).toEqual(["block", "qpu"]);
    const byName = Object.fromEntries(devices.static.map((d: any) => [d.name, d]));
    expect(byName.bus).toMatchObject({ type: "bus", id: abi.DEV_BUS, grantedTo: ["disk"] });
    expect(byName.entropy.grantedTo).toEqual([]);
    expect(byName.uart).toMatchObject({ id: abi.DEV_UART, grantedTo: ["condrv"] });
  });

  it("prints them as a table: slot, device, type, id, window, line, power states, DMA and who is granted it", () => {
    const r = quark(["inspect", image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`devices (bus: ${abi.BUS_SLOT_COUNT} slots, slot s raises line s; slots ${abi.BUS_STATIC_SLOTS}-${abi.BUS_SLOT_COUNT - 1} free for hot-plug, ids from ${abi.BUS_FIRST_ID})`);
    expect(r.stdout).toMatch(/slot\s+device\s+type\s+id\s+window\s+line\s+power\s+dma\s+granted to/);
    expect(r.stdout).toMatch(/\n\s+0\s+timer\s+timer\s+-\s+0x2000\.\.0x2013\s+0\s+on\s+none\s+-\n/);
    expect(r.stdout).toMatch(/\n\s+1\s+uart\s+uart\s+3\s+0x1000\.\.0x101f\s+1\s+on\s+bus-master\s+condrv\n/);
    expect(r.stdout).toMatch(/\n\s+2\s+entropy\s+entropy\s+1\s+0x4000\.\.0x403f\s+2\s+on,suspend,off\s+bus-master\s+-\n/);
    expect(r.stdout).toMatch(/\n\s+3\s+intc\s+intc\s+-\s+0x3000\.\.0x3027\s+3\s+on\s+none\s+-\n/);
    expect(r.stdout).toMatch(/\n\s+4\s+bus\s+bus\s+2\s+0x5000\.\.0x505b\s+4\s+on\s+none\s+disk\n/);
    expect(r.stdout).toMatch(/\n\s+block\s+block \(6\)\s+0x400 bytes\s+its slot's\s+on,suspend,off\s+none\s+-\n/);
    expect(r.stdout).toMatch(/\n\s+qpu\s+qpu \(7\)\s+0x48 bytes\s+its slot's\s+on\s+bus-master\s+-\n?/);
  });

  it("names each pluggable model's drivers and their conditions (driver, driver_match)", () => {
    const manifest = join(root, "tests", "fixtures", "drivers-bind", "image.toml");
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
    const r = quark(["inspect", manifest.replace(/\.toml$/, ".wasm")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n\s+block\s+block \(6\)\s+0x400 bytes\s+its slot's\s+on,suspend,off\s+none\s+picky \(slot >= 7, sectors >= 64\), blkdrv\n/);
    const j = JSON.parse(quark(["inspect", manifest.replace(/\.toml$/, ".wasm"), "--json"]).stdout);
    expect(j.devices.pluggable.find((m: { name: string }) => m.name === "block").drivenBy).toEqual([
      { service: "picky", match: ["slot >= 7", "sectors >= 64"] }, { service: "blkdrv", match: [] },
    ]);
  });
});
