// The UART's transmit by DMA (hal/uart.ts, UART_TX_*) alone, driven through
// its registers as the console driver drives it, with this test serving the
// DMA queue as the kernel does (kernel/dma.ts). tests/e2e/uart-tx.test.ts
// runs the same registers through the kernel under both hosts.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { freshHal, type Hal } from "./hal-machine";

const AT = 0x1000;
const reg = (r: number) => abi.UART_BASE + r;

/** A process's memory as the device reads it, and the requests served; `answer` may refuse one. */
function serve(h: Hal, memory: Uint8Array, answer?: () => number): { dev: number; dir: number; addr: number; len: number }[] {
  const served = [];
  while (h.read(abi.INTC_DMA_COUNT) > 0) {
    const r = { dev: h.read(abi.INTC_DMA_DEV), dir: h.read(abi.INTC_DMA_DIR), addr: h.read(abi.INTC_DMA_ADDR), len: h.read(abi.INTC_DMA_LEN) };
    const ptr = h.read(abi.INTC_DMA_PTR) >>> 0;
    served.push(r);
    let result = answer?.();
    if (result === undefined) {
      new Uint8Array(h.exports.memory.buffer).set(memory.subarray(r.addr, r.addr + r.len), ptr);
      result = r.len;
    }
    h.write(abi.INTC_DMA_DONE, result);
  }
  return served;
}

function transmit(h: Hal, memory: Uint8Array, text: string, answer?: () => number) {
  const bytes = new TextEncoder().encode(text);
  memory.set(bytes, AT);
  h.write(reg(abi.UART_TX_ADDR), AT);
  h.write(reg(abi.UART_TX_LEN), bytes.length);
  h.write(reg(abi.UART_TX_GO), 1);
  const busy = h.read(reg(abi.UART_TX_STATUS));
  const served = serve(h, memory, answer);
  return { busy, served, status: h.read(reg(abi.UART_TX_STATUS)) };
}

