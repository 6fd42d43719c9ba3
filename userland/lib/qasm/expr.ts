// Parameter expressions, evaluated in f64 as they are read: numbers, pi, the
// parameters of the gate being read, + - * / and the power (^ in OpenQASM
// 2.0, ** in 3), unary minus, parentheses and sin cos tan exp ln sqrt (and
// arcsin arccos arctan, tau, euler in OpenQASM 3).
//
// Operator precedence on two explicit stacks (values, pending operators), so
// nesting costs stack entries, never Wasm frames: a service runs the parser
// within its entry's stack window.
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

/** Pending operators (and open parentheses) one expression may hold. */
export const MAX_NESTING = 64;

// Operators on the stack: binary ones by precedence, then the openers.
const O_ADD = 1;
const O_SUB = 2;
const O_MUL = 3;
const O_DIV = 4;
const O_NEG = 5;
const O_POW = 6;
const O_PAREN = 7;
const O_FUNC = 8; // + the function's keyword

const ops = new StaticArray<i32>(MAX_NESTING);
const vals = new StaticArray<f64>(MAX_NESTING + 1);
let nOps = 0;
let nVals = 0;

// -x**y is -(x**y); 2*-3 and 2**-1 take the sign first.
function precedence(o: i32): i32 {
  if (o <= O_SUB) return 1;
  if (o <= O_DIV) return 2;
  if (o == O_NEG) return 3;
  return 4;
}

/** The expression starting at the current token; the token after it is current. */
export function expression(): f64 {
  nOps = 0;
  nVals = 0;
  let operand = true; // what comes next: an operand (or prefix) or an operator
  while (!failed) {
    const k = lex.kind;
    if (operand) {
      if (k == T_MINUS) { if (!push(O_NEG)) break; lex.next(); continue; }
      if (k == T_PLUS) { lex.next(); continue; }
      if (k == T_LPAREN) { if (!push(O_PAREN)) break; lex.next(); continue; }
      if (k == T_INT || k == T_REAL) { value(lex.real); lex.next(); operand = false; continue; }
      if (k == T_ID) { if (identifier()) operand = false; continue; }
      fail(lex.start, E_ARG, "expected an expression, found '" + lex.text() + "'");
      break;
    }
    const o = binary(k);
    if (o > 0) {
      const right = o == O_POW;
      while (nOps > 0 && unchecked(ops[nOps - 1]) < O_PAREN && (precedence(unchecked(ops[nOps - 1])) > precedence(o) || (!right && precedence(unchecked(ops[nOps - 1])) == precedence(o)))) apply();
      if (!push(o)) break;
      lex.next();
      operand = true;
      continue;
    }
    if (lex.v3 && k == T_CARET) { fail(lex.start, E_ARG, "'^' is not a power in OpenQASM 3: expected '**'"); break; }
    // A ')' closes the innermost parenthesis or function, or ends the expression (the call's own ')').
    if (k == T_RPAREN && open()) { close(); lex.next(); continue; }
    break;
  }
  while (!failed && nOps > 0) {
    if (unchecked(ops[nOps - 1]) >= O_PAREN) { fail(lex.start, E_ARG, "expected ')' to close the parenthesis"); break; }
    apply();
  }
  return failed || nVals == 0 ? 0 : unchecked(vals[nVals - 1]);
}

function binary(k: i32): i32 {
  if (k == T_PLUS) return O_ADD;
  if (k == T_MINUS) return O_SUB;
  if (k == T_STAR) return O_MUL;
  if (k == T_SLASH) return O_DIV;
  if (k == (lex.v3 ? T_POWER : T_CARET)) return O_POW;
  return 0;
}

function push(o: i32): bool {
  if (nOps >= MAX_NESTING) {
    fail(lex.start, E_NOSPACE, "expression nested deeper than " + MAX_NESTING.toString() + " levels");
    return false;
  }
  unchecked(ops[nOps++] = o);
  return true;
}

function value(v: f64): void { unchecked(vals[nVals++] = v); }

/** An open parenthesis or function waits on the stack. */
function open(): bool {
  for (let i = nOps - 1; i >= 0; i--) if (unchecked(ops[i]) >= O_PAREN) return true;
  return false;
}

/** ')' : the operators back to the opener, then the function if it was one. */
function close(): void {
  while (unchecked(ops[nOps - 1]) < O_PAREN) apply();
  const o = unchecked(ops[--nOps]);
  if (o > O_FUNC) unchecked(vals[nVals - 1] = func(o - O_FUNC, unchecked(vals[nVals - 1])));
}

// Every operator on the stack has its operands: the value stack holds one
// more value than the binary operators below the top.
function apply(): void {
  const o = unchecked(ops[--nOps]);
  if (o == O_NEG) { unchecked(vals[nVals - 1] = -unchecked(vals[nVals - 1])); return; }
  const b = unchecked(vals[--nVals]);
  const a = unchecked(vals[nVals - 1]);
  let r: f64;
  switch (o) {
    case O_ADD: r = a + b; break;
    case O_SUB: r = a - b; break;
    case O_MUL: r = a * b; break;
    case O_DIV: r = a / b; break;
    default: r = Math.pow(a, b);
  }
  unchecked(vals[nVals - 1] = r);
}

function func(w: i32, x: f64): f64 {
  switch (w) {
    case K_SIN: return Math.sin(x);
    case K_COS: return Math.cos(x);
    case K_TAN: return Math.tan(x);
    case K_EXP: return Math.exp(x);
    case K_LN: return Math.log(x);
    case K_SQRT: return Math.sqrt(x);
    case K_ARCSIN: return Math.asin(x);
    case K_ARCCOS: return Math.acos(x);
  }
  return Math.atan(x);
}

/** A constant, a function's name and its '(', or a parameter; false after an error or an opened function. */
function identifier(): bool {
  const w = lex.keyword;
  if (w == K_PI || (lex.v3 && w == K_PI3)) { value(Math.PI); lex.next(); return true; }
  if (lex.v3 && w == K_TAU) { value(2 * Math.PI); lex.next(); return true; }
  if (lex.v3 && w == K_EULER) { value(Math.E); lex.next(); return true; }
  if ((w >= K_SIN && w <= K_SQRT) || (lex.v3 && w >= K_ARCSIN && w <= K_ARCTAN)) {
    lex.next();
    if (lex.kind != T_LPAREN) { fail(lex.start, E_ARG, "expected '(' after the function's name"); return false; }
    if (push(O_FUNC + w)) lex.next();
    return false;
  }
  const g = frames.gate;
  const i = g < 0 ? -1 : gates.nameIndex(g, 0, unchecked(gates.params[g]), lex.hash, lex.start, lex.len);
  if (i < 0) {
    fail(lex.start, E_ARG, (g < 0 ? "unknown identifier '" : "unknown parameter '") + lex.text() + "' in an expression");
    return false;
  }
  value(frames.val(frames.vBase + i));
  lex.next();
  return true;
}
