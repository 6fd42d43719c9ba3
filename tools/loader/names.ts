// The "name" custom section: function, local and global names renumbered
// like the code (subsections 1, 2, 7); the module name and the names of
// types, tables, memories and segments, whose indices do not move, kept as
// they are; any other subsection (labels, fields, unknown ones) dropped,
// since the loader cannot vouch for its indices. Also: the name of a
// function, for error messages.
import { fail, failed, bytes } from "./errors";
import { pos, limit, seek, readByte, readU32, readName, nameLen, skip, here, remaining } from "./reader";
import { emitByte, emitU32, emitRange, reserveSize, patchSize } from "./writer";
import { info, renumberFunc, renumberGlobal } from "./module";

const KEEP_AS_IS = 0; // module (0), types (4), tables (5), memories (6), element (8) and data (9) segments
const FUNCS = 1;
const LOCALS = 2;
const GLOBALS = 7;

function kept(id: u32): bool { return id == 0 || id == 4 || id == 5 || id == 6 || id == 8 || id == 9; }

/** A name map (index, name)*, renumbered by `which` (FUNCS or GLOBALS) or copied (KEEP_AS_IS). */
function nameMap(which: i32, emit: bool): void {
  const n = readU32();
  if (<usize>n > remaining()) { fail(here(), "name map longer than its subsection"); return; }
  if (emit) emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    const idx = readU32();
    const start = pos;
    readName();
    if (failed) return;
    if (!emit) continue;
    emitU32(which == FUNCS ? renumberFunc(idx) : which == GLOBALS ? renumberGlobal(idx) : idx);
    emitRange(start, pos);
  }
}

/** Writes the section's content (after its name), from [start, end) of the input. */
export function emitNames(start: usize, end: usize): void {
  seek(start, end);
  while (pos < end && !failed) {
    const id = readByte();
    const size = readU32();
    if (failed) return;
    if (<usize>size > remaining()) { fail(here(), "name subsection runs past the name section"); return; }
    const subStart = pos;
    const subEnd = pos + size;
    if (kept(id)) {
      emitByte(id); emitU32(size); emitRange(subStart, subEnd);
    } else if (id == FUNCS || id == GLOBALS || id == LOCALS) {
      emitByte(id);
      const at = reserveSize();
      seek(subStart, subEnd);
      if (id == LOCALS) localNames(); else nameMap(id, true);
      if (!failed && pos != subEnd) fail(here(), "name subsection has bytes after its last entry");
      patchSize(at);
    }
    seek(subEnd, end);
  }
}

function localNames(): void {
  const n = readU32();
  if (<usize>n > remaining()) { fail(here(), "local name map longer than its subsection"); return; }
  emitU32(n);
  for (let i: u32 = 0; i < n && !failed; i++) {
    emitU32(renumberFunc(readU32()));
    nameMap(KEEP_AS_IS, true);
  }
}

/** Appends function f's name (module index space) to the error message, if the module names it; false if not. */
export function appendFuncName(f: u32): bool {
  if (info.namesStart == 0) return false;
  const end = info.namesEnd;
  seek(info.namesStart, end);
  while (pos < end) {
    const id = readByte();
    const size = readU32();
    if (failed || <usize>size > remaining()) return false;
    const subEnd = pos + size;
    if (id == FUNCS) {
      seek(pos, subEnd);
      const n = readU32();
      for (let i: u32 = 0; i < n && !failed && pos < subEnd; i++) {
        const idx = readU32();
        const name = readName();
        if (failed) return false;
        if (idx == f) { bytes(name, nameLen); return true; }
      }
      return false;
    }
    seek(subEnd, end);
  }
  return false;
}
