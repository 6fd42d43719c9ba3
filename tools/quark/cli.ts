// The quark command line: a thin layer over the library in tools/lib, the
// hosts in tools/host-*, and the benchmarks in tools/bench. Each command
// parses its flags, calls one library function, and prints.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, oneOf, UsageError } from "./args";
import { repoRoot } from "../lib/root";
import { buildImage } from "../lib/build";
import { inspectImage, formatInspect } from "../lib/inspect";
import { bootNode } from "../host-node/run";
import { bootWasmtime } from "../host-wasmtime/launch";
import { ensureWasmtime } from "../host-wasmtime/setup";
import { runConformance } from "../lib/conformance";
import { ctl, ctlAttach } from "../lib/ctl";
import { runBench } from "../bench/run";
import { newService, newServiceReport } from "../lib/scaffold";
import { ManifestError } from "../lib/manifest";
import { ImageCheckError, readImageFile } from "../lib/image-check";

const RUNTIMES = ["node", "wasmtime"] as const;

const HELP = `quark — build, boot and check quark images

usage: quark <command> [options]

commands:
  build MANIFEST.toml [--out FILE] [--force] [--json]
      Compile every module (unchanged ones come from build/cache) and link one
      image, by default next to the manifest: images/default.toml -> images/default.wasm.
  boot IMAGE.wasm|MANIFEST.toml [--runtime node|wasmtime] [--until-ready] [--quiet] [--verbose] [--control SOCKET]
      Boot an image (a manifest is built first). Standard input drives the
      console: with a shell in the image (the default image has one) a terminal
      gets a prompt, and piped commands run until end of input, then the system
      halts. --until-ready halts cleanly once init reports ready and exits 0.
      --verbose prints each trap's engine message on stderr. The system halts by
      itself when nothing can wake it. --control SOCKET opens a Unix socket for
      quark ctl --control: the system then runs until halted (halt in its shell).
  inspect IMAGE.wasm [--json]
      List the modules (name, kind, size, sha256), the ABI version and the manifest.
  ctl IMAGE.wasm|MANIFEST.toml [--runtime node|wasmtime] COMMAND...
  ctl --control SOCKET COMMAND...
      Run shell commands on a system's console and print only their output.
      With an image: boot it, run them, halt. With --control: on the running
      system that quark boot --control SOCKET started; it keeps running (halt
      stops it). One command: quark ctl images/default.wasm svc list --json;
      several: quark ctl images/default.wasm "svc stop echo" "svc status echo".
  conformance IMAGE.wasm|MANIFEST.toml [--runtime node|wasmtime|both] [--reporter pretty|tap|junit] [--out FILE]
      Run the in-image conformance suite against an image; exit 1 on any failure.
  bench [--runtime node|wasmtime|both] [--json] [--quick]
      Run the benchmarks and print them beside their peers, with the machine.
  new service NAME [--dir DIR] [--manifest FILE]
      Write DIR/index.ts (default DIR: userland/NAME in this checkout): a service
      that imports the library as "quark/service", so it builds wherever DIR is.
      Then print the lines that list it in FILE (default: this checkout's
      images/default.toml): module is the path from FILE's directory to DIR;
      for a FILE that does not exist yet, a whole manifest with the log service
      it needs. DIR and FILE are relative to the current directory. Refused, with
      the reason: a NAME that is not 1 to 32 lowercase letters, digits or -
      starting with a letter; a reserved NAME (init, console, a device's name,
      names starting with qc, the default image's services); a NAME that FILE
      already lists; an existing DIR/index.ts, which is never overwritten.
  setup wasmtime
      Install the wasmtime engine into .venv and compile its trampoline (boot and
      test do this by themselves when needed).
  help [COMMAND]

Run \`quark COMMAND --help\` for one command.`;

function log(s: string): void { process.stderr.write(s + "\n"); }

