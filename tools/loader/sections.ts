// The module's sections: the scan of the section list, and one walker per
// section that both checks it and (with emit) writes it renumbered. The
// parse phase (rewrite.ts) walks each section once without emitting, to learn
// the module and refuse what the loader cannot vouch for; the emit phase
// walks it again and writes. Walking twice keeps one reading of each format.
import { fail, failed, text, bytes, hex, decimal } from "./errors";
import { STACK_ENTRY_MAX } from "../../kernel/abi";
import { RESET_EXPORT, INIT_EXPORT } from "./reset-name";
import { take } from "./arena";
import {
  pos, limit, seek, setPos, readByte, readU32, readName, nameLen, nameIs, skip, skipSigned, here, offsetOf, remaining,
} from "./reader";
import { emitByte, emitU32, emitRange } from "./writer";
import {
  info, secStart, secEnd, S_CUSTOM, S_TAG, S_DATACOUNT, S_CODE, S_DATA, SECTION_IDS, S_TYPE,
  I32, I64, F32, F64, V128, FUNCREF, EXTERNREF, MAX_TYPES, MAX_FUNCS, MAX_GLOBALS, MAX_PARAMS,
  totalFuncs, renumberFunc, renumberGlobal,
} from "./module";

// Section order of the binary format (datacount comes before code).
function rank(id: u32): u32 {
  if (id == S_TAG) return 6;
  if (id == S_DATACOUNT) return 11;
  if (id == S_CODE) return 12;
  if (id == S_DATA) return 13;
  return id <= 5 ? id : id + 1;
}

/** Checks the header and records where each section is; refuses unknown, repeated and misordered ones. */
export function scanSections(): void {
  if (remaining() < 8 || load<u32>(pos) != 0x6d736100) { fail(0, "not a WebAssembly module (no \\0asm header)"); return; }
  if (load<u32>(pos + 4) != 1) { fail(4, "unsupported WebAssembly binary version"); return; }
  setPos(pos + 8);
  let lastRank: u32 = 0;
  const end = limit;
  while (pos < end && !failed) {
    const at = here();
    const id = readByte();
    const size = readU32();
    if (failed) return;
    if (<usize>size > end - pos) { fail(at, "section runs past the end of the module"); return; }
    const start = pos;
    const stop = pos + size;
    if (id == S_CUSTOM) {
      seek(start, stop);
      const name = readName();
      if (failed) return;
      if (nameIs(name, nameLen, "name") && info.namesStart == 0) { info.namesStart = pos; info.namesEnd = stop; }
    } else if (id == S_TAG) {
      fail(at, "exception handling (tag section) is not allowed"); return;
    } else if (id > SECTION_IDS) {
      if (fail(at, "unknown section id ")) decimal(id);
      return;
    } else {
      const r = rank(id);
      if (r <= lastRank) { if (fail(at, "section out of order or repeated: id ")) decimal(id); return; }
      lastRank = r;
      store<usize>(secStart + id * sizeof<usize>(), start);
      store<usize>(secEnd + id * sizeof<usize>(), stop);
    }
    seek(stop, end);
  }
}

/** Positions the reader on section `id`; false if the module has none. */
export function enter(id: u32): bool {
  const start = load<usize>(secStart + id * sizeof<usize>());
  if (start == 0) return false;
  seek(start, load<usize>(secEnd + id * sizeof<usize>()));
  return true;
}

/** At the end of a section's entries: anything left over is refused. */
export function leave(): void {
  if (!failed && pos != limit) fail(here(), "section has bytes after its last entry");
}

/** A value type the loader supports: numbers, v128, funcref, externref. */
export function readValType(): u32 {
  const at = here();
  const t = readByte();
  if (failed) return I32;
  if (t == I32 || t == I64 || t == F32 || t == F64 || t == V128 || t == FUNCREF || t == EXTERNREF) return t;
  if (fail(at, "value type ")) { hex(t, 2); text(" is not supported (GC and typed references are not allowed)"); }
  return I32;
}

function count(max: u32, what: string): u32 {
  const at = here();
  const n = readU32();
  if (failed) return 0;
  // Each entry takes at least a byte: a count beyond what is left is refused before anything is allocated.
  if (n > max || <usize>n > remaining()) { if (fail(at, "too many ")) { text(what); text(": "); decimal(n); } return 0; }
  return n;
}

