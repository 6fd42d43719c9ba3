// The quantum scheduler's workload benchmark for `quark bench` (docs/quantum.md:
// Workload benchmark): boots images/qos.toml, whose bench-qos service runs one
// seeded workload under each policy without and with multiprogramming, with
// Poisson arrivals and as a backlog, and prints a `#qos` line of virtual-time
// figures per run. From them, beside their peers in the same run:
// - qpu.qos.wait: the coherence-aware policy's mean waiting time beside FIFO's;
// - qpu.qos.esp: its mean estimated success probability beside FIFO's;
// - qpu.qos.mp.throughput: jobs per virtual second with multiprogramming beside
//   without, coherence-aware, on the backlog (the QPU never idle: what it
//   sustains), with the fidelity lost to sharing;
// and the table of every run. The figures are virtual time, the same under
// both hosts: the host's clock only says how long the emulation took.
import type { Runtime } from "../lib/conformance";
import { runSuite } from "../lib/conformance";
import type { BenchResult } from "./report";
import { qsPolicyName, QS_POL_FIFO, QS_POL_COHERENCE } from "../../userland/lib/proto/qsched";

// The policies the done-when figures compare, as the workload names them.
const FIFO = qsPolicyName(QS_POL_FIFO), COHERENCE = qsPolicyName(QS_POL_COHERENCE);

/** One `#qos` line: arrivals, policy, mix, and its integer figures. */
export interface QosRun {
  arrivals: "poisson" | "backlog";
  policy: string;
  mix: "none" | "multi";
  jobs: number;
  failed: number;
  reruns: number;
  useless: number;
  device_runs: number;
  wait_mean_ns: number;
  wait_p95_ns: number;
  esp_ppm: number;
  esp_kept_ppm: number;
  util_ppm: number;
  energy_uj: number;
  makespan_ns: number;
  busy_ns: number;
  throughput_mhz: number;
  capacity_mhz: number;
  digest: string;
}

const NUMBERS = [
  "jobs", "failed", "reruns", "useless", "device_runs", "wait_mean_ns", "wait_p95_ns", "esp_ppm", "esp_kept_ppm", "util_ppm",
  "energy_uj", "makespan_ns", "busy_ns", "throughput_mhz", "capacity_mhz",
] as const;

/** The `#qos` lines of a console; throws unless the run ended with `#qos done`. */
export function parseQos(text: string): QosRun[] {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("#qos"));
  if (!lines.includes("#qos done")) throw new Error(`the workload benchmark did not finish:\n${text.slice(-2000)}`);
  return lines.filter((l) => l !== "#qos done").map((l) => {
    const kv: Record<string, string> = {};
    for (const w of l.split(/\s+/).slice(1)) { const i = w.indexOf("="); if (i > 0) kv[w.slice(0, i)] = w.slice(i + 1); }
    const run = { arrivals: kv.arrivals, policy: kv.policy, mix: kv.mix, digest: kv.digest } as QosRun;
    for (const k of NUMBERS) {
      if (!/^-?\d+$/.test(kv[k] ?? "")) throw new Error(`#qos line without an integer ${k}: ${l}`);
      (run as unknown as Record<string, number>)[k] = Number(kv[k]);
    }
    return run;
  });
}

export function findRun(runs: readonly QosRun[], arrivals: string, policy: string, mix: string): QosRun {
  const r = runs.find((x) => x.arrivals === arrivals && x.policy === policy && x.mix === mix);
  if (!r) throw new Error(`the workload benchmark has no ${arrivals} run of ${policy} with mixing ${mix}`);
  return r;
}

/** Boot the image under `runtime`; its runs. */
export async function qosRuns(image: string, runtime: Runtime): Promise<QosRun[]> {
  const { text } = await runSuite(image, runtime, true);
  return parseQos(text);
}

const FIFO_PEER = "FIFO on the same workload, same run";