/** A .toml argument is built first, so `quark boot images/default.toml` is one step. */
async function imageFrom(arg: string | undefined, quiet: boolean): Promise<string> {
  if (!arg) throw new UsageError("missing IMAGE (a .wasm image or a .toml manifest)");
  const p = resolve(arg);
  // An image is checked here, before any host: one refusal, the same under every runtime.
  if (!p.endsWith(".toml")) { readImageFile(p); return p; }
  if (!existsSync(p)) throw new UsageError(`${arg}: no such file`);
  const r = await buildImage(p, { root: repoRoot(), log: quiet ? undefined : log });
  for (const w of r.warnings) log(`${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
  return r.out;
}

async function cmdBuild(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { out: "string", force: "bool", json: "bool" });
  if (rest.length !== 1) throw new UsageError("usage: quark build MANIFEST.toml [--out FILE] [--force] [--json]");
  const r = await buildImage(resolve(rest[0]), {
    root: repoRoot(),
    out: flags.out ? resolve(String(flags.out)) : undefined,
    force: Boolean(flags.force),
    log: flags.json ? undefined : log,
  });
  if (flags.json) { process.stdout.write(JSON.stringify(r, null, 2) + "\n"); return 0; }
  for (const w of r.warnings) log(`${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
  const kernel = r.modules.find((m) => m.kind === "kernel");
  process.stdout.write(`built ${r.out} (${r.bytes} bytes, kernel ${kernel?.size ?? "?"} bytes, ${r.modules.length} modules) in ${Math.round(r.ms)} ms\n`);
  return 0;
}

async function cmdBoot(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { runtime: "string", "until-ready": "bool", quiet: "bool", verbose: "bool", "python-trampoline": "bool", control: "string" });
  if (rest.length !== 1) throw new UsageError("usage: quark boot IMAGE [--runtime node|wasmtime] [--until-ready] [--quiet] [--verbose] [--control SOCKET]");
  const runtime = oneOf("runtime", flags.runtime, RUNTIMES, "node");
  const image = await imageFrom(rest[0], Boolean(flags.quiet));
  const untilReady = Boolean(flags["until-ready"]);
  // Standard input drives the console's shell, unless the boot stops at ready.
  const interactive = !untilReady;
  const tty = interactive && process.stdin.isTTY === true;
  const control = flags.control ? resolve(String(flags.control)) : undefined;
  const o = { untilReady, quiet: Boolean(flags.quiet), verbose: Boolean(flags.verbose), interactive, tty, control };
  if (runtime === "wasmtime") {
    return bootWasmtime(repoRoot(), image, { ...o, pythonTrampoline: Boolean(flags["python-trampoline"]) });
  }
  return bootNode(image, { ...o, input: interactive ? process.stdin : undefined });
}

async function cmdCtl(argv: string[]): Promise<number> {
  // Flags for ctl itself come before the image; everything after it is the shell's.
  const control = argv.indexOf("--control");
  if (control === 0) {
    // A running machine: `quark ctl --control SOCKET COMMAND...`.
    if (argv.length < 3) throw new UsageError("usage: quark ctl --control SOCKET COMMAND... (e.g. quark ctl --control build/quark.sock svc list)");
    const r = await ctlAttach(resolve(argv[1]), argv.slice(2));
    process.stdout.write(r.output);
    return r.code;
  }
  const at = argv.findIndex((a) => !a.startsWith("--") && (argv.indexOf(a) === 0 || argv[argv.indexOf(a) - 1] !== "--runtime"));
  if (at < 0 || at === argv.length - 1) throw new UsageError('usage: quark ctl IMAGE [--runtime node|wasmtime] COMMAND... (e.g. quark ctl images/default.wasm svc list)');
  const { flags } = parseArgs(argv.slice(0, at), { runtime: "string" });
  const runtime = oneOf("runtime", flags.runtime, RUNTIMES, "node");
  const image = await imageFrom(argv[at], true);
  const r = await ctl(image, argv.slice(at + 1), runtime);
  process.stdout.write(r.output);
  return r.code;
}

async function cmdInspect(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { json: "bool" });
  if (rest.length !== 1) throw new UsageError("usage: quark inspect IMAGE.wasm [--json]");
  const report = inspectImage(resolve(rest[0]));
  const text = flags.json ? JSON.stringify(report, null, 2) : formatInspect(report);
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  return 0;
}

