/**
 * The half-life spectrum: a histogram of per-unit half-lives `ln ½ / ln f̄_u` (in steps),
 * with the units that have none (`f̄` of 0 or 1, `null` in the metrics) counted apart.
 */

/** One bin, `[lo, hi)`; the last bin also holds `hi`. */
export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

export interface HalfLifeHistogram {
  bins: HistogramBin[];
  /** Edges spaced evenly (`linear`) or evenly in log₂ (`log`, for spectra spanning decades). */
  scale: 'linear' | 'log';
  /** Units with a finite positive half-life, the ones in the bins. */
  counted: number;
  /** Units without one: `null`, or a value that is not a finite positive number. */
  missing: number;
}

export interface HistogramOptions {
  /** Number of bins; default `ceil(√n)` clamped to 1..24 for `n` counted units. */
  bins?: number;
  /** Bin spacing; default `log` when the largest half-life is at least 32 × the smallest. */
  scale?: 'linear' | 'log';
}

/** Ratio of largest to smallest half-life from which the default spacing is logarithmic. */
export const LOG_SCALE_RATIO = 32;

/**
 * Bins half-lives between their smallest and largest value. With one distinct value there is
 * one bin `[v, v]`; with no finite value there are no bins.
 */
export function halfLifeHistogram(halfLife: readonly (number | null)[], options: HistogramOptions = {}): HalfLifeHistogram {
  const values = halfLife.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const missing = halfLife.length - values.length;
  if (values.length === 0) return { bins: [], scale: options.scale ?? 'linear', counted: 0, missing };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = options.scale ?? (max / min >= LOG_SCALE_RATIO ? 'log' : 'linear');
  if (min === max) return { bins: [{ lo: min, hi: max, count: values.length }], scale, counted: values.length, missing };
  const k = Math.max(1, Math.floor(options.bins ?? Math.min(24, Math.ceil(Math.sqrt(values.length)))));
  const toAxis = scale === 'log' ? Math.log2 : (v: number) => v;
  const fromAxis = scale === 'log' ? (a: number) => 2 ** a : (a: number) => a;
  const a0 = toAxis(min);
  const width = (toAxis(max) - a0) / k;
  const bins: HistogramBin[] = Array.from({ length: k }, (_, j) => ({
    lo: j === 0 ? min : fromAxis(a0 + j * width),
    hi: j === k - 1 ? max : fromAxis(a0 + (j + 1) * width),
    count: 0,
  }));
  for (const v of values) {
    const j = Math.min(k - 1, Math.max(0, Math.floor((toAxis(v) - a0) / width)));
    bins[j].count++;
  }
  return { bins, scale, counted: values.length, missing };
}
