// What a job asks of the qubits it gets, read from its compiled form (the
// QPU job format, docs/qpu.md): the directed pairs its two-qubit gates use,
// and, for a placement (logical qubit i on physical place[i]), its one-shot
// schedule (ASAP: an instruction starts when its qubits are free and lasts
// its calibrated gate's length) and its estimated success probability
// (docs/quantum.md: Estimates). Every walk is over the job's words, checked
// against its length; the scheduler only walks jobs the parser wrote.
import {
  QJOB_HDR_QUBITS, QJOB_HDR_CLBITS, QJOB_HDR_COUNT, QOP_WORDS_SHIFT, QOP_MASK, QOP_U, QOP_CX, QOP_MEASURE, QOP_RESET,
  QOP_BARRIER, QOP_MCU, QOP_CREG,
} from "../../hal/qpu/job-format";
import * as cal from "./calibration";

const HEADER_WORDS = 8;
const MAXK = 32;

/** Logical pairs used: bit b of used[a] is the directed pair (a, b). */
export const used = new StaticArray<u32>(MAXK);
/** Instructions using more than two controls (refused on a calibrated QPU); the first one's index. */
export let bigControlAt = -1;
export let jobQubits = 0;
export let jobClbits = 0;

@inline function word(job: usize, i: i32): u32 { return load<u32>(job + (<usize>i << 2)); }
@inline function f64Word(job: usize, i: i32): f64 { return load<f64>(job + (<usize>i << 2)); }

/** Read the job's qubits, classical bits and used pairs into this module's state. */
export function analyse(job: usize, bytes: i32): void {
  for (let a = 0; a < MAXK; a++) unchecked(used[a] = 0);
  bigControlAt = -1;
  jobQubits = <i32>word(job, QJOB_HDR_QUBITS);
  jobClbits = <i32>word(job, QJOB_HDR_CLBITS);
  const count = <i32>word(job, QJOB_HDR_COUNT), words = bytes >> 2;
  let at = HEADER_WORDS;
  for (let n = 0; n < count && at < words; n++) {
    const head = word(job, at), op = head & QOP_MASK, len = <i32>(head >> QOP_WORDS_SHIFT);
    if (len < 1 || at + len > words) break;
    if (op == QOP_CX) usePair(<i32>word(job, at + 1), <i32>word(job, at + 2));
    else if (op == QOP_MCU) {
      const k = <i32>word(job, at + 1), t = <i32>word(job, at + 2 + k);
      if (k == 1) usePair(<i32>word(job, at + 2), t);
      else if (k == 2) {
        const a = <i32>word(job, at + 2), b = <i32>word(job, at + 3);
        usePair(b, t); usePair(a, t); usePair(a, b);
      } else if (k > 2 && bigControlAt < 0) bigControlAt = n;
    }
    at += len;
  }
}

@inline function usePair(a: i32, b: i32): void {
  if (a >= 0 && a < MAXK && b >= 0 && b < MAXK) unchecked(used[a] = unchecked(used[a]) | (1 << <u32>b));
}

/** The first used pair that `place` does not couple, as a * MAXK + b; -1 when all are. */
export function uncoupledPair(place: StaticArray<i32>): i32 {
  for (let a = 0; a < jobQubits; a++) {
    let m = unchecked(used[a]);
    while (m != 0) {
      const b = <i32>ctz(m);
      m &= m - 1;
      if (!cal.coupled(unchecked(place[a]), unchecked(place[b]))) return a * MAXK + b;
    }
  }
  return -1;
}
export function pairA(p: i32): i32 { return p / MAXK; }
export function pairB(p: i32): i32 { return p % MAXK; }

// Results of evaluate().
/** One shot's schedule, ns. */
export let shotNs: f64 = 0;
/** ln of the estimated success probability. */
export let logSuccess: f64 = 0;
/** Pulses (sx or x), cx gates and measurements of one shot: the energy model's gate counts. */
export let pulses = 0;
export let cxCount = 0;
export let measures = 0;
/** Time of one shot's pulses, cx gates and readouts, summed over qubits (ns): the energy model's active time. */
export let pulseTime: f64 = 0;
export let cxTime: f64 = 0;
export let readTime: f64 = 0;
/** The shortest coherence window (min of T1, T2) among the placement's qubits, ns. */
export let window: f64 = Infinity;

const free = new StaticArray<f64>(MAXK);

/** The pulses a U(θ, φ, λ) becomes in IBM's basis (docs/qpu.md: Basis translation): 0, 1 (sx or x) or 2 sx. */
function uPulses(theta: f64): i32 {
  const twoPi = 2 * Math.PI;
  let t = theta - twoPi * Math.floor(theta / twoPi); // [0, 2π)
  if (t > Math.PI) t = twoPi - t; // U(−θ) ∝ U(θ) with other phases
  if (Math.abs(t) < 1e-12) return 0;
  if (Math.abs(t - Math.PI / 2) < 1e-12 || Math.abs(t - Math.PI) < 1e-12) return 1;
  return 2;
}

/**
 * Schedule and score the analysed job on `place`: shotNs, logSuccess, the
 * gate counts and the coherence window. A condition (QOP_IF) counts its gate
 * as run: the estimate is for the longest path.
 */
