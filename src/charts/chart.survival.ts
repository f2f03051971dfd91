/**
 * Memory survival `R_t = ∏_{k≤t} f_k` over steps: the mean over units and the slowest,
 * median and fastest unit, with the ½ line where a unit's half-life is read off.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Trace } from '../shared/trace';
import { baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber } from './format';
import { survivalCurves, type SurvivalCurves, type UnitSurvival } from './survival';
import type { ChartTheme } from './theme';

type Points = { x: number; y: number }[];

/** Legend text of a unit's curve, e.g. `slowest: unit 17 (t½ 12.3)` or `slowest: unit 3 (no finite t½)`. */
export function unitCurveLabel(u: UnitSurvival): string {
  const halfLife = u.halfLife === null ? 'no finite t½' : `t½ ${formatNumber(u.halfLife)}`;
  return `${u.role}: unit ${u.unit} (${halfLife})`;
}

/** Datasets of the survival chart: the ½ reference, the units, then the mean on top. */
export function survivalDatasets(curves: SurvivalCurves, theme: ChartTheme, time: number): ChartDataset<'line', Points>[] {
  const colors = { slowest: theme.green, median: theme.orange, fastest: theme.purple };
  const line = { pointRadius: 0, pointHoverRadius: 3, tension: 0 };
  const half: ChartDataset<'line', Points> = {
    ...line,
    label: 'R = ½',
    data: [{ x: 0, y: 0.5 }, { x: Math.max(1, time - 1), y: 0.5 }],
    borderColor: theme.muted,
    borderWidth: 1,
    borderDash: [4, 4],
    pointHoverRadius: 0,
  };
  const units = curves.units.map((u): ChartDataset<'line', Points> => ({
    ...line,
    label: unitCurveLabel(u),
    data: u.values.map((y, x) => ({ x, y })),
    borderColor: colors[u.role],
    backgroundColor: colors[u.role],
    borderWidth: 1.5,
  }));
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

/** The survival chart of batch row `batchRow` (default 0), `R` on [0, 1]. */
export function survivalChart(trace: Trace, theme: ChartTheme, batchRow = 0): ChartConfiguration<'line', Points> {
  const curves = survivalCurves(trace, batchRow);
  const options = baseOptions(theme);
  const last = curves.mean.length - 1;
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Memory survival R_t = ∏ f_k'),
    subtitle: subtitleOptions(theme, ['share of c₀ left in c_t when nothing is written', `mean over units at the last step ${formatNumber(curves.mean[last])}${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
    tooltip: {
      ...options.plugins?.tooltip,
      filter: (item) => item.datasetIndex !== 0,
      callbacks: {
        title: (items) => (items.length ? `step ${items[0].parsed.x}` : ''),
        label: (item) => `${item.dataset.label}: R = ${formatNumber(item.parsed.y, 4)}`,
      },
    },
  };
  options.scales = {
    x: linearAxis(theme, 'step', { min: 0, max: Math.max(1, trace.dims.time - 1), ticks: { precision: 0 } }),
    y: linearAxis(theme, 'R (share kept)', { min: 0, max: 1 }),
  };
  return { type: 'line', data: { datasets: survivalDatasets(curves, theme, trace.dims.time) }, options: options as ChartConfiguration<'line', Points>['options'] };
}
