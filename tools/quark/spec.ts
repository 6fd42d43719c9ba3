// One spec per command: the parser (args.ts), `quark COMMAND --help`,
// `quark help COMMAND`, the general help (help.ts) and the README's command
// table (checked by tests/unit/readme.test.ts) all come from it, so what the
// help says is what the parser accepts.

export interface OptionSpec {
  name: string;
  type: "boolean" | "string";
  /** What the value stands for in the usage line: FILE, DIR, SOCKET. */
  value?: string;
  /** A closed set of values; anything else is a usage error. */
  values?: readonly string[];
  default?: string;
  help: string;
  /** Accepted, left out of the help (a developer's switch). */
  hidden?: boolean;
}

export interface CommandSpec {
  name: string;
  /** The positional arguments as the usage line shows them. */
  args: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  summary: string;
  description: string[];
  options: OptionSpec[];
  examples: string[];
  /** Its own parser (ctl: everything after the image is the shell's). */
  raw?: boolean;
}

import { QPU_MAX_SHOTS } from "../../hal/qpu/job-format";

const RUNTIME: OptionSpec = { name: "runtime", type: "string", value: "RUNTIME", values: ["node", "wasmtime"], default: "node", help: "the engine that runs the image" };
const JSON_OUT: OptionSpec = { name: "json", type: "boolean", help: "print one JSON document on stdout (for scripts) instead of text" };
const VERBOSE: OptionSpec = { name: "verbose", type: "boolean", help: "print more: every module's compile line, each trap's engine message" };

