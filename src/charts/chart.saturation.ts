/**
 * The saturation scatter of Karpathy, Johnson & Fei-Fei (2015, "Visualizing and understanding
 * recurrent networks", fig. 3): per unit, the share of steps its keep gate is left-saturated
 * (< 0.1, it resets) against right-saturated (> 0.9, it remembers). Integrators sit up the y
 * axis, resetters along x; points lie under the diagonal x + y = 1.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Trace } from '../shared/trace';
import { baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { keepGateOf } from './series';
import { boundedTable, tableCsv, type TableData } from './table';
import { withAlpha } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

export function saturationView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const gate = keepGateOf(trace);
  const channel = gate?.channel ?? 'unit';
  const g = gate?.info.symbol ?? 'f';
  const { low, high } = trace.metrics.saturation ?? { low: [], high: [] };
  const n = low.length;
  const pinned = new Set(ctx.options.pinned);
  const halfLife = trace.metrics.halfLife;
  const colors = low.map((_, u) => (pinned.has(u) ? theme.red : withAlpha(theme.blue, 0.65)));
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    legend: { display: false },
    title: titleOptions(theme, `Saturation of ${g} per ${channel} (Karpathy et al. 2015)`),
    subtitle: subtitleOptions(theme, [`share of steps with ${g} < 0.1 (resets) against ${g} > 0.9 (remembers)`]),
  };
  options.scales = {
    x: linearAxis(theme, `fraction ${g} < 0.1 (left-saturated)`, { min: 0, max: 1 }),
    y: linearAxis(theme, `fraction ${g} > 0.9 (right-saturated)`, { min: 0, max: 1 }),
  };
  const config: ChartConfiguration<'line', Points> = {
    type: 'line',
    data: {
      datasets: [
        { label: 'x + y = 1', data: [{ x: 0, y: 1 }, { x: 1, y: 0 }], borderColor: theme.muted, borderWidth: 1, borderDash: [4, 4], pointRadius: 0 },
        {
          label: channel,
          data: low.map((x, u) => ({ x, y: high[u] })),
          showLine: false,
          pointRadius: low.map((_, u) => (pinned.has(u) ? 6 : n > 256 ? 2 : 3.5)),
          pointBackgroundColor: colors,
          pointBorderColor: colors,
          backgroundColor: colors,
          borderColor: colors,
        },
      ],
    },
    options: { ...(options as ChartConfiguration<'line', Points>['options']), plugins: { ...options.plugins, decimation: { enabled: false } } },
  };
  const nearest = (x: number, y: number): number | null => {
    let best = -1;
    let distance = Infinity;
    for (let u = 0; u < n; u++) {
      const d = (low[u] - x) ** 2 + (high[u] - y) ** 2;
      if (d < distance) [best, distance] = [u, d];
    }
    return best >= 0 && Math.sqrt(distance) < 0.04 ? best : null;
  };
  const data: TableData = { caption: `Saturation of ${g} per ${channel}`, columns: [channel, `${g} < 0.1`, `${g} > 0.9`, 'half-life (steps)'], rowCount: n, row: (u) => [String(u), low[u], high[u], halfLife?.[u] ?? null] };
  const integrators = high.filter((v) => v > 0.5).length;
  const resetters = low.filter((v) => v > 0.5).length;
  return {
    kind: 'saturation',
    config,
    label: `Scatter plot of ${plural(n, channel)}: share of steps with ${g} < 0.1 against ${g} > 0.9; ${plural(integrators, channel)} right-saturated more than half the time, ${plural(resetters, channel)} left-saturated more than half the time.`,
    link: 'none',
    zoom: false,
    hover(x, y) {
      const u = nearest(x, y);
      if (u === null) return null;
      return { title: `${channel} ${u}`, lines: [`${g} < 0.1: ${formatNumber(low[u] * 100, 3)}% of steps`, `${g} > 0.9: ${formatNumber(high[u] * 100, 3)}% of steps`, `t½ = ${formatNumber(halfLife?.[u] ?? null, 4)} steps`] };
    },
    channelAt: nearest,
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
