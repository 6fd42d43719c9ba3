// Summary statistics over benchmark samples.
//
// Percentiles use the nearest-rank method: for n sorted samples, the p-th
// percentile (0 < p <= 100) is the sample at 1-based rank ceil(p / 100 * n),
// and the 0th percentile is the minimum. Every reported figure is therefore a
// value that was actually measured, never an interpolation between two, and
// the result does not depend on a choice among the many interpolation rules.
// With fewer than 100 samples p99 is the maximum, which is the honest answer.

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p99: number;
}

/** Sorts a copy, so callers can keep their samples in measurement order. */
export function sortedSamples(samples: readonly number[]): number[] {
  checkSamples(samples);
  return [...samples].sort((a, b) => a - b);
}

/** Nearest-rank percentile of samples already sorted in ascending order. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function percentile(samples: readonly number[], p: number): number {
  return percentileOfSorted(sortedSamples(samples), p);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = sortedSamples(samples);
  return {
    count: sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: mean(sorted),
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
  };
}

export function mean(samples: readonly number[]): number {
  checkSamples(samples);
  let sum = 0;
  for (const v of samples) sum += v;
  return sum / samples.length;
}

// A NaN would sort unpredictably and poison every figure silently; refuse it
// where it enters rather than print a plausible-looking wrong percentile.
function checkSamples(samples: readonly number[]): void {
  if (samples.length === 0) throw new RangeError("no samples");
  const bad = samples.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`sample ${bad} is not a finite number: ${samples[bad]}`);
}
