import { afterEach, describe, expect, it, vi } from "vitest";
import type { Worker as NodeWorker, WorkerOptions } from "node:worker_threads";

// Every worker the peer starts is recorded, and a test can swap its source
// for one that fails, to check that no worker outlives a measurement.
const spy = vi.hoisted(() => ({ workers: [] as NodeWorker[], exited: new Set<NodeWorker>(), source: undefined as string | undefined }));

vi.mock("node:worker_threads", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:worker_threads")>();
  class RecordedWorker extends real.Worker {
    constructor(code: string, opts: WorkerOptions) {
      super(spy.source ?? code, opts);
      spy.workers.push(this);
      this.once("exit", () => spy.exited.add(this));
    }
  }
  return { ...real, Worker: RecordedWorker };
});

const { measureMessageChannelRoundTrip, measureMessageChannelThroughput } = await import("../../tools/bench/peer.js");

async function expectAllWorkersGone(): Promise<void> {
  expect(spy.workers.length).toBeGreaterThan(0);
  await vi.waitFor(() => expect(spy.workers.every((w) => spy.exited.has(w))).toBe(true));
}

afterEach(() => {
  spy.workers = [];
  spy.exited.clear();
  spy.source = undefined;
});

describe("MessageChannel peer", () => {
  it("measures round trips: one positive per-operation sample per batch", async () => {
    const { samplesNs } = await measureMessageChannelRoundTrip({ batch: 5, samples: 4, warmup: 3 });
    expect(samplesNs).toHaveLength(4);
    for (const v of samplesNs) expect(v).toBeGreaterThan(0);
    await expectAllWorkersGone();
  });

  it("measures one-way throughput in messages per second", async () => {
    const { samplesPerSecond } = await measureMessageChannelThroughput({ batch: 20, samples: 3 });
    expect(samplesPerSecond).toHaveLength(3);
    for (const v of samplesPerSecond) expect(v).toBeGreaterThan(0);
    await expectAllWorkersGone();
  });

  it("fails, and stops its worker, when the worker dies", async () => {
    spy.source = "throw new Error('worker broke')";
    await expect(measureMessageChannelRoundTrip({ batch: 2, samples: 2 })).rejects.toThrow("worker broke");
    await expectAllWorkersGone();
  });

  it("fails when the worker exits without answering", async () => {
    spy.source = "process.exit(3)";
    await expect(measureMessageChannelThroughput({ batch: 2, samples: 2 })).rejects.toThrow(/exited early with code 3/);
    await expectAllWorkersGone();
  });

  it("rejects nonsensical options before starting a worker", async () => {
    await expect(measureMessageChannelRoundTrip({ batch: 0, samples: 1 })).rejects.toThrow(/batch/);
    await expect(measureMessageChannelRoundTrip({ batch: 1, samples: 1.5 })).rejects.toThrow(/samples/);
    await expect(measureMessageChannelThroughput({ batch: 1, samples: 1, warmup: -1 })).rejects.toThrow(/warmup/);
    expect(spy.workers).toEqual([]);
  });
});
