// `quark conformance`: checks any image against the kernel ABI. The runner
// adds the in-image suite (userland/conformance: qc, qc-peer, qc-fuzz) to the
// image's own services, boots the result under each host, and turns the
// suite's console lines into TAP, JUnit XML or a readable summary.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import * as abi from "../../kernel/abi";
import { compileModule } from "./compile";
import { encodeBootTable } from "./boot-table";
import { linkImage, readImage } from "./image";
import { withModuleName } from "./wasm-sections";
import { capSpec, type Manifest, type ServiceSpec } from "./manifest";
import { serviceDefaults } from "./manifest-values";
import { parseConsole, type ConsoleRun } from "./results";
import { toTap, toJUnit, toPretty, toSummary, exitCodeFor, runFindings, EXIT_BROKEN, type ReportMeta, type RunSummary } from "./reporters";
import { repoRoot } from "./root";
import { bootNode } from "../host-node/run";
import { bootWasmtime } from "../host-wasmtime/launch";

export type Runtime = "node" | "wasmtime";
export type Reporter = "pretty" | "tap" | "junit";

export interface ConformanceOptions {
  image: string;
  runtimes: Runtime[];
  reporter: Reporter;
  /** With several runtimes, one file each: FILE with the runtime before its extension (outPath). */
  out?: string;
  /** Print a JSON summary of every runtime (toSummary) on stdout instead of the reports (which still go to `out`). */
  json?: boolean;
  log?: (s: string) => void;
  /** Where the report goes when `out` is not given (default: standard output). */
  write?: (s: string) => void;
}

const SUITE_PAGES = 4; // 256 KiB for each suite service

interface SuiteService { name: string; restart: ServiceSpec["restart"]; maxRestarts: number; requires: string[]; caps: [string, number][]; instances?: number }

/**
 * The suite's services and what they are granted; "log" only where the image
 * has one, and "memory" with the entropy device (to inject faults into its
 * sources) only where the image has a memory service.
 */
function suiteServices(has: (name: string) => boolean): SuiteService[] {
  const peer = abi.R_CALL | abi.R_SEND | abi.R_GRANT;
  const log: [string, number][] = has("log") ? [["log", abi.R_CALL | abi.R_SEND]] : [];
  const memory: [string, number][] = has("memory")
    ? [["memory", abi.R_CALL | abi.R_SEND], ["entropy", abi.R_READ | abi.R_WRITE]]
    : [];
  return [
    // Two instances: the services suite balances over them and works the second's lifecycle.
    { name: "qc-peer", restart: "always", maxRestarts: 100, requires: [], caps: [...log], instances: 2 },
    { name: "qc-fuzz", restart: "always", maxRestarts: 100, requires: [], caps: [["qc-peer", peer]] },
    // The hostile suite's: one that overflows its stack and aborts on request, one the host must refuse to link.
    { name: "qc-hostile", restart: "always", maxRestarts: 100, requires: [], caps: [["qc-peer", peer]] },
    { name: "qc-grab", restart: "never", maxRestarts: 0, requires: [], caps: [] },
    {
      name: "qc", restart: "never", maxRestarts: 0, requires: ["qc-peer", "qc-fuzz", "qc-hostile"],
      caps: [["console", abi.R_WRITE], ["qc-peer", peer], ["qc-fuzz", abi.R_CALL], ["qc-hostile", abi.R_CALL], ["init", abi.R_CALL], ...log, ...memory],
    },
  ];
}

function specFor(s: SuiteService, root: string): ServiceSpec {
  const module = join(root, "userland", "conformance", s.name);
  return {
    ...serviceDefaults(), // every key of abi/manifest.ts the suite does not set below
    name: s.name, line: 0, module, entry: join(module, "index.ts"),
    memoryBytes: SUITE_PAGES * 65536, memoryPages: SUITE_PAGES,
    restart: s.restart, maxRestarts: s.maxRestarts,
    // qc-peer spins on purpose in the CPU test: a small budget keeps that short.
    ...(s.name === "qc-peer" ? { cpuBudget: 2_000_000 } : {}),
    restartBackoff: "none", restartDelayMaxMs: 0, bindsTo: [], instances: s.instances ?? 1, ranges: {}, tags: ["qc"], interface: s.name,
    requires: s.requires, wants: [],
    caps: s.caps.map(([name, rights]) => capSpec(name, rights)),
  };
}


/** Every service the suite adds is named with this prefix; an image's own may not be (quark new refuses it too). */
export const SUITE_PREFIX = "qc";

