// The values a gate body is read with: the parameters (f64) and qubits (job
// indices) of each call being expanded, on two stacks. A frame is the gate
// being read and where its values start.
import { E_NOSPACE } from "../../../kernel/abi";
import { fail } from "./errors";

export const STACK = 4096;
export const MAX_DEPTH = 64; // gates expanded inside one another

export const vals = new StaticArray<f64>(STACK);
export const qargs = new StaticArray<i32>(STACK);
export let vTop = 0;
export let qTop = 0;

export let gate = -1; // -1: the program's top level
export let vBase = 0;
export let qBase = 0;
export let depth = 0;

export function reset(): void { vTop = 0; qTop = 0; gate = -1; vBase = 0; qBase = 0; depth = 0; }

export function pushVal(v: f64, at: usize): bool {
  if (vTop >= STACK) { fail(at, E_NOSPACE, "more than " + STACK.toString() + " gate parameters in the calls being expanded"); return false; }
  unchecked(vals[vTop++] = v);
  return true;
}

export function pushQubit(q: i32, at: usize): bool {
  if (qTop >= STACK) { fail(at, E_NOSPACE, "more than " + STACK.toString() + " qubit operands in the calls being expanded"); return false; }
  unchecked(qargs[qTop++] = q);
  return true;
}

export function setTops(v: i32, q: i32): void { vTop = v; qTop = q; }

/** Enters gate g's body with its values at vb and qb; false past MAX_DEPTH. */
export function enter(g: i32, vb: i32, qb: i32, at: usize): bool {
  if (depth >= MAX_DEPTH) { fail(at, E_NOSPACE, "gate expansion deeper than " + MAX_DEPTH.toString() + " levels"); return false; }
  depth++;
  gate = g;
  vBase = vb;
  qBase = qb;
  return true;
}

export function restore(g: i32, vb: i32, qb: i32): void {
  depth--;
  gate = g;
  vBase = vb;
  qBase = qb;
}

@inline export function val(i: i32): f64 { return unchecked(vals[i]); }
@inline export function qubit(i: i32): i32 { return unchecked(qargs[i]); }
