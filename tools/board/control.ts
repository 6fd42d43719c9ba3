// The control socket (`quark boot --control PATH`): a Unix socket through
// which `quark ctl --control PATH` reaches the console of a running machine.
// What a connection writes is console input, like standard input; every
// console output byte is copied to every open connection. While the socket
// is open, the end of standard input is not the end of console input: the
// machine runs until it is halted. A connection is paused while the console's
// input queue is full and resumed when it has room, so nothing it sends is lost;
// one dropped for leaving output unread loses what it sent that the console
// has not taken yet, so a stalled client's commands do not run on after it.
//
// Connections share one shell, whose `status` counts every command since the
// last `status`. A `quark ctl --control` client sends its commands between
// `status MARK-begin` and `status MARK` (tools/lib/ctl.ts), and the status it
// exits with is the one the shell prints for MARK; so those lines reach the
// console as one run, never with another connection's lines among them: a
// connection's bytes are handed on in whole lines, and from a begin mark to
// its end mark at once (Held). Each client's status is then its own commands'.
import * as abi from "../../kernel/abi";
import { connect, createServer, type Server, type Socket } from "node:net";
import { existsSync, unlinkSync } from "node:fs";
import { MARK_PREFIX } from "../lib/ctl-marks";

/** How long a connection may take to read the last output once the machine has halted. */
const CLOSE_GRACE_MS = 5000;

/** Is a system listening on `path` now? */
function inUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.on("connect", () => { c.destroy(); resolve(true); });
    c.on("error", () => resolve(false));
  });
}

/** Where a connection's bytes go: the console's input queue (input.ts). */
export interface InputSink {
  /** Queue bytes from `owner`; false: full, pause until whenRoom calls back. */
  push(bytes: Uint8Array, owner?: object): boolean;
  whenRoom(resume: () => void): void;
  /** Forget what `owner` queued that the console has not taken, ending a line it cut short. */
  discard(owner: object): void;
}

const NEWLINE = new Uint8Array([10]);

/** A ctl client's first line: `status MARK-begin`. */
const BEGIN = new RegExp(`^status (${MARK_PREFIX}[0-9a-f]+)-begin$`);
/**
 * Bytes a connection may have held back (a line not yet ended, a marked run
 * not yet closed); past it they go on as they are, so a client that never
 * ends its line or its run costs the machine no memory. A ctl client's run
 * is its command line: far less.
 */
const HOLD_MAX = 1 << 20;

/** One connection's bytes not yet handed to the console: whole lines only, and a marked run whole. */
class Held {
  private bytes: Uint8Array = new Uint8Array(0);
  private scanned = 0; // where the next line to look at starts
  private mark: string | undefined; // inside `status MARK-begin` ... `status MARK`

  /** Add what arrived; the bytes that may go on now (possibly none). */
  take(b: Uint8Array): Uint8Array {
    this.bytes = this.bytes.length === 0 ? b : concat(this.bytes, b);
    let ready = 0;
    for (let nl: number; (nl = this.bytes.indexOf(10, this.scanned)) >= 0; this.scanned = nl + 1) {
      const line = latin1(this.bytes.subarray(this.scanned, nl));
      if (this.mark === undefined) {
        const m = BEGIN.exec(line);
        if (m) this.mark = m[1];
        else ready = nl + 1;
      } else if (line === `status ${this.mark}`) {
        this.mark = undefined;
        ready = nl + 1;
      }
    }
    if (this.bytes.length - ready > HOLD_MAX) { ready = this.bytes.length; this.mark = undefined; }
    const out = this.bytes.subarray(0, ready);
    this.bytes = this.bytes.subarray(ready);
    this.scanned -= ready;
    return out;
  }

  /** The connection is gone: what it held, its last line ended. */
  rest(): Uint8Array {
    const b = this.bytes;
    this.bytes = new Uint8Array(0);
    this.scanned = 0;
    return b.length === 0 || b[b.length - 1] === 10 ? b : concat(b, NEWLINE);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length && i < 256; i++) s += String.fromCharCode(b[i]);
  return s;
}

export class ControlSocket {
  private server: Server;
  private clients = new Set<Socket>();

  /** Open the socket at `path`; refused if another system is listening there. */
  static async open(path: string, input: InputSink, err: (line: string) => void): Promise<ControlSocket> {
    if (existsSync(path)) {
      if (await inUse(path)) throw new Error(`${path}: another system is listening there; halt it (quark ctl --control ${path} halt) or choose another path`);
      unlinkSync(path); // a socket left by a machine that is gone
    }
    const s = new ControlSocket(path, input, err);
    await s.ready();
    return s;
  }

  private constructor(readonly path: string, private readonly input: InputSink, private readonly err: (line: string) => void) {
    this.server = createServer((c) => {
      this.clients.add(c);
      const held = new Held();
      c.on("data", (b) => {
        const ready = held.take(new Uint8Array(b));
        if (ready.length === 0 || input.push(ready, c)) return;
        c.pause();
        input.whenRoom(() => c.resume());
      });
      // A connection that ends mid-line gets its line ended, so it cannot run into the next connection's.
      const gone = () => {
        if (!this.clients.delete(c)) return; // dropped: discard() ended its line, and what it held goes with it
        const rest = held.rest();
        if (rest.length > 0) input.push(rest);
      };
      c.on("close", gone);
      c.on("error", gone);
    });
    this.server.listen(path);
  }

  /** Wait until the socket accepts connections (or fails to). */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.server.listening) { resolve(); return; }
      this.server.once("listening", () => resolve());
      this.server.once("error", reject);
    });
  }

  /** Copy console output to every connection; one that leaves CONTROL_BACKLOG bytes unread is dropped. */
  write(bytes: Uint8Array): void {
    for (const c of this.clients) {
      if (c.writableLength + bytes.length > abi.CONTROL_BACKLOG) { this.drop(c); continue; }
      c.write(bytes);
    }
  }

  private drop(c: Socket): void {
    this.clients.delete(c);
    c.destroy();
    this.input.discard(c);
    this.err(`quark: control connection dropped: it left ${abi.CONTROL_BACKLOG} bytes of console output unread`);
  }

  close(): void {
    // End, not destroy: what the machine printed last (its halt) still reaches
    // each connection; one that stops reading is cut off after a while.
    for (const c of this.clients) {
      c.end();
      setTimeout(() => c.destroy(), CLOSE_GRACE_MS).unref();
    }
    this.server.close();
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}
