// Known answers, as a chi-square goodness-of-fit test of the counts against
// the distribution the circuit must give: Bell and GHZ (½, ½), the QFT of a
// basis state (uniform), Grover's search on 3 qubits with 2 iterations (the
// marked state with probability sin²(5·asin(1/√8)) = 0.9453125). Programs go
// through the OpenQASM parser, then the QPU engine, ideal.
//
// Each test rejects at significance ALPHA = 1e-6: were the engine right, a
// given seed would fail with that probability, so the four fixed seeds here
// fail falsely about once in 250 000 choices of seeds. The seeds are fixed,
// so a run is deterministic; the bound says how far chance could have
// taken the counts.
import { beforeAll, describe, expect, it } from "vitest";
import { qasmParser, type QasmParser } from "../harness/qasm";
import { newQpu, type Qpu } from "../harness/qpu";
import { decodeJob } from "../../tools/lib/qpu-job";
import { formatCounts, registersOf } from "../harness/qasm-counts";

let qasm: QasmParser;
let qpu: Qpu;
beforeAll(async () => { [qasm, qpu] = await Promise.all([qasmParser(), newQpu()]); }, 120_000);

const V2 = `OPENQASM 2.0;\ninclude "qelib1.inc";\n`;
const SHOTS = 20_000;
const ALPHA = 1e-6;

/** ln Γ(x), Lanczos' approximation (g = 7, 9 terms): about 15 digits for x > 0. */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularized upper incomplete gamma Q(a, x): a series below a + 1, a continued fraction above (Lentz). */
function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a, sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) { term *= x / (a + n); sum += term; }
    return 1 - front * sum;
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c; if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** The chi-square statistic k degrees of freedom exceed with probability ALPHA, by bisection on Q(k/2, x/2). */
function chiSquareBound(k: number): number {
  let lo = 0, hi = 1000;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (upperGamma(k / 2, mid / 2) > ALPHA) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

function counts(program: string, seed: bigint): Record<string, number> {
  const job = qasm.job(program);
  const r = qpu.run(job, SHOTS, seed);
  if (r.code < 0) throw new Error(r.reason);
  return formatCounts(registersOf(decodeJob(job)), r.counts);
}

/** Every outcome the counts hold is one `expected` names, and the fit's statistic is within its bound. */
function fits(got: Record<string, number>, expected: Record<string, number>): void {
  for (const k of Object.keys(got)) expect(expected[k], `outcome ${k} is not one the circuit gives`).toBeGreaterThan(0);
  let chi = 0;
  for (const [k, p] of Object.entries(expected)) chi += ((got[k] ?? 0) - SHOTS * p) ** 2 / (SHOTS * p);
  expect(chi).toBeLessThanOrEqual(chiSquareBound(Object.keys(expected).length - 1));
}

const bits = (v: number, n: number): string => v.toString(2).padStart(n, "0");
const uniform = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: 2 ** n }, (_, v) => [bits(v, n), 2 ** -n]));

describe("known answers, within a chi-square bound", () => {
  it("the bound is the chi-square quantile (checked against SciPy's chi2.isf(1e-6, k))", () => {
    expect(chiSquareBound(1)).toBeCloseTo(23.928127, 4);
    expect(chiSquareBound(7)).toBeCloseTo(40.521831, 4);
    expect(chiSquareBound(15)).toBeCloseTo(56.493442, 4);
  });

  it("Bell: 00 and 11, half each", () => {
    fits(counts(`${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`, 11n), { "00": 0.5, "11": 0.5 });
  });

  it("GHZ on 5 qubits: all zeros or all ones, half each", () => {
    fits(counts(`${V2}qreg q[5];\ncreg c[5];\nh q[0];\ncx q[0], q[1];\ncx q[1], q[2];\ncx q[2], q[3];\ncx q[3], q[4];\nmeasure q -> c;\n`, 12n),
      { "00000": 0.5, "11111": 0.5 });
  });

  it("the QFT of a basis state: every outcome alike", () => {
    const qft = `gate qft4 a, b, c, d { h d; cu1(pi/2) c, d; h c; cu1(pi/4) b, d; cu1(pi/2) b, c; h b; cu1(pi/8) a, d; cu1(pi/4) a, c; cu1(pi/2) a, b; h a; }\n`;
    fits(counts(`${V2}${qft}qreg q[4];\ncreg c[4];\nx q[0];\nx q[2];\nqft4 q[0], q[1], q[2], q[3];\nmeasure q -> c;\n`, 13n), uniform(4));
  });

  it("Grover on 3 qubits, 2 iterations: the marked state 101 with probability 0.9453125", () => {
    // The oracle flips the phase of |101⟩ (q2 q1 q0); the diffusion reflects about the uniform state.
    const oracle = `x q[1];\nh q[2];\nccx q[0], q[1], q[2];\nh q[2];\nx q[1];\n`;
    const diffusion = `h q;\nx q;\nh q[2];\nccx q[0], q[1], q[2];\nh q[2];\nx q;\nh q;\n`;
    const got = counts(`${V2}qreg q[3];\ncreg c[3];\nh q;\n${oracle}${diffusion}${oracle}${diffusion}measure q -> c;\n`, 14n);
    const marked = Math.sin(5 * Math.asin(1 / Math.sqrt(8))) ** 2;
    expect(marked).toBeCloseTo(0.9453125, 12);
    const expected = Object.fromEntries(Array.from({ length: 8 }, (_, v) => [bits(v, 3), v === 5 ? marked : (1 - marked) / 7]));
    fits(got, expected);
  });

  it("refuses counts from a wrong distribution (the test can fail)", () => {
    // Bell's counts against a 60/40 split: far past the bound.
    const got = counts(`${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`, 11n);
    expect(() => fits(got, { "00": 0.6, "11": 0.4 })).toThrow();
  });
});
