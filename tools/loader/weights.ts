// Stack weights. A function's weight is what one activation of it can take
// of the engine's stack, in 8-byte slots: its parameters and locals, the
// highest its operand stack gets, and FRAME_SLOTS for the return address,
// frame pointer, instance and spill margin (v128 counts 2 slots everywhere).
// GUARD_SLOTS covers the charges the loader inserts (they push two values on
// top of whatever is there), SCRATCH_SLOTS the two locals they use (charges.ts),
// and a function that grows memory adds the frame of the grow check it calls. The operand stack's height is found by
// simulating every instruction: blocks by their types, calls by their
// signatures, and code after br/return/unreachable restarting at the height
// its block began with. This pass also checks every index an instruction
// names, so the rewrite (code.ts) can trust them.
import { fail, failed, decimal, text } from "./errors";
import { take } from "./arena";
import { pos, limit, seek, readU32, here, remaining, setPos } from "./reader";
import { readValType, enter, leave } from "./sections";
import { STACK_ENTRY_MAX } from "../../kernel/abi";
import {
  info, funcType, typeParams, typeResults, paramType, resultType, valueWidth, totalFuncs, MAX_LOCALS, MAX_PARAMS, S_CODE,
} from "./module";
import * as d from "./decoder";

export const FRAME_SLOTS: u32 = 4;
export const GUARD_SLOTS: u32 = 2;
/** The locals the loader adds to every body: the stack at entry (i32) and the fuel just charged (i64). */
export const SCRATCH_SLOTS: u32 = 2;
/** The grow check's own weight: a param, a local, two operands, a frame. */
export const GROW_SLOTS: u32 = 1 + 1 + 2 + FRAME_SLOTS;

const STACK_CAP: u32 = 1 << 20; // operand-stack values
const CTRL_CAP: u32 = 1 << 16; // nested blocks
const FRAME_BYTES: u32 = 16;
const LOCALS_CAP: u32 = MAX_LOCALS + MAX_PARAMS;

// Scratch, taken once per module (the arena is reset per module).
let widths: usize = 0; // per operand: its width in slots (u8)
let frames: usize = 0; // per open block: base depth, base slots (u32), block type (i32), kind, unreachable (u8)
let localWidths: usize = 0; // per local: its width (u8)
let scratchIndex: usize = 0; // per defined function: the index of the first local the loader adds (u32)
let guardedCalls: usize = 0; // per defined function: whether it calls a defined function or call_indirect (u8)
let leavesCovered: usize = 0; // per defined function: whether its weight covers the leaves it calls (u8)

let depth: u32 = 0;
let slots: u32 = 0;
let maxSlots: u32 = 0;
let nFrames: u32 = 0;
let nLocals: u32 = 0;
let grows = false;
let calls = false;

export function resetWeights(): void { widths = 0; frames = 0; localWidths = 0; scratchIndex = 0; guardedCalls = 0; leavesCovered = 0; }

