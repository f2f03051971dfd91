/**
 * Per-step summary of a gate over units: the data of the "mean forget gate with its spread"
 * chart.
 */
import type { Trace } from '../shared/trace';
import { batchRowOf } from './series';
import { quantileSorted } from './stats';

/** Statistics over units at each step, each array of length `time`. */
export interface GateSummary {
  series: string;
  batchRow: number;
  mean: number[];
  /** Population standard deviation over units. */
  std: number[];
  min: number[];
  /** First quartile (type 7 quantile, as NumPy). */
  q1: number[];
  median: number[];
  /** Third quartile. */
  q3: number[];
  max: number[];
}

/**
 * Summarises series `series` (default the forget gate) of batch row `batchRow` (default 0)
 * over units at each step: mean, standard deviation, minimum, quartiles and maximum.
 */
export function gateSummary(trace: Trace, series = 'forgetGate', batchRow = 0): GateSummary {
  const values = batchRowOf(trace, series, batchRow);
  const { time, units } = trace.dims;
  const out: GateSummary = { series, batchRow, mean: [], std: [], min: [], q1: [], median: [], q3: [], max: [] };
  const step = new Float64Array(units);
  for (let t = 0; t < time; t++) {
    let sum = 0;
    for (let u = 0; u < units; u++) {
      step[u] = values[t * units + u];
      sum += step[u];
    }
    const m = units > 0 ? sum / units : NaN;
    let sq = 0;
    for (let u = 0; u < units; u++) sq += (step[u] - m) ** 2;
    step.sort();
    out.mean.push(m);
    out.std.push(Math.sqrt(sq / units));
    out.min.push(units > 0 ? step[0] : NaN);
    out.q1.push(quantileSorted(step, 0.25));
    out.median.push(quantileSorted(step, 0.5));
    out.q3.push(quantileSorted(step, 0.75));
    out.max.push(units > 0 ? step[units - 1] : NaN);
  }
  return out;
}