// ---------------------------------------------------------------- types

export function parseTypes(): void {
  if (!enter(S_TYPE)) return;
  const n = count(MAX_TYPES, "types");
  info.types = take(<u64>n * 16 + 32);
  if (info.types == 0) { fail(here(), "out of memory"); return; }
  for (let t: u32 = 0; t < n && !failed; t++) {
    const at = here();
    const form = readByte();
    if (form != 0x60) {
      if (fail(at, "type form ")) { hex(form, 2); text(" is not a function type (GC types are not allowed)"); }
      return;
    }
    const np = count(MAX_PARAMS, "parameters");
    const params = pos;
    for (let i: u32 = 0; i < np && !failed; i++) readValType();
    const nr = count(MAX_PARAMS, "results");
    const results = pos;
    for (let i: u32 = 0; i < nr && !failed; i++) readValType();
    store<u32>(info.types + t * 16, <u32>params);
    store<u32>(info.types + t * 16 + 4, np);
    store<u32>(info.types + t * 16 + 8, <u32>results);
    store<u32>(info.types + t * 16 + 12, nr);
  }
  info.nTypes = n;
  leave();
}

function typeIndex(): u32 {
  const at = here();
  const t = readU32();
  if (!failed && t >= info.nTypes) { if (fail(at, "type index out of range: ")) decimal(t); }
  return t;
}

// ---------------------------------------------------------------- imports

// Names only the loader may import: it links them itself, after the module's own imports.
function reserved(ptr: usize, n: u32): bool {
  return nameIs(ptr, n, "fuel") || nameIs(ptr, n, "fuel_out") || nameIs(ptr, n, "mem_limit") ||
    nameIs(ptr, n, "stack") || nameIs(ptr, n, "stack_out");
}

export function parseImports(): void {
  if (!enter(2)) return;
  const n = count(MAX_FUNCS, "imports");
  info.importTypes = take(<u64>n * 4 + 4);
  if (info.importTypes == 0) { fail(here(), "out of memory"); return; }
  for (let i: u32 = 0; i < n && !failed; i++) {
    const at = here();
    const mod = readName();
    const modLen = nameLen;
    const field = readName();
    const fieldLen = nameLen;
    const kind = readByte();
    if (failed) return;
    const quark = nameIs(mod, modLen, "quark");
    if (!quark && !nameIs(mod, modLen, "env")) {
      if (fail(at, "import ")) { importName(mod, modLen, field, fieldLen); text(": services import only from modules quark and env"); }
      return;
    }
    if (quark && reserved(field, fieldLen)) {
      if (fail(at, "import ")) { importName(mod, modLen, field, fieldLen); text(": only the loader links quark."); bytes(field, fieldLen); }
      return;
    }
    if (kind != 0) {
      if (fail(at, "import ")) {
        importName(mod, modLen, field, fieldLen);
        text(kind == 1 ? " is a table" : kind == 2 ? " is a memory" : kind == 3 ? " is a global" : " is not a function");
        text(": a service imports only functions (it defines its own memory, tables and globals)");
      }
      return;
    }
    store<u32>(info.importTypes + info.nImportFuncs * 4, typeIndex());
    info.nImportFuncs++;
  }
  leave();
}

function importName(mod: usize, modLen: u32, field: usize, fieldLen: u32): void {
  bytes(mod, modLen);
  text(".");
  bytes(field, fieldLen);
}

// ---------------------------------------------------------------- functions, tables, memory

export function parseFunctions(): void {
  if (!enter(3)) return;
  const n = count(MAX_FUNCS - info.nImportFuncs, "functions");
  info.funcTypes = take(<u64>n * 4 + 4);
  info.weights = take(<u64>n * 4 + 4);
  info.inTable = take(<u64>n + 4);
  if (info.funcTypes == 0 || info.weights == 0 || info.inTable == 0) { fail(here(), "out of memory"); return; }
  for (let i: u32 = 0; i < n && !failed; i++) store<u32>(info.funcTypes + i * 4, typeIndex());
  info.nFuncs = n;
  leave();
}

