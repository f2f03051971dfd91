/**
 * The gate heatmap: one series of one batch row, step (x) × unit (y), drawn as an image by
 * the heatmap plugin on chart.js linear axes, with a colour bar.
 */
import type { ChartConfiguration } from 'chart.js';
import type { SeriesInfo, Trace } from '../shared/trace';
import { baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { colorTable } from './colormap';
import { plural } from './format';
import { heatmapImage } from './heatmap';
import { COLOR_BAR_SPACE, createHeatmapPlugin, type HeatmapLayer, type HeatmapPlugin, type ImageFactory } from './plugin.heatmap';
import { batchRowOf, seriesInfo, valueScale } from './series';
import type { ChartTheme } from './theme';

/** Up to this many steps, every step gets a tick for its token (chart.js allows 1000 ticks). */
export const MAX_TOKEN_TICKS = 500;

/** A heatmap chart: its configuration and the plugin that draws the image (to swap layers). */
export interface HeatmapChart {
  config: ChartConfiguration<'line'>;
  plugin: HeatmapPlugin;
}

/** The image, extent and colour bar of series `series` of batch row `batchRow`. */
export function heatmapLayer(trace: Trace, series: string, batchRow = 0): HeatmapLayer {
  const info = seriesInfo(series);
  const values = batchRowOf(trace, series, batchRow);
  const { time, units } = trace.dims;
  const scale = valueScale(info, values);
  const table = colorTable(scale.map, scale.lo, scale.hi);
  const image = heatmapImage(values, time, units, table, scale.lo, scale.hi);
  return { image, time, units, lo: scale.lo, hi: scale.hi, table, caption: info.symbol };
}

/** Title of the heatmap of `info`, e.g. `Forget gate f — step × unit`. */
export function heatmapTitle(info: SeriesInfo): string {
  return `${info.label[0].toUpperCase()}${info.label.slice(1)} ${info.symbol} — step × unit`;
}

/** Subtitle: the formula, the batch row when there are several, and any averaging. */
export function heatmapSubtitle(trace: Trace, layer: HeatmapLayer, info: SeriesInfo, batchRow: number): string {
  const parts = [info.description];
  if (trace.dims.batch > 1) parts.push(`batch row ${batchRow}`);
  const { stepsPerPixel: sx, unitsPerPixel: sy } = layer.image;
  if (sx > 1 || sy > 1) parts.push(`each pixel averages ${plural(sx, 'step')} × ${plural(sy, 'unit')}`);
  return parts.join(' · ');
}

/** A short text for screen readers describing the heatmap. */
export function heatmapAriaLabel(trace: Trace, info: SeriesInfo, layer: HeatmapLayer, batchRow: number): string {
  return `Heatmap of the ${info.label} (${info.symbol}) over ${plural(trace.dims.time, 'step')} and ${plural(trace.dims.units, 'unit')}, batch row ${batchRow}; colours from ${layer.lo} to ${layer.hi}.`;
}

/**
 * The heatmap chart of series `series` (default the forget gate) of batch row `batchRow`.
 * Unit 0 is at the top, as in a matrix. When the trace has step labels (tokens) they label
 * the x axis. `toImage` makes the bitmap the plugin draws (see `ImageFactory`).
 */
export function heatmapChart(trace: Trace, theme: ChartTheme, toImage: ImageFactory, series = 'forgetGate', batchRow = 0): HeatmapChart {
  const info = seriesInfo(series);
  const layer = heatmapLayer(trace, series, batchRow);
  const plugin = createHeatmapPlugin(layer, toImage, theme);
  const { time, units } = trace.dims;
  const labels = trace.labels;
  const options = baseOptions(theme);
  options.layout = { padding: { left: 4, right: COLOR_BAR_SPACE, top: 14, bottom: 4 } };
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    tooltip: { enabled: false },
    title: titleOptions(theme, heatmapTitle(info)),
    subtitle: subtitleOptions(theme, heatmapSubtitle(trace, layer, info, batchRow)),
  };
  options.scales = {
    x: linearAxis(theme, labels ? 'step (token)' : 'step', {
      min: -0.5,
      max: time - 0.5,
      grid: { display: false },
      ticks: {
        precision: 0,
        includeBounds: false,
        // Tokens label every step they fit under (chart.js skips the ones that would overlap);
        // past MAX_TOKEN_TICKS steps chart.js's own tick spacing applies.
        ...(labels && time <= MAX_TOKEN_TICKS ? { stepSize: 1, autoSkip: true, maxRotation: 50 } : { autoSkipPadding: 8 }),
        callback: (v: number | string) => {
          const t = Number(v);
          if (!Number.isInteger(t)) return '';
          return labels?.[t] !== undefined ? labels[t] : String(t);
        },
      },
    }),
    y: linearAxis(theme, 'unit', {
      min: -0.5,
      max: units - 0.5,
      reverse: true,
      grid: { display: false },
      ticks: { precision: 0, includeBounds: false, callback: (v: number | string) => (Number.isInteger(Number(v)) ? String(v) : '') },
    }),
  };
  return { config: { type: 'line', data: { datasets: [] }, options, plugins: [plugin] }, plugin };
}
