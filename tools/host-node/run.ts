// The Node host's run loop (docs/machine-abi.md, boot step 6): drive
// kernel.run(), sleep until the next timer, feed console input.
import { readFileSync } from "node:fs";
import * as abi from "../../kernel/abi";
import { loadImage } from "./image";
import { NodeMachine, type MachineOptions } from "./machine";
import { ControlSocket } from "./control";

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
  const image = loadImage(new Uint8Array(readFileSync(imagePath)), imagePath);
  const onTrap = opts.onTrap ?? (opts.verbose ? (t: { pid: number; message: string }) => process.stderr.write(`host: trap in pid ${t.pid}: ${t.message}\n`) : undefined);
  let control: ControlSocket | undefined;
  let feed: ReturnType<typeof inputFeeder> | undefined;
  if (opts.control) {
    try {
      control = await ControlSocket.open(opts.control, (b) => feed?.push(b));
    } catch (e) {
      process.stderr.write(`quark: cannot open the control socket: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const out = opts.out ?? ((b: Uint8Array) => { process.stdout.write(b); });
  const m = new NodeMachine(image, { t0, imagePath, ...opts, onTrap, out: control ? (b) => { out(b); control!.write(b); } : out });
  try {
    const r = m.boot(flagsOf(opts));
    if (r < 0) return 2;
    if (m.kernelTrap) {
      process.stderr.write(`quark: the kernel trapped during boot: ${m.kernelTrap.message} (a kernel bug; halting)\n`);
      return KERNEL_TRAP_EXIT;
    }
    feed = opts.input || control ? inputFeeder(m, opts.input, control !== undefined) : undefined;
    return await runLoop(m, feed);
  } finally {
    control?.close();
  }
}

export async function runLoop(m: NodeMachine, feed?: ReturnType<typeof inputFeeder>): Promise<number> {
  if (!feed) m.hal.uart_rx(-1);
  let spins = 0;
  for (;;) {
    const r = m.kernel.run() as number;
    if (m.kernelTrap) {
      process.stderr.write(`quark: the kernel trapped while serving pid ${m.kernelTrap.pid}: ${m.kernelTrap.message} (a kernel bug; halting)\n`);
      return KERNEL_TRAP_EXIT;
    }
    if (r === abi.RUN_HALT) return m.kernel.exit_code() as number;
    if (r === abi.RUN_BUSY) {
      // Let timers and input in now and then during long bursts of work.
      if (++spins % 64 === 0) await sleep(0);
      continue;
    }
    const d = m.kernel.next_deadline() as number;
    // Nothing can wake the system: with a control socket too, since no one reads the console.
    if (d === -2 && (!feed?.open() || feed.held)) return 0;
    if (d >= 0 && d <= m.now()) continue;
    if (d >= 0) await Promise.race([sleep(Math.max(0, (d - m.now()) / 1e6)), feed?.next() ?? new Promise(() => {})]);
    else if (feed?.open()) await feed.next();
    else return 0;
  }
}

/**
 * Moves console input into the HAL's RX FIFO as it arrives: from `input`
 * and, with `held`, from a control socket too, in which case the end of
 * `input` is not the end of console input.
 */
export function inputFeeder(m: NodeMachine, input: AsyncIterable<Uint8Array | string> | undefined, held = false) {
  let open = true;
  let wake: (() => void) | undefined;
  const pending: number[] = [];
  const flush = () => {
    while (pending.length > 0 && m.hal.uart_rx(pending[0]) === abi.OK) pending.shift();
  };
  const push = (bytes: Uint8Array) => {
    for (const b of bytes) pending.push(b);
    flush();
    wake?.();
  };
  (async () => {
    if (input) {
      for await (const chunk of input) push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
    }
    if (held) return;
    open = false;
    m.hal.uart_rx(-1);
    wake?.();
  })();
  return {
    push,
    held,
    open: () => open || pending.length > 0,
    next: () => new Promise<void>((r) => { wake = () => { flush(); r(); }; }),
  };
}
