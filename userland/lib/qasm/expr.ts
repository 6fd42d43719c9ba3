// Parameter expressions, evaluated in f64 as they are read: numbers, pi, the
// parameters of the gate being read, + - * / and the power (^ in OpenQASM
// 2.0, ** in 3), unary minus, parentheses and sin cos tan exp ln sqrt (and
// arcsin arccos arctan, tau, euler in OpenQASM 3).
import { E_ARG, E_NOSPACE } from "../../../kernel/abi";
import { fail, failed } from "./errors";
import * as lex from "./lexer";
import {
  T_INT, T_REAL, T_ID, T_LPAREN, T_RPAREN, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_CARET, T_POWER,
} from "./lexer";
import {
  K_PI, K_PI3, K_TAU, K_EULER, K_SIN, K_COS, K_TAN, K_EXP, K_LN, K_SQRT, K_ARCSIN, K_ARCCOS, K_ARCTAN,
} from "./keywords";
import * as gates from "./gates";
import * as frames from "./frames";

export const MAX_NESTING = 64;
let nesting = 0;

/** The expression starting at the current token; the token after it is current. */
export function expression(): f64 {
  nesting = 0;
  return sum();
}

function sum(): f64 {
  let v = product();
  while (!failed && (lex.kind == T_PLUS || lex.kind == T_MINUS)) {
    const plus = lex.kind == T_PLUS;
    lex.next();
    const r = product();
    v = plus ? v + r : v - r;
  }
  return v;
}

function product(): f64 {
  let v = unary();
  while (!failed && (lex.kind == T_STAR || lex.kind == T_SLASH)) {
    const times = lex.kind == T_STAR;
    lex.next();
    const r = unary();
    v = times ? v * r : v / r;
  }
  return v;
}

function unary(): f64 {
  if (++nesting > MAX_NESTING) {
    fail(lex.start, E_NOSPACE, "expression nested deeper than " + MAX_NESTING.toString() + " levels");
    return 0;
  }
  let v: f64;
  if (lex.kind == T_MINUS) { lex.next(); v = -unary(); }
  else if (lex.kind == T_PLUS) { lex.next(); v = unary(); }
  else v = power();
  nesting--;
  return v;
}

function power(): f64 {
  const b = primary();
  if (failed) return 0;
  if (lex.kind == (lex.v3 ? T_POWER : T_CARET)) {
    lex.next();
    return Math.pow(b, unary());
  }
  if (lex.v3 && lex.kind == T_CARET) fail(lex.start, E_ARG, "'^' is not a power in OpenQASM 3: expected '**'");
  return b;
}

function primary(): f64 {
  const k = lex.kind;
  if (k == T_INT || k == T_REAL) { const v = lex.real; lex.next(); return v; }
  if (k == T_LPAREN) {
    lex.next();
    const v = sum();
    close("expected ')' to close the parenthesis");
    return v;
  }
  if (k != T_ID) { fail(lex.start, E_ARG, "expected an expression, found '" + lex.text() + "'"); return 0; }
  const w = lex.keyword;
  if (w == K_PI || (lex.v3 && w == K_PI3)) { lex.next(); return Math.PI; }
  if (lex.v3 && w == K_TAU) { lex.next(); return 2 * Math.PI; }
  if (lex.v3 && w == K_EULER) { lex.next(); return Math.E; }
  if (isFunction(w)) return call(w);
  return parameter();
}

function isFunction(w: i32): bool {
  return (w >= K_SIN && w <= K_SQRT) || (lex.v3 && w >= K_ARCSIN && w <= K_ARCTAN);
}

function call(w: i32): f64 {
  const at = lex.start;
  lex.next();
  if (lex.kind != T_LPAREN) { fail(lex.start, E_ARG, "expected '(' after the function's name"); return 0; }
  lex.next();
  const x = sum();
  close("expected ')' after the function's argument");
  switch (w) {
    case K_SIN: return Math.sin(x);
    case K_COS: return Math.cos(x);
    case K_TAN: return Math.tan(x);
    case K_EXP: return Math.exp(x);
    case K_LN: return Math.log(x);
    case K_SQRT: return Math.sqrt(x);
    case K_ARCSIN: return Math.asin(x);
    case K_ARCCOS: return Math.acos(x);
    case K_ARCTAN: return Math.atan(x);
  }
  fail(at, E_ARG, "unknown function");
  return 0;
}

/** A parameter of the gate whose body is being read. */
function parameter(): f64 {
  const g = frames.gate;
  const i = g < 0 ? -1 : gates.nameIndex(g, 0, unchecked(gates.params[g]), lex.hash, lex.start, lex.len);
  if (i < 0) {
    fail(lex.start, E_ARG, (g < 0 ? "unknown identifier '" : "unknown parameter '") + lex.text() + "' in an expression");
    return 0;
  }
  lex.next();
  return frames.val(frames.vBase + i);
}

function close(what: string): void {
  if (failed) return;
  if (lex.kind != T_RPAREN) { fail(lex.start, E_ARG, what); return; }
  lex.next();
}
