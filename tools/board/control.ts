// The control socket (`quark boot --control PATH`): a Unix socket through
// which `quark ctl --control PATH` reaches the console of a running machine.
// What a connection writes is console input, like standard input; every
// console output byte is copied to every open connection. While the socket
// is open, the end of standard input is not the end of console input: the
// machine runs until it is halted. A connection is paused while the console's
// input queue is full and resumed when it has room, so nothing it sends is lost;
// one dropped for leaving output unread loses what it sent that the console
// has not taken yet, so a stalled client's commands do not run on after it.
import * as abi from "../../kernel/abi";
import { connect, createServer, type Server, type Socket } from "node:net";
import { existsSync, unlinkSync } from "node:fs";

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
      let midLine = false;
      c.on("data", (b) => {
        midLine = b.length > 0 && b[b.length - 1] !== 10;
        if (input.push(new Uint8Array(b), c)) return;
        c.pause();
        input.whenRoom(() => c.resume());
      });
      // A connection that ends mid-line gets its line ended, so it cannot run into the next connection's.
      const gone = () => {
        if (!this.clients.delete(c)) return; // dropped: discard() ended its line
        if (midLine) { midLine = false; input.push(NEWLINE); }
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
