// The services that did not start at boot, as init's ready line names them
// ("init: ready: 2 of 3 services running, ...; failed to start: broken (its
// quark_start trapped)"). init halts with EXIT_SERVICE_FAILED for such a boot
// under --until-ready and --strict; the board then repeats the names on
// standard error, so a script that hides the console (--quiet, a CI log that
// keeps stderr) still learns which service and why.
const READY_MARK = "init: ready: ";
const READY = /\binit: ready: [^\n]*; failed to start: ([^\n]*)\n/;
/** Lines longer than this cannot be init's ready line: they are not kept. */
const LINE_MAX = 4096;

export class BootWatch {
  private line = "";
  private readonly dec = new TextDecoder();
  /** The ready line went by: nothing more to look for (the rest of the run costs nothing here). */
  private done = false;
  /** What failed to start, once the ready line said so. */
  failed: string | undefined;

  see(b: Uint8Array): void {
    if (this.done) return;
    const text = this.dec.decode(b, { stream: true });
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      this.check(this.line + text.slice(from, nl + 1));
      if (this.done) return;
      this.line = "";
      from = nl + 1;
    }
    this.line = (this.line + text.slice(from)).slice(-LINE_MAX);
  }

  private check(line: string): void {
    if (!line.includes(READY_MARK)) return;
    this.done = true;
    this.failed = READY.exec(line)?.[1];
  }
}

export function notStartedLine(failed: string): string {
  return `quark: not every service started: ${failed}`;
}
