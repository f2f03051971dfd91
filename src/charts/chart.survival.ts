/**
 * Memory survival `R_t = ∏_{k≤t} g_k` over steps for the keep gate g: the mean over channels
 * and the slowest, median and fastest channel (and pinned ones), with the ½ line where a
 * half-life is read off.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, stepText, stepTicks, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { keepGateOf } from './series';
import { survivalCurves, type SurvivalCurves, type UnitSurvival } from './survival';
import { boundedTable, tableCsv, type TableData } from './table';
import type { ChartTheme } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

/** Legend text of a channel's curve, e.g. `slowest: unit 17 (t½ 12.3)` or `slowest: head 3 (no finite t½)`. */
export function unitCurveLabel(u: UnitSurvival, channel = 'unit'): string {
  const halfLife = u.halfLife === null ? 'no finite t½' : `t½ ${formatNumber(u.halfLife)}`;
  return `${u.role}: ${channel} ${u.unit} (${halfLife})`;
}

/** Datasets of the survival chart: the ½ reference, the channels, then the mean on top. */
export function survivalDatasets(curves: SurvivalCurves, theme: ChartTheme, time: number, channel = 'unit'): ChartDataset<'line', Points>[] {
  const colors = { slowest: theme.green, median: theme.orange, fastest: theme.purple, pinned: theme.red };
  const line = { pointRadius: 0, pointHoverRadius: 0, tension: 0 };
  const half: ChartDataset<'line', Points> = {
    ...line,
    label: 'R = ½',
    data: [{ x: 0, y: 0.5 }, { x: Math.max(1, time - 1), y: 0.5 }],
    borderColor: theme.muted,
    borderWidth: 1,
    borderDash: [4, 4],
  };
  const units = curves.units.map((u): ChartDataset<'line', Points> => ({
    ...line,
    label: unitCurveLabel(u, channel),
    data: u.values.map((y, x) => ({ x, y })),
    borderColor: colors[u.role],
    backgroundColor: colors[u.role],
    borderWidth: u.role === 'pinned' ? 2 : 1.5,
    borderDash: u.role === 'pinned' ? [5, 3] : undefined,
    [GROUP_KEY]: `${u.role}-${u.unit}`,
  } as ChartDataset<'line', Points>));
  const mean: ChartDataset<'line', Points> = {
    ...line,
    label: 'mean',
    data: curves.mean.map((y, x) => ({ x, y })),
    borderColor: theme.blue,
    backgroundColor: theme.blue,
    borderWidth: 2.5,
  };
  return [half, ...units, mean];
}

/** The survival chart of batch row `batchRow` (default 0), `R` on [0, 1], with `pinned` channels. */
export function survivalChart(trace: Trace, theme: ChartTheme, batchRow = 0, pinned: readonly number[] = []): ChartConfiguration<'line', Points> {
  return survivalParts(trace, theme, batchRow, pinned).config;
}

function survivalParts(trace: Trace, theme: ChartTheme, batchRow: number, pinned: readonly number[]) {
  const gate = keepGateOf(trace)!;
  const curves = survivalCurves(trace, batchRow, pinned);
  const options = baseOptions(theme);
  const last = curves.mean.length - 1;
  const time = trace.dims.time;
  const g = gate.info.symbol;
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, `Memory survival R_t = ∏ ${g}_k`),
    subtitle: subtitleOptions(theme, [`share of the initial state left at step t when nothing is written`, `mean over ${gate.channel}s at the last step ${formatNumber(curves.mean[last])}${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
  };
  options.scales = {
    x: linearAxis(theme, trace.labels ? 'step (token)' : 'step', { min: 0, max: Math.max(1, time - 1), ticks: stepTicks(trace.labels, time) }),
    y: linearAxis(theme, 'R (share kept)', { min: 0, max: 1 }),
  };
  const config: ChartConfiguration<'line', Points> = { type: 'line', data: { datasets: survivalDatasets(curves, theme, time, gate.channel) }, options: options as ChartConfiguration<'line', Points>['options'] };
  return { config, curves, gate };
}

/** The survival view (see `survivalChart`). */
export function survivalView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { batchRow, pinned } = ctx.options;
  const { config, curves, gate } = survivalParts(trace, ctx.theme, batchRow, pinned);
  const time = trace.dims.time;
  const data: TableData = {
    caption: `Memory survival R per step (batch row ${batchRow})`,
    columns: ['step', ...(trace.labels ? ['token'] : []), 'mean R', ...curves.units.map((u) => `${u.role} ${gate.channel} ${u.unit}`)],
    rowCount: time,
    row: (t) => [String(t), ...(trace.labels ? [trace.labels[t] ?? ''] : []), curves.mean[t], ...curves.units.map((u) => u.values[t])],
  };
  return {
    kind: 'survival',
    config,
    label: `Line chart of memory survival R over ${plural(time, 'step')}: the mean over ${plural(gate.channels, gate.channel)} and the slowest, median and fastest ${gate.channel}, batch row ${batchRow}.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      return {
        title: stepText(trace.labels, t),
        lines: [`mean: R = ${formatNumber(curves.mean[t], 4)}`, ...curves.units.map((u) => `${u.role} ${gate.channel} ${u.unit}: R = ${formatNumber(u.values[t], 4)}`)],
      };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
