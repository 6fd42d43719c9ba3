// The shell's console: lines in (console_read, woken by NOTE_INPUT), text out.
// Input goes byte by byte into one fixed line buffer, so a line of any length
// costs time linear in its bytes and no memory beyond LINE_MAX: a longer line
// is counted, not kept, and answered with a one-line refusal.
import { sys, capByName } from "../lib";
import { misused } from "./outcome";

/** The longest line the shell runs, in bytes (not counting the newline). */
export const LINE_MAX = 4096;

let console = -1;
const inBuf = new StaticArray<u8>(256);
let inPos = 0; // bytes of inBuf already taken; the rest wait while the shell sleeps
let inLen = 0;
const lineBuf = new StaticArray<u8>(LINE_MAX);
let lineLen = 0;
let tooLong: i64 = 0; // > 0: the current line passed LINE_MAX; its length so far

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
    while (inPos < inLen) {
      const b = unchecked(inBuf[inPos]); // inPos < inLen <= inBuf.length
      inPos++;
      if (b == 10) {
        if (!endLine(run)) return true;
      } else {
        take(b);
      }
    }
    const n = sys.console_read(console, changetype<usize>(inBuf), inBuf.length);
    if (n == 0) return true; // NOTE_INPUT comes with more
    if (n < 0) {
      if (lineLen > 0 || tooLong > 0) endLine(run);
      return false;
    }
    inPos = 0;
    inLen = min(n, inBuf.length);
  }
  return true;
}

/** One byte of the current line: kept while it fits, counted once it does not. */
@inline function take(b: u8): void {
  if (tooLong > 0) { tooLong++; return; }
  if (lineLen < LINE_MAX) { unchecked(lineBuf[lineLen] = b); lineLen++; return; }
  tooLong = <i64>LINE_MAX + 1;
}

/** The current line is complete: run it, or refuse it if it was too long. */
function endLine(run: (line: string) => bool): bool {
  if (tooLong > 0) {
    misused("line too long (" + tooLong.toString() + " bytes; the limit is " + LINE_MAX.toString() + ")");
    tooLong = 0;
    lineLen = 0;
    return true;
  }
  const line = String.UTF8.decodeUnsafe(changetype<usize>(lineBuf), lineLen);
  lineLen = 0;
  return run(line);
}
