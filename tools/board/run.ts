// The board: boots an image file on an engine and drives it to the end
// (docs/machine-abi.md, boot steps 4-6), the same for every engine. It reads
// and checks the image, opens the control socket, feeds console input, runs
// the kernel, sleeps until its next deadline, and decides the exit status
// and every line said on stderr (exit.ts).
import * as abi from "../../kernel/abi";
import { ImageCheckError, REBUILD } from "../lib/image-check";
import { ControlSocket } from "./control";
import type { Engine, KernelTrap, ServiceTrap, Step } from "./engine";
import {
  bootRefused, EXIT_BAD_IMAGE, EXIT_KERNEL_REFUSED, EXIT_NOTHING_CAN_WAKE, KERNEL_TRAP_EXIT, kernelTrapped, noRunResult,
  serviceTrapped,
} from "./exit";
import { readBoardImage, type BoardImage } from "./image";
import { ConsoleInput } from "./input";
import { ConsoleFilter } from "./console-filter";
import { BootWatch, notStartedLine } from "./boot-watch";

export interface BoardOptions {
  untilReady?: boolean;
  /** The kernel's BOOT_QUIET: only protocol lines ('#') reach the console (the conformance runner). */
  quiet?: boolean;
  /** The console without its log lines, the shell's answers kept (quark boot --quiet; console-filter.ts). */
  hideLogs?: boolean;
  /** The shell's commands decide the status: at the end of input it halts with the worst (BOOT_STRICT). */
  strict?: boolean;
  /** The input drives the console: the shell halts at its end; tty: it is a terminal. */
  interactive?: boolean;
  tty?: boolean;
  verbose?: boolean;
  /** Console input; default none (end of input at once). */
  input?: AsyncIterable<Uint8Array | string>;
  /** A Unix socket for `quark ctl --control` (control.ts); the machine then runs until halted. */
  control?: string;
  /** Console bytes (default: standard output). */
  out?: (bytes: Uint8Array) => void;
  /** Diagnostics, one line each (default: standard error). */
  err?: (line: string) => void;
}

export interface BoardIo {
  out: (bytes: Uint8Array) => void;
  err: (line: string) => void;
  /** When the host started (performance.now()): the machine's clock counts from it where the engine allows. */
  t0: number;
}

/** An engine cannot start or went away; the line says why. */
export class EngineError extends Error {
  override name = "EngineError";
  constructor(message: string, readonly exitCode = EXIT_BAD_IMAGE) {
    super(message);
  }
}

export type EngineFactory = (image: BoardImage, io: BoardIo) => Promise<Engine>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How often the loop lets timers and sockets in during a long burst of RUN_BUSY. */
const BUSY_YIELD = 64;
/** How long to wait for the kernel to drain a full RX FIFO when nothing else is due (ms). */
const FIFO_POLL_MS = 1;

export function flagsOf(o: { untilReady?: boolean; quiet?: boolean; interactive?: boolean; tty?: boolean; strict?: boolean }): number {
  return (o.untilReady ? abi.BOOT_UNTIL_READY : 0) | (o.quiet ? abi.BOOT_QUIET : 0) |
    (o.interactive ? abi.BOOT_INTERACTIVE : 0) | (o.tty ? abi.BOOT_TTY : 0) | (o.strict ? abi.BOOT_STRICT : 0);
}

/**
 * Ctrl-C (SIGINT) while the machine runs: the run loop ends at its next turn
 * with EXIT_INTERRUPTED, so the engine is closed and the control socket
 * removed as at any other end, and nothing is said. The handler is this
 * run's only: a board run inside a test process leaves no listener behind.
 */
class Interrupt {
  fired = false;
  private wake!: () => void;
  readonly signalled = new Promise<void>((r) => { this.wake = r; });
  private readonly onSignal = () => { this.fired = true; this.wake(); };
  constructor() { process.once("SIGINT", this.onSignal); }
  dispose(): void { process.removeListener("SIGINT", this.onSignal); }
}

