// Boots an image under the wasmtime host: makes sure the host is set up, then
// runs tools/host-wasmtime/host.py in the virtual environment's Python.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { ensureWasmtime, wasmtimePaths } from "./setup";
import { ImageCheckError, readImageFile } from "../lib/image-check";

export interface WasmtimeFlags {
  untilReady?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  pythonTrampoline?: boolean;
  /** Standard input drives the console (the shell halts at its end); tty: it is a terminal. */
  interactive?: boolean;
  tty?: boolean;
  /** A Unix socket for `quark ctl --control`; the machine then runs until halted. */
  control?: string;
  /** The service loader's LOADER_* flags (kernel/abi.ts): only `quark bench` sets one. */
  loaderFlags?: number;
}

export interface WasmtimeStdio {
  /** Bytes for the console's input, then end of input; without it, stdin is inherited. */
  input?: string | Uint8Array;
  /** When given, stdout and stderr are collected here instead of inherited. */
  capture?: { stdout: string; stderr: string };
  /** Hide setup's progress lines. */
  quietSetup?: boolean;
}

export function wasmtimeCommand(root: string, image: string, flags: WasmtimeFlags): { cmd: string; args: string[] } {
  const paths = wasmtimePaths(root);
  // The service loader both hosts run on every service module (tools/loader/, built by tools/build-tools.mjs).
  const args = [paths.hostPy, image, "--shim", paths.shim, "--loader", join(root, "build", "loader.wasm")];
  if (flags.untilReady) args.push("--until-ready");
  if (flags.quiet) args.push("--quiet");
  if (flags.verbose) args.push("--verbose");
  if (flags.pythonTrampoline) args.push("--python-trampoline");
  if (flags.interactive) args.push("--interactive");
  if (flags.tty) args.push("--tty");
  if (flags.control) args.push("--control", flags.control);
  if (flags.loaderFlags) args.push("--loader-flags", String(flags.loaderFlags));
  return { cmd: paths.python, args };
}

/** Resolves to the host's exit code (128 + signal number if a signal ended it). */
export async function bootWasmtime(
  root: string,
  image: string,
  flags: WasmtimeFlags = {},
  stdio: WasmtimeStdio = {},
): Promise<number> {
  // The image check every host runs (tools/lib/image-check.ts), on the Node
  // side first: the same refusal and exit code as the Node host, before Python starts.
  const refused = imageRefusal(image);
  if (refused) {
    if (stdio.capture) stdio.capture.stderr += refused.message + "\n";
    else process.stderr.write(refused.message + "\n");
    return refused.exitCode;
  }
  await ensureWasmtime({ root, quiet: stdio.quietSetup });
  const { cmd, args } = wasmtimeCommand(root, image, flags);
  const capture = stdio.capture;
  const child = spawn(cmd, args, {
    stdio: [stdio.input === undefined ? "inherit" : "pipe", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
  });
  if (capture) {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (capture.stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (capture.stderr += d));
  }
  if (stdio.input !== undefined) {
    // The host may exit before reading all of its input; that is not an error here.
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdio.input);
  }
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

function imageRefusal(image: string): ImageCheckError | undefined {
  try {
    readImageFile(image);
    return undefined;
  } catch (e) {
    if (e instanceof ImageCheckError) return e;
    throw e;
  }
}
