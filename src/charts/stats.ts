/** Small descriptive statistics used by the chart builders. */

/**
 * The `p`-quantile of ascending-sorted values by linear interpolation between closest ranks
 * (Hyndman & Fan type 7, NumPy's and R's default): position `p·(n−1)`. NaN for no values.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = Math.min(1, Math.max(0, p)) * (n - 1);
  const k = Math.floor(x);
  const w = x - k;
  return k + 1 < n ? sorted[k] + (sorted[k + 1] - sorted[k]) * w : sorted[k];
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += values[k];
  return values.length === 0 ? NaN : sum / values.length;
}

/** Median of values in any order (type 7); NaN for no values. */
export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}
