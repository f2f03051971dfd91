/**
 * Persistence views (the privacy question, `persistence:` in a spec): the secret's influence
 * over the steps after it, with the line at `threshold` of its peak, one curve per trace or
 * variant; and the connectivity matrix C[s][t] of one trace as a heatmap on a log scale.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { isComparison, type Comparison, type PersistenceRecord, type Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, logAxis, subtitleOptions, titleOptions } from './chart.common';
import { heatmapConfig } from './chart.heatmap';
import { SEQUENTIAL_MAPS, colorTable } from './colormap';
import { formatNumber, plural } from './format';
import { createHeatmapPlugin } from './plugin.heatmap';
import { boundedTable, tableCsv, type TableData } from './table';
import { seriesPalette } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number | null }[];

/** A trace's persistence record with the variant's name (empty for a single trace). */
export interface NamedPersistence {
  name: string;
  record: PersistenceRecord;
  time: number;
}

/** The persistence records of an output: one per trace or variant that has one. */
export function persistenceRecords(output: Trace | Comparison): NamedPersistence[] {
  const traces = isComparison(output) ? output.variants : [{ name: '', trace: output }];
  return traces.filter((v) => v.trace.persistence !== undefined).map((v) => ({ name: v.name, record: v.trace.persistence!, time: v.trace.dims.time }));
}

/** The secret's curve `C[s][s+k]`, k = 0 … T−1−s, from a record. */
export function secretCurveOf(p: NamedPersistence): number[] {
  const { secretAt: s, connectivity } = p.record;
  return Array.from({ length: p.time - s }, (_, k) => connectivity.data[s * p.time + s + k]);
}

/** `below 1% of its peak after 12 steps` or `still above 1% of its peak at the last step`. */
export function persistenceText(record: PersistenceRecord): string {
  const share = `${formatNumber(100 * record.threshold, 3)}% of its peak`;
  return record.steps === null ? `still above ${share} at the last step (never within the sequence)` : `below ${share} after ${plural(record.steps, 'step')}`;
}

/**
 * The secret's influence `‖∂(Σ_u h_{s+k,u}) / ∂x_s‖₂` against the steps k after it, one curve
 * per trace or variant, each with a dashed line at `threshold · peak` (log scale when the
 * curves span more than two decades).
 */
