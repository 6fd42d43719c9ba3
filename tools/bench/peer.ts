// The peer that quark's IPC figures are compared with: what a Node user would
// reach for to talk to isolated code, a MessageChannel between the main
// thread and a worker thread. Measured in the same run, on the same machine,
// with the same batch/sample structure as the quark figures, so the ratio in
// the report compares like with like.

import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

export interface PeerOptions {
  /** Operations per sample; each sample is the per-operation mean of one batch. */
  batch: number;
  samples: number;
  /** Untimed operations first, so the figures are of a warm JIT and a running worker. */
  warmup?: number;
  /** Carry this many bytes (a Uint8Array, copied by structured clone) instead of the fast-message words. */
  payloadBytes?: number;
}

export const ROUND_TRIP_PEER = "Node MessageChannel round trip (worker_threads)";
export const THROUGHPUT_PEER = "Node MessageChannel one-way posts (worker_threads)";

const DEFAULT_WARMUP = 1000;

/** Resolves with the worker's next message. */
export type Next = () => Promise<unknown>;

// The payload mirrors a quark fast message (a tag and six data words), so
// the peer carries what quark's IPC carries, no more and no less.
const PAYLOAD = { tag: 1, words: [1, 2, 3, 4, 5, 6] };

// Inline source, because the tools ship as one esbuild bundle with no
// separate worker file beside it. Eval'd workers run as CommonJS scripts.
// "echo" answers every message; "count" answers once per `batch` messages.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.once("message", ({ port, mode, batch }) => {
  if (mode === "echo") {
    port.on("message", (m) => port.postMessage(m));
  } else {
    let seen = 0;
    port.on("message", () => { if (++seen === batch) { seen = 0; port.postMessage(batch); } });
  }
  port.postMessage("ready");
});
`;

export async function measureMessageChannelRoundTrip(opts: PeerOptions): Promise<{ samplesNs: number[] }> {
  checkOptions(opts);
  const payload = opts.payloadBytes === undefined ? PAYLOAD : { tag: 1, bytes: new Uint8Array(opts.payloadBytes) };
  return withPeer("echo", opts.batch, async (port, next) => {
    for (let i = 0; i < (opts.warmup ?? DEFAULT_WARMUP); i++) await roundTrip(port, next, payload);
    const samplesNs: number[] = [];
    for (let s = 0; s < opts.samples; s++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < opts.batch; i++) await roundTrip(port, next, payload);
      samplesNs.push(Number(process.hrtime.bigint() - start) / opts.batch);
    }
    return { samplesNs };
  });
}

/** Messages per second: a batch of one-way posts, timed until the worker has seen them all. */
export async function measureMessageChannelThroughput(opts: PeerOptions): Promise<{ samplesPerSecond: number[] }> {
  checkOptions(opts);
  return withPeer("count", opts.batch, async (port, next) => {
    const batches = Math.ceil((opts.warmup ?? DEFAULT_WARMUP) / opts.batch);
    for (let b = 0; b < batches; b++) await postBatch(port, next, opts.batch);
    const samplesPerSecond: number[] = [];
    for (let s = 0; s < opts.samples; s++) {
      const start = process.hrtime.bigint();
      await postBatch(port, next, opts.batch);
      const ns = Number(process.hrtime.bigint() - start);
      samplesPerSecond.push((opts.batch * 1e9) / ns);
    }
    return { samplesPerSecond };
  });
}

function checkOptions(opts: PeerOptions): void {
  for (const [key, value] of Object.entries(opts)) {
    const min = key === "warmup" || key === "payloadBytes" ? 0 : 1;
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${key} must be a whole number ≥ ${min}, got ${value}`);
  }
}

async function roundTrip(port: MessagePort, next: Next, payload: unknown): Promise<void> {
  port.postMessage(payload);
  await next();
}

async function postBatch(port: MessagePort, next: Next, batch: number): Promise<void> {
  for (let i = 0; i < batch; i++) port.postMessage(PAYLOAD);
  await next();
}

/**
 * Starts a worker in the given mode, waits until it listens, runs `body`
 * against the main thread's end of the channel, and always tears both down.
 * A worker that fails or exits fails the measurement instead of hanging it.
 */
async function withPeer<T>(
  mode: "echo" | "count", batch: number, body: (port: MessagePort, next: Next) => Promise<T>,
): Promise<T> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const { port1, port2 } = new MessageChannel();
  const broken = workerFailure(worker);
  try {
    const next = replies(port1);
    worker.postMessage({ port: port2, mode, batch }, [port2]);
    await Promise.race([next(), broken.promise]);
    return await Promise.race([body(port1, next), broken.promise]);
  } finally {
    broken.dispose();
    port1.close();
    await worker.terminate();
  }
}

export function workerFailure(worker: Worker): { promise: Promise<never>; dispose: () => void } {
  let fail: (err: Error) => void = () => {};
  const promise = new Promise<never>((_, reject) => { fail = reject; });
  // The race may settle on the body first; this rejection must not surface as unhandled.
  promise.catch(() => {});
  const onError = (err: Error) => fail(err);
  const onExit = (code: number) => fail(new Error(`the peer worker exited early with code ${code}`));
  worker.on("error", onError).on("exit", onExit);
  return { promise, dispose: () => worker.off("error", onError).off("exit", onExit) };
}

// One listener for the whole measurement: adding and removing a listener per
// message would be measured as part of the peer's cost.
export function replies(port: MessagePort): Next {
  let waiting: ((value: unknown) => void) | undefined;
  const early: unknown[] = [];
  port.on("message", (m: unknown) => {
    if (waiting) { const w = waiting; waiting = undefined; w(m); } else early.push(m);
  });
  return () => (early.length > 0 ? Promise.resolve(early.shift()) : new Promise((resolve) => { waiting = resolve; }));
}
