// A build's progress on stderr: the modules the cache held on one line, one
// line as the compiles start (which modules, how many of the image's), one
// as each ends with its count and time. On a terminal the counts share one
// line, rewritten in place; in a pipe or a log each is a line of its own.
import type { BuildProgress } from "../lib/build";

export interface ProgressOptions {
  log: (s: string) => void;
  /** A boot's build says nothing when every module came from the cache, unless verbose. */
  silentWhenCached: boolean;
  /** Raw output for the live line (a terminal's stderr); without it, plain lines. */
  live?: (s: string) => void;
}

export function buildProgress(o: ProgressOptions): BuildProgress {
  let total = 0;
  let done = 0;
  return {
    planned(compiling, cached) {
      total = compiling.length;
      const all = compiling.length + cached.length;
      if (cached.length > 0 && !(o.silentWhenCached && compiling.length === 0)) {
        o.log(`quark: ${cached.length} of ${all} modules from the cache: ${cached.join(", ")}`);
      }
      if (compiling.length > 0) o.log(`quark: compiling ${compiling.length} of ${all} modules: ${compiling.join(", ")}`);
    },
    compiled(names, ms) {
      done += 1;
      const line = `  [${done}/${total}] compile ${names.join(", ")} ${ms} ms`;
      if (!o.live) { o.log(line); return; }
      // Carriage return and erase-line: the count stays on one line, which ends with the last.
      o.live(`\r\x1b[K${line}${done === total ? "\n" : ""}`);
    },
  };
}
