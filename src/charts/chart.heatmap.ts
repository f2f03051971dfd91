/**
 * Heatmaps: a step × unit series of one batch row (x step, y unit, unit 0 on top), and the
 * query × key matrices of attention (x key, y query, query 0 on top), drawn as an image by
 * the heatmap plugin on chart.js linear axes, with a colour bar and token labels.
 */
import type { ChartConfiguration } from 'chart.js';
import type { SeriesInfo, Trace } from '../shared/trace';
import { baseOptions, linearAxis, stepText, stepTicks, subtitleOptions, titleOptions } from './chart.common';
import { SEQUENTIAL_MAPS, colorTable } from './colormap';
import { formatNumber, plural } from './format';
import type { Grid } from './heatmap';
import { inverseOrder, unitOrder } from './order';
import { COLOR_BAR_SPACE, createHeatmapPlugin, type HeatmapLayer, type HeatmapPlugin, type ImageFactory } from './plugin.heatmap';
import { batchRowOf, gridSeries, keepGateOf, matrixOf, matrixSeries, seriesInfo, valueScale } from './series';
import { boundedTable, tableCsv, type TableData } from './table';
import type { ChartTheme } from './theme';
import { poolingFor, type ViewContext, type ViewDefinition, type ViewOptions } from './view';

export { MAX_TOKEN_TICKS } from './chart.common';

/** A heatmap chart: its configuration and the plugin that draws the image (to swap layers). */
export interface HeatmapChart {
  config: ChartConfiguration<'line'>;
  plugin: HeatmapPlugin;
}

