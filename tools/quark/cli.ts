// The quark command line: a thin layer over the library in tools/lib, the
// hosts in tools/host-*, and the benchmarks in tools/bench. Each command
// parses its arguments from its spec (spec.ts), calls one library function,
// and prints. What a command needs is imported when it runs, so `quark help`
// and `quark --version` load none of it.
import { resolve } from "node:path";
import { parseCommand, oneOf, UsageError, type Flags } from "./args";
import { COMMANDS, commandSpec, type CommandSpec } from "./spec";
import { commandHelp, generalHelp, EXIT_FAILED, EXIT_USAGE } from "./help";
import { didYouMean } from "./suggest";
import { versionLine } from "./version";
import { writeOut, endOnClosedPipe } from "./out";
import { checkControlSocket, checkImageNotManifest, checkManifest, checkReportFile, PathError, refusedLine } from "./paths";
import { buildProgress } from "./progress";
import { repoRoot } from "../lib/root";

// Where bin/quark.mjs lends the bundle its import() (tools/lib/import-package.ts).
export { LENT_IMPORT } from "../lib/import-package";

type Runtime = "node" | "wasmtime";

function log(s: string): void { process.stderr.write(s + "\n"); }

// A live progress line not yet ended: a failure's line starts below it.
let liveOpen = false;
// Once the command has failed, compiles still running end unreported.
let failed = false;

/** Progress for a build: a live line on a terminal, plain lines in a pipe. */
function progressFor(silentWhenCached: boolean) {
  const live = process.stderr.isTTY ? (s: string) => { process.stderr.write(s); liveOpen = !s.endsWith("\n"); } : undefined;
  return buildProgress({
    log: (s) => { if (!failed) log(s); },
    silentWhenCached,
    live: live && ((s) => { if (!failed) live(s); }),
  });
}

function option(c: CommandSpec, name: string) {
  return c.options.find((o) => o.name === name)!;
}

/**
 * A .toml argument is built first, so `quark boot images/default.toml` is one
 * step. `board`: the board checks the image first thing (a Node boot), so
 * checking it here too would only read and hash it twice.
 */
