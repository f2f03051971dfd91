/**
 * Training views: the learning curves of a trained trace (or of every variant of an
 * experiment), drawn the same way live from progress messages and at the end from the saved
 * output; and the LSTM's cell-state magnitude over the test split (Gers et al. 2000, fig. 5:
 * without a forget gate the cell state grows over a continual stream).
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { isComparison, type Comparison, type Trace, type TrainingRecord } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { median } from './stats';
import { boundedTable, tableCsv, type TableData } from './table';
import type { ChartTheme } from './theme';
import { seriesPalette } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];

/** A named training record (a variant's, or the one trace's with an empty name). */
export interface NamedRecord {
  name: string;
  record: TrainingRecord;
  /** Median half-life of the trained model's keep gate, in steps, when known. */
  halfLife?: number | null;
}

/** The records of an output: one per trained trace or variant. */
export function trainingRecords(output: Trace | Comparison): NamedRecord[] {
  const traces = isComparison(output) ? output.variants.map((v) => ({ name: v.name, trace: v.trace })) : [{ name: '', trace: output }];
  return traces
    .filter((v) => v.trace.training !== undefined)
    .map((v) => {
      const lives = (v.trace.metrics.halfLife ?? []).filter((h): h is number => h !== null && Number.isFinite(h));
      return { name: v.name, record: v.trace.training!, halfLife: lives.length ? median(lives) : null };
    });
}

/** Whether an output has something for the training curves (steps trained, or test figures). */
export function hasTrainingCurves(output: Trace | Comparison): boolean {
  return trainingRecords(output).some((r) => r.record.loss.length > 0);
}

/** Whether an output has LSTM cell magnitudes to chart. */
export function hasCellMagnitude(output: Trace | Comparison): boolean {
  return trainingRecords(output).some((r) => r.record.cellMagnitude !== undefined);
}

/** `reber · lag 9.4 steps · half-life 3.1` and the test figures of each record. */
function notes(records: NamedRecord[]): string[] {
  const lines: string[] = [];
  const task = records[0]?.record.task;
  if (task) lines.push(`task ${task.name}: lag ${formatNumber(task.lag, 3)} steps (what the task needs)`);
  for (const r of records) {
    const m = r.record.metrics ?? {};
    const parts: string[] = [];
    if (r.halfLife !== undefined) parts.push(`median half-life ${r.halfLife === null ? '—' : formatNumber(r.halfLife, 3)}`);
    if (m.testAccuracy !== undefined) parts.push(`test accuracy ${formatNumber(m.testAccuracy, 3)}`);
    if (m.outerAccuracy !== undefined) parts.push(`outer T/P ${formatNumber(m.outerAccuracy, 3)}`);
    if (m.legalAccuracy !== undefined) parts.push(`legal next symbol ${formatNumber(m.legalAccuracy, 3)}`);
    if (r.record.stopped) parts.push('interrupted');
    if (parts.length) lines.push(`${r.name ? `${r.name}: ` : ''}${parts.join(' · ')}`);
  }
  return lines;
}

/**
 * Learning curves of `records` on shared axes: training loss per optimizer step (thin),
 * test loss after each epoch (points), and test accuracy on the right axis. `progress` is a
 * line shown under the title while training runs.
 */
