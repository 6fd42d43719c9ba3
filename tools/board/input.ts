// Console input for the board, whichever engine runs the machine: the bytes
// of standard input (or any async iterable) and of control-socket
// connections, queued until the HAL's RX FIFO takes them. Nothing is dropped
// and nothing grows without bound: the queue stops pulling from its sources
// while it holds HIGH_WATER bytes and lets them go on once the machine has
// taken it below LOW_WATER (back-pressure). The end of input reaches the HAL
// only after the last byte has.
import * as abi from "../../kernel/abi";

const HIGH_WATER = 16 * abi.UART_RX_BUFFER;
const LOW_WATER = 4 * abi.UART_RX_BUFFER;
const EMPTY = new Uint8Array(0);
const NEWLINE = new Uint8Array([10]);

export class ConsoleInput {
  private chunks: Uint8Array[] = [];
  // Who queued each chunk: a control connection, or undefined for the input source.
  private owners: (object | undefined)[] = [];
  private first = 0; // index of the oldest chunk still queued
  private offset = 0; // bytes of chunks[first] already taken
  private queued = 0;
  private ended: boolean;
  private eofSent = false;
  private wake: (() => void) | undefined;
  private waitingForRoom: (() => void)[] = [];
  private discarded: object[] = [];
  private closed = false;

  /**
   * `source` is read as fast as the machine takes it; with `held` (a control
   * socket is open) its end is not the end of console input.
   */
  constructor(private readonly source: AsyncIterable<Uint8Array | string> | undefined, readonly held = false) {
    this.ended = source === undefined;
    if (source) void this.pump(source);
  }

  /**
   * The machine is done: stop reading the source, so that an open standard
   * input (a terminal, a pipe still open) does not keep the process alive.
   */
  close(): void {
    this.closed = true;
    (this.source as { destroy?: () => void } | undefined)?.destroy?.();
  }

  /** Queue bytes; false when the queue is full: pause the source until whenRoom calls back. */
  push(bytes: Uint8Array, owner?: object): boolean {
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.owners.push(owner);
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

  /** Bytes or the end of input wait for the HAL. */
  pending(): boolean { return this.queued > 0 || this.wantsEnd(); }

  /** Everything before the end of input is in the HAL: it may take the end now. */
  wantsEnd(): boolean { return this.queued === 0 && this.ended && !this.held && !this.eofSent; }

  /** The HAL took the end of input. */
  endSent(): void { this.eofSent = true; }

  /**
   * The oldest queued bytes, at most `max` (several chunks joined when the
   * first is shorter), for the engine to offer the HAL; undefined if none.
   * They stay queued until take() says how many the HAL accepted.
   */
  peek(max: number): Uint8Array | undefined {
    this.applyDiscards();
    if (this.queued === 0) return undefined;
    const head = this.chunks[this.first];
    const inHead = head.length - this.offset;
    if (inHead >= max || inHead === this.queued) return head.subarray(this.offset, this.offset + Math.min(inHead, max));
    const out = new Uint8Array(Math.min(max, this.queued));
    let at = 0;
    for (let i = this.first, from = this.offset; at < out.length; i++, from = 0) {
      const c = this.chunks[i];
      const n = Math.min(c.length - from, out.length - at);
      out.set(c.subarray(from, from + n), at);
      at += n;
    }
    return out;
  }

  /** Drop the first `n` queued bytes (the HAL took them) and let paused sources go on below LOW_WATER. */
  take(n: number): void {
    while (n > 0) {
      const left = this.chunks[this.first].length - this.offset;
      const k = Math.min(left, n);
      this.offset += k;
      this.queued -= k;
      n -= k;
      if (k === left) this.dropFirst();
    }
    this.applyDiscards();
    if (this.queued < LOW_WATER && this.waitingForRoom.length > 0) {
      const resume = this.waitingForRoom;
      this.waitingForRoom = [];
      for (const r of resume) r();
    }
  }

  /**
   * Forget every byte `owner` queued that the HAL has not taken; a chunk it
   * has begun is cut where it stands and its line ended, so the cut line
   * cannot run into the next one.
   */
  discard(owner: object): void {
    // Applied at the next peek or take: bytes offered to the engine now stay where take() expects them.
    this.discarded.push(owner);
  }

  private applyDiscards(): void {
    if (this.discarded.length === 0) return;
    const gone = new Set(this.discarded);
    this.discarded = [];
    const chunks: Uint8Array[] = [], owners: (object | undefined)[] = [];
    for (let i = this.first; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      const begun = i === this.first && this.offset > 0;
      if (!gone.has(this.owners[i]!)) { chunks.push(begun ? c.subarray(this.offset) : c); owners.push(this.owners[i]); continue; }
      if (begun && c[this.offset - 1] !== 10) { chunks.push(NEWLINE); owners.push(undefined); }
    }
    this.chunks = chunks;
    this.owners = owners;
    this.first = this.offset = 0;
    this.queued = chunks.reduce((n, c) => n + c.length, 0);
  }

  /** Resolves when bytes arrive or the input ends. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => { this.wake = () => { this.wake = undefined; resolve(); }; });
  }

  /** Forget the oldest chunk; compact the list now and then, so a long run of small chunks stays linear. */
  private dropFirst(): void {
    this.owners[this.first] = undefined;
    this.chunks[this.first++] = EMPTY;
    this.offset = 0;
    if (this.first === this.chunks.length) { this.chunks = []; this.owners = []; this.first = 0; }
    else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.owners = this.owners.slice(this.first);
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
      if (!this.closed) process.stderr.write(`quark: console input failed: ${(e as Error).message}; treating it as the end of input\n`);
    }
    this.ended = true;
    this.wake?.();
  }
}
