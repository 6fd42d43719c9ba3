// More peers a Node user would reach for: moving 4 KiB to a worker and back
// (beside a quark lease), and starting a fresh worker (beside a quark boot or
// a restart after a trap: the Node way to isolate a crash is a new worker).
import { Worker } from "node:worker_threads";
import { measureMessageChannelRoundTrip } from "./peer";

export const BYTES_PEER = "Node MessageChannel round trip carrying 4 KiB (worker_threads)";
export const WORKER_START_PEER = "Node worker_threads Worker start to first message";

export async function measureMessageChannelBytes(opts: { bytes: number; batch: number; samples: number }): Promise<{ samplesNs: number[] }> {
  return measureMessageChannelRoundTrip({ batch: opts.batch, samples: opts.samples, payloadBytes: opts.bytes });
}

/** Time from `new Worker` to its first message, one worker at a time. */
export async function measureWorkerStart(opts: { samples: number }): Promise<{ samplesNs: number[] }> {
  const samplesNs: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    const t0 = process.hrtime.bigint();
    const w = new Worker(`require("node:worker_threads").parentPort.postMessage(1)`, { eval: true });
    try {
      await new Promise<void>((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
        w.once("exit", (c) => reject(new Error(`worker exited with ${c} before answering`)));
      });
      samplesNs.push(Number(process.hrtime.bigint() - t0));
    } finally {
      await w.terminate();
    }
  }
  return { samplesNs };
}