async function cmdConformance(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { runtime: "string", reporter: "string", out: "string" });
  if (rest.length !== 1) throw new UsageError("usage: quark conformance IMAGE [--runtime node|wasmtime|both] [--reporter pretty|tap|junit] [--out FILE]");
  const runtime = oneOf("runtime", flags.runtime, [...RUNTIMES, "both"] as const, "node");
  const reporter = oneOf("reporter", flags.reporter, ["pretty", "tap", "junit"] as const, "pretty");
  const image = await imageFrom(rest[0], true);
  return runConformance({
    image,
    runtimes: runtime === "both" ? ["node", "wasmtime"] : [runtime],
    reporter,
    out: flags.out ? resolve(String(flags.out)) : undefined,
    log,
  });
}

async function cmdBench(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { runtime: "string", json: "bool", quick: "bool" });
  if (rest.length !== 0) throw new UsageError("usage: quark bench [--runtime node|wasmtime|both] [--json] [--quick]");
  const runtime = oneOf("runtime", flags.runtime, [...RUNTIMES, "both"] as const, "both");
  return runBench({
    runtimes: runtime === "both" ? ["node", "wasmtime"] : [runtime],
    json: Boolean(flags.json),
    quick: Boolean(flags.quick),
    log,
  });
}

async function cmdNew(argv: string[]): Promise<number> {
  const { flags, rest } = parseArgs(argv, { dir: "string", manifest: "string" });
  if (rest[0] !== "service" || rest.length !== 2) throw new UsageError("usage: quark new service NAME [--dir DIR] [--manifest FILE]");
  const path = (flag: string | boolean | undefined) => (flag ? resolve(String(flag)) : undefined);
  const r = newService(rest[1], { root: repoRoot(), dir: path(flags.dir), manifest: path(flags.manifest) });
  process.stdout.write(newServiceReport(r));
  return 0;
}

async function cmdSetup(argv: string[]): Promise<number> {
  const { rest } = parseArgs(argv, {});
  if (rest.length !== 1 || rest[0] !== "wasmtime") throw new UsageError("usage: quark setup wasmtime");
  const r = await ensureWasmtime({ root: repoRoot(), log });
  if (!r.shim) log(`quark: the wasmtime host will use its slow Python trampoline: ${r.reason ?? "no C trampoline"}`);
  return 0;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  build: cmdBuild, boot: cmdBoot, ctl: cmdCtl, inspect: cmdInspect, conformance: cmdConformance, bench: cmdBench,
  new: cmdNew, setup: cmdSetup,
};

function commandHelp(cmd: string): string {
  const lines = HELP.split("\n");
  const i = lines.findIndex((l) => l.trimStart().startsWith(cmd + " ") || l.trim() === cmd);
  if (i < 0) return HELP;
  const out = [lines[i].trim()];
  for (let k = i + 1; k < lines.length && lines[k].startsWith("      "); k++) out.push(lines[k]);
  return "usage: quark " + out.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
    process.stdout.write((rest[0] && COMMANDS[rest[0]] ? commandHelp(rest[0]) : HELP) + "\n");
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) { log(`quark: unknown command "${cmd}"\n\n${HELP}`); return 2; }
  if (rest.includes("--help") || rest.includes("-h")) { process.stdout.write(commandHelp(cmd) + "\n"); return 0; }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) { log(`quark ${cmd}: ${e.message}`); return 2; }
    if (e instanceof ManifestError) { log(e.message); return 1; }
    if (e instanceof ImageCheckError) { log(e.message); return e.exitCode; }
    log(`quark ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
