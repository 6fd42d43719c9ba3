// Tokens of an OpenQASM program read straight from its UTF-8 bytes: no string
// is made. The current token is described by the exported fields; next()
// moves to the following one. Identifiers carry their FNV-1a hash, so the
// keyword and gate tables find them with one probe.
import { E_ARG } from "../../../kernel/abi";
import { fail } from "./errors";
import { keywordOf } from "./keywords";

export const T_EOF = 0;
export const T_ID = 1;
export const T_INT = 2;
export const T_REAL = 3;
export const T_STRING = 4;
export const T_SEMI = 5;
export const T_COMMA = 6;
export const T_LPAREN = 7;
export const T_RPAREN = 8;
export const T_LBRACKET = 9;
export const T_RBRACKET = 10;
export const T_LBRACE = 11;
export const T_RBRACE = 12;
export const T_ARROW = 13;
export const T_EQEQ = 14;
export const T_EQ = 15;
export const T_PLUS = 16;
export const T_MINUS = 17;
export const T_STAR = 18;
export const T_SLASH = 19;
export const T_CARET = 20;
export const T_POWER = 21; // ** (OpenQASM 3)
export const T_AT = 22;
export const T_COLON = 23;
export const T_OTHER = 24; // any other character: the parser says what it expected

const FNV_BASIS: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

// The token.
export let kind = T_EOF;
export let start: usize = 0;
export let len: i32 = 0;
export let hash: u32 = 0;
export let keyword = 0;
export let real: f64 = 0; // an INT's or REAL's value
export let int: u64 = 0; // an INT's value when it fits (intFits)
export let intFits = true;

// OpenQASM 3's rules: identifiers may hold non-ASCII letters (θ, π), `**`,
// digits separated by `_`.
export let v3 = false;

let p: usize = 0;
let end: usize = 0;

export function setVersion3(on: bool): void { v3 = on; }

/** Reads [from, to) from now on; the caller calls next() for the first token. */
export function setSource(from: usize, to: usize): void { p = from; end = to; }

export function next(): void {
  skipSpace();
  start = p;
  keyword = 0;
  if (p >= end) { kind = T_EOF; len = 0; return; }
  const c = load<u8>(p);
  if (isIdStart(c)) identifier();
  else if (isDigit(c) || (c == 46 && p + 1 < end && isDigit(load<u8>(p + 1)))) number();
  else if (c == 34) str();
  else punct(c);
  len = <i32>(p - start);
}

function skipSpace(): void {
  let q = p;
  const e = end;
  while (q < e) {
    const c = load<u8>(q);
    if (c == 32 || c == 10 || c == 9 || c == 13 || c == 12 || c == 11) { q++; continue; }
    if (c != 47 || q + 1 >= e) break;
    const d = load<u8>(q + 1);
    if (d == 47) {
      while (q < e && load<u8>(q) != 10) q++;
    } else if (d == 42) {
      const open = q;
      q += 2;
      while (q + 1 < e && !(load<u8>(q) == 42 && load<u8>(q + 1) == 47)) q++;
      if (q + 1 >= e) { p = e; fail(open, E_ARG, "unterminated comment: expected '*/'"); return; }
      q += 2;
    } else break;
  }
  p = q;
}

@inline function isDigit(c: u32): bool { return c - 48 < 10; }

function isIdStart(c: u32): bool {
  return (c | 32) - 97 < 26 || c == 95 || (v3 && c >= 0x80);
}

function isIdPart(c: u32): bool { return isIdStart(c) || isDigit(c); }

function identifier(): void {
  let h = FNV_BASIS;
  let q = p;
  const e = end;
  while (q < e) {
    const c = <u32>load<u8>(q);
    if (!isIdPart(c)) break;
    h = (h ^ c) * FNV_PRIME;
    q++;
  }
  p = q;
  kind = T_ID;
  hash = h;
  keyword = keywordOf(h, start, <i32>(q - start));
}

