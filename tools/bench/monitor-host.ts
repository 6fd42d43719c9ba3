// The host-side cross-check of monitor.overhead: boot the default image
// under the Node host, let it sit idle (the shell waiting for input) for a
// while after it is ready, and take the host process's CPU time over that
// window; then the same with the image rebuilt with health_interval = "0ms"
// (no health checks). Both include everything the host does while idle:
// its own timer wakeups, echo's heartbeats (which run in both), V8's
// housekeeping. So the difference is the monitoring's cost plus noise, and
// on a shared machine the noise can be larger than the cost.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../lib/build";
import { bootNode } from "../host-node/run";

export interface IdleCpu {
  /** Host process CPU time (user + system) over the idle window, as % of one CPU. */
  cpu_percent: number;
  cpu_ns: number;
  window_ns: number;
}

export interface MonitorHostCheck {
  host: "node";
  image: string;
  window_ms: number;
  /** Each variant was measured this many times, alternately; the median is shown. */
  rounds: number;
  health_interval_ms: number;
  with_checks: IdleCpu;
  without_checks: IdleCpu;
  /** with − without, in % of one CPU: noisy, may even be negative. */
  difference_percent: number;
  note: string;
}

export const MONITOR_HOST_NOTE =
  "host process CPU time over an idle window after ready; includes the host's own timer wakeups, echo's heartbeats (in both) and V8 housekeeping: noisy";

/** Wait this long after ready before the window opens. */
const SETTLE_MS = 500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The default image as built, and a copy without health checks (under build/). */
export async function monitorImages(root: string, log?: (s: string) => void): Promise<{ with: string; without: string }> {
  const manifest = join(root, "images", "default.toml");
  const withChecks = await buildImage(manifest, { root, log });
  const dir = join(root, "build", "bench");
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(manifest, "utf8");
  if (!/^\[image\]\s*$/m.test(text)) throw new Error(`${manifest}: no [image] table to add health_interval to`);
  // build/bench/ is two levels down, as images/ is one: module and calibration paths are relative to the manifest.
  const rewritten = text
    .replace(/^\[image\]\s*$/m, `[image]\nhealth_interval = "0ms"   # written by quark bench: no health checks`)
    .replace(/"\.\.\/(userland|hal)\//g, `"../../$1/`);
  const copy = join(dir, "default-nohealth.toml");
  writeFileSync(copy, rewritten);
  const without = await buildImage(copy, { root, log });
  return { with: withChecks.out, without: without.out };
}

/** Boot `image` under Node in this process and measure its CPU time over `windowMs` idle, from SETTLE_MS after ready. */
export async function idleCpu(image: string, windowMs: number): Promise<IdleCpu> {
  let text = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => { onReady = r; });
  const dec = new TextDecoder();
  let from: { cpu: NodeJS.CpuUsage; t: bigint } | undefined;
  let result: IdleCpu | undefined;
  // Console input that stays open for the window, so the shell (and the machine) waits.
  async function* input(): AsyncGenerator<string> {
    await ready;
    await sleep(SETTLE_MS); // let the boot's own after-effects (lazy compilation, GC) pass first
    from = { cpu: process.cpuUsage(), t: process.hrtime.bigint() };
    await sleep(windowMs);
    const cpu = process.cpuUsage(from.cpu);
    const window_ns = Number(process.hrtime.bigint() - from.t);
    const cpu_ns = (cpu.user + cpu.system) * 1000;
    result = { cpu_percent: (cpu_ns / window_ns) * 100, cpu_ns, window_ns };
  }
  const exit = await bootNode(image, {
    input: input(),
    out: (b) => { text += dec.decode(b, { stream: true }); if (text.includes("boot took")) onReady(); },
  });
  if (!result) throw new Error(`monitor cross-check: ${image} stopped (exit ${exit}) before its idle window ended:\n${text.slice(-1000)}`);
  return result;
}

/** Both variants, each measured `rounds` times alternately; the median of each. */
export async function monitorHostCheck(root: string, healthMs: number, opts: { windowMs: number; rounds: number; log?: (s: string) => void }): Promise<MonitorHostCheck> {
  const images = await monitorImages(root, opts.log);
  const w: IdleCpu[] = [], wo: IdleCpu[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    w.push(await idleCpu(images.with, opts.windowMs));
    wo.push(await idleCpu(images.without, opts.windowMs));
  }
  const median = (xs: IdleCpu[]) => [...xs].sort((a, b) => a.cpu_percent - b.cpu_percent)[Math.floor((xs.length - 1) / 2)];
  const a = median(w), b = median(wo);
  return {
    host: "node", image: "images/default.toml", window_ms: opts.windowMs, rounds: opts.rounds, health_interval_ms: healthMs,
    with_checks: a, without_checks: b, difference_percent: a.cpu_percent - b.cpu_percent, note: MONITOR_HOST_NOTE,
  };
}
