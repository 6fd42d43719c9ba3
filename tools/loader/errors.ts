// The loader's one error: the first rule a module breaks. Every check records
// its error here and returns; nothing throws or traps, whatever the input.
// Later errors are ignored: the first one is the cause, the rest follow from
// stopping at it. index.ts turns the rule into the message the host reads:
// "function 12 (name), byte 345: rule".

const CAP: i32 = 1024;
// Two static buffers: the rule as found, and the message composed from it.
const ruleBuf: usize = memory.data(CAP);
export const messageBuf: usize = memory.data(CAP);
let target: usize = ruleBuf;
let len: i32 = 0;
let ruleLen: i32 = 0;

/** Set once a rule is broken; every walker returns early when it is. */
export let failed = false;
/** The function being decoded (module's own index space), or -1: the message names it. */
export let currentFunc: i32 = -1;
export let errAt: u32 = 0;
export let errFunc: i32 = -1;

export function resetErrors(): void {
  failed = false;
  target = ruleBuf;
  len = 0;
  ruleLen = 0;
  errAt = 0;
  errFunc = -1;
  currentFunc = -1;
  quiet = false;
}

// While the message is composed, the loader reads the module again (a
// function's name); a problem there must not replace the rule.
let quiet = false;
export function beginLookup(): void { quiet = true; failed = false; }
export function endLookup(): void { quiet = false; failed = true; }

export function setCurrentFunc(f: i32): void { currentFunc = f; }

/** Starts the error if none was recorded yet; returns false otherwise, so callers append details only to the first. */
export function fail(at: u32, rule: string): bool {
  if (quiet) { failed = true; return false; }
  if (failed) return false;
  failed = true;
  errAt = at;
  errFunc = currentFunc;
  text(rule);
  return true;
}

/** Composition of the final message: start it, append the prefix, then the rule. */
export function beginMessage(): void {
  ruleLen = len;
  target = messageBuf;
  len = 0;
}
export function appendRule(): void {
  for (let i = 0; i < ruleLen; i++) byte(load<u8>(ruleBuf + i));
}
export function messageLength(): i32 { return len; }

/** Appends ASCII text (the loader's own strings are ASCII). */
export function text(s: string): void {
  for (let i = 0, n = s.length; i < n; i++) byte(<u8>s.charCodeAt(i));
}

/** Appends a name from the module; control bytes become '?' so the message stays one line. */
export function bytes(ptr: usize, n: u32): void {
  for (let i: u32 = 0; i < n && len < CAP; i++) {
    const b = load<u8>(ptr + i);
    byte(b < 0x20 || b == 0x7f ? 0x3f : b);
  }
}

export function decimal(v: u32): void {
  if (v >= 10) decimal(v / 10);
  byte(<u8>(0x30 + v % 10));
}

export function hex(v: u32, digits: i32): void {
  text("0x");
  for (let i = digits - 1; i >= 0; i--) {
    const d = (v >> (i * 4)) & 0xf;
    byte(<u8>(d < 10 ? 0x30 + d : 0x61 + d - 10));
  }
}

function byte(b: u8): void {
  if (len < CAP) {
    store<u8>(target + len, b);
    len++;
  }
}