/** The done-when figures of the workload, beside their peers. */
export function qosResults(runs: readonly QosRun[], host: string): BenchResult[] {
  const fifo = findRun(runs, "poisson", FIFO, "none"), coh = findRun(runs, "poisson", COHERENCE, "none");
  const alone = findRun(runs, "backlog", COHERENCE, "none"), shared = findRun(runs, "backlog", COHERENCE, "multi");
  const common = { samples: 1, host, workload_jobs: coh.jobs, virtual_time: true };
  const wait: BenchResult = {
    name: "qpu.qos.wait", unit: "ns", p50_ns: coh.wait_mean_ns, p99_ns: coh.wait_p95_ns, batch: coh.jobs, ...common,
    statistic: "mean and p95 waiting time (virtual start of the run that gave the result − arrival), Poisson arrivals",
    peer: FIFO_PEER, peer_p50_ns: fifo.wait_mean_ns, peer_p95_ns: fifo.wait_p95_ns, ratio: fifo.wait_mean_ns / coh.wait_mean_ns,
    fifo_useless_runs: fifo.useless,
    target: "coherence-aware mean wait < FIFO's", target_met: coh.wait_mean_ns < fifo.wait_mean_ns,
    derived: `coherence-aware mean wait ${sec(coh.wait_mean_ns)} (p95 ${sec(coh.wait_p95_ns)}) beside FIFO's ${sec(fifo.wait_mean_ns)} (p95 ${sec(fifo.wait_p95_ns)}, ${fifo.useless} useless runs)`,
  };
  const esp: BenchResult = {
    name: "qpu.qos.esp", unit: "%", p50: coh.esp_ppm / 1e4, p99: coh.esp_ppm / 1e4, batch: coh.device_runs, ...common,
    statistic: "mean estimated success probability over every run of the workload's jobs (TAG_QS_LAYOUT), Poisson arrivals",
    peer: FIFO_PEER, peer_p50: fifo.esp_ppm / 1e4, ratio: coh.esp_ppm / fifo.esp_ppm,
    kept_percent: coh.esp_kept_ppm / 1e4, peer_kept_percent: fifo.esp_kept_ppm / 1e4,
    target: "coherence-aware > FIFO", target_met: coh.esp_ppm > fifo.esp_ppm,
    derived: `coherence-aware ${pct(coh.esp_ppm)} beside FIFO's ${pct(fifo.esp_ppm)} (of the results kept: ${pct(coh.esp_kept_ppm)} and ${pct(fifo.esp_kept_ppm)})`,
  };
  const loss = 1 - shared.esp_ppm / alone.esp_ppm;
  const gain = shared.throughput_mhz / alone.throughput_mhz;
  const tput: BenchResult = {
    name: "qpu.qos.mp.throughput", unit: "jobs/s", p50: shared.throughput_mhz / 1e6, p99: shared.throughput_mhz / 1e6, batch: shared.jobs, ...common,
    statistic: "jobs per virtual second over the makespan, coherence-aware, the backlog (the QPU never idle)",
    peer: "the same backlog without multiprogramming, same policy, same run", peer_p50: alone.throughput_mhz / 1e6, ratio: gain,
    fidelity_loss_percent: loss * 100,
    poisson_throughput_ratio: findRun(runs, "poisson", COHERENCE, "multi").throughput_mhz / coh.throughput_mhz,
    target: "≥ 1.5× at ≤ 5 % fidelity loss", target_met: gain >= 1.5 && loss <= 0.05,
    derived: `${gain.toFixed(2)}× the jobs per virtual second with multiprogramming (${(shared.throughput_mhz / 1e6).toFixed(2)} beside ${(alone.throughput_mhz / 1e6).toFixed(2)}), fidelity ${loss >= 0 ? "loss" : "gain"} ${(Math.abs(loss) * 100).toFixed(2)} %`,
  };
  return [wait, esp, tput];
}

function sec(ns: number): string { return `${(ns / 1e9).toFixed(3)} s`; }
function pct(ppm: number): string { return `${(ppm / 1e4).toFixed(2)} %`; }

const HEAD = ["arrivals", "policy", "mix", "mean wait", "p95 wait", "mean ESP", "utilisation", "energy/job", "throughput", "runs", "useless"];

/** The table of every run, for one host. */
export function formatQosTable(runs: readonly QosRun[], host: string): string[] {
  const rows = runs.map((r) => [
    r.arrivals, r.policy, r.mix, sec(r.wait_mean_ns), sec(r.wait_p95_ns), pct(r.esp_ppm), pct(r.util_ppm),
    `${(r.energy_uj / 1e6).toFixed(1)} J`, `${(r.throughput_mhz / 1e6).toFixed(3)} jobs/s`, `${r.device_runs}`, `${r.useless}`,
  ]);
  const w = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => "  " + c.map((x, i) => x.padEnd(w[i])).join("  ").trimEnd();
  const jobs = runs.find((r) => r.arrivals === "poisson")?.jobs ?? 0, backlog = runs.find((r) => r.arrivals === "backlog")?.jobs ?? 0;
  return [
    `quantum scheduler workload under ${host} (virtual time; ${jobs} jobs with Poisson arrivals, ${backlog} as a backlog; docs/quantum.md: Workload benchmark):`,
    line(HEAD), line(w.map((n) => "-".repeat(n))), ...rows.map(line),
  ];
}

/** Do two hosts' runs give the same virtual-time figures? */
export function sameRuns(a: readonly QosRun[], b: readonly QosRun[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
