/**
 * Line charts of attention and of influence: the entropy of each attention row per head (how
 * spread out a query's attention is), and the influence of each input step on the final
 * state against its lag (how long an input keeps mattering).
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, logAxis, stepText, stepTicks, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { hasSeries, matrixOf } from './series';
import { boundedTable, tableCsv, type TableData } from './table';
import { seriesPalette } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

/** Whether every weight above the diagonal of batch row `batchRow` is 0 (causal attention). */
export function isCausal(trace: Trace, batchRow = 0): boolean {
  if (!hasSeries(trace, 'weights')) return false;
  const heads = trace.series.weights.shape[1];
  const T = trace.dims.time;
  for (let h = 0; h < heads; h++) {
    const w = matrixOf(trace, 'weights', batchRow, h);
    for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) if (w[q * T + k] !== 0) return false;
  }
  return true;
}

/** Row entropy `H_i = −Σ_j α_ij ln α_ij` per head over queries, with the entropy of uniform attention for reference. */
export function entropyView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const { batchRow } = ctx.options;
  const entropy = trace.metrics.entropy?.[batchRow] ?? [];
  const heads = entropy.length;
  const time = trace.dims.time;
  const causal = isCausal(trace, batchRow);
  const uniform = Array.from({ length: time }, (_, q) => Math.log(causal ? q + 1 : time));
  const palette = seriesPalette(theme);
  const datasets: ChartDataset<'line', Points>[] = [
    { label: causal ? 'uniform over keys ≤ i: ln(i+1)' : 'uniform: ln T', data: uniform.map((y, x) => ({ x, y })), borderColor: theme.muted, borderWidth: 1, borderDash: [4, 4], pointRadius: 0, tension: 0 },
    ...entropy.map((row, h) => ({
      label: `head ${h}`,
      data: row.map((y, x) => ({ x, y })),
      borderColor: palette[h % palette.length],
      backgroundColor: palette[h % palette.length],
      borderWidth: ctx.options.head === h ? 2.5 : 1.5,
      pointRadius: time <= 64 ? 2 : 0,
      tension: 0,
      [GROUP_KEY]: `head-${h}`,
    } as ChartDataset<'line', Points>)),
  ];
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Attention entropy H_i = −Σ_j α_ij ln α_ij per query'),
    subtitle: subtitleOptions(theme, [`nats · 0: one key takes all the attention · dashed: attention spread evenly${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
  };
  options.scales = {
    x: linearAxis(theme, trace.labels ? 'query step (token)' : 'query step', { min: 0, max: Math.max(1, time - 1), ticks: stepTicks(trace.labels, time) }),
    y: linearAxis(theme, 'H (nats)', { beginAtZero: true }),
  };
  const data: TableData = {
    caption: `Attention entropy per query and head (batch row ${batchRow})`,
    columns: ['query', ...(trace.labels ? ['token'] : []), ...entropy.map((_, h) => `head ${h} H`), 'uniform H'],
    rowCount: time,
    row: (q) => [String(q), ...(trace.labels ? [trace.labels[q] ?? ''] : []), ...entropy.map((row) => row[q]), uniform[q]],
  };
  return {
    kind: 'entropy',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of the entropy of each attention row over ${plural(time, 'query', 'queries')}, one line per each of ${plural(heads, 'head')}, with the entropy of uniform attention for reference.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const q = Math.round(x);
      if (!(q >= 0 && q < time)) return null;
      return { title: `query ${stepText(trace.labels, q).slice('step '.length)}`, lines: [...entropy.map((row, h) => `head ${h}: H = ${formatNumber(row[q], 4)} nats`), `uniform: ${formatNumber(uniform[q], 4)} nats`] };
    },
    channelAt: (x, y) => {
      const q = Math.round(x);
      let best = -1;
      let distance = Infinity;
      entropy.forEach((row, h) => {
        const d = Math.abs(row[q] - y);
        if (d < distance) [best, distance] = [h, d];
      });
      return best >= 0 ? best : null;
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/**
 * Influence over lag: `‖∂(Σ_u h[T−1][u]) / ∂x[t]‖₂` (`metrics.influence`) plotted against the
 * lag `T−1−t`, so that how fast an input stops mattering reads left to right. A log scale when
 * the values span more than two decades.
 */
export function influenceView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const { batchRow } = ctx.options;
  const influence = trace.metrics.influence?.[batchRow] ?? [];
  const time = influence.length;
  const byLag = Array.from({ length: time }, (_, lag) => influence[time - 1 - lag]);
  const positive = byLag.filter((v) => v > 0 && Number.isFinite(v));
  const max = Math.max(0, ...positive);
  const min = positive.length ? Math.min(...positive) : 0;
  const log = positive.length === time && time > 1 && max / min > 100;
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, 'Influence of input t on the last state, by lag T−1−t'),
    subtitle: subtitleOptions(theme, [`‖∂(Σ_u h_{T−1,u}) / ∂x_t‖₂${log ? ' · log scale' : ''}${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
  };
  options.scales = {
    x: linearAxis(theme, 'lag T−1−t (steps)', { min: 0, max: Math.max(1, time - 1), ticks: { precision: 0 } }),
    y: log ? logAxis(theme, 'influence (gradient norm)') : linearAxis(theme, 'influence (gradient norm)', { beginAtZero: true }),
  };
  const config: ChartConfiguration<'line', Points> = {
    type: 'line',
    data: {
      datasets: [{
        label: 'influence',
        data: byLag.map((y, x) => ({ x, y })),
        borderColor: theme.blue,
        backgroundColor: theme.blue,
        borderWidth: 2,
        pointRadius: time <= 64 ? 2.5 : 0,
        tension: 0,
      }],
    },
    options: options as ChartConfiguration<'line', Points>['options'],
  };
  const data: TableData = {
    caption: `Influence of each input step on the last state (batch row ${batchRow})`,
    columns: ['lag', 'step', ...(trace.labels ? ['token'] : []), 'influence'],
    rowCount: time,
    row: (lag) => [String(lag), String(time - 1 - lag), ...(trace.labels ? [trace.labels[time - 1 - lag] ?? ''] : []), byLag[lag]],
  };
  const half = byLag.findIndex((v) => v < byLag[0] / 2);
  return {
    kind: 'influence',
    config,
    label: `Line chart of the influence of each of ${plural(time, 'input step')} on the last state against its lag${half > 0 ? `; it falls below half of the last input's influence at lag ${half}` : ''}.`,
    link: 'lag',
    zoom: true,
    hover(x) {
      const lag = Math.round(x);
      if (!(lag >= 0 && lag < time)) return null;
      return { title: `lag ${lag}: ${stepText(trace.labels, time - 1 - lag)}`, lines: [`influence = ${formatNumber(byLag[lag], 5)}`] };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
