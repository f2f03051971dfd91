/**
 * Memory survival curves `R_t = ∏_{k≤t} g_k` of the keep gate g (LSTM forget gate, GRU update
 * gate, forgetting-attention forget gate): the share of the initial state still there when
 * nothing is written. The mean over channels (units or heads) and a few telling ones.
 */
import type { Trace } from '../shared/trace';
import { batchRowOf, hasSeries, keepGateOf, keepGateRow } from './series';

/** Why a channel was picked for the survival chart. */
export type SurvivalRole = 'slowest' | 'median' | 'fastest' | 'pinned';

/** One channel's survival curve. */
export interface UnitSurvival {
  unit: number;
  role: SurvivalRole;
  /** `metrics.halfLife[unit]` in steps; `null` where it has none (mean keep gate 0 or 1). */
  halfLife: number | null;
  /** Mean keep gate of the channel over the batch row's steps: what channels are ranked by. */
  meanForget: number;
  /** `R_t` for each step. */
  values: number[];
}

export interface SurvivalCurves {
  batchRow: number;
  /** Mean of `R_t` over channels, per step. */
  mean: number[];
  /** Slowest, median and fastest channel (fewer when there are fewer), slowest first; then pinned ones. */
  units: UnitSurvival[];
}

/**
 * `R_t` of every channel of batch row `batchRow`, `[time][channels]`: the trace's `survival`
 * series when present (recurrent models), otherwise the running product of the keep gate.
 */
export function survivalOf(trace: Trace, batchRow = 0): Float32Array {
  const gate = keepGateOf(trace);
  if (gate?.channel === 'unit' && hasSeries(trace, 'survival')) return batchRowOf(trace, 'survival', batchRow);
  const f = keepGateRow(trace, batchRow);
  const time = trace.dims.time;
  const n = gate?.channels ?? 0;
  const r = new Float32Array(time * n);
  for (let u = 0; u < n; u++) {
    let prod = 1;
    for (let t = 0; t < time; t++) {
      prod *= f[t * n + u];
      r[t * n + u] = prod;
    }
  }
  return r;
}

/** Mean keep gate of each channel over the steps of batch row `batchRow`. */
export function meanKeepGate(trace: Trace, batchRow = 0): Float64Array {
  const f = keepGateRow(trace, batchRow);
  const time = trace.dims.time;
  const n = keepGateOf(trace)?.channels ?? 0;
  const out = new Float64Array(n);
  for (let t = 0; t < time; t++) for (let u = 0; u < n; u++) out[u] += f[t * n + u];
  for (let u = 0; u < n; u++) out[u] = time > 0 ? out[u] / time : NaN;
  return out;
}

/**
 * Survival curves of batch row `batchRow` (default 0): the mean over channels, and the slowest,
 * median and fastest channel ranked by their mean keep gate over the row (the half-life
 * `ln ½ / ln ḡ` grows with `ḡ`, and the ranking also orders channels without a finite
 * half-life), then the `pinned` channels. Ties go to the lower index.
 */
export function survivalCurves(trace: Trace, batchRow = 0, pinned: readonly number[] = []): SurvivalCurves {
  const time = trace.dims.time;
  const n = keepGateOf(trace)?.channels ?? 0;
  const r = survivalOf(trace, batchRow);
  const mean: number[] = [];
  for (let t = 0; t < time; t++) {
    let sum = 0;
    for (let u = 0; u < n; u++) sum += r[t * n + u];
    mean.push(n > 0 ? sum / n : NaN);
  }
  const meanForget = meanKeepGate(trace, batchRow);
  const ranked = Array.from({ length: n }, (_, u) => u).sort((a, b) => meanForget[b] - meanForget[a] || a - b);
  const picks: [SurvivalRole, number][] = [];
  if (n >= 1) picks.push(['slowest', ranked[0]]);
  if (n >= 3) picks.push(['median', ranked[Math.floor((n - 1) / 2)]]);
  if (n >= 2) picks.push(['fastest', ranked[n - 1]]);
  for (const u of pinned) if (u >= 0 && u < n) picks.push(['pinned', u]);
  return {
    batchRow,
    mean,
    units: picks.map(([role, unit]) => ({
      unit,
      role,
      halfLife: trace.metrics.halfLife?.[unit] ?? null,
      meanForget: meanForget[unit],
      values: Array.from({ length: time }, (_, t) => r[t * n + unit]),
    })),
  };
}