function scratch(): bool {
  if (widths != 0) return true;
  widths = take(STACK_CAP);
  frames = take(<u64>CTRL_CAP * FRAME_BYTES);
  localWidths = take(LOCALS_CAP);
  scratchIndex = take(<u64>info.nFuncs * 4 + 4);
  guardedCalls = take(<u64>info.nFuncs + 1);
  leavesCovered = take(<u64>info.nFuncs + 1);
  if (widths == 0 || frames == 0 || localWidths == 0 || scratchIndex == 0 || guardedCalls == 0 || leavesCovered == 0) {
    fail(here(), "out of memory");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- the simulated stack

function frameAt(i: u32): usize { return frames + i * FRAME_BYTES; }
function top(): usize { return frameAt(nFrames - 1); }

function pushValue(w: u32): void {
  if (depth >= STACK_CAP) { if (fail(d.opAt, "operand stack deeper than ")) decimal(STACK_CAP); return; }
  store<u8>(widths + depth, <u8>w);
  depth++;
  slots += w;
  if (slots > maxSlots) maxSlots = slots;
}

/** Pops n values, never below the current block's base (code after a branch is unreachable there). */
function popValues(n: u32): void {
  const base = load<u32>(top());
  for (; n > 0 && depth > base; n--) {
    depth--;
    slots -= load<u8>(widths + depth);
  }
}

function pushFrame(kind: u32, bt: i32): void {
  if (nFrames >= CTRL_CAP) { if (fail(d.opAt, "blocks nested deeper than ")) decimal(CTRL_CAP); return; }
  const f = frameAt(nFrames++);
  store<u32>(f, depth);
  store<u32>(f + 4, slots);
  store<i32>(f + 8, bt);
  store<u8>(f + 12, <u8>kind);
  store<u8>(f + 13, 0);
}

function resetToBase(): void {
  const f = top();
  depth = load<u32>(f);
  slots = load<u32>(f + 4);
}

function unreachable(): void {
  resetToBase();
  store<u8>(top() + 13, 1);
}

// Block types: -0x40 empty, -valtype one result, else a type index (checked in checkBlockType).
function pushParams(bt: i32): void {
  if (bt < 0) return;
  const n = typeParams(bt);
  for (let i: u32 = 0; i < n; i++) pushValue(valueWidth(paramType(bt, i)));
}
function pushResults(bt: i32): void {
  if (bt == -0x40) return;
  if (bt < 0) { pushValue(valueWidth(<u32>-bt)); return; }
  const n = typeResults(bt);
  for (let i: u32 = 0; i < n; i++) pushValue(valueWidth(resultType(bt, i)));
}
function blockParams(bt: i32): u32 { return bt < 0 ? 0 : typeParams(bt); }

function checkBlockType(): i32 {
  const bt = d.blockType;
  if (bt >= 0 && bt >= <i64>info.nTypes) { if (fail(d.opAt, "block type index out of range: ")) decimal(<u32>bt); return -0x40; }
  return <i32>bt;
}

function checkLabel(l: u32): void {
  if (l >= nFrames) { if (fail(d.opAt, "branch to label ")) { decimal(l); text(", beyond the enclosing blocks"); } }
}

function checkFunc(f: u32): bool {
  if (f < totalFuncs()) return true;
  if (fail(d.opAt, "call to function index out of range: ")) decimal(f);
  return false;
}

// ---------------------------------------------------------------- one function

/** Reads the local declarations of defined function `f`; returns the locals' slots (params included). */
function readLocals(t: u32): u32 {
  const np = typeParams(t);
  let total: u32 = 0;
  for (let i: u32 = 0; i < np; i++) {
    const w = valueWidth(paramType(t, i));
    store<u8>(localWidths + i, <u8>w);
    total += w;
  }
  nLocals = np;
  const at = here();
  const groups = readU32();
  if (<usize>groups > remaining()) { fail(at, "too many local declarations"); return 0; }
  for (let g: u32 = 0; g < groups && !failed; g++) {
    const gat = here();
    const n = readU32();
    const ty = readValType();
    if (failed) return 0;
    // The engine's limit less the loader's own (SCRATCH_SLOTS locals, one slot each).
    if (n > MAX_LOCALS || nLocals + n > np + MAX_LOCALS - SCRATCH_SLOTS) { if (fail(gat, "more than ")) { decimal(MAX_LOCALS - SCRATCH_SLOTS); text(" locals"); } return 0; }
    const w = valueWidth(ty);
    memory.fill(localWidths + nLocals, <u8>w, n);
    nLocals += n;
    total += n * w;
  }
  return total;
}

/** Decodes the body of defined function `i` in [start, end), checks it, and stores its weight. */
export function measure(i: u32, start: usize, end: usize): void {
  if (!scratch()) return;
  seek(start, end);
  const t = load<u32>(info.funcTypes + i * 4);
  const localSlots = readLocals(t);
  depth = 0; slots = 0; maxSlots = 0; nFrames = 0; grows = false; calls = false;
  pushFrame(d.K_BLOCK, <i32>t);
  while (nFrames > 0 && !failed) {
    d.decode();
    if (failed) return;
    step();
  }
  if (failed) return;
  if (pos != limit) { fail(here(), "function body has bytes after its final end"); return; }
  const w = localSlots + maxSlots + FRAME_SLOTS + GUARD_SLOTS + SCRATCH_SLOTS + (grows ? GROW_SLOTS : 0);
  store<u32>(info.weights + i * 4, w);
  store<u32>(scratchIndex + i * 4, nLocals);
  store<u8>(guardedCalls + i, calls ? 1 : 0);
  store<u8>(leavesCovered + i, 0);
  if (grows) info.usesGrow = true;
}

function step(): void {
  const k = d.kind;
  if (k == d.K_PLAIN) { popValues(d.pops); if (d.push) pushValue(d.push); return; }
  switch (k) {
    case d.K_UNREACHABLE: case d.K_RETURN: unreachable(); return;
    case d.K_BR: checkLabel(d.imm); unreachable(); return;
    case d.K_BR_TABLE: checkLabel(d.imm); popValues(1); unreachable(); return;
    case d.K_BR_IF: checkLabel(d.imm); popValues(1); return;
    case d.K_IF: popValues(1); // then as a block
    case d.K_BLOCK: case d.K_LOOP: {
      const bt = checkBlockType();
      popValues(blockParams(bt));
      pushFrame(k, bt);
      pushParams(bt);
      return;
    }
    case d.K_ELSE: {
      if (load<u8>(top() + 12) != <u8>d.K_IF) { fail(d.opAt, "else without if"); return; }
      resetToBase();
      store<u8>(top() + 12, <u8>d.K_ELSE);
      store<u8>(top() + 13, 0);
      pushParams(load<i32>(top() + 8));
      return;
    }
    case d.K_END: {
      resetToBase();
      const bt = load<i32>(top() + 8);
      nFrames--;
      if (nFrames > 0) pushResults(bt);
      return;
    }
    case d.K_CALL: {
      if (!checkFunc(d.imm)) return;
      if (d.imm >= info.nImportFuncs) calls = true;
      call(funcType(d.imm));
      return;
    }
    case d.K_CALL_INDIRECT: {
      if (d.imm >= info.nTypes) { if (fail(d.opAt, "call_indirect type index out of range: ")) decimal(d.imm); return; }
      if (d.imm2 >= info.nTables) { fail(d.opAt, "call_indirect names a table the module does not have"); return; }
      popValues(1);
      calls = true;
      call(d.imm);
      return;
    }
    case d.K_TABLE: {
      if (d.imm2 >= info.nTables) { fail(d.opAt, "table instruction names a table the module does not have"); return; }
      popValues(d.pops);
      if (d.push) pushValue(d.push);
      return;
    }
    case d.K_LOCAL_GET: case d.K_LOCAL_SET: case d.K_LOCAL_TEE: {
      if (d.imm >= nLocals) { if (fail(d.opAt, "local index out of range: ")) decimal(d.imm); return; }
      if (k != d.K_LOCAL_GET) popValues(1);
      if (k != d.K_LOCAL_SET) pushValue(load<u8>(localWidths + d.imm));
      return;
    }
    case d.K_GLOBAL_GET: case d.K_GLOBAL_SET: {
      if (d.imm >= info.nGlobals) { if (fail(d.opAt, "global index out of range: ")) decimal(d.imm); return; }
      if (k == d.K_GLOBAL_SET) popValues(1);
      else pushValue(valueWidth(load<u8>(info.globalTypes + d.imm)));
      return;
    }
    case d.K_SELECT: {
      const base = load<u32>(top());
      const w: u32 = depth >= base + 3 ? load<u8>(widths + depth - 3) : 2;
      popValues(3);
      pushValue(w);
      return;
    }
    case d.K_MEMORY_GROW: {
      if (info.nMemories == 0) { fail(d.opAt, "memory.grow in a module without memory"); return; }
      grows = true;
      popValues(1);
      pushValue(1);
      return;
    }
  }
}

/** The first local the loader adds to defined function `i` (the stack base; the fuel is the next). */
export function scratchLocal(i: u32): u32 { return load<u32>(scratchIndex + i * 4); }
/** Whether defined function `i` makes a call the stack guard charges. */
export function makesGuardedCalls(i: u32): bool { return load<u8>(guardedCalls + i) != 0; }

/** Whether the call in defined function `f` of defined function `g` goes without a guard (foldLeaves). */
export function leafCallCovered(f: u32, g: u32): bool { return load<u8>(leavesCovered + f) != 0 && !makesGuardedCalls(g); }

/**
 * After every body is weighed: a call of a leaf (a function that calls no
 * function the module defines; syscalls it may make) needs no guard of its
 * own when its caller's weight covers the heaviest leaf that caller calls.
 * The caller's charge, at its own call site, then reserves the leaf's frame
 * too, so the trap still comes in the service's frame before any frame it
 * did not pay for, and the stack left that a syscall from the leaf sees is
 * what was charged. A function takes this only while its weight stays within
 * STACK_ENTRY_MAX, so no entry is refused for it. Leaves are never heavier
 * for it (they call nothing to fold), so the order of the bodies is free.
 */
export function foldLeaves(): void {
  if (!enter(S_CODE)) return;
  const n = readU32();
  for (let i: u32 = 0; i < n && !failed; i++) {
    const size = readU32();
    const end = pos + size;
    const sectionEnd = limit;
    if (makesGuardedCalls(i)) {
      seek(pos, end);
      const leaf = heaviestLeaf();
      const w = load<u32>(info.weights + i * 4);
      if (leaf > 0 && w + leaf <= <u32>STACK_ENTRY_MAX) {
        store<u32>(info.weights + i * 4, w + leaf);
        store<u8>(leavesCovered + i, 1);
      }
    }
    seek(end, sectionEnd);
  }
  leave();
}

/** The heaviest leaf the body at the reader calls (0: none); the body was checked when it was weighed. */
function heaviestLeaf(): u32 {
  const groups = readU32();
  for (let g: u32 = 0; g < groups; g++) { readU32(); setPos(pos + 1); }
  let heaviest: u32 = 0;
  let open: u32 = 1;
  while (open > 0 && !failed) {
    d.decode();
    const k = d.kind;
    if (k == d.K_BLOCK || k == d.K_IF || k == d.K_LOOP) open++;
    else if (k == d.K_END) open--;
    else if (k == d.K_CALL && d.imm >= info.nImportFuncs && !makesGuardedCalls(d.imm - info.nImportFuncs)) {
      const w = load<u32>(info.weights + (d.imm - info.nImportFuncs) * 4);
      if (w > heaviest) heaviest = w;
    }
  }
  return heaviest;
}

function call(t: u32): void {
  popValues(typeParams(t));
  const n = typeResults(t);
  for (let i: u32 = 0; i < n; i++) pushValue(valueWidth(resultType(t, i)));
}
