/**
 * Half-lives `t½ = ln ½ / ln ḡ` of the keep gate g, per unit or head: their distribution (a
 * histogram over half-life bins, or one bar per head when there are few), and the spectrum
 * (every unit, sorted by half-life).
 */
import type { ChartConfiguration } from 'chart.js';
import type { Trace } from '../shared/trace';
import { baseOptions, linearAxis, logAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { halfLifeHistogram, type HalfLifeHistogram, type HistogramBin } from './histogram';
import { keepGateOf } from './series';
import { median } from './stats';
import { boundedTable, tableCsv, type TableData } from './table';
import { withAlpha, type ChartTheme } from './theme';
import type { ViewContext, ViewDefinition } from './view';

/** Up to this many channels, the half-life chart has one bar per channel instead of a histogram. */
export const MAX_BARS_PER_CHANNEL = 16;

/** Axis label of a bin, e.g. `1.2–1.8`, or `3` for a single-value bin. */
export function binLabel(bin: HistogramBin): string {
  return bin.lo === bin.hi ? formatNumber(bin.lo) : `${formatNumber(bin.lo, 2)}–${formatNumber(bin.hi, 2)}`;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * The note under the title, one entry per line: the median over the channels shown and the
 * bin spacing, then the channels left out.
 */
export function histogramNote(histogram: HalfLifeHistogram, halfLife: readonly (number | null)[], channel = 'unit', symbol = 'f'): string[] {
  const lines: string[] = [];
  if (histogram.counted === 0) {
    lines.push(`no ${channel} has a finite half-life`);
  } else {
    const m = median(halfLife.filter(finite));
    const spacing = histogram.scale === 'log' && histogram.bins.length > 1 ? ' · log₂ bins' : '';
    lines.push(`median ${formatNumber(m)} steps over ${plural(histogram.counted, channel)}${spacing}`);
  }
  if (histogram.missing > 0) lines.push(`not shown: ${plural(histogram.missing, channel)} without a finite t½ (${symbol}̄ = 0 or 1)`);
  return lines;
}

function barOptions(theme: ChartTheme) {
  const options = baseOptions<'bar'>(theme);
  options.parsing = undefined;
  options.normalized = undefined;
  options.interaction = { mode: 'index', intersect: false };
  return options;
}

/** The half-life chart of `trace.metrics.halfLife`: a histogram, or a bar per channel for few channels. */
export function halfLifeChart(trace: Trace, theme: ChartTheme): ChartConfiguration<'bar', number[], string> {
  return halfLifeParts(trace, theme).config;
}

function halfLifeParts(trace: Trace, theme: ChartTheme) {
  const gate = keepGateOf(trace);
  const channel = gate?.channel ?? 'unit';
  const symbol = gate?.info.symbol ?? 'f';
  const halfLife = trace.metrics.halfLife ?? [];
  const perChannel = halfLife.length <= MAX_BARS_PER_CHANNEL;
  const histogram = halfLifeHistogram(halfLife);
  const options = barOptions(theme);
  const title = `Half-life t½ = ln ½ / ln ${symbol}̄ per ${channel}`;
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, title),
    subtitle: subtitleOptions(theme, perChannel ? [`median ${formatNumber(median(halfLife.filter(finite)))} steps`, ...(halfLife.some((v) => !finite(v)) ? [`no bar: no finite t½ (${symbol}̄ = 0 or 1)`] : [])] : histogramNote(histogram, halfLife, channel, symbol)),
  };
  const shownValues = halfLife.filter(finite);
  const logBars = perChannel && shownValues.length > 1 && Math.max(...shownValues) / Math.min(...shownValues) >= 32;
  options.scales = {
    x: { ...linearAxis(theme, perChannel ? channel : 'half-life (steps)', { grid: { display: false } }), type: 'category' },
    y: logBars ? logAxis(theme, 'half-life (steps, log scale)') : linearAxis(theme, perChannel ? 'half-life (steps)' : `${channel}s`, { beginAtZero: true, ticks: { precision: perChannel ? undefined : 0 } }),
  };
  const labels = perChannel ? halfLife.map((_, k) => `${channel} ${k}`) : histogram.bins.map(binLabel);
  const values = perChannel ? halfLife.map((v) => (finite(v) ? v : logBars ? NaN : 0)) : histogram.bins.map((b) => b.count);
  const config: ChartConfiguration<'bar', number[], string> = {
    type: 'bar',
    data: {
      labels,
      datasets: [{
        label: perChannel ? 't½' : `${channel}s`,
        data: values,
        backgroundColor: withAlpha(theme.blue, 0.7),
        borderColor: theme.blue,
        borderWidth: 1,
        barPercentage: perChannel ? 0.8 : 1,
        categoryPercentage: 0.96,
      }],
    },
    options,
  };
  return { config, perChannel, histogram, halfLife, channel, symbol, labels };
}

