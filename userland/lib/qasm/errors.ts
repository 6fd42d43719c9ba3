// The parse's first error: where it is (a byte address in the program's text)
// and what was expected. Later errors are dropped: each follows from the first.
import { OK } from "../../../kernel/abi";

export let failed = false;
export let code: i32 = OK;
export let at: usize = 0;
export let message = "";

// The top-level statement being run: errors found while a gate is expanded
// (in a library's text or a gate body already checked) are reported there.
export let site: usize = 0;
export let expanding: i32 = 0;

export function reset(): void {
  failed = false;
  code = OK;
  at = 0;
  message = "";
  site = 0;
  expanding = 0;
}

export function setSite(p: usize): void { site = p; }
export function enter(): void { expanding++; }
export function leave(): void { expanding--; }

/** Records the error at `p` (or at the statement being expanded); the first one wins. */
export function fail(p: usize, c: i32, msg: string): void {
  if (failed) return;
  failed = true;
  code = c;
  at = expanding > 0 ? site : p;
  message = msg;
}

/** 1-based line and column (in characters) of `p` in the text at [base, base+len). */
export function lineOf(base: usize, len: i32, p: usize): i32 {
  let line = 1;
  const end = min(p, base + <usize>len);
  for (let q = base; q < end; q++) if (load<u8>(q) == 10) line++;
  return line;
}

export function columnOf(base: usize, len: i32, p: usize): i32 {
  const end = min(p, base + <usize>len);
  let q = end;
  while (q > base && load<u8>(q - 1) != 10) q--;
  let col = 1;
  // UTF-8 continuation bytes do not start a character.
  for (; q < end; q++) if ((load<u8>(q) & 0xc0) != 0x80) col++;
  return col;
}
