// The instruction decoder: reads one instruction (opcode and immediates) and
// says what it is, as a class for the instructions the loader treats
// specially and as pops/push for the rest (push: 0 nothing, 1 a scalar or
// reference, 2 a v128, in stack slots). It knows MVP, sign extension,
// saturating conversions, bulk memory with the table instructions numbered
// with it (0xFC 0-17), and fixed-width SIMD (0xFD 0-255); it refuses
// everything else, naming the opcode: tail calls, exception handling, GC,
// threads, typed function references, table.get/set and ref.* in code.
import { fail, failed, text, hex, decimal } from "./errors";
import { readByte, readU32, readS33, skip, skipSigned, here } from "./reader";
import { readValType } from "./sections";
import { valueWidth, info } from "./module";

export const K_PLAIN: u32 = 0; // pops/push say it all
export const K_UNREACHABLE: u32 = 1;
export const K_BLOCK: u32 = 2;
export const K_LOOP: u32 = 3;
export const K_IF: u32 = 4;
export const K_ELSE: u32 = 5;
export const K_END: u32 = 6;
export const K_BR: u32 = 7;
export const K_BR_IF: u32 = 8;
export const K_BR_TABLE: u32 = 9;
export const K_RETURN: u32 = 10;
export const K_CALL: u32 = 11;
export const K_CALL_INDIRECT: u32 = 12;
export const K_LOCAL_GET: u32 = 13;
export const K_LOCAL_SET: u32 = 14;
export const K_LOCAL_TEE: u32 = 15;
export const K_GLOBAL_GET: u32 = 16;
export const K_GLOBAL_SET: u32 = 17;
export const K_SELECT: u32 = 18; // pushes what it pops
export const K_MEMORY_GROW: u32 = 19;
export const K_TABLE: u32 = 20; // a table instruction: imm2 is its table index

/** The decoded instruction. */
export let kind: u32 = 0;
export let pops: u32 = 0;
export let push: u32 = 0;
/** Index immediate: function, type, local, global, label (br_table: the largest). */
export let imm: u32 = 0;
/** Table index (call_indirect, table instructions). */
export let imm2: u32 = 0;
/** Block type: -0x40 empty, -valtype for one result, else a type index. */
export let blockType: i64 = 0;
/** Where the instruction starts (offset in the module), for messages. */
export let opAt: u32 = 0;

function plain(p: u32, w: u32): void { kind = K_PLAIN; pops = p; push = w; }

function refuse(op: u32, digits: i32, what: string): void {
  if (fail(opAt, "opcode ")) { hex(op, digits); text(" ("); text(what); text(") is not allowed"); }
}

function unknown(prefix: u32, op: u32): void {
  if (fail(opAt, "unknown opcode ")) {
    hex(prefix != 0 ? prefix : op, 2);
    if (prefix != 0) { text(" "); decimal(op); }
  }
}

function memarg(): void {
  const align = readU32();
  if (align >= 0x40) { if (!failed) fail(opAt, "a memory access names a memory index (multi-memory is not allowed)"); return; }
  readU32();
}

/** The memory index byte of memory.size/grow/fill/copy/init: only memory 0 exists. */
function memIndex(): void {
  if (readU32() != 0 && !failed) fail(opAt, "instruction names a memory other than 0");
}

function readBlockType(): void {
  const b = readS33();
  if (failed) return;
  if (b == -0x40) { blockType = b; return; }
  if (b < 0) {
    // A one-byte value type, read back as a negative s33; check it is one the loader knows.
    const t = <u32>(b & 0x7f);
    if (t == 0x7f || t == 0x7e || t == 0x7d || t == 0x7c || t == 0x7b || t == 0x70 || t == 0x6f) { blockType = -<i64>t; return; }
    fail(opAt, "block type is not a known value type");
    return;
  }
  blockType = b;
}

