// What the driver (pid 1) asks of its victims (every other pid): both run
// this one module, so the tags are written once, here.
export const T_VERDICT = 0x7c01; // how the instance found itself at its start: 0 pristine, else the bits of what was not
export const T_CRASH = 0x7c02; // trap
export const T_SIZE = 0x7c03; // memory.size in pages
export const T_GROW = 0x7c04; // memory.grow(word 0): the old size, or -1 when refused
export const T_PROBE = 0x7c05; // where the first allocation of its start landed

// Verdict bits: what a recycled instance must never show.
export const DIRTY_GLOBAL = 1; // a global that was changed
export const DIRTY_DATA = 2; // a data segment's bytes
export const DIRTY_ZERO = 4; // memory that was zero

/** Kernel-managed memory each victim maps and writes at start, so frames come and go with it. */
export const VICTIM_VADDR: u32 = 0x100000;