/** The image plus the conformance suite, written under build/conformance/. */
export async function conformanceImage(imagePath: string, log?: (s: string) => void): Promise<string> {
  const root = repoRoot();
  const img = readImage(new Uint8Array(readFileSync(imagePath)));
  const manifest = img.manifest as Manifest;
  const own = manifest.services as ServiceSpec[];
  const taken = own.find((s) => s.name.startsWith(SUITE_PREFIX));
  if (taken) throw new Error(`${imagePath}: service "${taken.name}" uses the conformance suite's name prefix "${SUITE_PREFIX}"`);
  const extra = suiteServices((name) => own.some((s) => s.name === name)).map((s) => specFor(s, root));
  const compiled = await Promise.all(extra.map((s) =>
    compileModule({ kind: "service", entry: s.entry, root, memoryMaxPages: s.memoryPages, name: s.name, log })));
  const services = [...own, ...extra];
  const full = { ...manifest, services } as Manifest;
  const index = new Map(services.map((s, i) => [s.name, 2 + i]));
  const bytes = linkImage({
    kernel: img.kernel.bytes,
    hal: img.modules[0].bytes,
    init: img.modules[1].bytes,
    services: [
      ...own.map((s, i) => ({ name: s.name, wasm: img.modules[2 + i].bytes })),
      ...extra.map((s, i) => ({ name: s.name, wasm: withModuleName(compiled[i].wasm, s.name) })),
    ],
    manifestJson: { ...(img.manifest as object), services: [...own, ...extra.map((s) => ({ ...s, module: `userland/conformance/${s.name}`, entry: `userland/conformance/${s.name}/index.ts` }))] },
    bootTable: encodeBootTable(full, (name) => index.get(name)!, 1),
  });
  const dir = join(root, "build", "conformance");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(imagePath).replace(/\.wasm$/, "") + ".qc.wasm");
  // Written whole, then renamed: runs in parallel read it while another writes it.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, out);
  return out;
}

/** Boot the suite image under one host; the console text and how long it took. */
/** Boot an image with no console input and collect its console; `loaderFlags` only for `quark bench`. */
export async function runSuite(image: string, runtime: Runtime, quiet = false, loaderFlags = 0): Promise<{ text: string; ms: number; exit: number }> {
  const t0 = performance.now();
  let text = "";
  let exit: number;
  if (runtime === "node") {
    const dec = new TextDecoder();
    // The board's lines (the suite's services trap on purpose) are kept, and shown only if the boot failed, as under wasmtime.
    const said: string[] = [];
    exit = await bootNode(image, { quiet, loaderFlags, out: (b) => { text += dec.decode(b, { stream: true }); }, err: (l) => said.push(l) });
    if (exit !== 0 && said.length) text += said.map((l) => `host: ${l}`).join("\n") + "\n";
  } else {
    const capture = { stdout: "", stderr: "" };
    exit = await bootWasmtime(repoRoot(), image, { quiet, loaderFlags }, { capture, input: "", quietSetup: true });
    text = capture.stdout;
    if (exit !== 0 && capture.stderr) text += capture.stderr.split("\n").map((l) => (l ? `host: ${l}` : l)).join("\n");
  }
  return { text, ms: performance.now() - t0, exit };
}

export function report(run: ConsoleRun, meta: ReportMeta, reporter: Reporter, color: boolean): string {
  if (reporter === "tap") return toTap(run, meta);
  if (reporter === "junit") return toJUnit(run, meta);
  return toPretty(run, meta, { color });
}

export async function runConformance(opts: ConformanceOptions): Promise<number> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  const image = await conformanceImage(opts.image, opts.log);
  let worst = 0;
  const summaries: RunSummary[] = [];
  for (const runtime of opts.runtimes) {
    opts.log?.(`quark: conformance suite on ${basename(opts.image)} under ${runtime}`);
    const { text, ms, exit } = await runSuite(image, runtime);
    // Ctrl-C ended the machine (the board's EXIT_INTERRUPTED): the user stops the whole run, reporting nothing.
    if (exit === abi.EXIT_INTERRUPTED) return abi.EXIT_INTERRUPTED;
    const run = parseConsole(text);
    const meta: ReportMeta = { image: opts.image, host: runtime, durationMs: Math.round(ms) };
    const color = !opts.out && opts.write === undefined && process.stdout.isTTY === true;
    const body = report(run, meta, opts.reporter, color);
    if (opts.out) {
      const file = outPath(opts.out, runtime, opts.runtimes.length);
      writeReport(file, body);
      opts.log?.(`quark: wrote the ${runtime} report to ${file}`);
    } else if (!opts.json) write(body.endsWith("\n") ? body : body + "\n");
    summaries.push(toSummary(run, meta));
    const code = exitCodeFor(run);
    // A broken run is said on stderr too: its report's tests say nothing, and a script sees only the status.
    if (code === EXIT_BROKEN) opts.log?.(`quark: the conformance run under ${runtime} broke: ${runFindings(run)[0].message}${exit !== 0 ? `; the machine exited ${exit}` : ""}`);
    worst = Math.max(worst, code);
  }
  if (opts.json) write(JSON.stringify({ exit: worst, runtimes: summaries }, null, 2) + "\n");
  return worst;
}

function writeReport(file: string, body: string): void {
  try {
    writeFileSync(file, body);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EISDIR" ? "it is a directory" : code === "ENOENT" ? "its directory does not exist" : code === "EACCES" ? "permission denied" : String(code);
    throw new Error(`cannot write the report to ${file}: ${why}; give --out a file you can write`);
  }
}

/** The report file of one runtime: `out` itself for one runtime, j.xml -> j.node.xml for several. */
export function outPath(out: string, runtime: Runtime, n: number): string {
  if (n === 1) return out;
  const dot = out.lastIndexOf(".");
  return dot > 0 ? `${out.slice(0, dot)}.${runtime}${out.slice(dot)}` : `${out}.${runtime}`;
}
