// The HAL alone, compiled as an image carries it and driven through its
// mmio_read/mmio_write exactly as the kernel drives it, with a clock the test
// sets (host.now), so times are exact and no test waits. Shared by the bus and
// block tests (hal-bus.test.ts) and the hostile ones (hal-hostile.test.ts).
import * as abi from "../../kernel/abi";
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
let compiled: Promise<WebAssembly.Module> | undefined;

export interface Hal {
  /** A register, as the kernel reads it (a signed 32-bit value). */
  read(addr: number): number;
  write(addr: number, value: number): void;
  /** A bus register (BUS_*, an offset in its window). */
  bus(reg: number): number;
  setBus(reg: number, value: number): void;
  /** Slot `slot`'s register `reg`: its window is BUS_SLOT_BASE + slot * BUS_SLOT_STRIDE. */
  slot(slot: number, reg: number): number;
  setSlot(slot: number, reg: number, value: number): void;
  /** Plug a device of `type`; what BUS_PLUG reads back (its slot, or the error). */
  plug(type: number): number;
  /** Unplug `slot`; what BUS_UNPLUG reads back. */
  unplug(slot: number): number;
  /** The HAL's clock, in ns: the test moves it. */
  now: number;
  /** What the UART sent to the host. */
  console: string[];
  exports: Record<string, any>;
}

/** A fresh HAL, hal_init() done, its clock at `now` ns. */
export async function freshHal(now = 1000): Promise<Hal> {
  compiled ??= compileModule({ kind: "hal", entry: `${root}/hal/index.ts`, root })
    .then((h) => new WebAssembly.Module(h.wasm as Uint8Array<ArrayBuffer>));
  const module = await compiled;
  const out: string[] = [];
  let ex!: Record<string, any>;
  const hal: Hal = {
    now,
    console: out,
    get exports() { return ex; },
    read: (a) => ex.mmio_read(a),
    write: (a, v) => ex.mmio_write(a, v),
    bus: (r) => ex.mmio_read(abi.BUS_BASE + r),
    setBus: (r, v) => ex.mmio_write(abi.BUS_BASE + r, v),
    slot: (s, r) => ex.mmio_read(abi.BUS_SLOT_BASE + s * abi.BUS_SLOT_STRIDE + r),
    setSlot: (s, r, v) => ex.mmio_write(abi.BUS_SLOT_BASE + s * abi.BUS_SLOT_STRIDE + r, v),
    plug(type) { hal.setBus(abi.BUS_PLUG, type); return hal.bus(abi.BUS_PLUG); },
    unplug(slot) { hal.setBus(abi.BUS_UNPLUG, slot); return hal.bus(abi.BUS_UNPLUG); },
  };
  const host = {
    now: () => hal.now,
    console_out: (p: number, n: number) => { out.push(new TextDecoder().decode(new Uint8Array(ex.memory.buffer, p, n))); },
    random_fill: (p: number, n: number) => { crypto.getRandomValues(new Uint8Array(ex.memory.buffer, p, n)); },
  };
  ex = new WebAssembly.Instance(module, { host } as WebAssembly.Imports).exports as Record<string, any>;
  ex.hal_init();
  return hal;
}
