/**
 * The half-life spectrum: how many units keep half their memory for how many steps, as a bar
 * chart over half-life bins, with the units that have no finite half-life noted.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Trace } from '../shared/trace';
import { baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { halfLifeHistogram, type HalfLifeHistogram, type HistogramBin } from './histogram';
import { median } from './stats';
import { withAlpha, type ChartTheme } from './theme';

/** Axis label of a bin, e.g. `1.2–1.8`, or `3` for a single-value bin. */
export function binLabel(bin: HistogramBin): string {
  return bin.lo === bin.hi ? formatNumber(bin.lo) : `${formatNumber(bin.lo, 2)}–${formatNumber(bin.hi, 2)}`;
}

/**
 * The note under the title, one entry per line: the median over the units shown and the bin
 * spacing, then the units left out.
 */
export function histogramNote(histogram: HalfLifeHistogram, halfLife: readonly (number | null)[]): string[] {
  const lines: string[] = [];
  if (histogram.counted === 0) {
    lines.push('no unit has a finite half-life');
  } else {
    const m = median(halfLife.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0));
    const spacing = histogram.scale === 'log' && histogram.bins.length > 1 ? ' · log₂ bins' : '';
    lines.push(`median ${formatNumber(m)} steps over ${plural(histogram.counted, 'unit')}${spacing}`);
  }
  if (histogram.missing > 0) lines.push(`not shown: ${plural(histogram.missing, 'unit')} without a finite t½ (f̄ = 0 or 1)`);
  return lines;
}

/** The half-life histogram of `trace.metrics.halfLife` (half-life `ln ½ / ln f̄` in steps per unit). */
export function halfLifeChart(trace: Trace, theme: ChartTheme): ChartConfiguration<'bar', number[], string> {
  const halfLife = trace.metrics.halfLife ?? [];
  const histogram = halfLifeHistogram(halfLife);
  const options = baseOptions<'bar'>(theme);
  options.parsing = undefined;
  options.normalized = undefined;
  options.interaction = { mode: 'index', intersect: false };
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, 'Half-life t½ = ln ½ / ln f̄ per unit'),
    subtitle: subtitleOptions(theme, histogramNote(histogram, halfLife)),
    tooltip: {
      ...options.plugins?.tooltip,
      callbacks: {
        title: (items) => (items.length ? `t½ ${items[0].label} steps` : ''),
        label: (item) => plural(Number(item.raw), 'unit'),
      },
    },
  };
  options.scales = {
    x: { ...linearAxis(theme, 'half-life (steps)', { grid: { display: false } }), type: 'category' },
    y: linearAxis(theme, 'units', { beginAtZero: true, ticks: { precision: 0 } }),
  };
  return {
    type: 'bar',
    data: {
      labels: histogram.bins.map(binLabel),
      datasets: [{
        label: 'units',
        data: histogram.bins.map((b) => b.count),
        backgroundColor: withAlpha(theme.blue, 0.7),
        borderColor: theme.blue,
        borderWidth: 1,
        barPercentage: 1,
        categoryPercentage: 0.96,
      }],
    },
    options,
  };
}
