// The whole module: parse (check every section, weigh every function), then
// write the output in section order. The type and import sections are
// written even when the module has none, since the added imports need them;
// custom sections other than "name" are copied byte for byte, where they were.
import { failed } from "./errors";
import { pos, seek, readByte, readU32, readName, nameLen, nameIs, inputBase, inputEnd } from "./reader";
import { emitByte, emitU32, emitRange, reserveSize, patchSize, startOutput } from "./writer";
import { arenaTop } from "./arena";
import {
  info, sectionStart, sectionEnd, S_CUSTOM, S_TYPE, S_IMPORT, S_FUNCTION, S_GLOBAL, S_EXPORT, S_START, S_ELEMENT,
  S_CODE, S_DATA, I32, I64, growType,
} from "./module";
import {
  scanSections, parseTypes, parseImports, parseFunctions, parseTables, parseMemories, walkGlobals, walkExports,
  walkStart, walkElements, walkData, enter,
} from "./sections";
import { measureCode, emitCode } from "./code";
import { emitNames } from "./names";

export function parse(): void {
  scanSections();
  if (!failed) parseTypes();
  if (!failed) parseImports();
  if (!failed) parseFunctions();
  if (!failed) parseTables();
  if (!failed) parseMemories();
  if (!failed) walkGlobals(false);
  if (!failed) walkExports(false);
  if (!failed) walkStart(false);
  if (!failed) walkElements(false);
  if (!failed) walkData(false);
  if (!failed) measureCode();
}

// Section ranks as scanSections orders them; the synthesised type and import sections go before rank 3.
function rankOf(id: u32): u32 {
  if (id == 12) return 11;
  if (id == 10) return 12;
  if (id == 11) return 13;
  return id <= 5 ? id : id + 1;
}

let typesDone = false;
let importsDone = false;

export function emit(): void {
  startOutput(arenaTop());
  typesDone = false;
  importsDone = false;
  emitRange(inputBase, inputBase + 8);
  seek(inputBase + 8, inputEnd);
  while (pos < inputEnd && !failed) {
    const headerAt = pos;
    const id = readByte();
    const size = readU32();
    const start = pos;
    const end = pos + size;
    if (id == S_CUSTOM) {
      emitCustom(headerAt, start, end);
    } else {
      catchUp(rankOf(id));
      emitSection(id);
    }
    seek(end, inputEnd);
  }
  catchUp(99);
}

/** Writes the type and import sections before the first section that must follow them, if the module had none. */
function catchUp(rank: u32): void {
  if (!typesDone && rank > 1) { typesDone = true; section(S_TYPE); }
  if (!importsDone && rank > 2) { importsDone = true; section(S_IMPORT); }
}

function emitSection(id: u32): void {
  if (id == S_TYPE) typesDone = true;
  if (id == S_IMPORT) importsDone = true;
  section(id);
}

function section(id: u32): void {
  emitByte(id);
  const at = reserveSize();
  switch (id) {
    case S_TYPE: types(); break;
    case S_IMPORT: imports(); break;
    case S_FUNCTION: functions(); break;
    case S_GLOBAL: walkGlobals(true); break;
    case S_EXPORT: walkExports(true); break;
    case S_START: walkStart(true); break;
    case S_ELEMENT: walkElements(true); break;
    case S_CODE: emitCode(); break;
    case S_DATA: walkData(true); break;
    default: emitRange(sectionStart(id), sectionEnd(id)); // table, memory, data count: unchanged
  }
  patchSize(at);
}

function emitCustom(headerAt: usize, start: usize, end: usize): void {
  seek(start, end);
  const name = readName();
  if (!nameIs(name, nameLen, "name")) { emitRange(headerAt, end); return; }
  emitByte(S_CUSTOM);
  const at = reserveSize();
  emitRange(start, pos);
  emitNames(pos, end);
  patchSize(at);
}

/** The module's types, then () -> () (the added imports) and (i32) -> i32 (the grow check). */
function types(): void {
  let n: u32 = 0;
  let from: usize = 0;
  if (enter(S_TYPE)) { n = readU32(); from = pos; }
  emitU32(n + 2);
  if (from != 0) emitRange(from, sectionEnd(S_TYPE));
  emitByte(0x60); emitByte(0); emitByte(0);
  emitByte(0x60); emitByte(1); emitByte(I32); emitByte(1); emitByte(I32);
}

/** The module's function imports, then the three functions and two globals only the loader links. */
function imports(): void {
  let n: u32 = 0;
  let from: usize = 0;
  if (enter(S_IMPORT)) { n = readU32(); from = pos; }
  emitU32(n + 5);
  if (from != 0) emitRange(from, sectionEnd(S_IMPORT));
  importFunc("fuel_out");
  importFunc("stack_out");
  importFunc("mem_limit");
  importGlobal("fuel", I64);
  importGlobal("stack", I32);
}

function importName(field: string): void {
  emitByte(5); emitByte(0x71); emitByte(0x75); emitByte(0x61); emitByte(0x72); emitByte(0x6b); // "quark"
  emitU32(<u32>field.length);
  for (let i = 0; i < field.length; i++) emitByte(<u32>field.charCodeAt(i));
}

function importFunc(field: string): void {
  importName(field);
  emitByte(0); emitU32(info.nTypes); // () -> (): the first added type
}

function importGlobal(field: string, t: u32): void {
  importName(field);
  emitByte(3); emitByte(t); emitByte(1); // mutable
}

function functions(): void {
  enter(S_FUNCTION);
  const n = readU32();
  emitU32(n + (info.usesGrow ? 1 : 0));
  emitRange(pos, sectionEnd(S_FUNCTION));
  if (info.usesGrow) emitU32(growType());
}