export function evaluate(job: usize, bytes: i32, place: StaticArray<i32>): void {
  const k = jobQubits;
  for (let q = 0; q < k; q++) unchecked(free[q] = 0);
  let logP: f64 = 0;
  pulses = 0; cxCount = 0; measures = 0; pulseTime = 0; cxTime = 0; readTime = 0;
  const count = <i32>word(job, QJOB_HDR_COUNT), words = bytes >> 2;
  let at = HEADER_WORDS;
  for (let n = 0; n < count && at < words; n++) {
    const head = word(job, at), op = head & QOP_MASK, len = <i32>(head >> QOP_WORDS_SHIFT);
    if (len < 1 || at + len > words) break;
    if (op == QOP_U) {
      const q = <i32>word(job, at + 1), p = unchecked(place[q]);
      const np = uPulses(f64Word(job, at + 2));
      const x = np == 1 && Math.abs(Math.abs(f64Word(job, at + 2)) - Math.PI) < 1e-12;
      const ns = x ? cal.xNs[p] : cal.sxNs[p], e = x ? cal.xErr[p] : cal.sxErr[p];
      unchecked(free[q] = unchecked(free[q]) + np * ns);
      logP += np * Math.log(1 - min(e, 0.999999));
      pulses += np; pulseTime += np * ns;
    } else if (op == QOP_CX) {
      const c = <i32>word(job, at + 1), t = <i32>word(job, at + 2);
      logP += gate2(c, t, place, 1);
    } else if (op == QOP_MEASURE) {
      const q = <i32>word(job, at + 1), p = unchecked(place[q]);
      unchecked(free[q] = unchecked(free[q]) + cal.readoutNs[p]);
      logP += Math.log(max(cal.readoutFid[p], 1e-6));
      measures++; readTime += cal.readoutNs[p];
    } else if (op == QOP_RESET) {
      const q = <i32>word(job, at + 1);
      unchecked(free[q] = unchecked(free[q]) + cal.resetNs[unchecked(place[q])]);
    } else if (op == QOP_BARRIER) {
      const m = <i32>word(job, at + 1);
      let top: f64 = 0;
      for (let i = 0; i < m; i++) top = max(top, unchecked(free[<i32>word(job, at + 2 + i)]));
      for (let i = 0; i < m; i++) unchecked(free[<i32>word(job, at + 2 + i)] = top);
    } else if (op == QOP_MCU) {
      const c = <i32>word(job, at + 1), t = <i32>word(job, at + 2 + c), p = unchecked(place[t]);
      if (c == 0) {
        unchecked(free[t] = unchecked(free[t]) + 2 * cal.sxNs[p]);
        logP += 2 * Math.log(1 - min(cal.sxErr[p], 0.999999)); pulses += 2; pulseTime += 2 * cal.sxNs[p];
      } else if (c == 1) {
        // Nielsen and Chuang's corollary 4.2: two cx and up to six pulses on the target.
        logP += gate2(<i32>word(job, at + 2), t, place, 2);
        unchecked(free[t] = unchecked(free[t]) + 6 * cal.sxNs[p]);
        logP += 6 * Math.log(1 - min(cal.sxErr[p], 0.999999)); pulses += 6; pulseTime += 6 * cal.sxNs[p];
      } else {
        // Two controls: the Toffoli's six cx (two per pair) and its pulses; more controls run
        // only on the ideal QPU, costed the same.
        const a = <i32>word(job, at + 2), b = <i32>word(job, at + 3);
        logP += gate2(b, t, place, 2) + gate2(a, t, place, 2) + gate2(a, b, place, 2);
        unchecked(free[t] = unchecked(free[t]) + 9 * cal.sxNs[p]);
        logP += 9 * Math.log(1 - min(cal.sxErr[p], 0.999999)); pulses += 9; pulseTime += 9 * cal.sxNs[p];
      }
    }
    at += len;
  }
  let d: f64 = 0;
  for (let q = 0; q < k; q++) d = max(d, unchecked(free[q]));
  shotNs = d;
  // Decoherence over the shot on every qubit used: no relaxation (e^{−d/T1}) and no pure
  // dephasing (e^{−d/Tφ}, 1/Tφ = 1/T2 − 1/(2·T1)).
  window = Infinity;
  for (let q = 0; q < k; q++) {
    const p = unchecked(place[q]), a = cal.t1[p], b = cal.t2[p];
    window = min(window, min(a, b));
    const phi = 1 / b - 1 / (2 * a);
    logP -= d / a + (phi > 0 ? d * phi : 0);
  }
  logSuccess = logP;
}

/** A two-qubit gate (or `times` of them) on logical (c, t): its time on both qubits, and ln of its fidelity. */
function gate2(c: i32, t: i32, place: StaticArray<i32>, times: i32): f64 {
  const pc = unchecked(place[c]), pt = unchecked(place[t]);
  const len = times * cal.cxNs(pc, pt);
  const end = max(unchecked(free[c]), unchecked(free[t])) + len;
  unchecked(free[c] = end); unchecked(free[t] = end);
  cxCount += times; cxTime += len;
  return times * Math.log(1 - min(cal.cxErr(pc, pt), 0.999999));
}

/**
 * The classical registers' layout (QOP_CREG records), for printing counts in
 * Qiskit's order: their first bits and widths in declaration order; how many.
 */
export function registers(job: usize, bytes: i32, starts: StaticArray<i32>, widths: StaticArray<i32>): i32 {
  const count = <i32>word(job, QJOB_HDR_COUNT), words = bytes >> 2;
  let at = HEADER_WORDS, n = 0;
  for (let i = 0; i < count && at < words; i++) {
    const head = word(job, at), op = head & QOP_MASK, len = <i32>(head >> QOP_WORDS_SHIFT);
    if (len < 1 || at + len > words) break;
    if (op == QOP_CREG && n < starts.length) {
      unchecked(starts[n] = <i32>word(job, at + 1)); unchecked(widths[n] = <i32>word(job, at + 2));
      n++;
    }
    at += len;
  }
  return n;
}
