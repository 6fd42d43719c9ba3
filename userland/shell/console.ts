// The shell's console, through the console driver (lib/console.ts): lines in
// (a read that finds nothing is followed by a TAG_CON_INPUT message, which
// index.ts answers by reading again), text out.
// Input goes byte by byte into one fixed line buffer, so a line of any length
// costs time linear in its bytes and no memory beyond LINE_MAX: a longer line
// is counted, not kept, and answered with a one-line refusal.
import { conCap, conWrite, conRead, conListen, E_EOF } from "../lib";
import { misused } from "./outcome";

/** The longest line the shell runs, in bytes (not counting the newline). */
export const LINE_MAX = 4096;

/** The badge of the shell's endpoint the console driver wakes it through (TAG_CON_INPUT). */
export const INPUT_BADGE = 0x434f4e; // "CON"
const inBuf = new StaticArray<u8>(256);
let inPos = 0; // bytes of inBuf already taken; the rest wait while the shell sleeps
let inLen = 0;
const lineBuf = new StaticArray<u8>(LINE_MAX);
let lineLen = 0;
let tooLong: i64 = 0; // > 0: the current line passed LINE_MAX; its length so far

/** The console driver's capability, and its promise to wake the shell when input comes. */
export function openConsole(): i32 {
  const c = conCap();
  if (c < 0) return c;
  const l = conListen(INPUT_BADGE);
  return l < 0 ? l : c;
}

// Output the driver could not take (it was restarting: E_DEAD, E_CRASHED)
// waits here and goes out, in order, before the next output and as soon as
// the restarted driver wakes the shell: no answer is lost to a restart.
// Past PENDING_MAX bytes the rest is counted, not kept.
const PENDING_MAX = 65536;
const pending = new StaticArray<u8>(PENDING_MAX);
let pendingLen = 0;
let pendingDropped: i64 = 0;

export function print(text: string): void {
  const bytes = String.UTF8.encode(text);
  const p = changetype<usize>(bytes), n = bytes.byteLength;
  if (!flushPending() || conWrite(p, n) < 0) keep(p, n);
}

/** Send what waits; false if the driver still refuses it. */
export function flushPending(): bool {
  if (pendingLen == 0) return true;
  if (conWrite(changetype<usize>(pending), pendingLen) < 0) return false;
  pendingLen = 0;
  if (pendingDropped > 0) {
    const note = String.UTF8.encode("(" + pendingDropped.toString() + " bytes of output were dropped while the console driver restarted)\n");
    pendingDropped = 0;
    conWrite(changetype<usize>(note), note.byteLength);
  }
  return true;
}

function keep(p: usize, n: i32): void {
  const k = min(n, PENDING_MAX - pendingLen);
  memory.copy(changetype<usize>(pending) + <usize>pendingLen, p, k);
  pendingLen += k;
  pendingDropped += n - k;
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
    const n = conRead(changetype<usize>(inBuf), inBuf.length);
    if (n == 0) return true; // TAG_CON_INPUT comes with more
    // The driver is restarting (E_DEAD, E_CRASHED): its next instance wakes its listeners; the input waits in the UART.
    if (n < 0 && n != E_EOF) return true;
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