function capitalised(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}`;
}

/** The name of the third axis of a step series: `unit` or `feature`. */
function channelName(info: SeriesInfo): string {
  return info.axes[2] === 'feature' ? 'feature' : 'unit';
}

/** The series a step × unit heatmap shows for `options`: the picked one, else the keep gate, else the first. */
export function heatmapSeries(trace: Trace, options: Pick<ViewOptions, 'series'>): SeriesInfo {
  const list = gridSeries(trace);
  const picked = list.find((s) => s.name === options.series);
  if (picked) return picked;
  const keep = keepGateOf(trace);
  return keep && keep.channel === 'unit' ? keep.info : list[0];
}

/**
 * The layer of series `series` of batch row `batchRow`, rows in `order` (display row k shows
 * unit `order[k]`).
 */
export function heatmapLayer(trace: Trace, series: string, batchRow = 0, order?: ArrayLike<number>, pooling: ViewOptions['pooling'] = 'mean', colorMap: ViewOptions['colorMap'] = 'viridis'): HeatmapLayer {
  const info = seriesInfo(series, trace.model);
  const values = batchRowOf(trace, series, batchRow);
  const channels = trace.series[series].shape[2];
  const scale = valueScale(info, values, SEQUENTIAL_MAPS[colorMap]);
  const grid: Grid = { values, cols: trace.dims.time, rows: channels, xStride: channels, yStride: 1, rowOrder: order };
  return {
    grid,
    lo: scale.lo,
    hi: scale.hi,
    table: colorTable(scale.map, scale.lo, scale.hi),
    caption: info.symbol,
    ticks: scale.ticks,
    pooling: poolingFor(pooling, scale.mapName === 'diverging'),
    discrete: scale.mapName === 'binary',
  };
}

/** Title of the heatmap of `info`, e.g. `Forget gate f — step × unit`. */
export function heatmapTitle(info: SeriesInfo): string {
  return `${capitalised(info.label)} ${info.symbol} — step × ${channelName(info)}`;
}

/** Subtitle: the formula, the batch row when there are several, and the unit order. */
export function heatmapSubtitle(trace: Trace, info: SeriesInfo, batchRow: number, sort: ViewOptions['sort'] = 'index'): string {
  const parts = [info.description];
  if (trace.dims.batch > 1) parts.push(`batch row ${batchRow}`);
  if (sort !== 'index' && channelName(info) === 'unit') parts.push(`units sorted by ${sort === 'halfLife' ? 'half-life' : 'saturation'}`);
  return parts.join(' · ');
}

/** A short text for screen readers describing the heatmap. */
export function heatmapAriaLabel(trace: Trace, info: SeriesInfo, layer: HeatmapLayer, batchRow: number): string {
  return `Heatmap of the ${info.label} (${info.symbol}) over ${plural(trace.dims.time, 'step')} and ${plural(layer.grid.rows, channelName(info))}, batch row ${batchRow}; colours from ${formatNumber(layer.lo)} to ${formatNumber(layer.hi)}.`;
}

export interface HeatmapAxes {
  title: string;
  subtitle: string;
  x: { title: string; cells: number; ticks: Record<string, unknown> };
  y: { title: string; cells: number; ticks: Record<string, unknown> };
}

/** A line chart without datasets whose linear axes cover every cell, y reversed (row 0 on top), drawn by `plugin`. */
export function heatmapConfig(theme: ChartTheme, plugin: HeatmapPlugin, axes: HeatmapAxes): ChartConfiguration<'line'> {
  const options = baseOptions(theme);
  options.layout = { padding: { left: 4, right: COLOR_BAR_SPACE, top: 14, bottom: 4 } };
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, axes.title),
    subtitle: subtitleOptions(theme, axes.subtitle),
  };
  options.scales = {
    x: linearAxis(theme, axes.x.title, { min: -0.5, max: axes.x.cells - 0.5, grid: { display: false }, ticks: { includeBounds: false, ...axes.x.ticks } }),
    y: linearAxis(theme, axes.y.title, { min: -0.5, max: axes.y.cells - 0.5, reverse: true, grid: { display: false }, ticks: { includeBounds: false, ...axes.y.ticks } }),
  };
  return { type: 'line', data: { datasets: [] }, options, plugins: [plugin] };
}

/**
 * The step × unit heatmap chart of series `series` (default the keep gate) of batch row
 * `batchRow`, units in `order`. Token labels, when the trace has them, label the x axis.
 */
export function heatmapChart(trace: Trace, theme: ChartTheme, toImage: ImageFactory, series?: string, batchRow = 0, order?: ArrayLike<number>, options: Partial<ViewOptions> = {}): HeatmapChart {
  const info = heatmapSeries(trace, { series });
  const layer = heatmapLayer(trace, info.name, batchRow, order, options.pooling, options.colorMap);
  const plugin = createHeatmapPlugin(layer, toImage, theme);
  const rows = layer.grid.rows;
  const config = heatmapConfig(theme, plugin, {
    title: heatmapTitle(info),
    subtitle: heatmapSubtitle(trace, info, batchRow, order ? options.sort : 'index'),
    x: { title: trace.labels ? 'step (token)' : 'step', cells: trace.dims.time, ticks: stepTicks(trace.labels, trace.dims.time) },
    y: {
      title: order ? `${channelName(info)} (sorted)` : channelName(info),
      cells: rows,
      ticks: { precision: 0, callback: (v: number | string) => (Number.isInteger(Number(v)) ? String(order ? order[Number(v)] ?? '' : v) : '') },
    },
  });
  return { config, plugin };
}

/** The step × unit heatmap view (see `heatmapChart`), with hover, click-to-pin and the matrix as table/CSV. */
export function heatmapView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { batchRow, sort } = ctx.options;
  const info = heatmapSeries(trace, ctx.options);
  const channel = channelName(info);
  const order = channel === 'unit' ? unitOrder(trace, sort) : undefined;
  const { config, plugin } = heatmapChart(trace, ctx.theme, ctx.toImage, info.name, batchRow, order, ctx.options);
  const rows = plugin.layer.grid.rows;
  const { time } = trace.dims;
  const values = plugin.layer.grid.values;
  const inverse = order ? inverseOrder(order) : undefined;
  const unitAt = (y: number): number | null => {
    const k = Math.round(y);
    return k >= 0 && k < rows ? (order ? order[k] : k) : null;
  };
  const data: TableData = {
    caption: `${capitalised(info.label)} ${info.symbol}, step × ${channel} (batch row ${batchRow})`,
    columns: ['step', ...(trace.labels ? ['token'] : []), ...Array.from({ length: rows }, (_, k) => `${channel} ${order ? order[k] : k}`)],
    rowCount: time,
    row: (t) => [String(t), ...(trace.labels ? [trace.labels[t] ?? ''] : []), ...Array.from({ length: rows }, (_, k) => values[t * rows + (order ? order[k] : k)])],
  };
  return {
    kind: 'heatmap',
    config,
    label: heatmapAriaLabel(trace, info, plugin.layer, batchRow),
    heatmap: plugin,
    series: info.name,
    link: 'step',
    zoom: true,
    hover(x, y) {
      const t = Math.round(x);
      const u = unitAt(y);
      if (!(t >= 0 && t < time) || u === null) return null;
      return { title: stepText(trace.labels, t), lines: [`${channel} ${u}`, `${info.symbol} = ${formatNumber(values[t * rows + u], 6)}`] };
    },
    channelAt: channel === 'unit' ? (_x, y) => unitAt(y) : undefined,
    rowOf: (u) => (inverse ? inverse[u] : u),
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** The series a matrix view shows: the picked one, else `weights`, else the first matrix series. */
export function matrixSeriesOf(trace: Trace, options: Pick<ViewOptions, 'matrixSeries'>): SeriesInfo {
  const list = matrixSeries(trace);
  return list.find((s) => s.name === options.matrixSeries) ?? list.find((s) => s.name === 'weights') ?? list[0];
}

/** The layer of query × key matrix `series` of batch row `batchRow`, head `head`. */
export function matrixLayer(trace: Trace, series: string, batchRow: number, head: number, pooling: ViewOptions['pooling'] = 'max', colorMap: ViewOptions['colorMap'] = 'viridis'): HeatmapLayer {
  const info = seriesInfo(series, trace.model);
  const values = matrixOf(trace, series, batchRow, head);
  const [, , queries, keys] = trace.series[series].shape;
  const scale = valueScale(info, values, SEQUENTIAL_MAPS[colorMap]);
  return {
    grid: { values, cols: keys, rows: queries, xStride: 1, yStride: keys },
    lo: scale.lo,
    hi: scale.hi,
    table: colorTable(scale.map, scale.lo, scale.hi),
    caption: info.symbol,
    ticks: scale.ticks,
    pooling: poolingFor(pooling, scale.mapName === 'diverging'),
    discrete: scale.mapName === 'binary',
  };
}

/**
 * The attention matrix view: series `matrixSeries` (default the weights α) of one head, query
 * (y, token labels) × key (x, token labels). Cells that do not exist (NaN: above the diagonal
 * of the causal decay matrix) are not drawn.
 */
export function matrixView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { batchRow } = ctx.options;
  const info = matrixSeriesOf(trace, ctx.options);
  const heads = trace.series[info.name].shape[1];
  const head = Math.min(Math.max(0, ctx.options.head), heads - 1);
  const layer = matrixLayer(trace, info.name, batchRow, head, ctx.options.pooling, ctx.options.colorMap);
  const plugin = createHeatmapPlugin(layer, ctx.toImage, ctx.theme);
  const { cols: keys, rows: queries, values } = layer.grid;
  const labels = trace.labels;
  const tokenTitle = labels ? ' (token)' : '';
  const parts = [info.description, `head ${head} of ${heads}`];
  if (trace.dims.batch > 1) parts.push(`batch row ${batchRow}`);
  const config = heatmapConfig(ctx.theme, plugin, {
    title: `${capitalised(info.label)} ${info.symbol} — query × key`,
    subtitle: parts.join(' · '),
    x: { title: `key${tokenTitle}`, cells: keys, ticks: stepTicks(labels, keys) },
    y: { title: `query${tokenTitle}`, cells: queries, ticks: stepTicks(labels, queries) },
  });
  const tokenOf = (t: number) => (labels?.[t] !== undefined ? ` (${JSON.stringify(labels[t])})` : '');
  const data: TableData = {
    caption: `${capitalised(info.label)} ${info.symbol}, query × key (head ${head}, batch row ${batchRow})`,
    columns: ['query', ...(labels ? ['token'] : []), ...Array.from({ length: keys }, (_, k) => `key ${k}${labels?.[k] !== undefined ? ` ${labels[k]}` : ''}`)],
    rowCount: queries,
    row: (q) => [String(q), ...(labels ? [labels[q] ?? ''] : []), ...Array.from({ length: keys }, (_, k) => values[q * keys + k])],
  };
  return {
    kind: 'matrix',
    config,
    label: `Matrix of the ${info.label} (${info.symbol}) of head ${head}: ${plural(queries, 'query', 'queries')} × ${plural(keys, 'key')}, batch row ${batchRow}; colours from ${formatNumber(layer.lo)} to ${formatNumber(layer.hi)}${labels ? '; axes labelled with the tokens' : ''}.`,
    heatmap: plugin,
    series: info.name,
    link: 'matrix',
    zoom: false,
    hover(x, y) {
      const k = Math.round(x);
      const q = Math.round(y);
      if (!(k >= 0 && k < keys && q >= 0 && q < queries)) return null;
      const v = values[q * keys + k];
      return {
        title: `query ${q}${tokenOf(q)} → key ${k}${tokenOf(k)}`,
        lines: [`head ${head}`, Number.isNaN(v) ? `${info.symbol}: none (j > i)` : `${info.symbol} = ${formatNumber(v, 6)}`],
      };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
