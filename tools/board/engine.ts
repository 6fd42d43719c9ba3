// What the board asks of an engine (docs/machine-abi.md): everything that
// differs between V8 in this process (tools/host-node/) and wasmtime in a
// Python child (tools/host-wasmtime/). Instantiating, linking, the
// trap-isolating trampoline, copy, spawn, stage, swap and kill live behind
// it; the board (run.ts) owns the image, the run loop's policy, console
// input, the control socket, exit codes and every message.

/** A trap inside the kernel's own code: a kernel bug, never a service's fault. */
export interface KernelTrap {
  /** The process the kernel was serving, or -1 when the board's own call into the kernel trapped. */
  pid: number;
  /** The engine's reason, when it keeps one. */
  message?: string;
}

/** A service's trap, caught by the engine's trampoline: the kernel carries on (E_CRASHED to its caller). */
export interface ServiceTrap {
  pid: number;
  /** The module it runs (a service's name), or "" when the engine does not know it. */
  name: string;
  /** The engine's message (its root cause): the board names its kind (abi/traps.ts). */
  message: string;
  /** kernel.fault_cause(pid) once the kernel has recorded the fault (FAULT_*; 0 or absent: unknown). */
  cause?: number;
}

export type Booted =
  | { status: number; kernelTrap?: KernelTrap; traps?: ServiceTrap[] }
  /** `kernel.boot_buffer()` has no room for the boot table. */
  | { noRoom: true };

/** One turn of the machine: input handed over, then kernel.run(). */
export interface Step {
  /** Bytes of the offered input the RX FIFO took (0: it is full). */
  took: number;
  /** The end of input went in (hal.uart_rx(-1)). */
  ended: boolean;
  /** RUN_*; anything else is the kernel's bug. */
  run: number;
  /** After RUN_HALT: kernel.exit_code(). */
  exit: number;
  /** After RUN_IDLE: kernel.next_deadline() (engine-clock ns, or DEADLINE_*). */
  deadline: number;
  /** After RUN_IDLE with a deadline: milliseconds until it, on the engine's clock. */
  waitMs: number;
  kernelTrap?: KernelTrap;
  /** The services' traps in this step, in order. */
  traps?: ServiceTrap[];
}

export interface Engine {
  /** How many bytes of console input to offer per step (an engine across a pipe takes more at a time). */
  readonly inputChunk: number;
  /** Copy the boot table in and call kernel.boot(flags). */
  boot(flags: number): Promise<Booted>;
  /**
   * Offer `input` to the HAL (as much as its RX FIFO takes, in bulk), then,
   * if `end` and every byte was taken, the end of input; then kernel.run()
   * (an engine may call it again, a few times at most, while it answers
   * RUN_BUSY or its reader makes room for more of `input`), and
   * next_deadline() when idle.
   */
  step(input: Uint8Array | undefined, end: boolean): Promise<Step>;
  /** Stop the engine (its process, for one that has one). */
  close(): Promise<void>;
  /** Settles when the engine stops by itself (its process died); never for an engine in this process. */
  readonly dead: Promise<void>;
}
