// The wasmtime host: the board (tools/board/run.ts) driving a wasmtime engine
// that lives in a Python child process (engine.py), over a small framed
// protocol on its standard input and output (engine.py's docstring lists the
// messages). The board reads the image, runs the loader and the link policy,
// and owns the run loop; the child compiles, links by name, instantiates and
// runs the trampolines (the C shim on the hot path, so a message between two
// instances never crosses the pipe).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { runBoard, EngineError, type BoardIo } from "../board/run";
import type { Booted, Engine, KernelTrap, ServiceTrap, Step } from "../board/engine";
import type { BoardImage } from "../board/image";
import { rereadModule } from "../board/reload";
import { prepareService } from "../board/services";
import { abiConstants, compileError } from "../lib/image-check";
import { linkableImports, syscallExports } from "../lib/linkable";
import { ensureWasmtime, wasmtimePaths } from "./setup";

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
  /** Exit with the worst status of the shell's commands (BOOT_STRICT). */
  strict?: boolean;
  /** Leave services' log lines off the console (the CLI's --quiet): the board filters them. */
  hideLogs?: boolean;
  /** The service loader's LOADER_* flags (kernel/abi.ts): only `quark bench` sets one. */
  loaderFlags?: number;
  /** The compiled trampoline; default build/host-wasmtime/libquarkshim.so (a missing one means the Python fallback). */
  shim?: string;
}

export interface WasmtimeStdio {
  /** Bytes for the console's input, then end of input; without it, standard input when interactive. */
  input?: string | Uint8Array;
  /** When given, stdout and stderr are collected here instead of written. */
  capture?: { stdout: string; stderr: string };
  /** Hide setup's progress lines. */
  quietSetup?: boolean;
}

const SLOW = (why: string) => `quark: ${why}; using the slow Python trampoline (~50 µs per call)`;

/** The engine's process: the virtual environment's Python running engine.py. */
export function wasmtimeCommand(root: string): { cmd: string; args: string[] } {
  return { cmd: wasmtimePaths(root).python, args: [join(root, "tools", "host-wasmtime", "engine.py")] };
}

/** Resolves to the host's exit status. */
export async function bootWasmtime(root: string, image: string, flags: WasmtimeFlags = {}, stdio: WasmtimeStdio = {}): Promise<number> {
  const capture = stdio.capture;
  const dec = new TextDecoder();
  const out = capture ? (b: Uint8Array) => { capture.stdout += dec.decode(b, { stream: true }); } : undefined;
  const err = capture ? (l: string) => { capture.stderr += l + "\n"; } : undefined;
  const given = stdio.input;
  const input = given !== undefined ? (async function* () { if (given.length > 0) yield given; })()
    : flags.interactive ? process.stdin : undefined;
  // The engine's process starts first: Python imports wasmtime while the board checks the image.
  let child: ChildProcess | undefined;
  let setupFailed: string | undefined;
  try {
    await ensureWasmtime({ root, quiet: stdio.quietSetup });
    child = startEngine(root, capture);
  } catch (e) {
    setupFailed = (e as Error).message;
  }
  try {
    return await runBoard(image, { ...flags, input, out, err }, async (img, io) => {
      if (!child) throw new EngineError(`quark: cannot set up the wasmtime engine: ${setupFailed}`);
      const started = child;
      child = undefined; // the engine closes it
      return openEngine(started, root, img, io, flags);
    });
  } finally {
    child?.kill("SIGKILL"); // the image was refused before the engine was needed
  }
}

/** A wasmtime engine with `image` loaded, for the board (or a measurement of the pipe itself). */
export async function wasmtimeEngine(root: string, image: BoardImage, io: BoardIo, flags: WasmtimeFlags = {}): Promise<Engine> {
  return openEngine(startEngine(root, undefined), root, image, io, flags);
}

async function openEngine(child: ChildProcess, root: string, image: BoardImage, io: BoardIo, flags: WasmtimeFlags): Promise<Engine> {
  const engine = new PipeEngine(child, root, image, io, flags);
  try {
    await engine.load();
  } catch (e) {
    await engine.close();
    throw e;
  }
  return engine;
}

function startEngine(root: string, capture: WasmtimeStdio["capture"]): ChildProcess {
  const { cmd, args } = wasmtimeCommand(root);
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", capture ? "pipe" : "inherit"] });
  if (capture) child.stderr!.setEncoding("utf8").on("data", (d: string) => { capture.stderr += d; });
  child.stdin!.on("error", () => {}); // a dead engine is reported by its exit
  return child;
}

interface Frame { message: unknown[]; blob: Uint8Array }

/** The board's side of engine.py's pipes. */
class PipeEngine implements Engine {
  private readonly exited: Promise<void>;
  get dead(): Promise<void> { return this.exited; }
  /** What the engine takes per step, as its "loaded" reply says (engine.py: a FIFO's worth per run() of a step). */
  inputChunk = abi.UART_RX_BUFFER;
  private pending: { resolve: (m: unknown[]) => void; reject: (e: Error) => void } | undefined;
  private buffered: Uint8Array = EMPTY;
  private gone: string | undefined;

  constructor(private readonly child: ChildProcess, private readonly root: string, private readonly image: BoardImage,
    private readonly io: BoardIo, private readonly flags: WasmtimeFlags) {
    this.child.stdout!.on("data", (b: Buffer) => this.received(b));
    this.exited = new Promise((resolve) => {
      const end = (why: string) => {
        this.gone ??= why;
        this.pending?.reject(new EngineError(`quark: the wasmtime engine stopped (${this.gone})`, 1));
        this.pending = undefined;
        resolve();
      };
      this.child.on("error", (e) => end(e.message));
      this.child.on("close", (code, signal) => end(signal ? `signal ${signal}` : `exit status ${code}`));
    });
  }

