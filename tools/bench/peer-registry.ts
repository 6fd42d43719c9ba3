// The peer of the registry figures: what a service registry costs in a
// Node-based system, a Map of entries in a worker thread queried over a
// MessageChannel. Each query carries a mode (name, tag or glob) and the text,
// as a quark lookup does; the reply is the entry found (id, service index,
// version, interface hash, health, pid), the words a quark lookup answers
// with. It brings no capability back: a Node registry has none to give.
import { MessageChannel, Worker } from "node:worker_threads";
import { replies, workerFailure } from "./peer";

export type LookupMode = "name" | "tag" | "pattern";

export const REGISTRY_PEER = "Node worker_threads registry: a Map in a worker, queried over MessageChannel";

/** The entries the worker holds: the services of images/bench.toml, with their tags. */
export interface PeerEntry { name: string; tags: string[] }

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
function glob(p, i, s, j) {
  while (i < p.length) {
    const c = p[i];
    if (c === "*") { for (let k = j; k <= s.length; k++) if (glob(p, i + 1, s, k)) return true; return false; }
    if (j >= s.length || (c !== "?" && c !== s[j])) return false;
    i++; j++;
  }
  return j === s.length;
}
parentPort.once("message", ({ port, entries }) => {
  const byName = new Map();
  entries.forEach((e, id) => byName.set(e.name, { name: e.name, id, index: id, version: 1 << 20, iface: 0, health: 1, pid: id + 2, tags: e.tags }));
  const all = [...byName.values()];
  const answer = (e) => (e ? { id: e.id, index: e.index, version: e.version, iface: e.iface, health: e.health, pid: e.pid } : null);
  port.on("message", ({ mode, q, k }) => {
    if (mode === "name") { port.postMessage(answer(k === 0 ? byName.get(q) : undefined)); return; }
    const hits = all.filter((e) => e.health === 1 && (mode === "tag" ? e.tags.includes(q) : glob(q, 0, e.name, 0)));
    port.postMessage(answer(hits[k]));
  });
  port.postMessage("ready");
});
`;

export interface RegistryPeerOptions {
  entries: PeerEntry[];
  mode: LookupMode;
  query: string;
  batch: number;
  samples: number;
  warmup?: number;
}

/** Per-lookup ns of one batch per sample, after a warm-up; fails if the query finds nothing. */
export async function measureRegistryLookup(opts: RegistryPeerOptions): Promise<{ samplesNs: number[] }> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const { port1, port2 } = new MessageChannel();
  const broken = workerFailure(worker);
  try {
    const next = replies(port1);
    worker.postMessage({ port: port2, entries: opts.entries }, [port2]);
    await Promise.race([next(), broken.promise]);
    const body = async () => {
      const query = { mode: opts.mode, q: opts.query, k: 0 };
      const lookup = async () => { port1.postMessage(query); return next(); };
      if ((await lookup()) === null) throw new Error(`registry peer: no entry for ${opts.mode} "${opts.query}"`);
      for (let i = 0; i < (opts.warmup ?? 1000); i++) await lookup();
      const samplesNs: number[] = [];
      for (let s = 0; s < opts.samples; s++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < opts.batch; i++) await lookup();
        samplesNs.push(Number(process.hrtime.bigint() - start) / opts.batch);
      }
      return { samplesNs };
    };
    return await Promise.race([body(), broken.promise]);
  } finally {
    broken.dispose();
    port1.close();
    await worker.terminate();
  }
}