/** Boot `file` on the engine `start` makes and run it to the end; resolves to the exit status. */
export async function runBoard(file: string, opts: BoardOptions, start: EngineFactory): Promise<number> {
  // The clock starts before the image is read: boot time counts from the host's start.
  const t0 = performance.now();
  const err = opts.err ?? ((l: string) => { process.stderr.write(l + "\n"); });
  let image: BoardImage;
  try {
    image = readBoardImage(file);
  } catch (e) {
    if (!(e instanceof ImageCheckError)) throw e;
    err(e.message);
    return e.exitCode;
  }
  // The queue exists before the socket opens, so a connection made during boot loses nothing.
  const input = new ConsoleInput(opts.input, opts.control !== undefined);
  const control = opts.control ? await openControl(opts.control, input, err) : undefined;
  if (control === null) {
    input.close();
    return EXIT_BAD_IMAGE;
  }
  const toConsole = opts.out ?? ((b: Uint8Array) => { process.stdout.write(b); });
  // ctl's marks go to the control connections, not to this console, nor do log lines under --quiet (console-filter.ts).
  const filter = control || opts.hideLogs ? new ConsoleFilter({ marks: control !== undefined, logs: opts.hideLogs === true }) : undefined;
  const shown = filter ? (b: Uint8Array) => { const kept = filter.pass(b); if (kept.length > 0) toConsole(kept); } : toConsole;
  const watch = new BootWatch();
  const out = (b: Uint8Array) => { watch.see(b); shown(b); control?.write(b); };
  const interrupt = new Interrupt();
  try {
    const engine = await start(image, { out, err, t0 });
    try {
      // Each service trap is one line on stderr, named and with its kind (--verbose: the engine's message too).
      const traps = (ts: ServiceTrap[] | undefined) => { for (const t of ts ?? []) err(serviceTrapped(t, opts.verbose === true)); };
      const kernelTrap = (t: KernelTrap) => err(kernelTrapped(t, opts.verbose === true));
      const status = await bootAndRun(engine, image, flagsOf(opts), input, err, traps, kernelTrap, interrupt);
      if (status !== 0 && watch.failed !== undefined) err(notStartedLine(watch.failed));
      return status;
    } finally {
      await engine.close();
    }
  } catch (e) {
    if (e instanceof ImageCheckError || e instanceof EngineError) {
      err(e.message);
      return e.exitCode;
    }
    throw e;
  } finally {
    interrupt.dispose();
    const held = filter?.flush();
    if (held?.length) toConsole(held);
    control?.close();
    input.close();
  }
}

/** The control socket at `path`, or null when it cannot be opened (said on stderr). */
async function openControl(path: string, input: ConsoleInput, err: (l: string) => void): Promise<ControlSocket | null> {
  try {
    return await ControlSocket.open(path, input, err);
  } catch (e) {
    err(`quark: cannot open the control socket ${path}: ${(e as Error).message}`);
    return null;
  }
}

async function bootAndRun(
  engine: Engine, image: BoardImage, flags: number, input: ConsoleInput, err: (l: string) => void, traps: (ts: ServiceTrap[] | undefined) => void,
  kernelTrap: (t: KernelTrap) => void, interrupt: Interrupt,
): Promise<number> {
  const booted = await engine.boot(flags);
  if ("noRoom" in booted) {
    err(`${image.file}: the boot table (${image.bootTable.length} bytes) does not fit the kernel's boot buffer; ${REBUILD}`);
    return EXIT_BAD_IMAGE;
  }
  traps(booted.traps);
  if (booted.kernelTrap) {
    kernelTrap(booted.kernelTrap);
    return KERNEL_TRAP_EXIT;
  }
  if (booted.status !== abi.OK) {
    // The kernel refused the boot (it said why on the console).
    err(bootRefused(booted.status));
    return EXIT_KERNEL_REFUSED;
  }
  return runLoop(engine, input, err, traps, kernelTrap, interrupt);
}

/** Boot step 6: run the kernel until it halts or nothing can wake it. */
async function runLoop(
  engine: Engine, input: ConsoleInput, err: (l: string) => void, traps: (ts: ServiceTrap[] | undefined) => void,
  kernelTrap: (t: KernelTrap) => void, interrupt: Interrupt,
): Promise<number> {
  let spins = 0;
  // Whatever the loop waits for, Ctrl-C wakes it too.
  const wake = () => Promise.race([input.next(), engine.dead, interrupt.signalled]);
  for (;;) {
    if (interrupt.fired) return abi.EXIT_INTERRUPTED;
    const s: Step = await engine.step(input.peek(engine.inputChunk), input.wantsEnd());
    if (s.took > 0) input.take(s.took);
    if (s.ended) input.endSent();
    traps(s.traps);
    if (s.kernelTrap) {
      kernelTrap(s.kernelTrap);
      return KERNEL_TRAP_EXIT;
    }
    if (s.run === abi.RUN_HALT) return s.exit;
    if (s.run === abi.RUN_BUSY) {
      if (++spins % BUSY_YIELD === 0) await sleep(0);
      continue;
    }
    if (s.run !== abi.RUN_IDLE) {
      err(noRunResult(s.run));
      return EXIT_KERNEL_REFUSED;
    }
    // The FIFO took some and more waits: hand it over now.
    if (s.took > 0 && input.pending()) continue;
    if (s.deadline === abi.DEADLINE_NEVER) return EXIT_NOTHING_CAN_WAKE;
    if (input.pending()) {
      // The FIFO is full while the kernel idles: its reader drains it at the next run.
      await sleep(s.deadline >= 0 ? Math.min(FIFO_POLL_MS, s.waitMs) : FIFO_POLL_MS);
      continue;
    }
    // An engine that dies meanwhile wakes the loop too: its next step says so.
    if (s.deadline >= 0) {
      if (s.waitMs > 0) await sleepOrWake(s.waitMs, wake());
    } else if (input.open()) {
      await wake();
    } else {
      return EXIT_NOTHING_CAN_WAKE;
    }
  }
}

/** Wait `ms`, or until `wake` settles; the timer does not outlive the wait. */
async function sleepOrWake(ms: number, wake: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([new Promise<void>((r) => { timer = setTimeout(r, ms); }), wake]);
  clearTimeout(timer);
}