function limits(what: string): void {
  const at = here();
  const flags = readByte();
  if (failed) return;
  if (flags > 1) {
    if (fail(at, what)) text(flags & 2 ? " is shared (threads are not allowed)" : flags & 4 ? " is 64-bit (not allowed)" : " has unknown limit flags");
    return;
  }
  readU32();
  if (flags == 1) readU32();
}

export function parseTables(): void {
  if (!enter(4)) return;
  const n = count(100000, "tables");
  for (let i: u32 = 0; i < n && !failed; i++) {
    const at = here();
    const t = readByte();
    if (t != FUNCREF && t != EXTERNREF) {
      if (fail(at, "table type ")) { hex(t, 2); text(" is not supported (only funcref and externref tables, without initialisers)"); }
      return;
    }
    limits("a table");
  }
  info.nTables = n;
  leave();
}

export function parseMemories(): void {
  if (!enter(5)) return;
  const at = here();
  const n = count(100000, "memories");
  if (n > 1) { if (fail(at, "more than one memory (")) { decimal(n); text(")") } return; }
  if (n == 1) limits("the memory");
  info.nMemories = n;
  leave();
}

// ---------------------------------------------------------------- constant expressions

/**
 * A constant expression (global initialiser, segment offset, element item)
 * up to its `end`, written renumbered when `emit`. `ref.func` marks its
 * function as reachable through a table (weights: call_indirect).
 */
export function constExpr(emit: bool): void {
  for (;;) {
    const start = pos;
    const at = here();
    const op = readByte();
    if (failed) return;
    if (op == 0x0b) { if (emit) emitByte(op); return; }
    if (op == 0x23 || op == 0xd2) {
      const idx = readU32();
      if (failed) return;
      if (op == 0x23 && idx >= info.nGlobals) { if (fail(at, "global index out of range: ")) decimal(idx); return; }
      if (op == 0xd2) {
        if (idx >= totalFuncs()) { if (fail(at, "function index out of range: ")) decimal(idx); return; }
        if (idx >= info.nImportFuncs) store<u8>(info.inTable + idx - info.nImportFuncs, 1);
      }
      if (emit) { emitByte(op); emitU32(op == 0x23 ? renumberGlobal(idx) : renumberFunc(idx)); }
      continue;
    }
    if (op == 0x41) skipSigned(32);
    else if (op == 0x42) skipSigned(64);
    else if (op == 0x43) skip(4);
    else if (op == 0x44) skip(8);
    else if (op == 0xd0) readByte();
    else if (op == 0xfd && readU32() == 12) skip(16);
    else if (!(op == 0x6a || op == 0x6b || op == 0x6c || op == 0x7c || op == 0x7d || op == 0x7e)) {
      if (fail(at, "opcode ")) { hex(op, 2); text(" is not allowed in a constant expression"); }
      return;
    }
    if (emit) emitRange(start, pos);
  }
}

// ---------------------------------------------------------------- globals

export function walkGlobals(emit: bool): void {
  if (!enter(6)) return;
  const n = count(MAX_GLOBALS, "globals");
  if (!emit) {
    info.globalTypes = take(<u64>n + 4);
    if (info.globalTypes == 0) { fail(here(), "out of memory"); return; }
  } else emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    const start = pos;
    const t = readValType();
    const at = here();
    const mut = readByte();
    if (mut > 1) { fail(at, "global mutability flag must be 0 or 1"); return; }
    if (emit) emitRange(start, pos);
    // A global's initialiser may read only the globals before it (extended constants): count it as defined afterwards.
    if (!emit) info.nGlobals = i;
    constExpr(emit);
    if (!emit) store<u8>(info.globalTypes + i, <u8>t);
  }
  info.nGlobals = n;
  leave();
}

// ---------------------------------------------------------------- exports, start

