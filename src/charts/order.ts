/** Orders of units for heatmap rows and tables: by index, by half-life, by saturation. */
import type { Trace } from '../shared/trace';
import { keepGateOf, keepGateRow } from './series';
import type { UnitSort } from './view';

/** Mean keep gate of each channel over every batch row and step (what `metrics.halfLife` is computed from). */
function batchMeanKeepGate(trace: Trace): Float64Array {
  const n = keepGateOf(trace)?.channels ?? 0;
  const out = new Float64Array(n);
  const { batch, time } = trace.dims;
  for (let b = 0; b < batch; b++) {
    const f = keepGateRow(trace, b);
    for (let k = 0; k < f.length; k++) out[k % n] += f[k];
  }
  for (let u = 0; u < n; u++) out[u] /= Math.max(1, batch * time);
  return out;
}

/**
 * The channels in display order for `sort`, or undefined for index order (also when the trace
 * has no keep gate to sort by):
 * - `halfLife`: longest memory first, ranked by the mean keep gate ḡ (the half-life
 *   `ln ½ / ln ḡ` grows with ḡ; this also places ḡ = 1, no finite half-life, first);
 * - `saturation`: integrators first, by the share of steps with g > 0.9 minus the share with
 *   g < 0.1 (`metrics.saturation`, computed from the gate when absent).
 * Ties keep index order.
 */
export function unitOrder(trace: Trace, sort: UnitSort): Int32Array | undefined {
  const gate = keepGateOf(trace);
  if (sort === 'index' || !gate) return undefined;
  const n = gate.channels;
  let key: Float64Array;
  if (sort === 'halfLife') {
    key = batchMeanKeepGate(trace);
  } else {
    key = new Float64Array(n);
    const sat = trace.metrics.saturation;
    if (sat && sat.low.length === n && sat.high.length === n) {
      for (let u = 0; u < n; u++) key[u] = sat.high[u] - sat.low[u];
    } else {
      const { batch, time } = trace.dims;
      for (let b = 0; b < batch; b++) {
        const f = keepGateRow(trace, b);
        for (let k = 0; k < f.length; k++) key[k % n] += (f[k] > 0.9 ? 1 : 0) - (f[k] < 0.1 ? 1 : 0);
      }
      for (let u = 0; u < n; u++) key[u] /= Math.max(1, batch * time);
    }
  }
  const order = Array.from({ length: n }, (_, u) => u).sort((a, b) => key[b] - key[a] || a - b);
  return Int32Array.from(order);
}

/** Inverse of a permutation: `rowOf[order[k]] = k`. */
export function inverseOrder(order: ArrayLike<number>): Int32Array {
  const inv = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) inv[order[k]] = k;
  return inv;
}