/** Decodes the instruction at the cursor. */
export function decode(): void {
  opAt = here();
  const op = readByte();
  if (failed) return;
  kind = K_PLAIN; pops = 0; push = 0;
  if (op <= 0x1f) { control(op); return; }
  if (op <= 0x26) { variable(op); return; }
  if (op <= 0x3e) { // loads (0x28-0x35) and stores (0x36-0x3e)
    if (op < 0x28) { unknown(0, op); return; }
    memarg();
    if (op <= 0x35) plain(1, 1); else plain(2, 0);
    return;
  }
  if (op == 0x3f) { memIndex(); plain(0, 1); return; }
  if (op == 0x40) { memIndex(); kind = K_MEMORY_GROW; pops = 1; push = 1; return; }
  if (op == 0x41) { skipSigned(32); plain(0, 1); return; }
  if (op == 0x42) { skipSigned(64); plain(0, 1); return; }
  if (op == 0x43) { skip(4); plain(0, 1); return; }
  if (op == 0x44) { skip(8); plain(0, 1); return; }
  if (op <= 0xc4) { numeric(op); return; }
  if (op == 0xfc) { misc(readU32()); return; }
  if (op == 0xfd) { simd(readU32()); return; }
  if (op >= 0xd0 && op <= 0xd6) { refuse(op, 2, "reference instructions in code"); return; }
  if (op == 0xfb) { refuse(op, 2, "GC"); return; }
  if (op == 0xfe) { refuse(op, 2, "threads and atomics"); return; }
  unknown(0, op);
}

function control(op: u32): void {
  switch (op) {
    case 0x00: kind = K_UNREACHABLE; return;
    case 0x01: return; // nop
    case 0x02: kind = K_BLOCK; readBlockType(); return;
    case 0x03: kind = K_LOOP; readBlockType(); return;
    case 0x04: kind = K_IF; readBlockType(); return;
    case 0x05: kind = K_ELSE; return;
    case 0x0b: kind = K_END; return;
    case 0x0c: kind = K_BR; imm = readU32(); return;
    case 0x0d: kind = K_BR_IF; imm = readU32(); return;
    case 0x0e: {
      kind = K_BR_TABLE;
      const n = readU32();
      let most: u32 = 0;
      // Each label takes at least a byte, so the loop ends with the body.
      for (let i: u64 = 0; i <= <u64>n && !failed; i++) { const l = readU32(); if (l > most) most = l; }
      imm = most;
      return;
    }
    case 0x0f: kind = K_RETURN; return;
    case 0x10: kind = K_CALL; imm = readU32(); return;
    case 0x11: kind = K_CALL_INDIRECT; imm = readU32(); imm2 = readU32(); return;
    case 0x12: case 0x13: refuse(op, 2, "tail call"); return;
    case 0x14: case 0x15: refuse(op, 2, "typed function references"); return;
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x18: case 0x19: case 0x1f:
      refuse(op, 2, "exception handling"); return;
    case 0x1a: plain(1, 0); return; // drop
    case 0x1b: kind = K_SELECT; pops = 3; return;
    case 0x1c: {
      const n = readU32();
      if (n != 1) { if (!failed) fail(opAt, "typed select must name exactly one type"); return; }
      plain(3, valueWidth(readValType()));
      return;
    }
  }
  unknown(0, op);
}

function variable(op: u32): void {
  imm = readU32();
  switch (op) {
    case 0x20: kind = K_LOCAL_GET; return;
    case 0x21: kind = K_LOCAL_SET; return;
    case 0x22: kind = K_LOCAL_TEE; return;
    case 0x23: kind = K_GLOBAL_GET; return;
    case 0x24: kind = K_GLOBAL_SET; return;
  }
  refuse(op, 2, "table.get and table.set");
}

// 0x45-0xc4: comparisons, arithmetic, conversions, sign extension; every result is one slot.
function numeric(op: u32): void {
  if (op == 0x45 || op == 0x50) { plain(1, 1); return; } // eqz
  if (op <= 0x66) { plain(2, 1); return; } // comparisons
  if (op <= 0x69 || (op >= 0x79 && op <= 0x7b) || (op >= 0x8b && op <= 0x91) || (op >= 0x99 && op <= 0x9f) || op >= 0xa7) {
    plain(1, 1); return; // unary operators and conversions
  }
  plain(2, 1); // binary operators
}

