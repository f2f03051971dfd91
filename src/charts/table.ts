/**
 * The charts' numbers as text tables: the alternative to the canvases for screen readers, and
 * the rows a CSV export can write.
 */
import type { Trace } from '../shared/trace';
import { formatNumber } from './format';
import { batchRowOf } from './series';
import { gateSummary } from './summary';

/** A table of formatted cells. */
export interface TextTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

/** Per step of batch row `batchRow`: the token (if any) and the forget gate's mean and quartiles over units. */
export function stepTable(trace: Trace, batchRow = 0): TextTable {
  const s = gateSummary(trace, 'forgetGate', batchRow);
  const labels = trace.labels;
  const columns = ['step', ...(labels ? ['token'] : []), 'mean f', 'Q1', 'median', 'Q3'];
  const rows = s.mean.map((m, t) => [
    String(t),
    ...(labels ? [labels[t] ?? ''] : []),
    formatNumber(m, 4),
    formatNumber(s.q1[t], 4),
    formatNumber(s.median[t], 4),
    formatNumber(s.q3[t], 4),
  ]);
  return { caption: `Forget gate per step, over units (batch row ${batchRow})`, columns, rows };
}

/**
 * Per unit: mean forget gate over the steps of batch row `batchRow`, half-life in steps (over
 * the whole batch, from the trace's metrics) and saturation (share of steps with f < 0.1 and
 * f > 0.9, over the whole batch).
 */
export function unitTable(trace: Trace, batchRow = 0): TextTable {
  const f = batchRowOf(trace, 'forgetGate', batchRow);
  const { time, units } = trace.dims;
  const { halfLife, saturation } = trace.metrics;
  const rows: string[][] = [];
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let t = 0; t < time; t++) sum += f[t * units + u];
    rows.push([
      String(u),
      formatNumber(time > 0 ? sum / time : NaN, 4),
      formatNumber(halfLife?.[u], 4),
      formatNumber(saturation?.low[u], 3),
      formatNumber(saturation?.high[u], 3),
    ]);
  }
  return { caption: `Memory per unit (mean f of batch row ${batchRow}; half-life and saturation over the batch)`, columns: ['unit', 'mean f', 'half-life (steps)', 'f < 0.1', 'f > 0.9'], rows };
}
