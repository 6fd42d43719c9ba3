// The reset pass: makes a module's instance recyclable. A host that has an
// instance of a module whose process is gone may give it to the next process
// of that module instead of instantiating afresh (docs/architecture.md,
// Recycled instances), provided the instance can be put back exactly as
// instantiation left it. This pass, run on the module as given before the
// charges are added (so the functions it adds are metered like any other),
// writes a module that does so itself:
//
//   - every active data segment becomes passive, and a new function $init,
//     exported as quark_init, copies each one to its offset with
//     memory.init, then calls the module's own start function, which is no
//     longer the start function: the module has none, so instantiating it
//     runs no code of the module and cannot trap, and the host calls
//     quark_init right after (the same steps as before: segments, then
//     start, metered as the module's start code always was);
//   - a new function $reset, exported as quark_reset, fills the whole memory
//     with zeros, sets every mutable global to its initialiser again, and
//     calls $init: the same state as a fresh instance, except that
//     memory.size stays at what the instance had grown to (never above the
//     module's maximum, the manifest's `memory`).
//
// Since instantiation cannot trap, a host keeps every instance it made of
// such a module (one whose quark_init or quark_reset trapped too): none is
// ever lost, which matters where an engine never frees one (wasmtime's
// store).
//
// Tables need nothing: a module reset here changes no table (see below), so
// its tables still hold what its element segments put there. A module whose
// code uses memory.init, data.drop, elem.drop or changes a table
// (table.init, table.copy, table.grow, table.fill), has a mutable global
// of a reference type, or has no memory, is left as it is: without
// quark_reset, the hosts never recycle its instances.
import { failed } from "./errors";
import { pos, seek, readByte, readU32, skip, inputBase, inputEnd } from "./reader";
import { emitByte, emitU32, emitS32, emitRange, reserveSize, patchSize, startOutput, outBase, outLength } from "./writer";
import { arenaTop, take, claim } from "./arena";
import {
  info, sectionStart, sectionEnd, S_TYPE, S_FUNCTION, S_GLOBAL, S_EXPORT, S_START, S_DATACOUNT, S_CODE, S_DATA,
  I32, I64, F32, F64, V128,
} from "./module";
import { enter, constExpr, readValType } from "./sections";
import { RESET_EXPORT, INIT_EXPORT } from "./reset-name";

// Per active data segment: its index, its offset expression [start, end) and its length (4 x u32).
let segs: usize = 0;
let nSegs: u32 = 0;
let nData: u32 = 0;
// Per mutable global: its index and its initialiser [start, end) (3 x u32).
let globs: usize = 0;
let nGlobs: u32 = 0;
let start: i64 = -1; // the module's start function, or -1

/** Whether the module can be made resettable; gathers what the rewrite needs. */
export function resettable(): bool {
  if (failed || info.nMemories != 1 || info.segmentOps) return false;
  if (sectionStart(S_TYPE) == 0 || sectionStart(S_FUNCTION) == 0 || sectionStart(S_CODE) == 0 || sectionStart(S_EXPORT) == 0) return false;
  start = -1;
  if (enter(S_START)) start = readU32();
  return globals() && dataSegments() && !failed;
}

function globals(): bool {
  nGlobs = 0;
  if (!enter(S_GLOBAL)) return true;
  const n = readU32();
  globs = take(<u64>n * 12 + 12);
  if (globs == 0) return false;
  for (let i: u32 = 0; i < n && !failed; i++) {
    const t = readValType();
    const mutable = readByte() == 1;
    const from = pos;
    constExpr(false);
    if (!mutable) continue;
    if (t != I32 && t != I64 && t != F32 && t != F64 && t != V128) return false;
    const g = globs + nGlobs * 12;
    store<u32>(g, i); store<u32>(g + 4, <u32>(from - inputBase)); store<u32>(g + 8, <u32>(pos - inputBase));
    nGlobs++;
  }
  return true;
}

function dataSegments(): bool {
  nSegs = 0; nData = 0;
  if (!enter(S_DATA)) return true;
  nData = readU32();
  segs = take(<u64>nData * 16 + 16);
  if (segs == 0) return false;
  for (let i: u32 = 0; i < nData && !failed; i++) {
    const flags = readU32();
    if (flags == 2) readU32(); // memory 0 (sections.ts refused any other)
    const from = pos;
    if (flags != 1) constExpr(false);
    const to = pos;
    const len = readU32();
    skip(len);
    if (flags == 1) continue;
    const s = segs + nSegs * 16;
    store<u32>(s, i); store<u32>(s + 4, <u32>(from - inputBase)); store<u32>(s + 8, <u32>(to - inputBase)); store<u32>(s + 12, len);
    nSegs++;
  }
  return true;
}

