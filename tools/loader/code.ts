// The code section: measured first (weights.ts, every body), then written
// with the charges (charges.ts): fuel at each function entry and loop header,
// the stack weight around each call to a defined function (and call_indirect,
// with the heaviest function a table can hold), every memory.grow as a call
// of the grow check, and global indices moved past the added imports; each
// body gets the two locals the charges use. Every other instruction is
// copied as it is.
import { fail, failed, setCurrentFunc, decimal } from "./errors";
import { pos, limit, seek, readU32, here, remaining, setPos } from "./reader";
import { emitByte, emitU32, emitRange, reserveSize, patchSize } from "./writer";
import { info, renumberGlobal, renumberFunc, growFunc, weightOf, S_CODE, I32, I64 } from "./module";
import { enter, leave } from "./sections";
import { measure, scratchLocal, makesGuardedCalls, foldLeaves, leafCallCovered } from "./weights";
import { fuelCharge, stackBase, stackCharge, stackRestore, growBody } from "./charges";
import * as d from "./decoder";

// Whether calls get the stack guard. Only `quark bench` turns it off, to
// measure what the guard costs beside the same build with it (LOADER_NO_STACK_GUARD).
let guardStack = true;
export function setStackGuard(on: bool): void { guardStack = on; }

/** Pass 1: every body checked and weighed; then the call_indirect weight. */
export function measureCode(): void {
  if (!enter(S_CODE)) {
    if (info.nFuncs != 0) fail(here(), "function section without a code section");
    return;
  }
  const at = here();
  const n = readU32();
  if (n != info.nFuncs) { if (fail(at, "code section has a different number of bodies than the function section: ")) decimal(n); return; }
  for (let i: u32 = 0; i < n && !failed; i++) {
    const bodyAt = here();
    const size = readU32();
    if (failed) return;
    if (<usize>size > remaining()) { fail(bodyAt, "function body runs past the code section"); return; }
    const start = pos;
    const end = pos + size;
    const sectionEnd = limit;
    setCurrentFunc(<i32>(info.nImportFuncs + i));
    measure(i, start, end);
    setCurrentFunc(-1);
    seek(end, sectionEnd);
  }
  leave();
  if (!failed) foldLeaves();
  for (let i: u32 = 0; i < info.nFuncs; i++) {
    if (load<u8>(info.inTable + i) == 0) continue;
    const w = load<u32>(info.weights + i * 4);
    if (w > info.indirectWeight) info.indirectWeight = w;
  }
}

/** Pass 2: the code section's content, rewritten, plus the grow check's body. */
export function emitCode(): void {
  enter(S_CODE);
  const n = readU32();
  emitU32(n + (info.usesGrow ? 1 : 0));
  for (let i: u32 = 0; i < n && !failed; i++) {
    const size = readU32();
    const end = pos + size;
    const sectionEnd = limit;
    const sizeAt = reserveSize();
    emitBody(i, end);
    patchSize(sizeAt);
    seek(end, sectionEnd);
  }
  if (info.usesGrow) {
    const sizeAt = reserveSize();
    growBody();
    patchSize(sizeAt);
  }
}

/** The body's local declarations, then the loader's two (weights.ts, SCRATCH_SLOTS): an i32 and an i64. */
function emitLocals(): void {
  const groups = readU32();
  const from = pos;
  for (let g: u32 = 0; g < groups && !failed; g++) { readU32(); setPos(pos + 1); }
  emitU32(groups + 2);
  emitRange(from, pos);
  emitByte(1); emitByte(I32);
  emitByte(1); emitByte(I64);
}

function emitBody(i: u32, end: usize): void {
  seek(pos, end);
  emitLocals();
  const base = scratchLocal(i);
  const fuel = base + 1;
  fuelCharge(fuel);
  const guarded = guardStack && makesGuardedCalls(i);
  if (guarded) stackBase(base);
  let open: u32 = 1;
  while (open > 0 && !failed) {
    const from = pos;
    d.decode();
    const k = d.kind;
    if (k == d.K_BLOCK || k == d.K_IF) open++;
    else if (k == d.K_END) open--;
    if (k == d.K_LOOP) {
      open++;
      emitRange(from, pos);
      fuelCharge(fuel);
    } else if (k == d.K_CALL && d.imm >= info.nImportFuncs) {
      // A leaf whose frame this function's weight covers needs no guard (weights.ts, foldLeaves).
      const charged = guarded && !leafCallCovered(i, d.imm - info.nImportFuncs);
      if (charged) stackCharge(weightOf(d.imm), base);
      emitByte(0x10); emitU32(renumberFunc(d.imm));
      if (charged) stackRestore(base);
    } else if (k == d.K_CALL_INDIRECT && !guarded) {
      emitRange(from, pos);
    } else if (k == d.K_CALL_INDIRECT) {
      stackCharge(info.indirectWeight, base);
      emitRange(from, pos);
      stackRestore(base);
    } else if (k == d.K_GLOBAL_GET || k == d.K_GLOBAL_SET) {
      emitByte(k == d.K_GLOBAL_GET ? 0x23 : 0x24); emitU32(renumberGlobal(d.imm));
    } else if (k == d.K_MEMORY_GROW) {
      emitByte(0x10); emitU32(growFunc());
    } else {
      emitRange(from, pos);
    }
  }
}