  /** Hand over the image: the kernel and HAL as they are, every service through the loader and the link policy. */
  async load(): Promise<void> {
    const img = this.image;
    const blobs: Uint8Array[] = [img.kernel];
    // Each module's key names its compiled code in the engine's cache (codecache.py).
    const modules = img.modules.map((m) => {
      if (m.kind !== "service") { blobs.push(m.bytes); return { name: m.name, kind: m.kind, size: m.bytes.length, key: m.sha256 }; }
      const p = prepareService(m.bytes, m.name, this.flags.loaderFlags ?? 0, m.sha256);
      blobs.push(p.wasm);
      return { name: m.name, kind: m.kind, size: p.wasm.length, refused: p.refused, key: p.key };
    });
    blobs.push(img.bootTable);
    const options = {
      abi: abiConstants(), linkable: linkableImports(syscallExports()), kernel: img.kernel.length, modules,
      kernelKey: `kernel-${img.kernelSha256}`, codeCache: wasmtimePaths(this.root).codeCache,
      shim: this.flags.shim ?? wasmtimePaths(this.root).shim, pythonTrampoline: this.flags.pythonTrampoline === true,
      verbose: this.flags.verbose === true,
    };
    const reply = await this.request(["load", options], concat(blobs));
    if (reply[0] === "refused") {
      const [, module, reason] = reply as [string, string | null, string];
      if (module !== null) throw compileError(img.file, module, reason);
      throw new EngineError(`quark: ${img.file}: ${reason}`);
    }
    if (reply[1]) this.io.err(SLOW(String(reply[1])));
    this.inputChunk = reply[2] as number;
  }

  async boot(flags: number): Promise<Booted> {
    const [, status, pid, trap, traps] = await this.request(["boot", flags]) as [string, number | null, number, string | null, WireTrap[]];
    if (status === null) return { noRoom: true };
    return { status, kernelTrap: kernelTrap(pid, trap), traps: serviceTraps(traps) };
  }

  async step(input: Uint8Array | undefined, end: boolean): Promise<Step> {
    const r = await this.request(["step", end], input) as [string, number, boolean, number | null, number, number, number, number, string | null, WireTrap[]];
    const [, took, ended, run, exit, deadline, waitMs, pid, trap, traps] = r;
    return { took, ended, run: run ?? abi.RUN_IDLE, exit, deadline, waitMs, kernelTrap: kernelTrap(pid, trap), traps: serviceTraps(traps) };
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }

  private request(message: unknown[], blob?: Uint8Array): Promise<unknown[]> {
    if (this.gone) return Promise.reject(new EngineError(`quark: the wasmtime engine stopped (${this.gone})`, 1));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.send(message, blob);
    });
  }

  private send(message: unknown[], blob: Uint8Array = EMPTY): void {
    const head = enc.encode(JSON.stringify(message));
    const frame = new Uint8Array(8 + head.length + blob.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, head.length, true);
    view.setUint32(4, blob.length, true);
    frame.set(head, 8);
    frame.set(blob, 8 + head.length);
    this.child.stdin!.write(frame);
  }

  private received(chunk: Uint8Array): void {
    let b = this.buffered.length ? concat([this.buffered, chunk]) : chunk;
    for (;;) {
      if (b.length < 8) break;
      const view = new DataView(b.buffer, b.byteOffset, 8);
      const jlen = view.getUint32(0, true), blen = view.getUint32(4, true);
      if (b.length < 8 + jlen + blen) break;
      const message = JSON.parse(dec.decode(b.subarray(8, 8 + jlen))) as unknown[];
      this.handle({ message, blob: b.subarray(8 + jlen, 8 + jlen + blen) });
      b = b.subarray(8 + jlen + blen);
    }
    this.buffered = b.length ? b.slice() : EMPTY;
  }

  private handle(f: Frame): void {
    switch (f.message[0]) {
      case "out": this.io.out(f.blob.slice()); return;
      case "stage": this.stage(f.message[1] as number, f.message[2] as number); return;
    }
    // A reply carries the console output of the boot or step it ends.
    if (f.blob.length > 0) this.io.out(f.blob.slice());
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(f.message);
  }

  /** A hot reload asks for module `index` as the image file holds it now (tools/board/reload.ts). */
  private stage(pid: number, index: number): void {
    // The engine waits for this answer inside the kernel's host.spawn: it must get one, whatever happens here.
    try {
      const booted = this.image.modules[index];
      const bytes = booted ? rereadModule(this.image.file, booted.name, pid, index, this.io.err) : abi.E_NOMODULE;
      if (typeof bytes === "number") { this.send(["module", bytes, null]); return; }
      const p = prepareService(bytes, booted.name, this.flags.loaderFlags ?? 0);
      this.send(["module", abi.OK, p.refused ?? null], p.wasm);
    } catch (e) {
      this.io.err(`quark: reload of pid ${pid}: ${(e as Error).message}`);
      this.send(["module", abi.E_NOMODULE, null]);
    }
  }
}

/** A service's trap as engine.py sends it: [pid, module name, the engine's message, kernel.fault_cause(pid)]. */
type WireTrap = [number, string, string, number];

function serviceTraps(traps: WireTrap[] | undefined): ServiceTrap[] | undefined {
  return traps && traps.length > 0 ? traps.map(([pid, name, message, cause]) => ({ pid, name, message, cause })) : undefined;
}

function kernelTrap(pid: number, message: string | null): KernelTrap | undefined {
  if (message !== null) return { pid: -1, message };
  return pid >= 0 ? { pid } : undefined;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY: Uint8Array = new Uint8Array(0);
