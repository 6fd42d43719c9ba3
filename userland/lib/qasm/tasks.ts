// The expansion's work still to do, as a stack of small records rather than
// nested calls: reading a gate body, applying a call's modifiers, undoing
// them after (controls popped, an inverted stretch turned around), resuming
// the text after a call. Gates inside gates then cost entries here, and the
// parser's Wasm stack stays the same at any depth (frames.MAX_DEPTH bounds it).
import { E_NOSPACE } from "../../../kernel/abi";
import { fail, site } from "./errors";

export const APPLY = 1; // modifier m of a call, or at mEnd its gate: m, mEnd, g, vb, qb
export const REPEAT = 2; // the rounds left of a pow or inv: m, mEnd, g, vb, qb, n
export const AFTER_CTRL = 3; // pop n controls; m = 1: negctrl's X on qb .. qb+n-1
export const AFTER_INV = 4; // turn the stretch from p around
export const BODY_STEP = 5; // the next statement of the body being read
export const BODY_END = 6; // back to the frame g, vb, qb
export const CALL_END = 7; // modifiers back to m, values to vb and qb, the text to [p, end)

export const MAX_TASKS = 4096;

const kinds = new StaticArray<i32>(MAX_TASKS);
const ms = new StaticArray<i32>(MAX_TASKS);
const mEnds = new StaticArray<i32>(MAX_TASKS);
const gs = new StaticArray<i32>(MAX_TASKS);
const vbs = new StaticArray<i32>(MAX_TASKS);
const qbs = new StaticArray<i32>(MAX_TASKS);
const ns = new StaticArray<i32>(MAX_TASKS);
const ps = new StaticArray<usize>(MAX_TASKS);
const ends = new StaticArray<usize>(MAX_TASKS);
let top = 0;

export function reset(): void { top = 0; }
export function height(): i32 { return top; }
export function cut(h: i32): void { top = min(top, h); }
/** The top task's index, removed from the stack (its fields stay readable until the next push). */
export function pop(): i32 { return --top; }

@inline export function kind(t: i32): i32 { return unchecked(kinds[t]); }
@inline export function m(t: i32): i32 { return unchecked(ms[t]); }
@inline export function mEnd(t: i32): i32 { return unchecked(mEnds[t]); }
@inline export function g(t: i32): i32 { return unchecked(gs[t]); }
@inline export function vb(t: i32): i32 { return unchecked(vbs[t]); }
@inline export function qb(t: i32): i32 { return unchecked(qbs[t]); }
@inline export function n(t: i32): i32 { return unchecked(ns[t]); }
@inline export function p(t: i32): usize { return unchecked(ps[t]); }
@inline export function end(t: i32): usize { return unchecked(ends[t]); }

function push(k: i32, m_: i32, mEnd_: i32, g_: i32, vb_: i32, qb_: i32, n_: i32, p_: usize, end_: usize): void {
  if (top >= MAX_TASKS) { fail(site, E_NOSPACE, "gate expansion needs more than " + MAX_TASKS.toString() + " steps in progress"); return; }
  const t = top++;
  unchecked(kinds[t] = k);
  unchecked(ms[t] = m_);
  unchecked(mEnds[t] = mEnd_);
  unchecked(gs[t] = g_);
  unchecked(vbs[t] = vb_);
  unchecked(qbs[t] = qb_);
  unchecked(ns[t] = n_);
  unchecked(ps[t] = p_);
  unchecked(ends[t] = end_);
}

export function apply(m_: i32, mEnd_: i32, g_: i32, vb_: i32, qb_: i32): void { push(APPLY, m_, mEnd_, g_, vb_, qb_, 0, 0, 0); }
export function repeat(m_: i32, mEnd_: i32, g_: i32, vb_: i32, qb_: i32, times: i32): void { push(REPEAT, m_, mEnd_, g_, vb_, qb_, times, 0, 0); }
export function afterControls(count: i32, negative: bool, qb_: i32): void { push(AFTER_CTRL, negative ? 1 : 0, 0, 0, 0, qb_, count, 0, 0); }
export function afterInverse(mark: usize): void { push(AFTER_INV, 0, 0, 0, 0, 0, 0, mark, 0); }
export function bodyStep(): void { push(BODY_STEP, 0, 0, 0, 0, 0, 0, 0, 0); }
export function bodyEnd(g_: i32, vb_: i32, qb_: i32): void { push(BODY_END, 0, 0, g_, vb_, qb_, 0, 0, 0); }
export function callEnd(m_: i32, vb_: i32, qb_: i32, p_: usize, end_: usize): void { push(CALL_END, m_, 0, 0, vb_, qb_, 0, p_, end_); }
