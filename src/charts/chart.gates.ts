/**
 * The mean of a gate over units at each step, with its spread: the interquartile range as a
 * band and the full range as faint lines.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Trace } from '../shared/trace';
import { baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber } from './format';
import { seriesInfo } from './series';
import { gateSummary, type GateSummary } from './summary';
import { withAlpha, type ChartTheme } from './theme';

const points = (ys: readonly number[]) => ys.map((y, x) => ({ x, y }));

/**
 * Datasets of a gate summary, bottom to top: min, Q1 (band floor), Q3 (band, filled down to
 * Q1), max, median, mean. The legend lists min and max once, as `min, max`.
 */
export function gateDatasets(summary: GateSummary, theme: ChartTheme): ChartDataset<'line', { x: number; y: number }[]>[] {
  const line = { pointRadius: 0, pointHoverRadius: 3, tension: 0 };
  return [
    { ...line, label: 'min, max', data: points(summary.min), borderColor: withAlpha(theme.blue, 0.6), borderWidth: 1, borderDash: [2, 3] },
    { ...line, label: 'Q1', data: points(summary.q1), borderColor: 'transparent', borderWidth: 0, pointHoverRadius: 0 },
    { ...line, label: 'Q1–Q3', data: points(summary.q3), borderColor: 'transparent', borderWidth: 0, backgroundColor: withAlpha(theme.blue, 0.25), fill: '-1', pointHoverRadius: 0 },
    { ...line, label: 'max', data: points(summary.max), borderColor: withAlpha(theme.blue, 0.6), borderWidth: 1, borderDash: [2, 3] },
    { ...line, label: 'median', data: points(summary.median), borderColor: theme.orange, borderWidth: 1.5, borderDash: [5, 3] },
    { ...line, label: 'mean', data: points(summary.mean), borderColor: theme.blue, backgroundColor: theme.blue, borderWidth: 2 },
  ];
}

/**
 * The chart of series `series` (default the forget gate) of batch row `batchRow` over steps:
 * mean, median, interquartile band and range over units. Gates are plotted on [0, 1].
 */
export function gateSummaryChart(trace: Trace, theme: ChartTheme, series = 'forgetGate', batchRow = 0): ChartConfiguration<'line', { x: number; y: number }[]> {
  const info = seriesInfo(series);
  const summary = gateSummary(trace, series, batchRow);
  const overall = summary.mean.reduce((a, b) => a + b, 0) / Math.max(1, summary.mean.length);
  const options = baseOptions(theme);
  const unitRange = info.range === 'unit' ? { min: 0, max: 1 } : info.range === 'symmetric' ? { min: -1, max: 1 } : {};
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, `Mean ${info.label} ${info.symbol} per step`),
    subtitle: subtitleOptions(theme, [`band: quartiles Q1–Q3 over units · dotted: min and max`, `overall mean ${formatNumber(overall)}${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
    legend: {
      ...options.plugins?.legend,
      labels: { ...options.plugins?.legend?.labels, filter: (item) => item.text !== 'Q1' && item.text !== 'max' },
    },
    tooltip: {
      ...options.plugins?.tooltip,
      filter: (item) => item.dataset.label === 'mean' || item.dataset.label === 'median',
      callbacks: {
        title: (items) => (items.length ? `step ${items[0].parsed.x}${trace.labels?.[items[0].parsed.x as number] !== undefined ? ` (${trace.labels[items[0].parsed.x as number]})` : ''}` : ''),
        label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y, 4)}`,
        footer: (items) => {
          const t = items[0]?.parsed.x as number | undefined;
          return t === undefined ? '' : `Q1–Q3: ${formatNumber(summary.q1[t], 4)} – ${formatNumber(summary.q3[t], 4)} · std ${formatNumber(summary.std[t], 3)}`;
        },
      },
    },
  };
  options.scales = {
    x: linearAxis(theme, 'step', { min: 0, max: Math.max(1, trace.dims.time - 1), ticks: { precision: 0 } }),
    y: linearAxis(theme, `${info.symbol} (mean over units)`, unitRange),
  };
  return { type: 'line', data: { datasets: gateDatasets(summary, theme) }, options: options as ChartConfiguration<'line', { x: number; y: number }[]>['options'] };
}
