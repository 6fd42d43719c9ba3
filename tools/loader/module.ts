// What the loader knows of the module being instrumented, gathered by
// sections.ts before anything is written, and the index spaces after the
// rewrite. The imports the loader adds come after the module's own function
// imports (which are all it may have), so a defined function f moves to f + 3
// and a global g to g + 2; the module's code can never name the added ones.

export const ADDED_FUNCS: u32 = 3;
export const ADDED_GLOBALS: u32 = 2;
/** Global indices of the added imports (the module imports no globals of its own). */
export const G_FUEL: u32 = 0;
export const G_STACK: u32 = 1;

// Section ids of the binary format.
export const S_CUSTOM: u32 = 0;
export const S_TYPE: u32 = 1;
export const S_IMPORT: u32 = 2;
export const S_FUNCTION: u32 = 3;
export const S_TABLE: u32 = 4;
export const S_MEMORY: u32 = 5;
export const S_GLOBAL: u32 = 6;
export const S_EXPORT: u32 = 7;
export const S_START: u32 = 8;
export const S_ELEMENT: u32 = 9;
export const S_CODE: u32 = 10;
export const S_DATA: u32 = 11;
export const S_DATACOUNT: u32 = 12;
export const S_TAG: u32 = 13;
export const SECTION_IDS: u32 = 13;

// Value types.
export const I32: u32 = 0x7f;
export const I64: u32 = 0x7e;
export const F32: u32 = 0x7d;
export const F64: u32 = 0x7c;
export const V128: u32 = 0x7b;
export const FUNCREF: u32 = 0x70;
export const EXTERNREF: u32 = 0x6f;
export const EMPTY_BLOCK: u32 = 0x40;

/** Engines' own limits (the JS API's): bigger is refused rather than allocated for. */
export const MAX_TYPES: u32 = 1000000;
export const MAX_FUNCS: u32 = 1000000;
export const MAX_GLOBALS: u32 = 1000000;
export const MAX_PARAMS: u32 = 1000;
export const MAX_LOCALS: u32 = 50000;

// One static record, reset for every module (index.ts): @unmanaged, so it
// lives in static memory and takes nothing from the arena.
@unmanaged
export class Info {
  nTypes: u32;
  /** Per type: input pointer of its parameter types, their count, pointer of its result types, their count (4 x u32). */
  types: usize;
  nImportFuncs: u32;
  /** Per imported function: its type index (u32). */
  importTypes: usize;
  nFuncs: u32;
  /** Per defined function: its type index (u32). */
  funcTypes: usize;
  /** Per defined function: its stack weight in slots (u32), from weights.ts. */
  weights: usize;
  /** Per defined function: 1 if an element segment or a ref.func names it (u8). */
  inTable: usize;
  nGlobals: u32;
  /** Per defined global: its value type (u8). */
  globalTypes: usize;
  nTables: u32;
  nMemories: u32;
  /** Some function uses memory.grow: the rewrite appends the checking function. */
  usesGrow: bool;
  /** The largest weight of a function call_indirect may reach, and of an exported one. */
  indirectWeight: u32;
  maxExportWeight: u32;
  /** Some function uses memory.init, data.drop or changes a table: no reset is added (reset.ts). */
  segmentOps: bool;
  /** Parsing the module reset.ts wrote: its quark_reset export is the loader's own. */
  resetPass: bool;
  /** The "name" custom section's content after its name, or 0. */
  namesStart: usize;
  namesEnd: usize;
}

export const info = changetype<Info>(memory.data(offsetof<Info>()));
/** Per section id: content [start, end) in the input; start 0 if absent (usize each). */
export const secStart: usize = memory.data(<i32>(SECTION_IDS + 1) * sizeof<usize>());
export const secEnd: usize = memory.data(<i32>(SECTION_IDS + 1) * sizeof<usize>());

export function resetInfo(): void {
  memory.fill(changetype<usize>(info), 0, offsetof<Info>());
  memory.fill(secStart, 0, (SECTION_IDS + 1) * sizeof<usize>());
  memory.fill(secEnd, 0, (SECTION_IDS + 1) * sizeof<usize>());
}

export function sectionStart(id: u32): usize { return load<usize>(secStart + id * sizeof<usize>()); }
export function sectionEnd(id: u32): usize { return load<usize>(secEnd + id * sizeof<usize>()); }

export function typeParams(t: u32): u32 { return load<u32>(info.types + t * 16 + 4); }
export function typeResults(t: u32): u32 { return load<u32>(info.types + t * 16 + 12); }
/** Value type of parameter or result `i` of type `t` (one byte each: the loader admits no multi-byte types). */
export function paramType(t: u32, i: u32): u32 { return load<u8>(<usize>load<u32>(info.types + t * 16) + i); }
export function resultType(t: u32, i: u32): u32 { return load<u8>(<usize>load<u32>(info.types + t * 16 + 8) + i); }
/** Type index of function f (module index space, before renumbering). */
export function funcType(f: u32): u32 {
  return f < info.nImportFuncs ? load<u32>(info.importTypes + f * 4) : load<u32>(info.funcTypes + (f - info.nImportFuncs) * 4);
}
export function weightOf(f: u32): u32 { return load<u32>(info.weights + (f - info.nImportFuncs) * 4); }
export function totalFuncs(): u32 { return info.nImportFuncs + info.nFuncs; }

/** New index of function f: defined functions move past the added imports. */
export function renumberFunc(f: u32): u32 { return f < info.nImportFuncs ? f : f + ADDED_FUNCS; }
export function renumberGlobal(g: u32): u32 { return g + ADDED_GLOBALS; }
export function fuelOutFunc(): u32 { return info.nImportFuncs; }
export function stackOutFunc(): u32 { return info.nImportFuncs + 1; }
export function memLimitFunc(): u32 { return info.nImportFuncs + 2; }
/** The appended memory.grow check, after every defined function. */
export function growFunc(): u32 { return info.nImportFuncs + ADDED_FUNCS + info.nFuncs; }
/** Added types: () -> () for the three imports, (i32) -> i32 for the grow check. */
export function voidType(): u32 { return info.nTypes; }
export function growType(): u32 { return info.nTypes + 1; }

export function valueWidth(t: u32): u32 { return t == V128 ? 2 : 1; }