// Indices the rewrite gives what it adds.
@inline function voidType(): u32 { return info.nTypes; }
@inline function initFunc(): u32 { return info.nImportFuncs + info.nFuncs; }
@inline function resetFunc(): u32 { return info.nImportFuncs + info.nFuncs + 1; }

let countDone = false;

/** Writes the resettable module after the arena's tables; its bytes are [ptr, ptr + len) (returned as ptr, length in resetLength). */
export let resetLength: usize = 0;
export function rewriteResettable(): usize {
  startOutput(arenaTop());
  countDone = sectionStart(S_DATACOUNT) != 0 || nSegs == 0;
  emitRange(inputBase, inputBase + 8);
  seek(inputBase + 8, inputEnd);
  while (pos < inputEnd && !failed) {
    const headerAt = pos;
    const id = readByte();
    const size = readU32();
    const from = pos;
    const end = pos + size;
    if (id == S_CODE || id == S_DATA) addCount();
    if (id != S_START && (id == 0 || !section(id))) emitRange(headerAt, end); // $init calls the start function
    seek(end, inputEnd);
  }
  if (failed) return 0;
  resetLength = outLength();
  claim(outBase + resetLength);
  return outBase;
}

/** Writes section `id` changed; false when it is copied as it is. */
function section(id: u32): bool {
  if (id != S_TYPE && id != S_FUNCTION && id != S_EXPORT && id != S_CODE && id != S_DATA) return false;
  emitByte(id);
  const at = reserveSize();
  if (id == S_TYPE) { extend(S_TYPE, 1); emitByte(0x60); emitByte(0); emitByte(0); }
  else if (id == S_FUNCTION) { extend(S_FUNCTION, 2); emitU32(voidType()); emitU32(voidType()); }
  else if (id == S_EXPORT) { extend(S_EXPORT, 2); exportFunc(INIT_EXPORT, initFunc()); exportFunc(RESET_EXPORT, resetFunc()); }
  else if (id == S_CODE) { extend(S_CODE, 2); initBody(); resetBody(); }
  else passiveData();
  patchSize(at);
  return true;
}

/** A vector section's entries with `more` to follow: its count raised, its entries copied. */
function extend(id: u32, more: u32): void {
  enter(id);
  emitU32(readU32() + more);
  emitRange(pos, sectionEnd(id));
}

function exportFunc(name: string, f: u32): void {
  emitU32(<u32>name.length);
  for (let i = 0; i < name.length; i++) emitByte(<u32>name.charCodeAt(i));
  emitByte(0);
  emitU32(f);
}

/** memory.init in code needs the data count section. */
function addCount(): void {
  if (countDone) return;
  countDone = true;
  emitByte(S_DATACOUNT);
  const at = reserveSize();
  emitU32(nData);
  patchSize(at);
}

/** Copies the input bytes of a constant expression without its `end`. */
@inline function exprBody(from: u32, to: u32): void { emitRange(inputBase + from, inputBase + to - 1); }

/** $init: each active segment to its offset, then the module's start function. */
function initBody(): void {
  const at = reserveSize();
  emitByte(0); // no locals
  for (let i: u32 = 0; i < nSegs; i++) {
    const s = segs + i * 16;
    exprBody(load<u32>(s + 4), load<u32>(s + 8));
    emitByte(0x41); emitByte(0); // from the segment's first byte
    emitByte(0x41); emitS32(<i32>load<u32>(s + 12));
    emitByte(0xfc); emitU32(8); emitU32(load<u32>(s)); emitByte(0); // memory.init segment, memory 0
  }
  if (start >= 0) { emitByte(0x10); emitU32(<u32>start); }
  emitByte(0x0b);
  patchSize(at);
}

/** $reset: zeros over the whole memory, every mutable global to its initialiser, then $init. */
function resetBody(): void {
  const at = reserveSize();
  emitByte(0);
  emitByte(0x41); emitByte(0); emitByte(0x41); emitByte(0);
  emitByte(0x3f); emitByte(0); emitByte(0x41); emitByte(16); emitByte(0x74); // memory.size << 16
  emitByte(0xfc); emitU32(11); emitByte(0); // memory.fill
  for (let i: u32 = 0; i < nGlobs; i++) {
    const g = globs + i * 12;
    exprBody(load<u32>(g + 4), load<u32>(g + 8));
    emitByte(0x24); emitU32(load<u32>(g)); // global.set
  }
  emitByte(0x10); emitU32(initFunc());
  emitByte(0x0b);
  patchSize(at);
}

/** Every segment passive: $init applies the active ones. */
function passiveData(): void {
  enter(S_DATA);
  const n = readU32();
  emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    const flags = readU32();
    if (flags == 2) readU32();
    if (flags != 1) constExpr(false);
    const from = pos;
    const len = readU32();
    skip(len);
    emitByte(1);
    emitRange(from, pos);
  }
}

