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

/**
 * Summarises series `series` (a `[batch, time, channel]` series or the keep gate) of batch row
 * `batchRow` over channels at each step: mean, standard deviation, minimum, quartiles, maximum.
 */
export function gateSummary(trace: Trace, series: string, batchRow = 0): GateSummary {
  const { values, channels } = stepMatrix(trace, series, batchRow);
  const time = trace.dims.time;
  const out: GateSummary = { series, batchRow, mean: [], std: [], min: [], q1: [], median: [], q3: [], max: [] };
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