// Digits are gathered into a u64 mantissa (18 digits exact) and a decimal
// exponent; the value is mantissa × 10^exp, exact when both fit a double
// (Clinger's fast path: every angle a person writes), else a close double.
function number(): void {
  exponentSeen = false;
  let mant: u64 = 0;
  let exp = 0;
  let isReal = false;
  let whole: u64 = 0;
  intFits = true;
  while (p < end) {
    const c = load<u8>(p);
    if (isDigit(c)) {
      const d = <u64>(c - 48);
      if (mant < 100000000000000000) mant = mant * 10 + d;
      else exp++;
      // The exact integer, for a comparison with a 64-bit register (2^64 - 1 = 1844674407370955161 * 10 + 5).
      if (whole > 1844674407370955161 || (whole == 1844674407370955161 && d > 5)) intFits = false;
      else whole = whole * 10 + d;
      p++;
    } else if (!separator(c)) break;
  }
  int = whole;
  if (p < end && load<u8>(p) == 46) {
    isReal = true;
    p++;
    while (p < end) {
      const c = load<u8>(p);
      if (isDigit(c)) {
        if (mant < 100000000000000000) { mant = mant * 10 + <u64>(c - 48); exp--; }
        p++;
      } else if (!separator(c)) break;
    }
  }
  if (p < end && (load<u8>(p) | 32) == 101) exp += exponent();
  kind = isReal || exponentSeen ? T_REAL : T_INT;
  real = scale(<f64>mant, exp, mant);
}

let exponentSeen = false;

/** `e` and its digits, when they follow; the power of ten they give. */
function exponent(): i32 {
  const save = p;
  p++;
  let sign = 1;
  if (p < end && (load<u8>(p) == 43 || load<u8>(p) == 45)) { if (load<u8>(p) == 45) sign = -1; p++; }
  if (p >= end || !isDigit(load<u8>(p))) { p = save; return 0; }
  let e = 0;
  while (p < end && isDigit(load<u8>(p))) { if (e < 100000) e = e * 10 + <i32>(load<u8>(p) - 48); p++; }
  exponentSeen = true;
  return sign * e;
}

/** A `_` between two digits (OpenQASM 3): skipped. */
function separator(c: u32): bool {
  if (!v3 || c != 95 || p == start || !isDigit(load<u8>(p - 1)) || p + 1 >= end || !isDigit(load<u8>(p + 1))) return false;
  p++;
  return true;
}

function scale(m: f64, exp: i32, exact: u64): f64 {
  if (exact == 0) return 0;
  if (exp == 0) return m;
  if (exact < (<u64>1 << 53) && exp >= -22 && exp <= 22) {
    return exp > 0 ? m * pow10(exp) : m / pow10(-exp);
  }
  if (exp > 400) return Infinity;
  if (exp < -400) return 0;
  return exp > 0 ? m * Math.pow(10, <f64>exp) : m / Math.pow(10, <f64>(-exp));
}

function pow10(e: i32): f64 {
  let r: f64 = 1;
  for (let i = 0; i < e; i++) r *= 10;
  return r;
}

function str(): void {
  p++;
  while (p < end && load<u8>(p) != 34 && load<u8>(p) != 10) p++;
  if (p >= end || load<u8>(p) != 34) { fail(start, E_ARG, "unterminated string: expected '\"'"); kind = T_OTHER; return; }
  p++;
  kind = T_STRING;
}

function punct(c: u32): void {
  p++;
  const d: u32 = p < end ? load<u8>(p) : 0;
  switch (c) {
    case 59: kind = T_SEMI; break;
    case 44: kind = T_COMMA; break;
    case 40: kind = T_LPAREN; break;
    case 41: kind = T_RPAREN; break;
    case 91: kind = T_LBRACKET; break;
    case 93: kind = T_RBRACKET; break;
    case 123: kind = T_LBRACE; break;
    case 125: kind = T_RBRACE; break;
    case 43: kind = T_PLUS; break;
    case 45: if (d == 62) { p++; kind = T_ARROW; } else kind = T_MINUS; break;
    case 61: if (d == 61) { p++; kind = T_EQEQ; } else kind = T_EQ; break;
    case 42: if (d == 42 && v3) { p++; kind = T_POWER; } else kind = T_STAR; break;
    case 47: kind = T_SLASH; break;
    case 94: kind = T_CARET; break;
    case 64: kind = T_AT; break;
    case 58: kind = T_COLON; break;
    default: {
      // A whole UTF-8 character, so the error shows it.
      if (c >= 0xc0) while (p < end && (load<u8>(p) & 0xc0) == 0x80) p++;
      kind = T_OTHER;
    }
  }
}

/** The current token's bytes as a string, for error messages only. */
export function text(): string {
  if (kind == T_EOF) return "end of input";
  return String.UTF8.decodeUnsafe(start, <usize>min(len, 40));
}

/** Where the text being read stands (just past the current token) and ends: a call's expansion reads bodies, then resumes here. */
export function savePos(): usize { return p; }
export function saveEnd(): usize { return end; }