async function imageFrom(arg: string, o: { quiet: boolean; verbose: boolean; board?: boolean }): Promise<string> {
  const p = resolve(arg);
  if (!p.endsWith(".toml")) {
    // An image is checked before any host (or setup) starts: one refusal, the same under every runtime.
    if (o.board) return p;
    const { readImageFile } = await import("../lib/image-check");
    readImageFile(p);
    return p;
  }
  checkManifest(arg, p);
  const { buildImage } = await import("../lib/build");
  const progress = o.quiet ? undefined : progressFor(!o.verbose);
  const r = await buildImage(p, { root: repoRoot(), log: o.quiet ? undefined : log, progress });
  for (const w of r.warnings) log(`${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
  return r.out;
}

async function cmdBuild(flags: Flags, rest: string[]): Promise<number> {
  checkManifest(rest[0], resolve(rest[0]));
  const { buildImage } = await import("../lib/build");
  const r = await buildImage(resolve(rest[0]), {
    root: repoRoot(),
    out: typeof flags.out === "string" ? flags.out : undefined,
    force: Boolean(flags.force),
    log: flags.json ? undefined : log,
    progress: flags.json ? undefined : progressFor(false),
  });
  if (flags.json) { process.stdout.write(JSON.stringify(r, null, 2) + "\n"); return 0; }
  for (const w of r.warnings) log(`${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
  const kernel = r.modules.find((m) => m.kind === "kernel");
  process.stdout.write(`built ${r.out} (${r.bytes} bytes, kernel ${kernel?.size ?? "?"} bytes, ${r.modules.length} modules) in ${Math.round(r.ms)} ms\n`);
  return 0;
}

/** --control drives a shell: an image without one would halt at once, and nothing could answer. */
async function needsShell(image: string): Promise<void> {
  const { shellOf } = await import("../lib/ctl");
  if (shellOf(image)) return;
  throw new UsageError(`--control needs a shell in the image, and ${image} has none (no service reads the console through its driver and holds init's endpoint); ` +
    'boot it without --control, or add [service.shell] with module = "../userland/shell", requires = ["condrv"] and caps = ["condrv:call+grant", "init", "log"]');
}

async function cmdBoot(flags: Flags, rest: string[]): Promise<number> {
  const runtime = oneOf<Runtime>(flags, option(commandSpec("boot")!, "runtime"));
  // Under Node without --control, nothing reads the image before the board checks it.
  const board = runtime === "node" && !flags.control;
  const image = await imageFrom(rest[0], { quiet: Boolean(flags.quiet), verbose: Boolean(flags.verbose), board });
  const untilReady = Boolean(flags["until-ready"]);
  // Standard input drives the console's shell, unless the boot stops at ready.
  const interactive = !untilReady;
  const tty = interactive && process.stdin.isTTY === true;
  const control = flags.control ? resolve(String(flags.control)) : undefined;
  if (control) await needsShell(image);
  // --quiet: the console without the log lines, so the shell's answers still show.
  const o = { untilReady, hideLogs: Boolean(flags.quiet), verbose: Boolean(flags.verbose), interactive, tty, control, strict: Boolean(flags.strict) };
  if (runtime === "wasmtime") {
    const { bootWasmtime } = await import("../host-wasmtime/launch");
    return bootWasmtime(repoRoot(), image, { ...o, pythonTrampoline: Boolean(flags["python-trampoline"]) });
  }
  const { bootNode } = await import("../host-node/run");
  return bootNode(image, { ...o, input: interactive ? process.stdin : undefined });
}

/** ctl's own options, wherever they stand (before a "--"); everything else is the image and the shell's words. */
function splitCtl(argv: string[]): { own: string[]; words: string[] } {
  const spec = commandSpec("ctl")!;
  const own: string[] = [], words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { words.push(...argv.slice(i + 1)); break; }
    const o = spec.options.find((x) => a === `--${x.name}` || a.startsWith(`--${x.name}=`));
    if (o) {
      own.push(a);
      if (a === `--${o.name}`) {
        if (i + 1 >= argv.length) throw new UsageError(`--${o.name} needs a value`);
        own.push(argv[++i]);
      }
      continue;
    }
    // Before the image, an option is ctl's: a typo of one is named, not run as a command.
    if (words.length === 0 && a.startsWith("-")) {
      parseCommand([a], { ...spec, positionals: { min: 0, max: 0 } });
    }
    words.push(a);
  }
  return { own, words };
}

async function cmdCtl(argv: string[]): Promise<number> {
  const spec = commandSpec("ctl")!;
  const { own, words } = splitCtl(argv);
  const { flags } = parseCommand(own, { ...spec, positionals: { min: 0, max: 0 } });
  if (typeof flags.control === "string") {
    // A running machine: `quark ctl --control SOCKET COMMAND...`.
    if (flags.runtime !== undefined) throw new UsageError("--runtime is the running system's already; it goes with an image, not with --control");
    if (words.length === 0) throw new UsageError("missing COMMAND (e.g. quark ctl --control q.sock svc list)");
    const socket = resolve(flags.control);
    checkControlSocket(flags.control, socket);
    const { ctlAttach } = await import("../lib/ctl");
    const r = await ctlAttach(socket, words).catch((e: Error) => {
      throw /ECONNREFUSED/.test(e.message) ? new PathError(refusedLine(String(flags.control))) : e;
    });
    process.stdout.write(r.output);
    return r.code;
  }
  if (words.length === 0) throw new UsageError("missing IMAGE.wasm|MANIFEST.toml");
  if (words.length === 1) throw new UsageError("missing COMMAND (e.g. quark ctl images/default.wasm svc list)");
  const runtime = oneOf<Runtime>(flags, option(spec, "runtime"));
  const image = await imageFrom(words[0], { quiet: true, verbose: false });
  const { ctl } = await import("../lib/ctl");
  const r = await ctl(image, words.slice(1), runtime);
  process.stdout.write(r.output);
  return r.code;
}

async function cmdInspect(flags: Flags, rest: string[]): Promise<number> {
  const path = resolve(rest[0]);
  checkImageNotManifest(rest[0], path);
  const { inspectImage, formatInspect } = await import("../lib/inspect");
  const report = inspectImage(path);
  const text = flags.json ? JSON.stringify(report, null, 2) : formatInspect(report);
  writeOut(text.endsWith("\n") ? text : text + "\n");
  return 0;
}

/** A whole number from `lo` to `hi`, or a usage error naming the option. */
function wholeNumber(flags: Flags, name: string, lo: number, hi: number): number | undefined {
  const v = flags[name];
  if (typeof v !== "string") return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new UsageError(`--${name} must be a whole number from ${lo} to ${hi}, not ${JSON.stringify(v)}`);
  return Number(v);
}

async function cmdQpu(flags: Flags, rest: string[]): Promise<number> {
  if (rest[0] !== "run") throw new UsageError(`quark qpu runs a program: quark qpu run FILE.qasm${didYouMean(rest[0], ["run"])}`);
  const spec = commandSpec("qpu")!;
  const lib = await import("../lib/qpu-run");
  const shots = wholeNumber(flags, "shots", 1, lib.QPU_MAX_SHOTS);
  const seed = wholeNumber(flags, "seed", 0, lib.SEED_MAX);
  if (flags.calibration !== undefined && flags.ideal) throw new UsageError("--calibration and --ideal both replace the QPU's calibration: give one");
  if (flags.conf !== undefined && flags.calibration === undefined) throw new UsageError("--conf goes with --calibration props_NAME.json");
  try {
    const r = await lib.qpuRun({
      file: rest[1], shots, seed, runtime: oneOf<Runtime>(flags, option(spec, "runtime")),
      calibration: typeof flags.calibration === "string" ? flags.calibration : undefined,
      conf: typeof flags.conf === "string" ? flags.conf : undefined,
      ideal: Boolean(flags.ideal), image: typeof flags.image === "string" ? flags.image : undefined,
    });
    process.stdout.write(flags.json ? JSON.stringify(r) + "\n" : lib.countsText(r));
    return 0;
  } catch (e) {
    // FILE:LINE:COL: message, as a compiler says it.
    if (e instanceof lib.QpuProgramError) { log(e.message); return EXIT_FAILED; }
    if (e instanceof lib.QpuRunError) throw new PathError(e.message);
    throw e;
  }
}

async function cmdConformance(flags: Flags, rest: string[]): Promise<number> {
  const spec = commandSpec("conformance")!;
  const runtime = oneOf<Runtime | "both">(flags, option(spec, "runtime"));
  if (typeof flags.out === "string") checkReportFile(flags.out, resolve(flags.out));
  const image = await imageFrom(rest[0], { quiet: true, verbose: false });
  const { runConformance } = await import("../lib/conformance");
  return runConformance({
    image,
    runtimes: runtime === "both" ? ["node", "wasmtime"] : [runtime],
    reporter: oneOf(flags, option(spec, "reporter")),
    out: flags.out ? resolve(String(flags.out)) : undefined,
    json: Boolean(flags.json),
    log,
  });
}

async function cmdBench(flags: Flags): Promise<number> {
  const runtime = oneOf<Runtime | "both">(flags, option(commandSpec("bench")!, "runtime"));
  const { runBench } = await import("../bench/run");
  return runBench({
    runtimes: runtime === "both" ? ["node", "wasmtime"] : [runtime],
    json: Boolean(flags.json),
    quick: Boolean(flags.quick),
    log,
  });
}

async function cmdNew(flags: Flags, rest: string[]): Promise<number> {
  if (rest[0] !== "service") throw new UsageError(`quark new makes a service: quark new service ${rest[1] ?? "NAME"}`);
  const path = (flag: string | boolean | undefined) => (flag ? resolve(String(flag)) : undefined);
  const { newService, newServiceReport } = await import("../lib/scaffold");
  const r = newService(rest[1], { root: repoRoot(), dir: path(flags.dir), manifest: path(flags.manifest) });
  process.stdout.write(newServiceReport(r));
  return 0;
}

async function cmdSetup(_flags: Flags, rest: string[]): Promise<number> {
  if (rest[0] !== "wasmtime") throw new UsageError(`there is nothing named ${JSON.stringify(rest[0])} to set up${didYouMean(rest[0], ["wasmtime"])}`);
  const { ensureWasmtime } = await import("../host-wasmtime/setup");
  const r = await ensureWasmtime({ root: repoRoot(), log });
  if (!r.shim) log(`quark: the wasmtime host will use its slow Python trampoline: ${r.reason ?? "no C trampoline"}`);
  else log(`quark: wasmtime is set up (${r.done.length ? `did: ${r.done.join(", ")}` : "already in place, nothing to do"})`);
  return 0;
}

async function cmdVersion(): Promise<number> {
  writeOut(versionLine() + "\n");
  return 0;
}

async function cmdHelp(_flags: Flags, rest: string[]): Promise<number> {
  if (rest.length === 0) { writeOut(generalHelp() + "\n"); return 0; }
  const c = commandSpec(rest[0]);
  if (!c) return unknownCommand(rest[0], `quark help: there is no command "${rest[0]}"`);
  writeOut(commandHelp(c) + "\n");
  return 0;
}

const RUN: Record<string, (flags: Flags, rest: string[]) => Promise<number>> = {
  build: cmdBuild, boot: cmdBoot, inspect: cmdInspect, qpu: cmdQpu, conformance: cmdConformance, bench: cmdBench,
  new: cmdNew, setup: cmdSetup, version: cmdVersion, help: cmdHelp,
};

function unknownCommand(cmd: string, line = `quark: unknown command "${cmd}"`): number {
  log(`${line}${didYouMean(cmd, COMMANDS.map((c) => c.name))}; run quark help for the list`);
  return EXIT_USAGE;
}

// Commands that print one whole answer with writeOut.
const WHOLE = new Set(["help", "inspect"]);

async function dispatch(c: CommandSpec, argv: string[]): Promise<number> {
  if (c.raw) { endOnClosedPipe(); return cmdCtl(argv); }
  const { flags, rest } = parseCommand(argv, c);
  // A whole answer is written at once (out.ts); a command that streams its output needs the stream's handler.
  if (!WHOLE.has(c.name)) endOnClosedPipe();
  return RUN[c.name](flags, rest);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h") return cmdHelp({}, []);
  if (cmd === "--version" || cmd === "-V") return cmdVersion();
  const c = commandSpec(cmd);
  if (!c) return unknownCommand(cmd);
  // Before the shell's commands of ctl too: `quark ctl --help` is ctl's help.
  if (rest.includes("--help") || rest.includes("-h")) { writeOut(commandHelp(c) + "\n"); return 0; }
  try {
    return await dispatch(c, rest);
  } catch (e) {
    return failure(cmd, e);
  }
}

// Every failure is one line: usage errors point to --help; known errors
// carry their own text (which names the file); anything else is prefixed
// with the command, and its stack only with QUARK_DEBUG set.
function failure(cmd: string, e: unknown): number {
  failed = true;
  if (liveOpen) { process.stderr.write("\n"); liveOpen = false; }
  if (e instanceof UsageError) { log(`quark ${cmd}: ${e.message}; see quark ${cmd} --help`); return EXIT_USAGE; }
  if (e instanceof PathError) { log(`quark ${cmd}: ${e.message}`); return EXIT_FAILED; }
  const err = e as Error & { exitCode?: number };
  const named = err?.name === "ManifestError" || err?.name === "ImageCheckError";
  log(named ? err.message : `quark ${cmd}: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.QUARK_DEBUG && err instanceof Error && err.stack) log(err.stack);
  return typeof err?.exitCode === "number" ? err.exitCode : EXIT_FAILED;
}
