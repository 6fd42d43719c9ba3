// The workload of the scheduler benchmark (docs/quantum.md: Workload
// benchmark), deterministic from its seed: jobs with Poisson arrivals in
// virtual time, mixed circuits (Bell, GHZ-3..5, QFT-2, one qubit, small
// random circuits on a chain of 2 or 3 qubits) and mixed shots, and the
// drift of the calibration (a table per drift step, from the device's own).
import {
  QCAL_HEADER_BYTES, QCAL_HDR_QUBITS, QCAL_HDR_GATES, QCAL_QUBIT_BYTES, QCAL_Q_T1, QCAL_Q_T2, QCAL_Q_P10,
  QCAL_Q_P01, QCAL_GATE_BYTES, QCAL_G_ERROR,
} from "../../hal/qpu/calibration-format";

/** Shots of a job: SHOTS_LOW mostly, SHOTS_HIGH one time in HIGH_EVERY (on average). */
export const SHOTS_LOW = 1000;
export const SHOTS_HIGH = 4000;
const HIGH_PERCENT = 30;
/** The QPU's load under FIFO the arrivals aim at: mean service time / mean inter-arrival time. */
export const LOAD_PERCENT = 80;
/** One shot's mean length beside QS_RESET_NS (ns): a few µs of gates and readout, rounded up. */
const SHOT_NS = 255000;
/** Virtual time between drift steps (ns). */
export const DRIFT_NS: i64 = 20_000_000_000;

// ------------------------------------------------------------ random numbers

let state: u64 = 0;
export function seed(s: u64): void { state = s; }
/** splitmix64. */
export function next(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}
/** Uniform in (0, 1). */
export function uniform(): f64 { return (<f64>(next() >> 11) + 0.5) / 9007199254740992.0; }
export function below(n: i32): i32 { return <i32>(next() % <u64>n); }
/** Standard normal (Box–Muller). */
export function normal(): f64 { return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()); }

// ------------------------------------------------------------ jobs

export const arrival = new Array<i64>();
export const shots = new Array<i32>();
export const kind = new Array<string>();
export const program = new Array<string>();

const HEAD = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";

function regs(k: i32): string { return HEAD + "qreg q[" + k.toString() + "];\ncreg c[" + k.toString() + "];\n"; }
function q(i: i32): string { return "q[" + i.toString() + "]"; }

function ghz(k: i32): string {
  let s = regs(k) + "h q[0];\n";
  for (let i = 0; i + 1 < k; i++) s += "cx " + q(i) + ", " + q(i + 1) + ";\n";
  return s + "measure q -> c;\n";
}

function qft2(): string { return regs(2) + "x q[0];\nh q[1];\ncu1(pi/2) q[0], q[1];\nh q[0];\nmeasure q -> c;\n"; }

function one(): string { return regs(1) + "h q[0];\nmeasure q -> c;\n"; }

/** Three layers of random one-qubit rotations and cx between chain neighbours. */
function randomCircuit(k: i32): string {
  let s = regs(k);
  for (let layer = 0; layer < 3; layer++) {
    for (let i = 0; i < k; i++) {
      const r = below(3), a = (<f64>below(1000)) / 1000 * Math.PI;
      s += (r == 0 ? "rx(" : r == 1 ? "ry(" : "rz(") + a.toString() + ") " + q(i) + ";\n";
    }
    for (let i = 0; i + 1 < k; i++) if (below(2) == 0) s += "cx " + q(i) + ", " + q(i + 1) + ";\n";
  }
  return s + "measure q -> c;\n";
}

/** n jobs from `s`: arrivals (ns from the run's start, strictly increasing), shots, circuits. */
export function make(n: i32, s: u64): void {
  seed(s);
  arrival.length = 0; shots.length = 0; kind.length = 0; program.length = 0;
  const meanShots = (<f64>SHOTS_LOW * (100 - HIGH_PERCENT) + <f64>SHOTS_HIGH * HIGH_PERCENT) / 100;
  const meanGap = meanShots * <f64>SHOT_NS * 100 / <f64>LOAD_PERCENT;
  let t: i64 = 0;
  for (let i = 0; i < n; i++) {
    t += max<i64>(1, <i64>Math.round(-Math.log(uniform()) * meanGap));
    arrival.push(t);
    shots.push(below(100) < HIGH_PERCENT ? SHOTS_HIGH : SHOTS_LOW);
    const c = below(20);
    if (c < 5) { kind.push("bell"); program.push(ghz(2)); }
    else if (c < 10) { const k = 3 + below(3); kind.push("ghz" + k.toString()); program.push(ghz(k)); }
    else if (c < 13) { kind.push("qft2"); program.push(qft2()); }
    else if (c < 16) { kind.push("one"); program.push(one()); }
    else { const k = 2 + below(2); kind.push("random" + k.toString()); program.push(randomCircuit(k)); }
  }
}

