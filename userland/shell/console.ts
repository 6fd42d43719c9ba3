// The shell's console: lines in (console_read, woken by NOTE_INPUT), text out.
import { sys, capByName } from "../lib";

let console = -1;
const inBuf = new StaticArray<u8>(256);
let line = "";

export function openConsole(): i32 { console = capByName("console"); return console; }

export function print(text: string): void {
  const bytes = String.UTF8.encode(text);
  sys.console_write(console, changetype<usize>(bytes), bytes.byteLength);
}

export function println(text: string): void { print(text + "\n"); }

/**
 * Hand each complete line of input to `run`, which returns false to pause
 * (the rest waits in the buffer for the next call). Returns false at the end
 * of input (after running a last unterminated line), true otherwise.
 */
export function readLines(run: (line: string) => bool): bool {
  while (true) {
    let nl = line.indexOf("\n");
    while (nl >= 0) {
      const one = line.substring(0, nl);
      line = line.substring(nl + 1);
      if (!run(one)) return true;
      nl = line.indexOf("\n");
    }
    const n = sys.console_read(console, changetype<usize>(inBuf), inBuf.length);
    if (n == 0) return true; // NOTE_INPUT comes with more
    if (n < 0) {
      if (line.length > 0) { const last = line; line = ""; run(last); }
      return false;
    }
    line += String.UTF8.decodeUnsafe(changetype<usize>(inBuf), n);
  }
  return true;
}
