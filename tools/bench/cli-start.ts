// cli.start.*: how long the quark CLI takes to answer, from process start to
// exit, beside `node -e 0` (a Node process that does nothing) measured in the
// same run, interleaved sample by sample so drift hits both alike. The issue's
// target is 1.5x the bare process: the CLI must load nothing it does not use.
// cli.boot.core is the same for `quark boot images/core.wasm --until-ready`
// under each runtime: all a user waits for, where boot.ready.core is the part
// from the image's read to the ready line.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { resultFromSeries, type BenchResult } from "./report";
import type { BenchSeries } from "../lib/results";

const BARE = "node -e 0, interleaved with it in the same run";

function wallNs(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const t = Number(process.hrtime.bigint() - t0);
  if (r.status !== 0) throw new Error(`cli start-up: node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return t;
}

/** `quark --version`, `quark inspect IMAGE` and a boot of `core` to ready under each runtime, each beside `node -e 0`. */
export function measureCliStart(root: string, image: string, quick: boolean, core: string, runtimes: readonly string[]): BenchResult[] {
  const quark = join(root, "bin", "quark.mjs");
  type Case = [name: string, args: string[], runtime: string];
  const cases: Case[] = [
    ["cli.start.version", [quark, "--version"], "node"],
    ["cli.start.inspect", [quark, "inspect", image], "node"],
    ...runtimes.map((rt): Case => ["cli.boot.core", [quark, "boot", core, "--until-ready", "--runtime", rt], rt]),
  ];
  const runs = quick ? 7 : 25;
  for (const [, args] of cases) wallNs(args); // a first run builds nothing later runs would pay for
  return cases.map(([name, args, runtime]) => {
    const own: number[] = [], bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(wallNs(["-e", "0"]));
      own.push(wallNs(args));
    }
    const series = { name, unit: "ns", batch: 1, samples: own, line: 0, attrs: {} } as BenchSeries;
    const r = resultFromSeries(series, runtime, { name: BARE, samples: bare });
    // The multiple of the bare process, as the target reads (ratio reads the other way).
    return { ...r, bare_multiple: r.p50_ns! / r.peer_p50_ns! };
  });
}
