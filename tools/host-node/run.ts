// The Node host: the board (tools/board/run.ts) driving V8 in this process.
// This file is the engine side only: NodeMachine (machine.ts) behind the
// board's Engine interface, with console input handed to the HAL in bulk.
import * as abi from "../../kernel/abi";
import { EngineError, runBoard, type BoardIo, type BoardOptions } from "../board/run";
import type { Booted, Engine, KernelTrap, ServiceTrap, Step } from "../board/engine";
import type { BoardImage } from "../board/image";
import { FAULT_CAUSE_EXPORT } from "../lib/abi-texts";
import { compileImage, type BootImage } from "./image";
import { NodeMachine, type MachineOptions, type Trap } from "./machine";

// A step hands the board at most this many traps: a service that traps in a loop cannot grow the list without bound.
const MAX_TRAPS_PER_STEP = 64;

export { KERNEL_TRAP_EXIT } from "../board/exit";

export interface BootOptions extends BoardOptions, Omit<MachineOptions, "out" | "err" | "t0" | "imagePath"> {}

/** The HAL exports console input goes through (docs/machine-abi.md). */
interface UartRx {
  memory: WebAssembly.Memory;
  uart_rx(byte: number): number;
  uart_rx_buffer(): number;
  uart_rx_write(len: number): number;
}

/** Boot an image file under V8 and run it to the end; resolves to the exit status. */
export function bootNode(imagePath: string, opts: BootOptions = {}): Promise<number> {
  return runBoard(imagePath, opts, async (image, io) => {
    const compiled = await compileImage(image, opts.loaderFlags ?? 0);
    try {
      return new NodeEngine(compiled, image, io, opts);
    } catch (e) {
      // The HAL or the kernel cannot be instantiated (an import the machine ABI does not provide, a trapping start).
      if (e instanceof WebAssembly.LinkError || e instanceof WebAssembly.RuntimeError) {
        throw new EngineError(`quark: ${image.file}: cannot instantiate: ${e.message}`);
      }
      throw e;
    }
  });
}

class NodeEngine implements Engine {
  private readonly m: NodeMachine;
  private readonly hal: UartRx;
  private readonly bootTable: Uint8Array;
  private readonly traps: ServiceTrap[] = [];

  constructor(compiled: BootImage, image: BoardImage, io: BoardIo, opts: BootOptions) {
    this.bootTable = image.bootTable;
    // Services' traps go to the board with the next step's answer (it prints them); a kernel trap is the step's kernelTrap.
    const onTrap = (t: Trap) => {
      if (!t.inKernel && this.traps.length < MAX_TRAPS_PER_STEP) this.traps.push({ pid: t.pid, name: t.name, message: t.message });
      opts.onTrap?.(t);
    };
    this.m = new NodeMachine(compiled, {
      verbose: opts.verbose, loaderFlags: opts.loaderFlags, onTrap, out: io.out, err: io.err, t0: io.t0, imagePath: image.file,
    });
    this.hal = this.m.hal as unknown as UartRx;
  }

  async boot(flags: number): Promise<Booted> {
    const k = this.m.kernel;
    try {
      const at = k.boot_buffer(this.bootTable.length) as number;
      if (at === 0) return { noRoom: true };
      new Uint8Array(k.memory.buffer, at, this.bootTable.length).set(this.bootTable);
      const status = k.boot(flags) as number;
      return { status, kernelTrap: this.kernelTrap(), traps: this.takeTraps() };
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      return { status: abi.OK, kernelTrap: { pid: -1, message: e.message } };
    }
  }

  async step(input: Uint8Array | undefined, end: boolean): Promise<Step> {
    const took = input ? this.feed(input) : 0;
    const ended = end && took === (input?.length ?? 0) && this.hal.uart_rx(-1) === abi.OK;
    const s: Step = { took, ended, run: abi.RUN_IDLE, exit: 0, deadline: 0, waitMs: 0 };
    const k = this.m.kernel;
    try {
      s.run = k.run() as number;
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      s.kernelTrap = { pid: -1, message: e.message };
      return s;
    }
    s.kernelTrap = this.kernelTrap();
    s.traps = this.takeTraps();
    if (s.run === abi.RUN_HALT) s.exit = k.exit_code() as number;
    if (s.run === abi.RUN_IDLE) {
      s.deadline = k.next_deadline() as number;
      if (s.deadline >= 0) s.waitMs = Math.max(0, (s.deadline - this.m.now()) / 1e6);
    }
    return s;
  }

  async close(): Promise<void> {}

  readonly dead = new Promise<void>(() => {});
  // The RX FIFO's size: a step runs the kernel once, so more would only be copied for nothing.
  readonly inputChunk = abi.UART_RX_BUFFER;

  /** The services' traps since the last step, handed over once. */
  private takeTraps(): ServiceTrap[] | undefined {
    if (this.traps.length === 0) return undefined;
    // The kernel has recorded each fault by now (kernel.run or boot returned): it knows the cause.
    // A hand-made kernel of the tests may lack the export: the board then names the trap's kind.
    const cause = this.m.kernel[FAULT_CAUSE_EXPORT] as ((pid: number) => number) | undefined;
    const traps = this.traps.splice(0);
    return typeof cause === "function" ? traps.map((t) => ({ ...t, cause: cause(t.pid) })) : traps;
  }

  private kernelTrap(): KernelTrap | undefined {
    const t = this.m.kernelTrap;
    return t && { pid: t.pid, message: t.message };
  }

  /** Stage bytes in the HAL's memory and move them into the RX FIFO until it is full; how many it took. */
  private feed(bytes: Uint8Array): number {
    let took = 0;
    while (took < bytes.length) {
      const n = Math.min(bytes.length - took, abi.UART_RX_BUFFER);
      // A fresh view each time: the HAL's memory may have grown since.
      new Uint8Array(this.hal.memory.buffer, this.hal.uart_rx_buffer(), n).set(bytes.subarray(took, took + n));
      const k = this.hal.uart_rx_write(n);
      if (k <= 0) break;
      took += k;
    }
    return took;
  }
}
