/**
 * Training views: the learning curves of a trained trace (or of every variant of an
 * experiment), drawn the same way live from progress messages and at the end from the saved
 * output; and the LSTM's cell-state magnitude over the test split (Gers et al. 2000, fig. 5:
 * without a forget gate the cell state grows over a continual stream).
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { isComparison, type Comparison, type ContinualCurve, type Trace, type TrainingRecord } from '../shared/trace';
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

/** The continual-learning runs of an output (`experiment: continual`), one per mitigation, with their figures. */
export function continualCurves(output: Trace | Comparison): { curve: ContinualCurve; metrics: Record<string, number> }[] {
  return trainingRecords(output)
    .filter((r) => r.record.continual !== undefined)
    .map((r) => ({ curve: r.record.continual!, metrics: r.record.metrics ?? {} }));
}

/** Whether an output has forgetting curves to chart. */
export function hasForgettingCurves(output: Trace | Comparison): boolean {
  return continualCurves(output).length > 0;
}

/** `none: A 1.00 → 0.27 · B 0.97 · forget gate 0.92 → 0.92 · half-life 8.4 → 7.6` for each mitigation. */
function continualNotes(runs: ReturnType<typeof continualCurves>): string[] {
  return runs.map(({ curve, metrics: m }) => {
    const parts = [`A ${formatNumber(curve.accuracyA[0], 3)} → ${formatNumber(curve.accuracyA.at(-1)!, 3)}`, `B ${formatNumber(curve.accuracyB.at(-1)!, 3)}`];
    if (m.forgetMeanAfterA !== undefined && m.forgetMean !== undefined) parts.push(`forget gate ${formatNumber(m.forgetMeanAfterA, 3)} → ${formatNumber(m.forgetMean, 3)}`);
    if (m.halfLifeAfterA !== undefined && m.halfLife !== undefined) parts.push(`half-life ${formatNumber(m.halfLifeAfterA, 3)} → ${formatNumber(m.halfLife, 3)}`);
    return `${curve.mitigation}: ${parts.join(' · ')}`;
  });
}

/**
 * The forgetting curve (`experiment: continual`): task A's test accuracy (solid) and task B's
 * (dashed) over B's optimizer steps, one colour per mitigation; step 0 is the A-trained model.
 */
export function forgettingView(ctx: ViewContext): ViewDefinition {
  const { theme } = ctx;
  const palette = seriesPalette(theme);
  const runs = continualCurves(ctx.output);
  const steps = Math.max(1, ...runs.map((r) => r.curve.step.at(-1) ?? 0));
  const datasets: ChartDataset<'line', Points>[] = [];
  runs.forEach(({ curve }, k) => {
    const color = palette[k % palette.length];
    for (const [task, values] of [['A', curve.accuracyA], ['B', curve.accuracyB]] as const) {
      datasets.push({
        label: `${curve.mitigation}: accuracy on ${task} (${task === 'A' ? curve.taskA : curve.taskB})`,
        data: values.map((y, i) => ({ x: curve.step[i], y })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: task === 'A' ? 2 : 1,
        borderDash: task === 'A' ? [] : [6, 3],
        pointRadius: task === 'A' ? 2 : 0,
        [GROUP_KEY]: curve.mitigation,
      } as ChartDataset<'line', Points>);
    }
  });
  const first = runs[0]?.curve;
  const options = baseOptions(theme);
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, `Forgetting: accuracy on task A (${first?.taskA ?? 'A'}, solid) while learning task B (${first?.taskB ?? 'B'}, dashed)`),
    subtitle: subtitleOptions(theme, continualNotes(runs)),
  };
  options.scales = {
    x: linearAxis(theme, 'optimizer step on B', { min: 0, max: steps, ticks: { precision: 0 } }),
    y: linearAxis(theme, 'test accuracy', { min: 0, max: 1 }),
  };
  const rows = Math.max(0, ...runs.map((r) => r.curve.step.length));
  const data: TableData = {
    caption: 'Test loss and accuracy of tasks A and B at each evaluation during B\'s training (step 0: after A)',
    columns: ['evaluation', ...runs.flatMap(({ curve: c }) => [`${c.mitigation} step`, `${c.mitigation} A loss`, `${c.mitigation} A accuracy`, `${c.mitigation} B loss`, `${c.mitigation} B accuracy`])],
    rowCount: rows,
    row: (i) => [String(i), ...runs.flatMap(({ curve: c }) => [c.step[i] ?? null, c.lossA[i] ?? null, c.accuracyA[i] ?? null, c.lossB[i] ?? null, c.accuracyB[i] ?? null])],
  };
  return {
    kind: 'forgetting',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of forgetting: accuracy on task A and task B over ${plural(steps, 'optimizer step')} of training on B, for ${runs.map((r) => r.curve.mitigation).join(', ')}.`,
    link: 'none',
    zoom: false,
    hover(x) {
      const lines = runs.map(({ curve: c }) => {
        let best = 0;
        for (let i = 1; i < c.step.length; i++) if (Math.abs(c.step[i] - x) < Math.abs(c.step[best] - x)) best = i;
        return `${c.mitigation} (step ${c.step[best]}): A ${formatNumber(c.accuracyA[best], 3)} · B ${formatNumber(c.accuracyB[best], 3)}`;
      });
      return lines.length ? { title: `step ${Math.round(x)} on B`, lines } : null;
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
