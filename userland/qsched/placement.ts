// Choosing physical qubits for a job (docs/quantum.md: Policies): a
// depth-first walk over placements (logical qubit i on physical place[i]),
// in ascending order of physical qubits, pruned by the coupling of the pairs
// the job uses, scored by the policy. Without QS_SUBMIT_MAP a placement keeps
// the program's order (place[0] < place[1] < ...): the scheduler chooses
// which qubits, never a permutation the program did not ask for.
import { QS_POL_FIFO, QS_POL_COHERENCE, QS_POL_ENERGY } from "../lib";
import * as cal from "./calibration";
import * as profile from "./profile";
import { energyMicroJ } from "./energy";

const MAXK = 32;
/** Placements scored at most per search (the walk is deterministic, so the same one wins every time). */
const LEAVES_MAX = 4096;
/**
 * Job words scored at most per search: a long job scores fewer placements,
 * so that no search, whatever a client submits, comes near the fuel one
 * handler may spend (docs/manifest.md: cpu_budget).
 */
const WORDS_MAX = 1000000;
/** Nodes visited at most per search. */
const NODES_MAX = 200000;

export const best = new StaticArray<i32>(MAXK);
export let bestShotNs: f64 = 0;
export let bestLogP: f64 = 0;
export let bestEnergy: i64 = 0;
/** A complete, coupled placement was seen, but none fitted the coherence window. */
export let tooLong = false;
/** The shortest shot among the coupled placements seen, and that placement's window (for the reason's text). */
export let shortestNs: f64 = 0;
export let shortestWindow: f64 = 0;

const place = new StaticArray<i32>(MAXK);
const taken = new StaticArray<bool>(cal.MAX_QUBITS_);
let avail: StaticArray<bool> = new StaticArray<bool>(0);
let job: usize = 0, bytes = 0, k = 0, shots = 0, policy = 0;
let ordered = false, found = false, leaves = 0, nodes = 0, leavesMax = LEAVES_MAX;
/** What the last search cost: job words scored plus nodes visited. */
export let work: i64 = 0;
let bestScore: f64 = 0;

/**
 * Search a placement of the analysed job (profile.analyse) on the qubits
 * `free` marks, by `pol`; true and best/bestShotNs/bestLogP/bestEnergy when
 * one exists. With QS_POL_COHERENCE only placements whose shot fits every
 * qubit's window count (tooLong says a coupled one was too long).
 */
export function search(jobAt: usize, jobBytes: i32, jobShots: i32, free: StaticArray<bool>, mapAny: bool, pol: i32): bool {
  job = jobAt; bytes = jobBytes; k = profile.jobQubits; shots = jobShots; policy = pol;
  avail = free; ordered = !mapAny; found = false; tooLong = false; leaves = 0; nodes = 0;
  shortestNs = Infinity; shortestWindow = 0;
  for (let p = 0; p < cal.MAX_QUBITS_; p++) unchecked(taken[p] = false);
  if (k < 1 || k > MAXK) return false;
  leavesMax = max(1, min(LEAVES_MAX, WORDS_MAX / max(jobBytes >> 2, 1)));
  walk(0);
  work = <i64>leaves * <i64>(jobBytes >> 2) + nodes;
  return found;
}

function walk(i: i32): bool {
  if (++nodes > NODES_MAX) return true;
  if (i == k) return leaf();
  const first = ordered && i > 0 ? unchecked(place[i - 1]) + 1 : 0;
  for (let p = first; p < cal.devQubits; p++) {
    if (!unchecked(avail[p]) || unchecked(taken[p]) || !fits(i, p)) continue;
    unchecked(place[i] = p); unchecked(taken[p] = true);
    const stop = walk(i + 1);
    unchecked(taken[p] = false);
    if (stop) return true;
  }
  return false;
}

/** Logical i on physical p: every used pair between i and the qubits placed before it is coupled. */
function fits(i: i32, p: i32): bool {
  const mine = unchecked(profile.used[i]);
  for (let j = 0; j < i; j++) {
    const q = unchecked(place[j]);
    if ((unchecked(profile.used[j]) & (1 << <u32>i)) != 0 && !cal.coupled(q, p)) return false;
    if ((mine & (1 << <u32>j)) != 0 && !cal.coupled(p, q)) return false;
  }
  return true;
}

/** Score a complete placement; true to end the search. */
function leaf(): bool {
  profile.evaluate(job, bytes, place);
  const ns = profile.shotNs;
  if (ns < shortestNs) { shortestNs = ns; shortestWindow = profile.window; }
  leaves++;
  if (policy == QS_POL_COHERENCE && ns > profile.window) { tooLong = true; return leaves >= leavesMax; }
  const e = energyMicroJ(shots, ns, k, cal.devQubits, profile.pulseTime, profile.cxTime, profile.readTime);
  // Higher is better; ties keep the first placement found (the lowest qubits).
  const score = policy == QS_POL_ENERGY ? -<f64>e : profile.logSuccess;
  if (!found || score > bestScore) {
    found = true; bestScore = score;
    for (let j = 0; j < k; j++) unchecked(best[j] = unchecked(place[j]));
    bestShotNs = ns; bestLogP = profile.logSuccess; bestEnergy = e;
  }
  // FIFO and coherence-aware take the first placement that fits: the lowest free qubits.
  if (policy == QS_POL_FIFO || policy == QS_POL_COHERENCE) return true;
  return leaves >= leavesMax;
}

/** The lowest `k` qubits `free` marks, in order, into best; false if fewer are free. */
export function lowest(free: StaticArray<bool>, n: i32): bool {
  let j = 0;
  for (let p = 0; p < cal.devQubits && j < n; p++) if (unchecked(free[p])) unchecked(best[j++] = p);
  return j == n;
}

