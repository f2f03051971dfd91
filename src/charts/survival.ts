/**
 * Memory survival curves `R_t = ∏_{k≤t} f_k`: the share of the initial cell state still in
 * `c_t` (with the input gate closed). The mean over units and a few telling units.
 */
import type { Trace } from '../shared/trace';
import { batchRowOf, hasSeries } from './series';

/** Why a unit was picked for the survival chart. */
export type SurvivalRole = 'slowest' | 'median' | 'fastest';

/** One unit's survival curve. */
export interface UnitSurvival {
  unit: number;
  role: SurvivalRole;
  /** `metrics.halfLife[unit]` in steps; `null` where it has none (mean forget gate 0 or 1). */
  halfLife: number | null;
  /** Mean forget gate of the unit over the batch row's steps: what the units are ranked by. */
  meanForget: number;
  /** `R_t` for each step. */
  values: number[];
}

export interface SurvivalCurves {
  batchRow: number;
  /** Mean of `R_t` over units, per step. */
  mean: number[];
  /** Slowest, median and fastest unit (fewer when there are fewer units), slowest first. */
  units: UnitSurvival[];
}

/**
 * `R_t` of every unit of batch row `batchRow`, `[time][units]`: the trace's `survival` series
 * when present (with the shape of the dims), otherwise the running product of the forget gate.
 */
export function survivalOf(trace: Trace, batchRow = 0): Float32Array {
  if (hasSeries(trace, 'survival')) return batchRowOf(trace, 'survival', batchRow);
  const f = batchRowOf(trace, 'forgetGate', batchRow);
  const { time, units } = trace.dims;
  const r = new Float32Array(time * units);
  for (let u = 0; u < units; u++) {
    let prod = 1;
    for (let t = 0; t < time; t++) {
      prod *= f[t * units + u];
      r[t * units + u] = prod;
    }
  }
  return r;
}

/**
 * Survival curves of batch row `batchRow` (default 0): the mean over units, and the slowest,
 * median and fastest unit ranked by their mean forget gate over the row (the half-life
 * `ln ½ / ln f̄` grows with `f̄`, and the ranking also orders units without a finite
 * half-life). Ties go to the lower unit index.
 */
export function survivalCurves(trace: Trace, batchRow = 0): SurvivalCurves {
  const { time, units } = trace.dims;
  const r = survivalOf(trace, batchRow);
  const f = batchRowOf(trace, 'forgetGate', batchRow);
  const mean: number[] = [];
  for (let t = 0; t < time; t++) {
    let sum = 0;
    for (let u = 0; u < units; u++) sum += r[t * units + u];
    mean.push(units > 0 ? sum / units : NaN);
  }
  const meanForget = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let t = 0; t < time; t++) sum += f[t * units + u];
    meanForget[u] = time > 0 ? sum / time : NaN;
  }
  const ranked = Array.from({ length: units }, (_, u) => u).sort((a, b) => meanForget[b] - meanForget[a] || a - b);
  const picks: [SurvivalRole, number][] = [];
  if (units >= 1) picks.push(['slowest', ranked[0]]);
  if (units >= 3) picks.push(['median', ranked[Math.floor((units - 1) / 2)]]);
  if (units >= 2) picks.push(['fastest', ranked[units - 1]]);
  return {
    batchRow,
    mean,
    units: picks.map(([role, unit]) => ({
      unit,
      role,
      halfLife: trace.metrics.halfLife?.[unit] ?? null,
      meanForget: meanForget[unit],
      values: Array.from({ length: time }, (_, t) => r[t * units + unit]),
    })),
  };
}