/** The half-life view (see `halfLifeChart`). */
export function halfLifeView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { config, perChannel, histogram, halfLife, channel } = halfLifeParts(trace, ctx.theme);
  const data: TableData = perChannel
    ? { caption: `Half-life per ${channel}`, columns: [channel, 'half-life (steps)'], rowCount: halfLife.length, row: (k) => [String(k), halfLife[k]] }
    : { caption: `Half-life histogram over ${channel}s`, columns: ['from (steps)', 'to (steps)', `${channel}s`], rowCount: histogram.bins.length, row: (k) => [histogram.bins[k].lo, histogram.bins[k].hi, histogram.bins[k].count] };
  const m = median(halfLife.filter(finite));
  return {
    kind: 'halflife',
    config,
    label: perChannel
      ? `Bar chart of the half-life in steps of each of ${plural(halfLife.length, channel)}: ${halfLife.map((v, k) => `${channel} ${k} ${formatNumber(v)}`).join(', ')}.`
      : `Histogram of the half-life in steps of ${plural(histogram.counted, channel)}; median half-life ${formatNumber(m)} steps.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const k = Math.round(x);
      if (perChannel) {
        if (!(k >= 0 && k < halfLife.length)) return null;
        return { title: `${channel} ${k}`, lines: [finite(halfLife[k]) ? `t½ = ${formatNumber(halfLife[k], 4)} steps` : 't½: none finite'] };
      }
      const bin = histogram.bins[k];
      if (!bin) return null;
      return { title: `t½ ${binLabel(bin)} steps`, lines: [plural(bin.count, channel)] };
    },
    channelAt: perChannel ? (x) => (Math.round(x) >= 0 && Math.round(x) < halfLife.length ? Math.round(x) : null) : undefined,
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** Units sorted by half-life, longest first; units without a finite half-life are left out. */
export function halfLifeSpectrum(halfLife: readonly (number | null)[]): { unit: number; halfLife: number }[] {
  return halfLife
    .map((v, unit) => ({ unit, halfLife: v }))
    .filter((e): e is { unit: number; halfLife: number } => finite(e.halfLife))
    .sort((a, b) => b.halfLife - a.halfLife || a.unit - b.unit);
}

/** The half-life spectrum: one point per unit, sorted by half-life (log scale when it spans decades). */
export function spectrumView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const gate = keepGateOf(trace);
  const channel = gate?.channel ?? 'unit';
  const halfLife = trace.metrics.halfLife ?? [];
  const spectrum = halfLifeSpectrum(halfLife);
  const pinned = new Set(ctx.options.pinned);
  const options = baseOptions(theme);
  const lo = spectrum.length ? spectrum[spectrum.length - 1].halfLife : 1;
  const hi = spectrum.length ? spectrum[0].halfLife : 1;
  const log = hi / lo >= 32;
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, `Half-life spectrum: ${channel}s sorted by t½`),
    subtitle: subtitleOptions(theme, [`${plural(spectrum.length, channel)} with a finite t½${log ? ' · log scale' : ''}`, ...(halfLife.length > spectrum.length ? [`not shown: ${plural(halfLife.length - spectrum.length, channel)} without one`] : [])]),
  };
  options.scales = {
    x: linearAxis(theme, `rank (longest memory first)`, { min: -0.5, max: Math.max(0.5, spectrum.length - 0.5), ticks: { precision: 0, includeBounds: false } }),
    y: log ? logAxis(theme, 't½ (steps)') : linearAxis(theme, 't½ (steps)', { beginAtZero: true }),
  };
  const colors = spectrum.map((e) => (pinned.has(e.unit) ? theme.red : theme.blue));
  const config: ChartConfiguration<'line', { x: number; y: number }[]> = {
    type: 'line',
    data: {
      datasets: [{
        label: 't½',
        data: spectrum.map((e, x) => ({ x, y: e.halfLife })),
        borderColor: withAlpha(theme.blue, 0.6),
        backgroundColor: colors,
        pointBackgroundColor: colors,
        pointBorderColor: colors,
        pointRadius: spectrum.map((e) => (pinned.has(e.unit) ? 5 : spectrum.length > 256 ? 1 : 2.5)),
        borderWidth: 1,
        tension: 0,
      }],
    },
    options: { ...(options as ChartConfiguration<'line', { x: number; y: number }[]>['options']), plugins: { ...options.plugins, decimation: { enabled: false } } },
  };
  const data: TableData = { caption: `${channel}s sorted by half-life`, columns: ['rank', channel, 'half-life (steps)'], rowCount: spectrum.length, row: (k) => [String(k), String(spectrum[k].unit), spectrum[k].halfLife] };
  return {
    kind: 'spectrum',
    config,
    label: `Half-life spectrum: ${plural(spectrum.length, channel)} sorted by half-life, from ${formatNumber(hi)} down to ${formatNumber(lo)} steps.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const e = spectrum[Math.round(x)];
      if (!e) return null;
      return { title: `${channel} ${e.unit}`, lines: [`t½ = ${formatNumber(e.halfLife, 4)} steps`, `rank ${Math.round(x)} of ${spectrum.length}`] };
    },
    channelAt: (x) => spectrum[Math.round(x)]?.unit ?? null,
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
