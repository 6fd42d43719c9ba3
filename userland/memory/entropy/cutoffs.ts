// The cutoffs of the SP 800-90B health tests (section 4.4), computed from the
// false-positive probability α = 2^-alphaLog2 and a source's assessed
// min-entropy H per sample. Pure arithmetic: run once per source at start.

/** The adaptive proportion test's window: 1024 samples for a binary source, 512 otherwise. */
export function aptWindow(binary: bool): i32 { return binary ? 1024 : 512; }

/**
 * Repetition count test: C = 1 + ⌈−log2(α) / H⌉. A run of C identical
 * samples has probability at most 2^(−H·(C−1)) <= α for a healthy source.
 */
export function rctCutoff(alphaLog2: f64, h: f64): i32 {
  return 1 + <i32>Math.ceil(alphaLog2 / h);
}

/**
 * Adaptive proportion test: C = 1 + CRITBINOM(W, 2^−H, 1 − α), the smallest
 * count the first sample of a window reaches among W samples with probability
 * at most α when no value has probability above 2^−H.
 */
export function aptCutoff(alphaLog2: f64, h: f64, window: i32): i32 {
  return 1 + critBinom(window, Math.pow(2, -h), Math.pow(2, -alphaLog2));
}

/**
 * The smallest k with P(X > k) <= alpha for X ~ Binomial(n, p): the upper
 * tail is summed from k = n down, so no term is a difference of nearly equal
 * numbers, and each pmf term comes from the one above it in log space, which
 * keeps (1 − p)^n from underflowing for large n.
 */
export function critBinom(n: i32, p: f64, alpha: f64): i32 {
  const oddsDown = Math.log((1 - p) / p); // log pmf(k−1) − log pmf(k), less the binomial factor
  let logPmf = <f64>n * Math.log(p); // log pmf(n)
  let tail: f64 = 0; // P(X > k)
  for (let k = n; k >= 0; k--) {
    if (tail > alpha) return k + 1;
    tail += Math.exp(logPmf);
    if (k > 0) logPmf += oddsDown + Math.log(<f64>k / <f64>(n - k + 1));
  }
  return 0;
}