describe("the UART's transmit by DMA", () => {
  it("is a bus master whose registers read back", async () => {
    const h = await freshHal();
    h.setBus(abi.BUS_SELECT, 1);
    expect(h.bus(abi.BUS_ID)).toBe(abi.DEV_UART);
    expect(h.bus(abi.BUS_FLAGS) & abi.BUS_F_DMA).toBe(abi.BUS_F_DMA);
    expect(h.read(reg(abi.UART_TX_STATUS))).toBe(abi.UART_TX_IDLE);
    h.write(reg(abi.UART_TX_ADDR), 0x40000000);
    h.write(reg(abi.UART_TX_LEN), 77);
    expect([h.read(reg(abi.UART_TX_ADDR)), h.read(reg(abi.UART_TX_LEN))]).toEqual([0x40000000, 77]);
  });

  it("reads the bytes device-from-memory and sends whole lines in one call, a partial one kept as DATA keeps it", async () => {
    const h = await freshHal();
    const mem = new Uint8Array(1 << 16);
    const t = transmit(h, mem, "one\ntwo\nthr");
    expect(t.busy).toBe(abi.UART_TX_BUSY);
    expect(t.served).toEqual([{ dev: abi.DEV_UART, dir: abi.DMA_TO_DEVICE, addr: AT, len: 11 }]);
    expect(t.status).toBe(11);
    expect(h.console).toEqual(["one\ntwo\n"]);
    // The kept partial line is joined to the next line, in one call.
    expect(transmit(h, mem, "ee\n").status).toBe(3);
    expect(h.console).toEqual(["one\ntwo\n", "three\n"]);
    // DATA bytes written meanwhile (the kernel's own) go first, in order.
    for (const c of "k: ") h.write(reg(abi.UART_DATA), c.charCodeAt(0));
    transmit(h, mem, "x\n");
    h.write(reg(abi.UART_FLUSH), 1);
    expect(h.console.slice(2)).toEqual(["k: x\n"]);
  });

  it("sends a full transfer of UART_TX_MAX bytes, lines longer than the TX buffer included, byte for byte", async () => {
    const h = await freshHal();
    const mem = new Uint8Array(1 << 16);
    const line = "y".repeat(abi.UART_TX_MAX - 1) + "\n";
    for (const c of "held") h.write(reg(abi.UART_DATA), c.charCodeAt(0));
    expect(transmit(h, mem, line).status).toBe(abi.UART_TX_MAX);
    expect(h.console.join("")).toBe("held" + line);
  });

  it("refuses a length of 0, a negative one or one over UART_TX_MAX at once, and sends nothing", async () => {
    const h = await freshHal();
    const mem = new Uint8Array(1 << 16);
    for (const len of [0, -1, abi.UART_TX_MAX + 1, 0x7fffffff, -0x80000000]) {
      h.write(reg(abi.UART_TX_LEN), len);
      h.write(reg(abi.UART_TX_GO), 1);
      expect(h.read(reg(abi.UART_TX_STATUS))).toBe(abi.E_ARG);
      expect(serve(h, mem)).toEqual([]);
    }
    expect(h.console).toEqual([]);
  });

  it("ignores a go while a transfer is under way, and reports the kernel's refusal of a range", async () => {
    const h = await freshHal();
    const mem = new Uint8Array(1 << 16);
    mem.set(new TextEncoder().encode("first\n"), AT);
    h.write(reg(abi.UART_TX_ADDR), AT);
    h.write(reg(abi.UART_TX_LEN), 6);
    h.write(reg(abi.UART_TX_GO), 1);
    h.write(reg(abi.UART_TX_LEN), 2);
    h.write(reg(abi.UART_TX_GO), 1);
    expect(h.read(reg(abi.UART_TX_STATUS))).toBe(abi.UART_TX_BUSY);
    expect(serve(h, mem).length).toBe(1);
    expect(h.read(reg(abi.UART_TX_STATUS))).toBe(6);
    for (const err of [abi.E_UNMAPPED, abi.E_STATE, abi.E_PROT]) {
      expect(transmit(h, mem, "lost\n", () => err).status).toBe(err);
    }
    expect(h.console).toEqual(["first\n"]);
  });
  it("answers E_NOSPACE at once when the DMA queue is full, sends nothing, and transmits once the queue drains", async () => {
    const h = await freshHal();
    const mem = new Uint8Array(1 << 16);
    // DMA_QUEUE QPUs each ask to read a job: the queue is full, none served yet.
    for (let i = 0; i < abi.DMA_QUEUE; i++) {
      const slot = h.plug(abi.DEV_TYPE_QPU);
      expect(slot).toBeGreaterThanOrEqual(abi.BUS_STATIC_SLOTS);
      h.setSlot(slot, abi.QPU_JOB_ADDR, 0x8000);
      h.setSlot(slot, abi.QPU_JOB_LEN, 64);
      h.setSlot(slot, abi.QPU_RES_ADDR, 0x9000);
      h.setSlot(slot, abi.QPU_RES_LEN, 4096);
      h.setSlot(slot, abi.QPU_CMD, abi.QPU_CMD_RUN);
    }
    expect(h.read(abi.INTC_DMA_COUNT)).toBe(abi.DMA_QUEUE);
    mem.set(new TextEncoder().encode("queued\n"), AT);
    h.write(reg(abi.UART_TX_ADDR), AT);
    h.write(reg(abi.UART_TX_LEN), 7);
    h.write(reg(abi.UART_TX_GO), 1);
    // The driver's cue to send these bytes through UART_DATA instead (userland/drivers/console/output.ts).
    expect(h.read(reg(abi.UART_TX_STATUS))).toBe(abi.E_NOSPACE);
    expect(h.read(abi.INTC_DMA_COUNT)).toBe(abi.DMA_QUEUE);
    expect(h.console).toEqual([]);
    // The QPUs' requests are refused (nothing mapped there); the queue empties and a new GO is taken.
    while (h.read(abi.INTC_DMA_COUNT) > 0) h.write(abi.INTC_DMA_DONE, abi.E_UNMAPPED);
    const t = transmit(h, mem, "queued\n");
    expect(t.busy).toBe(abi.UART_TX_BUSY);
    expect(t.status).toBe(7);
    expect(h.console).toEqual(["queued\n"]);
  });
});
