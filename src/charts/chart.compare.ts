/**
 * Comparisons of variants (`model: compare`): one colour per variant on shared axes. The mean
 * survival curve, the mean keep gate per step, and the half-life distributions over shared
 * bins. Variants without a keep gate (plain attention) are left out and named in the note.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Comparison, Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { binLabel } from './chart.halflife';
import { formatNumber, plural } from './format';
import { halfLifeHistogram } from './histogram';
import { keepGateOf } from './series';
import { median } from './stats';
import { gateSummary } from './summary';
import { survivalCurves } from './survival';
import { boundedTable, tableCsv, type TableData } from './table';
import { seriesPalette, withAlpha } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

/** A variant with its colour (by position among all variants, so colours agree across charts). */
interface Shown {
  name: string;
  trace: Trace;
  color: string;
}

function variantsWithKeepGate(ctx: ViewContext): { shown: Shown[]; left: string[] } {
  const palette = seriesPalette(ctx.theme);
  const all = (ctx.output as Comparison).variants.map((v, k) => ({ ...v, color: palette[k % palette.length] }));
  return { shown: all.filter((v) => keepGateOf(v.trace)), left: all.filter((v) => !keepGateOf(v.trace)).map((v) => v.name) };
}

/** Batch row `row` where a variant has it, else its last row. */
const rowOf = (trace: Trace, row: number) => Math.min(row, trace.dims.batch - 1);

function trace0Batch(shown: Shown[]): number {
  return Math.max(1, ...shown.map((v) => v.trace.dims.batch));
}

function leftNote(left: string[]): string[] {
  return left.length ? [`not shown (no keep gate): ${left.join(', ')}`] : [];
}

function perStepView(ctx: ViewContext, kind: 'compareSurvival' | 'compareGates'): ViewDefinition {
  const { theme } = ctx;
  const { shown, left } = variantsWithKeepGate(ctx);
  const batchRow = ctx.options.batchRow;
  const curves = shown.map((v) => (kind === 'compareSurvival' ? survivalCurves(v.trace, rowOf(v.trace, batchRow)).mean : gateSummary(v.trace, keepGateOf(v.trace)!.info.name, rowOf(v.trace, batchRow), false).mean));
  const time = Math.max(1, ...shown.map((v) => v.trace.dims.time));
  const datasets: ChartDataset<'line', Points>[] = shown.map((v, k) => ({
    label: `${v.name} (${keepGateOf(v.trace)!.info.symbol})`,
    data: curves[k].map((y, x) => ({ x, y })),
    borderColor: v.color,
    backgroundColor: v.color,
    borderWidth: 2,
    pointRadius: time <= 64 ? 2 : 0,
    tension: 0,
    [GROUP_KEY]: v.name,
  } as ChartDataset<'line', Points>));
  if (kind === 'compareSurvival') {
    datasets.unshift({ label: 'R = ½', data: [{ x: 0, y: 0.5 }, { x: Math.max(1, time - 1), y: 0.5 }], borderColor: theme.muted, borderWidth: 1, borderDash: [4, 4], pointRadius: 0 });
  }
  const options = baseOptions(theme);
  const what = kind === 'compareSurvival' ? 'Memory survival R_t = ∏ g_k, mean over units or heads' : 'Mean keep gate g per step';
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, what),
    subtitle: subtitleOptions(theme, [`g: each variant's keep gate (forget gate f, update gate z)${trace0Batch(shown) > 1 ? ` · batch row ${batchRow}` : ''}`, ...leftNote(left)]),
  };
  options.scales = {
    x: linearAxis(theme, 'step', { min: 0, max: Math.max(1, time - 1), ticks: { precision: 0 } }),
    y: linearAxis(theme, kind === 'compareSurvival' ? 'R (share kept)' : 'g (mean)', { min: 0, max: 1 }),
  };
  const symbol = kind === 'compareSurvival' ? 'R' : 'g';
  const data: TableData = {
    caption: `${what} (batch row ${batchRow})`,
    columns: ['step', ...shown.map((v) => `${v.name} ${symbol}`)],
    rowCount: time,
    row: (t) => [String(t), ...curves.map((c) => (t < c.length ? c[t] : null))],
  };
  return {
    kind,
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart comparing ${plural(shown.length, 'variant')} (${shown.map((v) => v.name).join(', ')}) over ${plural(time, 'step')}: ${what.toLowerCase()}.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      return { title: `step ${t}`, lines: shown.map((v, k) => `${v.name}: ${symbol} = ${formatNumber(curves[k][t], 4)}`) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** Mean survival curve of each variant, overlaid. */
export function compareSurvivalView(ctx: ViewContext): ViewDefinition {
  return perStepView(ctx, 'compareSurvival');
}

/** Mean keep gate per step of each variant, overlaid. */
export function compareGatesView(ctx: ViewContext): ViewDefinition {
  return perStepView(ctx, 'compareGates');
}

/** Half-life distributions of the variants over shared bins, as the share of each variant's units (or heads) per bin. */
export function compareHalfLifeView(ctx: ViewContext): ViewDefinition {
  const { theme } = ctx;
  const { shown, left } = variantsWithKeepGate(ctx);
  const lists = shown.map((v) => v.trace.metrics.halfLife ?? []);
  const edges = halfLifeHistogram(lists.flat()).bins;
  const counts = lists.map((list) => {
    const c = edges.map(() => 0);
    for (const v of list) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) continue;
      let k = edges.findIndex((b) => v < b.hi);
      if (k < 0) k = edges.length - 1;
      c[k]++;
    }
    return c;
  });
  const medians = lists.map((list) => median(list.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0)));
  const shares = counts.map((c, k) => c.map((n) => (lists[k].length ? n / lists[k].length : 0)));
  const options = baseOptions<'bar'>(theme);
  options.parsing = undefined;
  options.normalized = undefined;
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Half-life t½ distribution per variant'),
    subtitle: subtitleOptions(theme, ['share of each variant\'s units (or heads) per bin · legend: median t½', ...leftNote(left)]),
  };
  options.scales = {
    x: { ...linearAxis(theme, 'half-life (steps)', { grid: { display: false } }), type: 'category' },
    y: linearAxis(theme, 'share of units or heads', { beginAtZero: true, max: 1 }),
  };
  const labels = edges.map(binLabel);
  const config: ChartConfiguration<'bar', number[], string> = {
    type: 'bar',
    data: {
      labels,
      datasets: shown.map((v, k) => ({ label: `${v.name} (${formatNumber(medians[k])})`, data: shares[k], backgroundColor: withAlpha(v.color, 0.75), borderColor: v.color, borderWidth: 1, categoryPercentage: 0.9 })),
    },
    options,
  };
  const data: TableData = {
    caption: 'Half-life distribution per variant (units or heads per bin)',
    columns: ['from (steps)', 'to (steps)', ...shown.map((v) => v.name)],
    rowCount: edges.length,
    row: (k) => [edges[k].lo, edges[k].hi, ...counts.map((c) => c[k])],
  };
  return {
    kind: 'compareHalfLife',
    config,
    label: `Grouped bar chart of the half-life distributions of ${plural(shown.length, 'variant')} (${shown.map((v) => v.name).join(', ')}) over ${plural(edges.length, 'shared bin')}.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const k = Math.round(x);
      if (!edges[k]) return null;
      return { title: `t½ ${labels[k]} steps`, lines: shown.map((v, j) => `${v.name}: ${counts[j][k]} of ${lists[j].length} (${formatNumber(100 * shares[j][k], 3)}%)`) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