export function trainingCurvesDefinition(records: NamedRecord[], theme: ChartTheme, progress?: string): ViewDefinition {
  const palette = seriesPalette(theme);
  const datasets: ChartDataset<'line', Points>[] = [];
  const steps = Math.max(1, ...records.map((r) => r.record.loss.length));
  records.forEach((r, k) => {
    const color = palette[k % palette.length];
    const prefix = r.name ? `${r.name}: ` : '';
    const perEpoch = r.record.stepsPerEpoch;
    datasets.push({
      label: `${prefix}training loss`,
      data: r.record.loss.map((y, x) => ({ x: x + 1, y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1,
      pointRadius: 0,
      yAxisID: 'y',
      [GROUP_KEY]: r.name,
    } as ChartDataset<'line', Points>);
    datasets.push({
      label: `${prefix}test loss`,
      data: r.record.testLoss.map((y, e) => ({ x: (e + 1) * perEpoch, y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: [6, 3],
      pointRadius: 3,
      yAxisID: 'y',
      [GROUP_KEY]: r.name,
    } as ChartDataset<'line', Points>);
    datasets.push({
      label: `${prefix}test accuracy`,
      data: r.record.testAccuracy.map((y, e) => ({ x: (e + 1) * perEpoch, y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1,
      borderDash: [2, 2],
      pointStyle: 'rectRot',
      pointRadius: 4,
      yAxisID: 'accuracy',
      [GROUP_KEY]: r.name,
    } as ChartDataset<'line', Points>);
  });
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Training: loss per step, test loss and accuracy per epoch'),
    subtitle: subtitleOptions(theme, [...(progress ? [progress] : []), ...notes(records)]),
  };
  options.scales = {
    x: linearAxis(theme, 'optimizer step', { min: 0, max: steps, ticks: { precision: 0 } }),
    y: linearAxis(theme, 'loss', { min: 0 }),
    accuracy: linearAxis(theme, 'test accuracy', { position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false } }),
  };
  const data: TableData = {
    caption: 'Training loss per optimizer step; test loss and accuracy at the end of each epoch',
    columns: ['step', ...records.flatMap((r) => [`${r.name ? `${r.name} ` : ''}loss`, `${r.name ? `${r.name} ` : ''}test loss`, `${r.name ? `${r.name} ` : ''}test accuracy`])],
    rowCount: steps,
    row: (i) => [
      String(i + 1),
      ...records.flatMap((r) => {
        const per = r.record.stepsPerEpoch;
        const epoch = per > 0 && (i + 1) % per === 0 ? (i + 1) / per - 1 : -1;
        return [r.record.loss[i] ?? null, epoch >= 0 ? r.record.testLoss[epoch] ?? null : null, epoch >= 0 ? r.record.testAccuracy[epoch] ?? null : null];
      }),
    ],
  };
  return {
    kind: 'training',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of training: loss over ${plural(steps, 'optimizer step')}${records.length > 1 ? ` for ${records.map((r) => r.name).join(' and ')}` : ''}, test loss and accuracy per epoch.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const i = Math.round(x) - 1;
      if (!(i >= 0 && i < steps)) return null;
      return { title: `step ${i + 1}`, lines: records.map((r) => `${r.name ? `${r.name}: ` : ''}loss ${formatNumber(r.record.loss[i], 4)} · accuracy ${formatNumber(r.record.accuracy[i], 3)}`) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** The training curves of a trained trace or experiment. */
export function trainingView(ctx: ViewContext): ViewDefinition {
  return trainingCurvesDefinition(trainingRecords(ctx.output), ctx.theme);
}

/** Mean |c_t| over units on the test split, one curve per trained LSTM (variant). */
export function cellMagnitudeView(ctx: ViewContext): ViewDefinition {
  const { theme } = ctx;
  const palette = seriesPalette(theme);
  const records = trainingRecords(ctx.output).filter((r) => r.record.cellMagnitude !== undefined);
  const time = Math.max(1, ...records.map((r) => r.record.cellMagnitude!.length));
  const labels = isComparison(ctx.output) ? ctx.output.variants[0].trace.labels : ctx.output.labels;
  const datasets: ChartDataset<'line', Points>[] = records.map((r, k) => ({
    label: r.name || 'mean |c|',
    data: r.record.cellMagnitude!.map((y, x) => ({ x, y })),
    borderColor: palette[k % palette.length],
    backgroundColor: palette[k % palette.length],
    borderWidth: 2,
    pointRadius: 0,
    [GROUP_KEY]: r.name,
  } as ChartDataset<'line', Points>));
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, 'Cell-state magnitude over the test stream: mean |c_t| over units'),
    subtitle: subtitleOptions(theme, ['without a forget gate c_t = c_{t−1} + i⊙g only accumulates; a forget gate can reset it (Gers et al. 2000)']),
  };
  options.scales = {
    x: linearAxis(theme, 'step', { min: 0, max: Math.max(1, time - 1), ticks: { precision: 0 } }),
    y: linearAxis(theme, 'mean |c|', { min: 0 }),
  };
  const data: TableData = {
    caption: 'Mean |c_t| over units on the test split',
    columns: ['step', 'symbol', ...records.map((r) => r.name || 'mean |c|')],
    rowCount: time,
    row: (t) => [String(t), labels?.[t] ?? '', ...records.map((r) => r.record.cellMagnitude![t] ?? null)],
  };
  return {
    kind: 'cellMagnitude',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of the mean absolute cell state over ${plural(time, 'step')}${records.length > 1 ? ` for ${records.map((r) => r.name).join(' and ')}` : ''}.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      return { title: `step ${t}${labels?.[t] ? ` (${labels[t]})` : ''}`, lines: records.map((r) => `${r.name || 'mean |c|'}: ${formatNumber(r.record.cellMagnitude![t], 4)}`) };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