// ------------------------------------------------------------ drift

/**
 * The drift model, one step every DRIFT_NS: each qubit's T1 and T2 and each
 * gate's and readout's error carry a factor e^x, x a mean-reverting random
 * walk (x' = 0.8·x + N(0, 0.15²)), and a qubit falls into a defect (a
 * two-level system: T1 and T2 ×0.02) with probability 4 % a step, and out
 * of it with probability 50 %. Errors are capped at 0.5.
 */
const REVERT = 0.8, SIGMA = 0.15, TLS_IN = 0.04, TLS_OUT = 0.5, TLS_FACTOR = 0.02;
const MAX_REC = 4096;
const walk = new StaticArray<f64>(MAX_REC);
const inTls = new StaticArray<bool>(128);
/** The drifted table of the current step. */
export const table = new StaticArray<u8>(QCAL_HEADER_BYTES + 128 * QCAL_QUBIT_BYTES + 2048 * QCAL_GATE_BYTES);
/** min(T1, T2) of each qubit at each step: step * 128 + qubit (ns), for the client's check of a run's window. */
export const windows = new Array<f64>();
let baseAt: usize = 0, bytes = 0, nq = 0, ng = 0;

/** Start the drift from the device's table at `base` (`len` bytes), seeded. */
export function driftStart(base: usize, len: i32, s: u64): void {
  baseAt = base; bytes = len;
  nq = <i32>load<u32>(base + QCAL_HDR_QUBITS); ng = <i32>load<u32>(base + QCAL_HDR_GATES);
  seed(s);
  for (let i = 0; i < MAX_REC; i++) unchecked(walk[i] = 0);
  for (let i = 0; i < 128; i++) unchecked(inTls[i] = false);
  windows.length = 0;
  memory.copy(changetype<usize>(table), base, bytes);
  keepWindows();
}

export function tableBytes(): i32 { return bytes; }

function keepWindows(): void {
  const t = changetype<usize>(table);
  for (let p = 0; p < 128; p++) {
    if (p >= nq) { windows.push(0); continue; }
    const at = t + <usize>(QCAL_HEADER_BYTES + p * QCAL_QUBIT_BYTES);
    windows.push(min(load<f64>(at + QCAL_Q_T1), load<f64>(at + QCAL_Q_T2)));
  }
}

@inline function step(i: i32): f64 {
  const x = REVERT * unchecked(walk[i]) + SIGMA * normal();
  unchecked(walk[i] = x);
  return Math.exp(x);
}

/** The next step's table (into `table`). */
export function driftStep(): void {
  const t = changetype<usize>(table);
  memory.copy(t, baseAt, bytes);
  for (let p = 0; p < nq && 4 * p + 3 < MAX_REC; p++) {
    const at = <usize>(QCAL_HEADER_BYTES + p * QCAL_QUBIT_BYTES);
    if (unchecked(inTls[p])) { if (uniform() < TLS_OUT) unchecked(inTls[p] = false); }
    else if (uniform() < TLS_IN) unchecked(inTls[p] = true);
    const tls = unchecked(inTls[p]) ? TLS_FACTOR : 1.0;
    store<f64>(t + at + QCAL_Q_T1, load<f64>(baseAt + at + QCAL_Q_T1) * step(4 * p) * tls);
    store<f64>(t + at + QCAL_Q_T2, load<f64>(baseAt + at + QCAL_Q_T2) * step(4 * p + 1) * tls);
    const ro = step(4 * p + 2);
    store<f64>(t + at + QCAL_Q_P10, min(0.5, load<f64>(baseAt + at + QCAL_Q_P10) * ro));
    store<f64>(t + at + QCAL_Q_P01, min(0.5, load<f64>(baseAt + at + QCAL_Q_P01) * ro));
  }
  const first = QCAL_HEADER_BYTES + nq * QCAL_QUBIT_BYTES;
  for (let g = 0; g < ng && 4 * nq + g < MAX_REC; g++) {
    const at = <usize>(first + g * QCAL_GATE_BYTES + QCAL_G_ERROR);
    store<f64>(t + at, min(0.5, load<f64>(baseAt + at) * step(4 * nq + g)));
  }
  keepWindows();
}