function misc(sub: u32): void {
  if (failed) return;
  if (sub <= 7) { plain(1, 1); return; } // saturating truncations
  // A segment or table the code changes could not be put back by a reset (reset.ts).
  if (sub != 10 && sub != 11 && sub != 16) info.segmentOps = true;
  switch (sub) {
    case 8: readU32(); memIndex(); plain(3, 0); return; // memory.init
    case 9: readU32(); return; // data.drop
    case 10: memIndex(); memIndex(); plain(3, 0); return; // memory.copy
    case 11: memIndex(); plain(3, 0); return; // memory.fill
    case 12: readU32(); imm2 = readU32(); kind = K_TABLE; pops = 3; return; // table.init
    case 13: readU32(); return; // elem.drop
    case 14: { // table.copy: imm2 is the larger of its two tables, for the range check
      imm2 = readU32();
      const src = readU32();
      if (src > imm2) imm2 = src;
      kind = K_TABLE; pops = 3; return;
    }
    case 15: imm2 = readU32(); kind = K_TABLE; pops = 2; push = 1; return; // table.grow
    case 16: imm2 = readU32(); kind = K_TABLE; push = 1; return; // table.size
    case 17: imm2 = readU32(); kind = K_TABLE; pops = 3; return; // table.fill
  }
  unknown(0xfc, sub);
}

function simd(sub: u32): void {
  if (failed) return;
  if (sub <= 10 || sub == 92 || sub == 93) { memarg(); plain(1, 2); return; } // loads
  if (sub == 11) { memarg(); plain(2, 0); return; } // v128.store
  if (sub == 12) { skip(16); plain(0, 2); return; } // v128.const
  if (sub == 13) { skip(16); plain(2, 2); return; } // i8x16.shuffle
  if (sub == 14) { plain(2, 2); return; } // swizzle
  if (sub <= 20) { plain(1, 2); return; } // splats
  if (sub <= 34) { // extract_lane (pops 1, scalar) and replace_lane (pops 2, v128)
    readByte();
    const replace = sub == 23 || sub == 26 || sub == 28 || sub == 30 || sub == 32 || sub == 34;
    if (replace) plain(2, 2); else plain(1, 1);
    return;
  }
  if (sub <= 76) { plain(2, 2); return; } // comparisons
  if (sub == 77) { plain(1, 2); return; } // v128.not
  if (sub <= 81) { plain(2, 2); return; } // and, andnot, or, xor
  if (sub == 82) { plain(3, 2); return; } // bitselect
  if (sub == 83) { plain(1, 1); return; } // any_true
  if (sub <= 87) { memarg(); readByte(); plain(2, 2); return; } // load lane
  if (sub <= 91) { memarg(); readByte(); plain(2, 0); return; } // store lane
  if (sub > 255 || isReserved(sub)) { unknown(0xfd, sub); return; }
  if (isScalarResult(sub)) { plain(1, 1); return; } // all_true, bitmask
  if (isShift(sub)) { plain(2, 2); return; }
  if (isUnary(sub)) { plain(1, 2); return; }
  plain(2, 2);
}

function isReserved(sub: u32): bool {
  return sub == 154 || sub == 162 || sub == 165 || sub == 166 || sub == 175 || sub == 176 ||
    (sub >= 178 && sub <= 180) || sub == 187 || sub == 194 || sub == 197 || sub == 198 || sub == 207 || sub == 208 ||
    (sub >= 210 && sub <= 212) || sub == 226 || sub == 238;
}

function isScalarResult(sub: u32): bool {
  return sub == 99 || sub == 100 || sub == 131 || sub == 132 || sub == 163 || sub == 164 || sub == 195 || sub == 196;
}

function isShift(sub: u32): bool {
  return (sub >= 107 && sub <= 109) || (sub >= 139 && sub <= 141) || (sub >= 171 && sub <= 173) || (sub >= 203 && sub <= 205);
}

function isUnary(sub: u32): bool {
  return sub == 94 || sub == 95 || (sub >= 96 && sub <= 98) || (sub >= 103 && sub <= 106) || sub == 116 || sub == 117 ||
    sub == 122 || (sub >= 124 && sub <= 129) || (sub >= 135 && sub <= 138) || sub == 148 || sub == 160 || sub == 161 ||
    (sub >= 167 && sub <= 170) || sub == 192 || sub == 193 || (sub >= 199 && sub <= 202) || sub == 224 || sub == 225 ||
    sub == 227 || sub == 236 || sub == 237 || sub == 239 || sub >= 248;
}
