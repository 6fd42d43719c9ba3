// Whole answers to standard output (help, --version, inspect) written with
// write(2) on fd 1, without Node's stdout stream: setting that stream up
// loads the stream machinery, about 5 ms of a start that should cost little
// more than Node's own (docs: cli.start in `quark bench`). Commands that
// stream (boot, build, ctl, ...) use process.stdout and endOnClosedPipe.
import { writeSync } from "node:fs";
import { EXIT_FAILED } from "./help";

/**
 * `text` to standard output. A reader that has gone (EPIPE) ends the CLI
 * quietly with 0, as the stream's handler does; a non-blocking descriptor
 * that is full (EAGAIN) hands the rest to the stream, which waits.
 */
export function writeOut(text: string): void {
  let rest = Buffer.from(text, "utf8");
  while (rest.length > 0) {
    let n: number;
    try {
      n = writeSync(1, rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") { endOnClosedPipe(); process.stdout.write(rest); return; }
      if (code === "EPIPE") process.exit(0);
      process.stderr.write(`quark: cannot write to standard output: ${(e as Error).message}\n`);
      process.exit(EXIT_FAILED);
    }
    rest = rest.subarray(n);
  }
}

let handled = false;

// A reader that stops reading (`quark boot ... | head`) closes the pipe: stop
// quietly, as it ends cat: nothing more can be said to it. Exit 0, since the
// reader asked for no more; any other write error is a failure of its own.
export function endOnClosedPipe(): void {
  if (handled) return;
  handled = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    process.stderr.write(`quark: cannot write to standard output: ${e.message}\n`);
    process.exit(EXIT_FAILED);
  });
}
