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

// Per active data segment: its index, its offset expression [start, end), its
// length and where its bytes start (5 x u32, offsets in the input).
const SEG_BYTES: u32 = 20;
let segs: usize = 0;
let nSegs: u32 = 0;
let nData: u32 = 0;
let nPassive: u32 = 0; // segments that were passive already: kept, after the runs
// Runs of active segments that $init copies with one memory.init each: the
// first and last segment and, for a run of constant offsets, where it starts
// and its length with the gaps between its segments as zeros (4 x u32).
// Compilers emit one segment per constant (1095 in the shell), and a
// memory.init per segment made $init a 14 KB function whose compile on the
// first call of every process cost Node ~2 ms of boot; one run per module is
// a few dozen bytes.
const RUN_BYTES: u32 = 16;
/** Zeros a run may hold between two segments before a new run is cheaper. */
const RUN_GAP: i64 = 256;
let runs: usize = 0;
let nRuns: u32 = 0;
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
  nSegs = 0; nData = 0; nPassive = 0; nRuns = 0;
  if (!enter(S_DATA)) return true;
  nData = readU32();
  segs = take(<u64>nData * SEG_BYTES + 16);
  runs = take(<u64>nData * RUN_BYTES + 16);
  if (segs == 0 || runs == 0) return false;
  for (let i: u32 = 0; i < nData && !failed; i++) {
    const flags = readU32();
    if (flags == 2) readU32(); // memory 0 (sections.ts refused any other)
    const from = pos;
    if (flags != 1) constExpr(false);
    const to = pos;
    const len = readU32();
    const bytes = pos;
    skip(len);
    if (flags == 1) { nPassive++; continue; }
    const s = segs + nSegs * SEG_BYTES;
    store<u32>(s, i); store<u32>(s + 4, <u32>(from - inputBase)); store<u32>(s + 8, <u32>(to - inputBase));
    store<u32>(s + 12, len); store<u32>(s + 16, <u32>(bytes - inputBase));
    addToRuns(nSegs);
    nSegs++;
  }
  return true;
}

/**
 * Segment k joins the last run when both have constant offsets and k starts
 * at most RUN_GAP bytes past the run's end (never before it: an overlap keeps
 * its order by starting a new run); otherwise it starts a run of its own.
 */
function addToRuns(k: u32): void {
  const s = segs + k * SEG_BYTES;
  const at = constOffset(load<u32>(s + 4), load<u32>(s + 8));
  const len = load<u32>(s + 12);
  if (nRuns > 0 && at >= 0) {
    const r = runs + (nRuns - 1) * RUN_BYTES;
    const end = <i64>load<u32>(r + 8) + load<u32>(r + 12);
    if (load<u32>(r + 8) != 0xffffffff && at >= end && at - end <= RUN_GAP && at + <i64>len <= 0xfffffffe) {
      store<u32>(r + 4, k);
      store<u32>(r + 12, <u32>(at + len - load<u32>(r + 8)));
      return;
    }
  }
  const r = runs + nRuns * RUN_BYTES;
  store<u32>(r, k); store<u32>(r + 4, k);
  store<u32>(r + 8, at >= 0 ? <u32>at : 0xffffffff); store<u32>(r + 12, len);
  nRuns++;
}

/** The value of an offset expression that is exactly `i32.const C end` with C >= 0; -1 otherwise. */
function constOffset(from: u32, to: u32): i64 {
  let p = inputBase + from;
  const end = inputBase + to - 1; // the expression's `end`
  if (load<u8>(p++) != 0x41) return -1;
  let v: i64 = 0, shift: u32 = 0, b: u32 = 0x80;
  while (p < end && (b & 0x80) != 0 && shift < 35) {
    b = load<u8>(p++);
    v |= <i64>(b & 0x7f) << shift;
    shift += 7;
  }
  if (p != end || (b & 0x80) != 0) return -1;
  if ((b & 0x40) != 0 && shift < 64) v |= -(<i64>1 << shift); // sign
  return v >= 0 && v <= 0x7fffffff ? v : -1;
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
  countDone = sectionStart(S_DATA) == 0 && sectionStart(S_DATACOUNT) == 0; // the count changes with the runs: written anew
  emitRange(inputBase, inputBase + 8);
  seek(inputBase + 8, inputEnd);
  while (pos < inputEnd && !failed) {
    const headerAt = pos;
    const id = readByte();
    const size = readU32();
    const from = pos;
    const end = pos + size;
    if (id == S_CODE || id == S_DATA) addCount();
    if (id != S_START && id != S_DATACOUNT && (id == 0 || !section(id))) emitRange(headerAt, end); // $init calls the start function
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
  emitU32(nRuns + nPassive);
  patchSize(at);
}

/** Copies the input bytes of a constant expression without its `end`. */
@inline function exprBody(from: u32, to: u32): void { emitRange(inputBase + from, inputBase + to - 1); }

/** $init: each run of active segments to its offset, then the module's start function. */
function initBody(): void {
  const at = reserveSize();
  emitByte(0); // no locals
  for (let i: u32 = 0; i < nRuns; i++) {
    const r = runs + i * RUN_BYTES;
    const runAt = load<u32>(r + 8);
    if (runAt != 0xffffffff) { emitByte(0x41); emitS32(<i32>runAt); }
    else { const s = segs + load<u32>(r) * SEG_BYTES; exprBody(load<u32>(s + 4), load<u32>(s + 8)); }
    emitByte(0x41); emitByte(0); // from the run's first byte
    emitByte(0x41); emitS32(<i32>load<u32>(r + 12));
    emitByte(0xfc); emitU32(8); emitU32(i); emitByte(0); // memory.init run i, memory 0
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

/**
 * Every segment passive: the runs first (run i is segment i, which $init
 * applies), each its segments' bytes with zeros between them, then the
 * segments that were passive already (nothing refers to them: a module whose
 * code names a segment is not made resettable).
 */
function passiveData(): void {
  emitU32(nRuns + nPassive);
  for (let i: u32 = 0; i < nRuns; i++) {
    const r = runs + i * RUN_BYTES;
    emitByte(1);
    emitU32(load<u32>(r + 12));
    let end: u32 = load<u32>(r + 8);
    for (let k = load<u32>(r); k <= load<u32>(r + 4); k++) {
      const s = segs + k * SEG_BYTES;
      if (end != 0xffffffff) {
        const at = <u32>constOffset(load<u32>(s + 4), load<u32>(s + 8));
        for (; end < at; end++) emitByte(0);
        end = at + load<u32>(s + 12);
      }
      const bytes = inputBase + load<u32>(s + 16);
      emitRange(bytes, bytes + load<u32>(s + 12));
    }
  }
  enter(S_DATA);
  const n = readU32();
  for (let i: u32 = 0; i < n && !failed; i++) {
    const flags = readU32();
    if (flags == 2) readU32();
    if (flags != 1) constExpr(false);
    const from = pos;
    const len = readU32();
    skip(len);
    if (flags != 1) continue;
    emitByte(1);
    emitRange(from, pos);
  }
}
