// Shots and their counts. A run whose measurements are all terminal samples
// every shot from one final state (as Aer does): the shots' uniform numbers,
// sorted, are matched to basis states in one pass over the amplitudes, the
// cumulative probability rising with the index. Then the outcomes (one u64
// of classical bits per shot) are sorted and counted into results entries.
import { QRES_ENTRY_BYTES, QRES_OUTCOME_LO, QRES_OUTCOME_HI, QRES_COUNT } from "./job-format";
import { Region, reserve } from "./region";
import { next } from "./rng";
import * as state from "./state";

const shotArea = new Region();
const resultArea = new Region();
export let outcomes: usize = 0; // u64 per shot
export let results: usize = 0;
export let entries: i32 = 0;

/** Room for `shots` outcomes and as many results entries; false if memory ran out. */
export function reserveShots(shots: u32): bool {
  if (!reserve(shotArea, <usize>max<u32>(shots, 1) << 3) || !reserve(resultArea, <usize>max<u32>(shots, 1) * QRES_ENTRY_BYTES)) return false;
  outcomes = shotArea.at;
  results = resultArea.at;
  return true;
}

@inline function get(i: u32): u64 { return load<u64>(outcomes + (<usize>i << 3)); }
@inline function put(i: u32, v: u64): void { store<u64>(outcomes + (<usize>i << 3), v); }

/** Heapsort of the first n outcomes: in place, no recursion, O(n log n) whatever the input. */
export function sortOutcomes(n: u32): void {
  if (n < 2) return;
  for (let i = (n >> 1); i > 0; i--) siftDown(i - 1, n);
  for (let end = n - 1; end > 0; end--) {
    const top = get(0);
    put(0, get(end));
    put(end, top);
    siftDown(0, end);
  }
}

function siftDown(start: u32, n: u32): void {
  let root = start;
  const v = get(root);
  while (true) {
    let child: u32 = 2 * root + 1;
    if (child >= n) break;
    if (child + 1 < n && get(child + 1) > get(child)) child++;
    if (get(child) <= v) break;
    put(root, get(child));
    root = child;
  }
  put(root, v);
}

@inline function probability(i: u32): f64 {
  const p = state.base + (<usize>i << 4);
  const r = load<f64>(p), m = load<f64>(p, 8);
  return r * r + m * m;
}

/** Each of `shots` outcomes a basis state's index, drawn from the current state's probabilities. */
export function sampleIndices(shots: u32): void {
  const dim: u32 = 1 << state.qubits;
  let total: f64 = 0;
  let last: u32 = 0;
  for (let i: u32 = 0; i < dim; i++) {
    const p = probability(i);
    total += p;
    if (p > 0) last = i;
  }
  for (let k: u32 = 0; k < shots; k++) put(k, next() >> 11);
  sortOutcomes(shots);
  let idx: u32 = 0;
  let cum: f64 = 0;
  for (let k: u32 = 0; k < shots; k++) {
    const target = <f64>get(k) * 1.1102230246251565e-16 * total; // 2^-53
    // An index of probability 0 is never chosen: cum ≤ target, so cum + 0 ≤ target moves past it.
    while (idx < last && cum + probability(idx) <= target) {
      cum += probability(idx);
      idx++;
    }
    put(k, idx);
  }
}

/** Replaces each sampled index by its classical bits: bit c is qubit q's for each measurement (q, c), the later winning. */
export function indicesToOutcomes(shots: u32, pairs: usize, count: i32): void {
  for (let k: u32 = 0; k < shots; k++) {
    const idx = get(k);
    let bits: u64 = 0;
    for (let j = 0; j < count; j++) {
      const q = load<u32>(pairs + (<usize>j << 3)), c = load<u32>(pairs + (<usize>j << 3), 4);
      bits = (bits & ~(<u64>1 << c)) | (((idx >> q) & 1) << c);
    }
    put(k, bits);
  }
}

export function recordShot(k: u32, bits: u64): void { put(k, bits); }

/** The counts of the first `shots` outcomes as results entries, ascending by outcome. */
export function count(shots: u32): i32 {
  sortOutcomes(shots);
  entries = 0;
  let k: u32 = 0;
  while (k < shots) {
    const v = get(k);
    let j = k + 1;
    while (j < shots && get(j) == v) j++;
    const e = results + <usize>entries * QRES_ENTRY_BYTES;
    store<u32>(e, <u32>v, QRES_OUTCOME_LO);
    store<u32>(e, <u32>(v >> 32), QRES_OUTCOME_HI);
    store<u32>(e, j - k, QRES_COUNT);
    store<u32>(e, 0, 12);
    entries++;
    k = j;
  }
  return entries;
}
