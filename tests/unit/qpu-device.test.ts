// The QPU device model alone (hal/qpu-device.ts), driven through its
// registers as a driver drives it, with this test serving the DMA queue as the
// kernel does (kernel/dma.ts): each request moves bytes between a process's
// memory (here a plain array addressed by virtual address) and the HAL's.
// tests/e2e/qpu-device.test.ts runs the same device through the kernel.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { freshHal, type Hal } from "./hal-machine";
import { encodeJob, type Job } from "../../tools/lib/qpu-job";
import { QPU_DEFAULT_QUBITS, QPU_MAX_QUBITS, QRES_ENTRY_BYTES, QJOB_MAX_BYTES } from "../../hal/qpu/job-format";
import { encodeCalibration, readCalibration } from "../../tools/lib/qpu-calibration";
import { repoRoot } from "../../tools/lib/root";

const JOB = 0x10000, COUNTS = 0x200000;
const BELL: Job = {
  qubits: 2, clbits: 2,
  instructions: [
    { op: "u", q: 0, theta: Math.PI / 2, phi: 0, lambda: Math.PI },
    { op: "cx", c: 0, t: 1 },
    { op: "measure", q: 0, clbit: 0 },
    { op: "measure", q: 1, clbit: 1 },
  ],
};

/** A process's memory as the device sees it through the kernel, and the requests served. */
class Kernel {
  readonly memory = new Uint8Array(1 << 22);
  readonly served: { dev: number; dir: number; addr: number; len: number }[] = [];
  constructor(private readonly hal: Hal) {}
  /** Serve the queue; `answer` may replace a request's result (a refusal). */
  serve(answer?: (r: { dir: number; addr: number; len: number }) => number | undefined): void {
    const h = this.hal;
    while (h.read(abi.INTC_DMA_COUNT) > 0) {
      const r = { dev: h.read(abi.INTC_DMA_DEV), dir: h.read(abi.INTC_DMA_DIR), addr: h.read(abi.INTC_DMA_ADDR), len: h.read(abi.INTC_DMA_LEN) };
      const ptr = h.read(abi.INTC_DMA_PTR) >>> 0;
      this.served.push(r);
      let result = answer?.(r);
      if (result === undefined) {
        const hal = new Uint8Array(h.exports.memory.buffer);
        if (r.dir === abi.DMA_TO_DEVICE) hal.set(this.memory.subarray(r.addr, r.addr + r.len), ptr);
        else this.memory.set(hal.subarray(ptr, ptr + r.len), r.addr);
        result = r.len;
      }
      h.write(abi.INTC_DMA_DONE, result);
    }
  }
  counts(entries: number): Map<number, number> {
    const v = new DataView(this.memory.buffer, COUNTS, entries * QRES_ENTRY_BYTES);
    const m = new Map<number, number>();
    for (let i = 0; i < entries; i++) m.set(v.getUint32(i * 16, true), v.getUint32(i * 16 + 8, true));
    return m;
  }
}

async function machine() {
  const h = await freshHal();
  h.write(abi.INTC_ENABLE, -1);
  const slot = h.plug(abi.DEV_TYPE_QPU);
  expect(slot).toBeGreaterThanOrEqual(abi.BUS_STATIC_SLOTS);
  h.setBus(abi.BUS_SELECT, slot);
  const id = h.bus(abi.BUS_ID);
  const k = new Kernel(h);
  const reg = (r: number, v: number) => h.setSlot(slot, r, v);
  const run = (len: number, shots: number, seed: number, room = 4096) => {
    reg(abi.QPU_JOB_ADDR, JOB); reg(abi.QPU_JOB_LEN, len); reg(abi.QPU_SHOTS, shots);
    reg(abi.QPU_SEED_LO, seed); reg(abi.QPU_SEED_HI, 0); reg(abi.QPU_RES_ADDR, COUNTS); reg(abi.QPU_RES_LEN, room);
    reg(abi.QPU_CMD, abi.QPU_CMD_RUN);
  };
  return { h, slot, id, k, reg, run, status: () => h.slot(slot, abi.QPU_STATUS) };
}

