// What of the console reaches the board's standard output when some of it is
// for someone else:
// - marks: `quark ctl --control` ends its commands with `status quark-ctl-…`
//   and reads the shell's answer on its connection (tools/lib/ctl.ts); the
//   running system's own console leaves out every line starting with the
//   tag (after any prompts).
// - logs (`quark boot --quiet`): the log lines ("[    0.012345] name: ...",
//   as the kernel and the log service stamp them) are left out; the shell's
//   answers are not, JSON and `svc events` lines included.
// A line is held back only while it could still be one to leave out, so a
// prompt or an answer is not delayed.
import { LOG_LINE, MARK_PREFIX, PROMPT } from "../lib/ctl-marks";

const NL = 10;
const OPEN_BRACKET = 91;

export class ConsoleFilter {
  private held: number[] = [];
  private atStart = true;
  private dropping = false;

  constructor(private readonly o: { marks: boolean; logs: boolean }) {}

  /** The bytes of `b` that reach the console. */
  pass(b: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const c of b) {
      if (this.dropping) {
        if (c === NL) { this.dropping = false; this.atStart = true; }
      } else if (this.atStart || this.held.length > 0) {
        this.hold(c, out);
      } else {
        out.push(c);
        if (c === NL) this.atStart = true;
      }
    }
    return Uint8Array.from(out); // not b even at the same length: held bytes may have moved across chunks
  }

  /** A byte at the start of a line (or after its prompts): keep it while the line may be one to leave out. */
  private hold(c: number, out: number[]): void {
    this.held.push(c);
    if (this.o.logs && this.held[0] === OPEN_BRACKET) {
      if (c !== NL) return; // a stamp or an answer in brackets: known at the line's end
      if (LOG_LINE.test(Buffer.from(this.held).toString("latin1"))) { this.held = []; this.atStart = true; return; }
      this.emit(out, true);
      return;
    }
    // Past here the held bytes are a prefix of the prompt or of a mark: a few bytes.
    const h = String.fromCharCode(...this.held);
    if (this.o.marks && h === MARK_PREFIX) { this.drop(); return; }
    if (h === PROMPT) { this.emit(out, true); return; } // shown at once: the line after it may still be a mark
    if ((this.o.marks && MARK_PREFIX.startsWith(h)) || PROMPT.startsWith(h)) return;
    this.emit(out, c === NL);
  }

  private emit(out: number[], atStart: boolean): void {
    out.push(...this.held);
    this.held = [];
    this.atStart = atStart;
  }

  private drop(): void {
    this.held = [];
    this.dropping = true;
  }

  /** What is still held when the machine ends. */
  flush(): Uint8Array {
    const rest = Uint8Array.from(this.held);
    this.held = [];
    return rest;
  }
}