export function persistenceView(ctx: ViewContext): ViewDefinition {
  const { theme } = ctx;
  const palette = seriesPalette(theme);
  const records = persistenceRecords(ctx.output);
  const curves = records.map(secretCurveOf);
  const steps = Math.max(1, ...curves.map((c) => c.length));
  const positive = curves.flat().filter((v) => v > 0 && Number.isFinite(v));
  const log = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 100;
  const datasets: ChartDataset<'line', Points>[] = [];
  records.forEach((r, i) => {
    const color = palette[i % palette.length];
    const label = r.name || 'influence of the secret';
    datasets.push({
      label,
      data: curves[i].map((y, x) => ({ x, y: log && !(y > 0) ? null : y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: curves[i].length <= 64 ? 2.5 : 0,
      [GROUP_KEY]: r.name,
    } as ChartDataset<'line', Points>);
    const line = r.record.threshold * r.record.peak;
    if (line > 0) {
      datasets.push({
        label: `${r.name ? `${r.name}: ` : ''}${formatNumber(100 * r.record.threshold, 3)}% of the peak`,
        data: [{ x: 0, y: line }, { x: steps - 1, y: line }],
        borderColor: color,
        backgroundColor: color,
        borderWidth: 1,
        borderDash: [6, 4],
        pointRadius: 0,
        [GROUP_KEY]: r.name,
      } as ChartDataset<'line', Points>);
    }
  });
  const secretAt = records[0]?.record.secretAt ?? 0;
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, `How long the secret at step ${secretAt} persists: ‖∂(Σ_u h_t) / ∂x_s‖₂ for t ≥ s`),
    subtitle: subtitleOptions(theme, records.map((r) => `${r.name ? `${r.name}: ` : ''}${persistenceText(r.record)}`)),
  };
  options.scales = {
    x: linearAxis(theme, 'steps after the secret, t − s', { min: 0, max: Math.max(1, steps - 1), ticks: { precision: 0 } }),
    y: log ? logAxis(theme, 'influence (gradient norm)') : linearAxis(theme, 'influence (gradient norm)', { beginAtZero: true }),
  };
  const data: TableData = {
    caption: `Influence of the secret (step ${secretAt}) on the state k steps later`,
    columns: ['k', ...records.map((r) => r.name || 'influence')],
    rowCount: steps,
    row: (k) => [String(k), ...curves.map((c) => c[k] ?? null)],
  };
  return {
    kind: 'persistence',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of the secret's influence over ${plural(steps, 'step')} after it${records.map((r) => `; ${r.name ? `${r.name}: ` : ''}${persistenceText(r.record)}`).join('')}.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const k = Math.round(x);
      if (!(k >= 0 && k < steps)) return null;
      return { title: `${plural(k, 'step')} after the secret (t = ${secretAt + k})`, lines: records.map((r, i) => `${r.name ? `${r.name}: ` : ''}${formatNumber(curves[i][k], 4)}`) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** Decades of the connectivity heatmap's colour scale below its largest entry. */
export const CONNECTIVITY_DECADES = 6;

/**
 * The connectivity matrix of one trace: x the output step t, y the input step s (s = 0 on top),
 * colour log₁₀ C[s][t] over the top `CONNECTIVITY_DECADES` decades; entries that are 0 (s > t)
 * are not drawn.
 */
export function connectivityView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const record = trace.persistence!;
  const T = trace.dims.time;
  const raw = record.connectivity.data;
  const values = Float32Array.from(raw, (v) => (v > 0 ? Math.log10(v) : NaN));
  let hi = -Infinity;
  let lo = Infinity;
  for (const v of values) {
    if (v > hi) hi = v;
    if (v < lo) lo = v;
  }
  if (!Number.isFinite(hi)) hi = lo = 0;
  lo = Math.max(lo, hi - CONNECTIVITY_DECADES);
  if (hi - lo < 1e-9) lo = hi - 1;
  const map = SEQUENTIAL_MAPS[ctx.options.colorMap];
  const plugin = createHeatmapPlugin({
    grid: { values, cols: T, rows: T, xStride: 1, yStride: T },
    lo,
    hi,
    table: colorTable((v) => map((v - lo) / (hi - lo)), lo, hi),
    caption: 'log₁₀ C',
    ticks: [lo, (lo + hi) / 2, hi],
    pooling: ctx.options.pooling === 'mean' ? 'mean' : 'max',
  }, ctx.toImage, ctx.theme);
  const config = heatmapConfig(ctx.theme, plugin, {
    title: 'Connectivity C[s][t] = ‖∂(Σ_u h_t) / ∂x_s‖₂ — input step s × output step t',
    subtitle: `Madsen (2019); mean over ${plural(trace.dims.batch, 'batch row')}; log₁₀ scale; the secret is row ${record.secretAt}; s > t is 0 (causal) and left blank`,
    x: { title: 'output step t', cells: T, ticks: { precision: 0 } },
    y: { title: 'input step s', cells: T, ticks: { precision: 0 } },
  });
  const data: TableData = {
    caption: 'Connectivity C[s][t], input step s (rows) × output step t (columns)',
    columns: ['s', ...Array.from({ length: T }, (_, t) => `t ${t}`)],
    rowCount: T,
    row: (s) => [String(s), ...Array.from({ length: T }, (_, t) => raw[s * T + t])],
  };
  return {
    kind: 'connectivity',
    config,
    label: `Heatmap of the connectivity matrix over ${plural(T, 'step')}: how much input step s moves the state at step t, on a log scale; the secret at step ${record.secretAt} is ${persistenceText(record)}.`,
    heatmap: plugin,
    link: 'none',
    zoom: false,
    hover(x, y) {
      const t = Math.round(x);
      const s = Math.round(y);
      if (!(t >= 0 && t < T && s >= 0 && s < T)) return null;
      return { title: `input step s = ${s} → output step t = ${t}`, lines: [s > t ? 'C = 0 (t before s)' : `C = ${formatNumber(raw[s * T + t], 5)}`] };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