describe("the QPU device", () => {
  it("describes itself on the bus: type, a bus master, its slot's line", async () => {
    const { h, slot } = await machine();
    expect(h.bus(abi.BUS_TYPE)).toBe(abi.DEV_TYPE_QPU);
    expect(h.bus(abi.BUS_FLAGS) & abi.BUS_F_DMA).toBe(abi.BUS_F_DMA);
    expect(h.bus(abi.BUS_IRQ)).toBe(1 << slot);
    expect(h.slot(slot, abi.QPU_QUBITS)).toBe(QPU_DEFAULT_QUBITS);
  });

  it("reads the job by DMA, runs it, writes the counts back by DMA and raises its line", async () => {
    const { h, slot, id, k, run, status } = await machine();
    const job = encodeJob(BELL);
    k.memory.set(job, JOB);
    run(job.length, 1000, 7);
    expect(status()).toBe(abi.QPU_BUSY);
    expect(h.read(abi.INTC_PENDING) & (1 << slot)).toBe(0);
    k.serve();
    expect(k.served).toEqual([
      { dev: id, dir: abi.DMA_TO_DEVICE, addr: JOB, len: job.length },
      { dev: id, dir: abi.DMA_FROM_DEVICE, addr: COUNTS, len: 2 * QRES_ENTRY_BYTES },
    ]);
    expect(status()).toBe(2);
    expect(h.slot(slot, abi.QPU_RESULTS)).toBe(2);
    const counts = k.counts(2);
    expect([...counts.keys()]).toEqual([0b00, 0b11]);
    expect(counts.get(0)! + counts.get(3)!).toBe(1000);
    expect(h.read(abi.INTC_PENDING) & (1 << slot)).toBe(1 << slot);
  });

  it("moves a job longer than one request in pieces of at most DMA_MAX bytes", async () => {
    const { k, run, status } = await machine();
    // 9000 identity rotations between the gates: a job of about 290 KB.
    const pad = Array.from({ length: 9000 }, () => ({ op: "u" as const, q: 1, theta: 0, phi: 0, lambda: 0 }));
    const job = encodeJob({ ...BELL, instructions: [BELL.instructions[0], ...pad, ...BELL.instructions.slice(1)] });
    expect(job.length).toBeGreaterThan(4 * abi.DMA_MAX);
    k.memory.set(job, JOB);
    run(job.length, 200, 3);
    k.serve();
    const reads = k.served.filter((r) => r.dir === abi.DMA_TO_DEVICE);
    expect(reads.length).toBe(Math.ceil(job.length / abi.DMA_MAX));
    expect(reads.every((r) => r.len <= abi.DMA_MAX)).toBe(true);
    expect(reads.map((r) => r.addr)).toEqual(reads.map((_, i) => JOB + i * abi.DMA_MAX));
    expect(status()).toBe(2);
    expect([...k.counts(2).keys()]).toEqual([0b00, 0b11]);
  });

  it("reads a calibration table by DMA: noise shows in the counts; an empty table makes it ideal again", async () => {
    const { h, slot, k, reg, run, status } = await machine();
    const table = encodeCalibration(readCalibration(join(repoRoot(), "hal", "qpu", "calibrations", "manila.toml")));
    const CAL = 0x300000;
    k.memory.set(table, CAL);
    reg(abi.QPU_CAL_ADDR, CAL); reg(abi.QPU_CAL_LEN, table.length); reg(abi.QPU_CMD, abi.QPU_CMD_CALIBRATE);
    k.serve();
    expect(status()).toBe(abi.OK);
    const job = encodeJob(BELL);
    k.memory.set(job, JOB);
    run(job.length, 4000, 11);
    k.serve();
    expect(status()).toBeGreaterThan(2); // readout and gate errors give 01 and 10 too
    reg(abi.QPU_CAL_LEN, 0); reg(abi.QPU_CMD, abi.QPU_CMD_CALIBRATE);
    expect(status()).toBe(abi.OK);
    run(job.length, 4000, 11);
    k.serve();
    expect(status()).toBe(2);
    expect(h.slot(slot, abi.QPU_CMD)).toBe(abi.QPU_CMD_RUN);
  });

  it("ends a command with the kernel's refusal, and refuses what it cannot do, each with a status and its line", async () => {
    const { h, slot, k, reg, run, status } = await machine();
    const job = encodeJob(BELL);
    k.memory.set(job, JOB);
    run(job.length, 10, 1);
    k.serve(() => abi.E_UNMAPPED);
    expect(status()).toBe(abi.E_UNMAPPED);
    expect(h.read(abi.INTC_PENDING) & (1 << slot)).toBe(1 << slot);
    run(job.length, 10, 1, 16); // room for one outcome of two
    k.serve();
    expect(status()).toBe(abi.E_NOSPACE);
    expect(h.slot(slot, abi.QPU_RESULTS)).toBe(2);
    for (const len of [0, -1, QJOB_MAX_BYTES + 4]) {
      run(len, 10, 1);
      expect(status(), `length ${len}`).toBe(abi.E_ARG);
    }
    run(3, 10, 1); // not a whole word: refused once read
    k.serve();
    expect(status()).toBe(abi.E_ARG);
    reg(abi.QPU_QUBITS, QPU_MAX_QUBITS + 1);
    expect(status()).toBe(abi.E_ARG);
    expect(h.slot(slot, abi.QPU_QUBITS)).toBe(QPU_DEFAULT_QUBITS);
    reg(abi.QPU_CMD, 77);
    expect(status()).toBe(abi.E_ARG);
  });

  it("ignores a command while one is under way, and drops the answer for a QPU unplugged since", async () => {
    const { h, slot, k, run, status } = await machine();
    const job = encodeJob(BELL);
    k.memory.set(job, JOB);
    run(job.length, 10, 1);
    run(job.length, 10, 2); // ignored: the first is still reading its job
    expect(h.read(abi.INTC_DMA_COUNT)).toBe(1);
    expect(h.unplug(slot)).toBe(abi.OK);
    k.serve();
    expect(h.plug(abi.DEV_TYPE_QPU)).toBe(slot);
    expect(status()).toBe(abi.QPU_IDLE);
    expect(h.read(abi.INTC_DMA_COUNT)).toBe(0);
  });
});
