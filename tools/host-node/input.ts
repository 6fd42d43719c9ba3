// Console input for the Node host: the bytes of standard input (or any async
// iterable) and of control-socket connections, queued until the HAL's RX FIFO
// takes them. Nothing is dropped and nothing grows without bound: the queue
// stops pulling from its sources while it holds HIGH_WATER bytes and lets them
// go on once the kernel has drained it below LOW_WATER (back-pressure, as the
// wasmtime host reads no more while it holds bytes the FIFO refused). The end
// of input reaches the HAL only after the last byte has.
import * as abi from "../../kernel/abi";

const HIGH_WATER = 16 * abi.UART_RX_BUFFER;
const LOW_WATER = 4 * abi.UART_RX_BUFFER;

/** The HAL exports console input goes through (docs/machine-abi.md). */
export interface UartRx {
  memory: WebAssembly.Memory;
  uart_rx(byte: number): number;
  uart_rx_buffer(): number;
  uart_rx_write(len: number): number;
}

export class ConsoleInput {
  private chunks: Uint8Array[] = [];
  private first = 0; // index of the oldest chunk still queued
  private offset = 0; // bytes of chunks[first] already taken
  private queued = 0;
  private ended: boolean;
  private eofSent = false;
  private wake: (() => void) | undefined;
  private waitingForRoom: (() => void)[] = [];

  /**
   * `source` is read as fast as the machine takes it; with `held` (a control
   * socket is open) its end is not the end of console input.
   */
  constructor(source: AsyncIterable<Uint8Array | string> | undefined, readonly held = false) {
    this.ended = source === undefined;
    if (source) void this.pump(source);
  }

  /** Queue bytes; false when the queue is full: pause the source until whenRoom calls back. */
  push(bytes: Uint8Array): boolean {
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.queued += bytes.length;
      this.wake?.();
    }
    return this.queued < HIGH_WATER;
  }

  /** Call `resume` once the queue has room again (at once if it has now). */
  whenRoom(resume: () => void): void {
    if (this.queued < HIGH_WATER) resume();
    else this.waitingForRoom.push(resume);
  }

  /** More input may come, or some is still queued. */
  open(): boolean { return !this.eofSent; }

  /**
   * Move what the RX FIFO takes from the queue into it, then the end of input
   * once everything before it is in. True if the HAL got anything.
   */
  feed(hal: UartRx): boolean {
    let moved = false;
    while (this.queued > 0) {
      const took = this.feedChunk(hal);
      if (took <= 0) break;
      moved = true;
    }
    if (this.queued < LOW_WATER && this.waitingForRoom.length > 0) {
      const resume = this.waitingForRoom;
      this.waitingForRoom = [];
      for (const r of resume) r();
    }
    if (this.queued === 0 && this.ended && !this.held && !this.eofSent && hal.uart_rx(-1) === abi.OK) {
      this.eofSent = true;
      moved = true;
    }
    return moved;
  }

  /** Resolves when bytes arrive or the input ends. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => { this.wake = () => { this.wake = undefined; resolve(); }; });
  }

  /** One staging buffer's worth of the oldest chunk; the bytes the FIFO took (0: it is full). */
  private feedChunk(hal: UartRx): number {
    const chunk = this.chunks[this.first];
    const n = Math.min(chunk.length - this.offset, abi.UART_RX_BUFFER);
    const at = hal.uart_rx_buffer();
    // A fresh view each time: the HAL's memory may have grown since.
    new Uint8Array(hal.memory.buffer, at, n).set(chunk.subarray(this.offset, this.offset + n));
    const took = hal.uart_rx_write(n);
    if (took <= 0) return 0;
    this.offset += took;
    this.queued -= took;
    if (this.offset === chunk.length) this.dropFirst();
    return took;
  }

  /** Forget the oldest chunk; compact the list now and then, so a long run of small chunks stays linear. */
  private dropFirst(): void {
    this.chunks[this.first++] = EMPTY;
    this.offset = 0;
    if (this.first === this.chunks.length) { this.chunks = []; this.first = 0; }
    else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  /** Read `source` into the queue, waiting for room whenever it is full. */
  private async pump(source: AsyncIterable<Uint8Array | string>): Promise<void> {
    const enc = new TextEncoder();
    try {
      for await (const chunk of source) {
        if (!this.push(typeof chunk === "string" ? enc.encode(chunk) : chunk)) {
          await new Promise<void>((r) => this.whenRoom(r));
        }
      }
    } catch (e) {
      process.stderr.write(`quark: console input failed: ${(e as Error).message}; treating it as the end of input\n`);
    }
    this.ended = true;
    this.wake?.();
  }
}

const EMPTY = new Uint8Array(0);
