// The Node host's run loop (docs/machine-abi.md, boot step 6): drive
// kernel.run(), sleep until the next timer, feed console input.
import * as abi from "../../kernel/abi";
import { loadImageFile, type BootImage } from "./image";
import { ImageCheckError } from "../lib/image-check";
import { NodeMachine, type MachineOptions } from "./machine";
import { ControlSocket } from "./control";
import { ConsoleInput, type UartRx } from "./input";

export interface BootOptions extends MachineOptions {
  untilReady?: boolean;
  quiet?: boolean;
  /** The input drives the console: the shell halts at its end; tty: it is a terminal. */
  interactive?: boolean;
  tty?: boolean;
  verbose?: boolean;
  /** Console input; default none (end of input at once). */
  input?: AsyncIterable<Uint8Array | string>;
  /** A Unix socket for `quark ctl --control` (control.ts); the machine then runs until halted. */
  control?: string;
}

/** Exit code when the kernel itself trapped: never a service's doing. */
export const KERNEL_TRAP_EXIT = 3;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function flagsOf(o: { untilReady?: boolean; quiet?: boolean; interactive?: boolean; tty?: boolean }): number {
  return (o.untilReady ? abi.BOOT_UNTIL_READY : 0) | (o.quiet ? abi.BOOT_QUIET : 0) |
    (o.interactive ? abi.BOOT_INTERACTIVE : 0) | (o.tty ? abi.BOOT_TTY : 0);
}

/** Boot an image file and run it to halt; resolves to the exit code. */
export async function bootNode(imagePath: string, opts: BootOptions = {}): Promise<number> {
  // The clock starts before the image is read: boot time counts from the host's start.
  const t0 = performance.now();
  let image: BootImage;
  try {
    image = loadImageFile(imagePath);
  } catch (e) {
    if (!(e instanceof ImageCheckError)) throw e;
    // Not a usable image: one line and the same exit code as host.py.
    process.stderr.write(e.message + "\n");
    return e.exitCode;
  }
  const onTrap = opts.onTrap ?? (opts.verbose ? (t: { pid: number; message: string }) => process.stderr.write(`host: trap in pid ${t.pid}: ${t.message}\n`) : undefined);
  // The queue exists before the socket opens, so a connection made during boot loses nothing.
  const input = opts.input || opts.control ? new ConsoleInput(opts.input, opts.control !== undefined) : undefined;
  let control: ControlSocket | undefined;
  if (opts.control) {
    try {
      control = await ControlSocket.open(opts.control, input!);
    } catch (e) {
      process.stderr.write(`quark: cannot open the control socket: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const out = opts.out ?? ((b: Uint8Array) => { process.stdout.write(b); });
  const m = new NodeMachine(image, { t0, imagePath, ...opts, onTrap, out: control ? (b) => { out(b); control!.write(b); } : out });
  try {
    const r = m.boot(flagsOf(opts));
    if (r < 0) {
      // The kernel refused the boot (it said why on the console): as host.py, exit 1.
      const name = Object.entries(abi).find(([k, v]) => k.startsWith("E_") && k !== "E_LAST" && v === r)?.[0] ?? String(r);
      process.stderr.write(`quark: kernel.boot() failed: ${name} (${r})\n`);
      return 1;
    }
    if (m.kernelTrap) {
      process.stderr.write(`quark: the kernel trapped during boot: ${m.kernelTrap.message} (a kernel bug; halting)\n`);
      return KERNEL_TRAP_EXIT;
    }
    return await runLoop(m, input);
  } finally {
    control?.close();
  }
}

/** Wait `ms`, or until `wake` settles; the timer does not outlive the wait. */
async function sleepOrWake(ms: number, wake: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([new Promise<void>((r) => { timer = setTimeout(r, ms); }), wake]);
  clearTimeout(timer);
}

export async function runLoop(m: NodeMachine, input?: ConsoleInput): Promise<number> {
  if (!input) m.hal.uart_rx(-1);
  const hal = m.hal as unknown as UartRx;
  let spins = 0;
  for (;;) {
    const r = m.kernel.run() as number;
    if (m.kernelTrap) {
      process.stderr.write(`quark: the kernel trapped while serving pid ${m.kernelTrap.pid}: ${m.kernelTrap.message} (a kernel bug; halting)\n`);
      return KERNEL_TRAP_EXIT;
    }
    if (r === abi.RUN_HALT) return m.kernel.exit_code() as number;
    if (r === abi.RUN_BUSY) {
      input?.feed(hal);
      // Let timers and input in now and then during long bursts of work.
      if (++spins % 64 === 0) await sleep(0);
      continue;
    }
    // Idle: first hand over queued input (the FIFO may have room now), as the wasmtime host does.
    if (input?.feed(hal)) continue;
    const d = m.kernel.next_deadline() as number;
    // Nothing can wake the system: input would reach no reader (docs/machine-abi.md).
    if (d === -2) return 0;
    if (d >= 0 && d <= m.now()) continue;
    if (d >= 0) await sleepOrWake(Math.max(0, (d - m.now()) / 1e6), input?.next() ?? new Promise(() => {}));
    else if (input?.open()) await input.next();
    else return 0;
  }
}