export const COMMANDS: CommandSpec[] = [
  {
    name: "build", args: "MANIFEST.toml", positionals: { min: 1, max: 1 },
    summary: "compile every module of a manifest and link one image",
    description: [
      "Compile the kernel, the HAL, init and every service (unchanged ones come",
      "from build/cache) and link one image, by default next to the manifest:",
      "images/default.toml -> images/default.wasm. Progress goes to stderr: the",
      "modules the cache holds on one line, the others as their compiles start,",
      "then a count as each ends (on a terminal, one line rewritten in place).",
      "The image is written to a temporary file in the target's own directory and",
      "renamed into place, so a reader never sees half an image and a failed build",
      "leaves nothing behind.",
    ],
    options: [
      { name: "out", type: "string", value: "FILE|DIR", help: "where the image goes; a directory means DIR/NAME.wasm (NAME: the manifest's file name)" },
      { name: "force", type: "boolean", help: "compile every module, even those the cache holds" },
      { name: "json", type: "boolean", help: "print the build's result (image, size, modules, times) as JSON on stdout, no progress" },
      VERBOSE,
    ],
    examples: ["quark build images/default.toml", "quark build images/default.toml --out build/"],
  },
  {
    name: "boot", args: "IMAGE.wasm|MANIFEST.toml", positionals: { min: 1, max: 1 },
    summary: "boot an image (a manifest is built first)",
    description: [
      "Standard input drives the console: with a shell in the image (the default",
      "image has one) a terminal gets a prompt, and piped commands run until end",
      "of input, then the system halts. The system halts by itself when nothing",
      "can wake it. Exit status: the code a halt CODE line gave, else 0 at the",
      "end of input; with --strict the worst of the piped commands (1 one was",
      "refused, 2 one was not a command) and 1 if a service failed to start;",
      "with --until-ready 0 at ready, 1 if a service failed to start (named on",
      "stderr). A reader that goes away (| head) ends the boot quietly; Ctrl-C",
      "(SIGINT) stops the machine and exits 130, removing a --control socket.",
    ],
    options: [
      RUNTIME,
      { name: "until-ready", type: "boolean", help: "halt cleanly once init reports ready, exit 0 (1 if a service failed to start, named on stderr)" },
      { name: "strict", type: "boolean", help: "piped commands decide the status: at the end of input exit 1 if one was refused or a service failed to start, 2 if one was not a command (default: 0)" },
      { name: "quiet", type: "boolean", help: "only the console and errors: no build progress, no log lines (the kernel's, init's, the services'); the shell's answers still print" },
      VERBOSE,
      { name: "control", type: "string", value: "SOCKET", help: "open a Unix socket for quark ctl --control; the system then runs until halted (halt in its shell)" },
      { name: "python-trampoline", type: "boolean", help: "wasmtime only: use the Python trampoline instead of the C one", hidden: true },
    ],
    examples: ["quark boot images/default.wasm", "printf 'svc list\\n' | quark boot images/default.wasm --runtime wasmtime", "quark boot images/default.wasm --control q.sock &"],
  },
  {
    name: "inspect", args: "IMAGE.wasm", positionals: { min: 1, max: 1 },
    summary: "list what an image holds",
    description: [
      "List the modules (name, kind, size, memory pages, sha256), the ABI version,",
      "the manifest the image was built from, the settings besides the defaults",
      "and the boot table.",
    ],
    options: [JSON_OUT],
    examples: ["quark inspect images/default.wasm", "quark inspect images/default.wasm --json"],
  },
  {
    name: "ctl", args: "IMAGE.wasm|MANIFEST.toml COMMAND...", positionals: { min: 2, max: Infinity }, raw: true,
    summary: "run shell commands on a system's console and print their output",
    description: [
      "With an image: boot it, run the commands, halt. With --control SOCKET",
      "instead of an image: on the running system that quark boot --control",
      "SOCKET started, which keeps running (halt stops it). --runtime and",
      "--control go anywhere (after a -- everything is the shell's); the other",
      "words are the shell's: an argument with a space is a line of its own,",
      "otherwise all of them make one line. Only the shell's answers are printed.",
      "Exit status: the worst of the commands: 0 all ran, 1 one was refused (no",
      "such service, a refused request, a stop that timed out), 2 one was not a",
      "shell command or lacked an argument; after halt CODE, CODE.",
    ],
    options: [RUNTIME, { name: "control", type: "string", value: "SOCKET", help: "the socket of a running system (quark boot --control SOCKET)" }],
    examples: ["quark ctl images/default.wasm svc list --json", "quark ctl images/default.wasm \"svc stop echo\" \"svc status echo\"", "quark ctl --control q.sock svc list"],
  },
  {
    name: "qpu", args: "run FILE.qasm", positionals: { min: 2, max: 2 },
    summary: "run an OpenQASM program on an image's QPU and print the counts",
    description: [
      "Boot the default image (or --image MANIFEST, built first), submit FILE",
      "(OpenQASM 2.0 or 3) to its quantum scheduler through the shell's qpu run,",
      "wait for the job and print the counts: one `bitstring count` per line,",
      "sorted, bitstrings in Qiskit's order (the last declared register leftmost,",
      "bit 0 of each rightmost; registers separated by a space). --json prints",
      "{\"counts\": {...}, \"shots\": N, \"qubits\": n, \"seed\": S, \"duration_us\": D}",
      "(D: the job's length in the scheduler's virtual time). Without --seed a",
      "random seed is used and --json says which; the same seed gives the same",
      "counts under both runtimes. --calibration FILE or --ideal build a",
      "temporary image from the manifest with its [qpu] calibration replaced",
      "(as many qubits as its [qpu] allows, at most the calibration's; the",
      "modules come from the build cache) and boot that. A program that does not",
      "parse prints FILE:LINE:COL: message and exits 1; a refused run (a pair",
      "the device does not couple, too many qubits) says why and exits 1. The",
      "program travels as one shell line, so it may be at most about 4 KiB.",
    ],
    options: [
      { name: "shots", type: "string", value: "N", default: "1024", help: `shots to run: 1 to ${QPU_MAX_SHOTS} (QPU_MAX_SHOTS)` },
      { name: "seed", type: "string", value: "S", help: "the run's random seed: 0 to 9007199254740991 (default: a random one)" },
      { name: "calibration", type: "string", value: "FILE", help: "emulate this device: our calibration .toml (hal/qpu/calibrations/) or a Qiskit backend properties JSON (props_NAME.json)" },
      { name: "conf", type: "string", value: "FILE", help: "with a props_NAME.json calibration: its conf_NAME.json, whose coupling_map lists the coupled pairs" },
      { name: "ideal", type: "boolean", help: "an ideal QPU: no noise, every pair coupled" },
      { name: "image", type: "string", value: "MANIFEST", help: "the image's manifest (default images/default.toml); it needs a [qpu] and a shell with qsched:call" },
      RUNTIME,
      JSON_OUT,
    ],
    examples: ["quark qpu run bell.qasm --shots 1000 --seed 7", "quark qpu run bell.qasm --ideal --json", "quark qpu run ghz.qasm --calibration props_manila.json --runtime wasmtime"],
  },
  {
    name: "conformance", args: "IMAGE.wasm|MANIFEST.toml", positionals: { min: 1, max: 1 },
    summary: "run the in-image conformance suite against an image",
    description: [
      "Add the suite's services to the image, boot it under each runtime and",
      "report; exit 1 on a failed or unresolved test, 4 when the run itself broke",
      "(the image did not boot, or the suite never finished: said on stderr). With --runtime both and --out FILE, one",
      "report per runtime is written, named FILE with the runtime before its",
      "extension (j.xml -> j.node.xml and j.wasmtime.xml); each file written is",
      "named on stderr.",
    ],
    options: [
      { ...RUNTIME, values: ["node", "wasmtime", "both"] },
      { name: "reporter", type: "string", value: "REPORTER", values: ["pretty", "tap", "junit"], default: "pretty", help: "the report's format" },
      { name: "out", type: "string", value: "FILE", help: "write the report to FILE (one per runtime with --runtime both) instead of stdout" },
      { name: "json", type: "boolean", help: "print a JSON summary on stdout instead of the reports: per runtime its counts (pass, fail, unsupported, unresolved), time and exit" },
    ],
    examples: ["quark conformance images/default.wasm --runtime both", "quark conformance images/default.wasm --reporter junit --out report.xml"],
  },
  {
    name: "bench", args: "", positionals: { min: 0, max: 0 },
    summary: "run the benchmarks and print them beside their peers",
    description: ["Run the benchmarks under each runtime and print them beside their peers, with the machine."],
    options: [{ ...RUNTIME, values: ["node", "wasmtime", "both"], default: "both" }, JSON_OUT, { name: "quick", type: "boolean", help: "fewer iterations" }],
    examples: ["quark bench --quick", "quark bench --runtime node --json"],
  },
  {
    name: "new", args: "service NAME", positionals: { min: 2, max: 2 },
    summary: "write a working service from the template",
    description: [
      "Write DIR/index.ts (default DIR: userland/NAME in this checkout): a service",
      "that imports the library as \"quark/service\", so it builds wherever DIR is.",
      "Then print the lines that list it in FILE (default: this checkout's",
      "images/default.toml): module is the path from FILE's directory to DIR;",
      "for a FILE that does not exist yet, a whole manifest with the log service",
      "it needs. DIR and FILE are relative to the current directory. Refused, with",
      "the reason: a NAME that is not 1 to 32 lowercase letters, digits or -",
      "starting with a letter; a reserved NAME (init, console, a device's name,",
      "names starting with qc, the default image's services); a NAME that FILE",
      "already lists; an existing DIR/index.ts, which is never overwritten.",
    ],
    options: [
      { name: "dir", type: "string", value: "DIR", help: "where the service's index.ts goes" },
      { name: "manifest", type: "string", value: "FILE", help: "the manifest to list it in" },
    ],
    examples: ["quark new service hello", "quark new service hello --dir ../hello --manifest ../hello/image.toml"],
  },
  {
    name: "setup", args: "wasmtime", positionals: { min: 1, max: 1 },
    summary: "install the wasmtime engine and compile its trampoline",
    description: [
      "Install the wasmtime engine into .venv and compile its C trampoline (boot",
      "and test do this by themselves when needed). Says what it does as it does",
      "it, and says so at once when everything is already in place.",
    ],
    options: [],
    examples: ["quark setup wasmtime"],
  },
  {
    name: "version", args: "", positionals: { min: 0, max: 0 },
    summary: "print quark's version and the ABI version (also quark --version, -V)",
    description: ["Print quark's version and the kernel ABI version its images are built for."],
    options: [],
    examples: ["quark --version"],
  },
  {
    name: "help", args: "[COMMAND]", positionals: { min: 0, max: 1 },
    summary: "describe every command, or one",
    description: ["Without COMMAND: every command and the exit codes. With one: its usage, options and examples."],
    options: [],
    examples: ["quark help build"],
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
