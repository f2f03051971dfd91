/**
 * The initialisation view (`experiment: initialisation`): per unit, the half-life predicted
 * from the forget-gate bias alone (f = σ(b_f), ln 0.5 / ln f) against the one measured from the
 * mean forget gate on the test split, before and after training, one colour per variant, with
 * the diagonal where prediction and measurement agree.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { HALF_LIFE_KEYS, isComparison, type Comparison, type HalfLives, type Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, logAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { median } from './stats';
import { boundedTable, tableCsv, type TableData } from './table';
import { seriesPalette } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

/** A variant's half-lives (an empty name for a single trace). */
export interface NamedHalfLives {
  name: string;
  halfLives: HalfLives;
}

/** The half-life records of an output, one per trace or variant that has one. */
export function halfLifeRecords(output: Trace | Comparison): NamedHalfLives[] {
  const traces = isComparison(output) ? output.variants : [{ name: '', trace: output }];
  return traces.filter((v) => v.trace.training?.halfLives !== undefined).map((v) => ({ name: v.name, halfLives: v.trace.training!.halfLives! }));
}

/** Median of the finite positive half-lives of a list, or null. */
export function medianHalfLife(list: readonly (number | null)[]): number | null {
  const finite = list.filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
  return finite.length ? median(finite) : null;
}

/** (predicted, measured) points of the units where both are finite and positive (a log axis needs them so). */
function pairs(predicted: readonly (number | null)[], measured: readonly (number | null)[]): Points {
  const out: Points = [];
  predicted.forEach((p, u) => {
    const m = measured[u];
    if (p !== null && m !== null && p > 0 && m > 0 && Number.isFinite(p) && Number.isFinite(m)) out.push({ x: p, y: m });
  });
  return out;
}

/** `no forget bias: median t½ predicted 1 → measured 1.2 before, 1.4 → 2.1 after`. */
function medianLine(r: NamedHalfLives): string {
  const [pb, mb, pa, ma] = HALF_LIFE_KEYS.map((k) => formatNumber(medianHalfLife(r.halfLives[k]), 3));
  return `${r.name ? `${r.name}: ` : ''}median t½ predicted ${pb} → measured ${mb} before training, ${pa} → ${ma} after`;
}

/** Predicted (x) against measured (y) half-life per unit: hollow circles before training, filled triangles after. */
export function halfLifeCheckView(ctx: ViewContext): ViewDefinition {
  const { theme } = ctx;
  const palette = seriesPalette(theme);
  const records = halfLifeRecords(ctx.output);
  const datasets: ChartDataset<'line', Points>[] = [];
  const all: number[] = [];
  records.forEach((r, i) => {
    const color = palette[i % palette.length];
    const before = pairs(r.halfLives.predictedBefore, r.halfLives.measuredBefore);
    const after = pairs(r.halfLives.predictedAfter, r.halfLives.measuredAfter);
    for (const p of [...before, ...after]) all.push(p.x, p.y);
    const common = { borderColor: color, showLine: false, pointRadius: 4, pointHoverRadius: 4, [GROUP_KEY]: r.name };
    datasets.push({ ...common, label: `${r.name ? `${r.name}: ` : ''}before training`, data: before, backgroundColor: 'transparent', pointStyle: 'circle', borderWidth: 1.5 } as ChartDataset<'line', Points>);
    datasets.push({ ...common, label: `${r.name ? `${r.name}: ` : ''}after training`, data: after, backgroundColor: color, pointStyle: 'triangle', borderWidth: 1 } as ChartDataset<'line', Points>);
  });
  const lo = all.length ? Math.min(...all) : 1;
  const hi = all.length ? Math.max(...all) : 10;
  datasets.push({ label: 'predicted = measured', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: theme.muted, backgroundColor: theme.muted, borderDash: [4, 4], borderWidth: 1, pointRadius: 0 } as ChartDataset<'line', Points>);
  const options = baseOptions(theme);
  options.interaction = { mode: 'nearest', intersect: false };
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Half-life per unit: predicted from the forget-gate bias (ln 0.5 / ln σ(b_f)) vs measured on the test split'),
    subtitle: subtitleOptions(theme, records.map(medianLine)),
  };
  options.scales = {
    x: logAxis(theme, 'predicted half-life (steps)'),
    y: logAxis(theme, 'measured half-life (steps)'),
  };
  const units = Math.max(0, ...records.map((r) => r.halfLives.predictedBefore.length));
  const data: TableData = {
    caption: 'Half-life per unit in steps: predicted from the forget-gate bias and measured on the test split, before and after training',
    columns: ['variant', 'unit', 'predicted before', 'measured before', 'predicted after', 'measured after'],
    rowCount: records.length * units,
    row: (i) => {
      const r = records[Math.floor(i / units)];
      const u = i % units;
      return [r.name, String(u), ...HALF_LIFE_KEYS.map((k) => r.halfLives[k][u] ?? null)];
    },
  };
  return {
    kind: 'halfLifeCheck',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Scatter chart of predicted against measured half-life for ${plural(units, 'unit')} of ${plural(records.length, 'variant')}, before and after training; ${records.map(medianLine).join('; ')}.`,
    link: 'none',
    zoom: false,
    hover(x, y) {
      if (!(x > 0 && y > 0)) return null;
      return { title: `predicted ${formatNumber(x, 3)} steps, measured ${formatNumber(y, 3)} steps`, lines: records.map(medianLine) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
