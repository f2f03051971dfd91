/**
 * Per-step summary of a gate over its channels (units or heads): the data of the "mean gate
 * with its spread" chart.
 */
import type { Trace } from '../shared/trace';
import { batchRowOf, keepGateOf, keepGateRow } from './series';
import { quantileSorted } from './stats';

/** Statistics over channels at each step, each array of length `time`. */
export interface GateSummary {
  series: string;
  batchRow: number;
  mean: number[];
  /** Population standard deviation over channels. */
  std: number[];
  min: number[];
  /** First quartile (type 7 quantile, as NumPy). */
  q1: number[];
  median: number[];
  /** Third quartile. */
  q3: number[];
  max: number[];
}

/** Steps × channels of series `series`, batch row `batchRow`: `[time][channels]` values and the channel count. */
export function stepMatrix(trace: Trace, series: string, batchRow: number): { values: Float32Array; channels: number } {
  const keep = keepGateOf(trace);
  if (keep && keep.info.name === series) return { values: keepGateRow(trace, batchRow), channels: keep.channels };
  const s = trace.series[series];
  if (!s) throw new Error(`trace has no series "${series}"`);
  return { values: batchRowOf(trace, series, batchRow), channels: s.shape[2] };
}

/** Above this many channels, bands of a [0, 1] series are drawn from histogram quartiles (see `gateSummary`). */
export const EXACT_QUANTILE_CHANNELS = 64;

/** Bins of the per-step histogram: quartiles within 1/1024 of the exact ones, under a pixel on any chart. */
export const QUANTILE_BINS = 1024;

/**
 * Most steps whose histogram quartiles are computed; on longer traces the steps between are
 * interpolated (a chart shows far fewer columns, and quartiles over hundreds of units vary
 * smoothly). Mean, min and max are computed at every step.
 */
export const QUANTILE_STEPS = 2048;

/**
 * Summarises series `series` (a `[batch, time, channel]` series or the keep gate) of batch row
 * `batchRow` over channels at each step: mean, standard deviation, minimum, quartiles, maximum.
 * Quartiles are type 7 (NumPy's default) from a sort of each step. With `exact: false` (for
 * drawing), a series on [0, 1] with more than `EXACT_QUANTILE_CHANNELS` channels takes them
 * from a histogram of `QUANTILE_BINS` bins instead (within 1/1024), at no more than
 * `QUANTILE_STEPS` steps, interpolated between: several times faster on thousands of steps
 * × hundreds of units. `exactQuartiles` gives one step's exact ones (tooltips, tables).
 */
export function gateSummary(trace: Trace, series: string, batchRow = 0, exact = true): GateSummary {
  const { values, channels } = stepMatrix(trace, series, batchRow);
  const time = trace.dims.time;
  const out: GateSummary = { series, batchRow, mean: [], std: [], min: [], q1: [], median: [], q3: [], max: [] };
  if (!exact && channels > EXACT_QUANTILE_CHANNELS && isUnitRange(values)) {
    histogramSummary(values, channels, time, out);
    return out;
  }
  const step = new Float64Array(channels);
  for (let t = 0; t < time; t++) {
    let sum = 0;
    for (let u = 0; u < channels; u++) {
      step[u] = values[t * channels + u];
      sum += step[u];
    }
    const m = channels > 0 ? sum / channels : NaN;
    let sq = 0;
    for (let u = 0; u < channels; u++) sq += (step[u] - m) ** 2;
    step.sort();
    out.mean.push(m);
    out.std.push(Math.sqrt(sq / channels));
    out.min.push(channels > 0 ? step[0] : NaN);
    out.q1.push(quantileSorted(step, 0.25));
    out.median.push(quantileSorted(step, 0.5));
    out.q3.push(quantileSorted(step, 0.75));
    out.max.push(channels > 0 ? step[channels - 1] : NaN);
  }
  return out;
}

/**
 * `gateSummary` of values in [0, 1] in one pass per step: exact mean, standard deviation (from
 * the sum of squares, stable on [0, 1]), min and max; quartiles from a histogram, each order
 * statistic placed evenly inside its bin and clamped to [min, max].
 */
function histogramSummary(values: ArrayLike<number>, n: number, time: number, out: GateSummary): void {
  const bins = QUANTILE_BINS;
  const counts = new Uint32Array(bins);
  // The order statistics type-7 quartiles need: k and k + 1 for p = ¼, ½, ¾, in ascending order.
  const ps = [0.25, 0.5, 0.75];
  const ranks: number[] = [];
  for (const p of ps) {
    const k = Math.floor(p * (n - 1));
    ranks.push(k, Math.min(n - 1, k + 1));
  }
  const found = new Float64Array(ranks.length);
  const stride = Math.max(1, Math.ceil(time / QUANTILE_STEPS));
  for (let t = 0; t < time; t++) {
    let sum = 0;
    let sq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    const base = t * n;
    for (let u = 0; u < n; u++) {
      const v = values[base + u];
      sum += v;
      sq += v * v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const m = sum / n;
    out.mean.push(m);
    out.std.push(Math.sqrt(Math.max(0, sq / n - m * m)));
    out.min.push(lo);
    out.max.push(hi);
    if (t % stride !== 0 && t !== time - 1) {
      out.q1.push(NaN);
      out.median.push(NaN);
      out.q3.push(NaN);
      continue;
    }
    counts.fill(0);
    for (let u = 0; u < n; u++) {
      const b = (values[base + u] * bins) | 0;
      counts[b >= bins ? bins - 1 : b]++;
    }
    let r = 0;
    let before = 0;
    for (let b = 0; b < bins && r < ranks.length; b++) {
      const c = counts[b];
      while (r < ranks.length && ranks[r] < before + c) {
        const v = (b + (ranks[r] - before + 0.5) / c) / bins;
        found[r++] = v < lo ? lo : v > hi ? hi : v;
      }
      before += c;
    }
    const q = (j: number) => {
      const x = ps[j] * (n - 1);
      const w = x - Math.floor(x);
      return found[2 * j] + (found[2 * j + 1] - found[2 * j]) * w;
    };
    out.q1.push(q(0));
    out.median.push(q(1));
    out.q3.push(q(2));
  }
  if (stride > 1) for (const key of ['q1', 'median', 'q3'] as const) fillLinear(out[key]);
}

/** Replaces NaN runs between numbers by linear interpolation (the ends are numbers). */
function fillLinear(xs: number[]): void {
  let last = 0;
  for (let t = 1; t < xs.length; t++) {
    if (Number.isNaN(xs[t])) continue;
    for (let k = last + 1; k < t; k++) xs[k] = xs[last] + ((xs[t] - xs[last]) * (k - last)) / (t - last);
    last = t;
  }
}

/** Whether every value lies in [0, 1] (gates): the histogram quartiles apply. */
function isUnitRange(values: ArrayLike<number>): boolean {
  for (let k = 0; k < values.length; k++) if (!(values[k] >= 0 && values[k] <= 1)) return false;
  return true;
}

/** Exact type-7 quartiles over channels of step `t` of `[time][channels]` values. */
export function exactQuartiles(values: ArrayLike<number>, channels: number, t: number): { q1: number; median: number; q3: number } {
  const step = new Float64Array(channels);
  for (let u = 0; u < channels; u++) step[u] = values[t * channels + u];
  step.sort();
  return { q1: quantileSorted(step, 0.25), median: quantileSorted(step, 0.5), q3: quantileSorted(step, 0.75) };
}