/** Exports renumbered; with emit, also the largest weight of an exported function. */
export function walkExports(emit: bool): void {
  if (!enter(7)) return;
  const n = count(100000, "exports");
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    const start = pos;
    const name = readName();
    const at = here();
    if (!emit && !info.resetPass && (nameIs(name, nameLen, RESET_EXPORT) || nameIs(name, nameLen, INIT_EXPORT))) {
      if (fail(at, "the export name ")) { bytes(name, nameLen); text(" belongs to the loader (it adds the module's reset functions)"); }
      return;
    }
    const kind = readByte();
    const kindEnd = pos;
    const idx = readU32();
    if (failed) return;
    if (emit) emitRange(start, kindEnd);
    if (kind == 0) {
      if (idx >= totalFuncs()) { if (fail(at, "exported function index out of range: ")) decimal(idx); return; }
      if (emit) {
        emitU32(renumberFunc(idx));
        if (idx >= info.nImportFuncs) {
          const w = load<u32>(info.weights + (idx - info.nImportFuncs) * 4);
          if (!entryFits(at, idx, w)) return;
          if (w > info.maxExportWeight) info.maxExportWeight = w;
        }
      }
    } else if (kind == 3) {
      if (idx >= info.nGlobals) { if (fail(at, "exported global index out of range: ")) decimal(idx); return; }
      if (emit) emitU32(renumberGlobal(idx));
    } else if (kind == 1 || kind == 2) {
      if (emit) emitU32(idx);
    } else {
      if (fail(at, "export kind ")) { hex(kind, 2); text(" is not allowed (exception handling)"); }
      return;
    }
  }
  leave();
}

export function walkStart(emit: bool): void {
  if (!enter(8)) return;
  const at = here();
  const f = readU32();
  if (!failed && f >= totalFuncs()) { if (fail(at, "start function index out of range: ")) decimal(f); return; }
  if (emit) {
    if (f >= info.nImportFuncs && !entryFits(at, f, load<u32>(info.weights + (f - info.nImportFuncs) * 4))) return;
    emitU32(renumberFunc(f));
  }
  leave();
}

/**
 * An entry's own frame is not charged by any call site: the kernel's
 * STACK_KERNEL_COST, taken for every entry, covers it up to STACK_ENTRY_MAX
 * slots. A heavier exported or start function is refused.
 */
function entryFits(at: usize, f: u32, w: u32): bool {
  if (w <= <u32>STACK_ENTRY_MAX) return true;
  if (fail(at, "exported or start function ")) {
    decimal(f); text(" weighs "); decimal(w); text(" stack slots; an entry may weigh at most "); decimal(<u32>STACK_ENTRY_MAX);
    text(": move its work into a function it calls");
  }
  return false;
}

// ---------------------------------------------------------------- elements, data

function funcIndices(emit: bool): void {
  const n = count(10000000, "element items");
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    const at = here();
    const f = readU32();
    if (failed) return;
    if (f >= totalFuncs()) { if (fail(at, "function index out of range in an element segment: ")) decimal(f); return; }
    if (f >= info.nImportFuncs) store<u8>(info.inTable + f - info.nImportFuncs, 1);
    if (emit) emitU32(renumberFunc(f));
  }
}

function exprItems(emit: bool): void {
  const n = count(10000000, "element items");
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) constExpr(emit);
}

/** Copies input bytes read since `start` when emitting (a flag, an index, a type byte). */
function copied(emit: bool, start: usize): void { if (emit) emitRange(start, pos); }

export function walkElements(emit: bool): void {
  if (!enter(9)) return;
  const n = count(10000000, "element segments");
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    let start = pos;
    const at = here();
    const flags = readU32();
    if (failed) return;
    if (flags > 7) { if (fail(at, "unknown element segment form ")) decimal(flags); return; }
    if (flags & 2 && !(flags & 1)) readU32(); // form 2 and 6: an explicit table index
    copied(emit, start);
    if (!(flags & 1)) constExpr(emit); // active: an offset
    start = pos;
    if (flags & 3) readByte(); // elemkind (0x00) or reftype, except for forms 0 and 4
    copied(emit, start);
    if (flags & 4) exprItems(emit);
    else funcIndices(emit);
  }
  leave();
}

export function walkData(emit: bool): void {
  if (!enter(11)) return;
  const n = count(100000, "data segments");
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    let start = pos;
    const at = here();
    const flags = readU32();
    if (failed) return;
    if (flags > 2) { if (fail(at, "unknown data segment form ")) decimal(flags); return; }
    if (flags == 2 && readU32() != 0) { fail(at, "data segment for a memory other than 0"); return; }
    copied(emit, start);
    if (flags != 1) constExpr(emit);
    start = pos;
    const len = readU32();
    skip(len);
    copied(emit, start);
  }
  leave();
}
