/**
 * Gates over time. For recurrent models: every gate on one chart, each as its mean over units
 * with the interquartile band (toggled together from the legend), plus the keep gate of
 * pinned units. For forgetting attention: the forget gate of each head.
 */
import type { ChartConfiguration, ChartDataset, LegendItem } from 'chart.js';
import type { SeriesInfo, Trace } from '../shared/trace';
import { GROUP_KEY, baseOptions, linearAxis, stepText, stepTicks, subtitleOptions, titleOptions } from './chart.common';
import { formatNumber, plural } from './format';
import { gridSeries, keepGateOf, keepGateRow } from './series';
import { exactQuartiles, gateSummary, stepMatrix, type GateSummary } from './summary';
import { boundedTable, tableCsv, type TableData } from './table';
import { seriesPalette, withAlpha, type ChartTheme } from './theme';
import type { ViewContext, ViewDefinition } from './view';

type Points = { x: number; y: number }[];
type LineDataset = ChartDataset<'line', Points> & { [GROUP_KEY]?: string };

const points = (ys: ArrayLike<number>) => Array.from(ys, (y, x) => ({ x, y }));

/**
 * The gates of a recurrent trace in display order, the keep gate first: the `[batch, time,
 * unit]` series on [0, 1] whose label names a gate.
 */
export function gateSeries(trace: Trace): SeriesInfo[] {
  const keep = keepGateOf(trace);
  const gates = gridSeries(trace).filter((s) => s.range === 'unit' && s.axes[2] === 'unit' && /\bgate$/.test(s.label));
  return keep && keep.channel === 'unit' ? [keep.info, ...gates.filter((g) => g.name !== keep.info.name)] : gates;
}

/** Datasets of one gate's summary: the Q1 floor (no legend), the Q1–Q3 band filled down to it, the mean. */
export function gateDatasets(info: SeriesInfo, summary: GateSummary, color: string): LineDataset[] {
  const line = { pointRadius: 0, pointHoverRadius: 0, tension: 0, [GROUP_KEY]: info.name };
  return [
    { ...line, label: `${info.symbol} Q1`, data: points(summary.q1), borderColor: 'transparent', borderWidth: 0 },
    { ...line, label: `${info.symbol} Q1–Q3`, data: points(summary.q3), borderColor: 'transparent', borderWidth: 0, backgroundColor: withAlpha(color, 0.2), fill: '-1' },
    { ...line, label: `${info.symbol} ${info.label}`, data: points(summary.mean), borderColor: color, backgroundColor: color, borderWidth: 2 },
  ];
}

/** A legend showing only the entries named in `shown` that toggles every dataset of an entry's group together. */
function groupLegend(theme: ChartTheme, isShown: (item: LegendItem, datasets: LineDataset[]) => boolean): Record<string, unknown> {
  return {
    display: true,
    position: 'bottom',
    align: 'start',
    labels: {
      color: theme.foreground,
      font: { family: theme.fontFamily, size: Math.round(theme.fontSize * 0.88) },
      boxWidth: 14,
      boxHeight: 2,
      padding: 8,
      filter: (item: LegendItem, data: { datasets: LineDataset[] }) => isShown(item, data.datasets),
    },
    onClick: (_e: unknown, item: LegendItem, legend: { chart: { data: { datasets: LineDataset[] }; isDatasetVisible(i: number): boolean; setDatasetVisibility(i: number, v: boolean): void; update(mode?: string): void } }) => {
      const chart = legend.chart;
      const group = chart.data.datasets[item.datasetIndex!]?.[GROUP_KEY];
      const visible = !chart.isDatasetVisible(item.datasetIndex!);
      chart.data.datasets.forEach((d, i) => {
        if (d[GROUP_KEY] === group) chart.setDatasetVisibility(i, visible);
      });
      chart.update('none');
    },
  };
}

/** The gates of batch row `batchRow`, with `pinned` units' keep gate (see the file comment). */
export function gatesView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const { batchRow, pinned } = ctx.options;
  const gates = gateSeries(trace);
  const palette = seriesPalette(theme);
  // Bands are drawn from histogram quartiles on large traces; tooltips and tables are exact.
  const summaries = gates.map((g) => gateSummary(trace, g.name, batchRow, false));
  const matrices = gates.map((g) => stepMatrix(trace, g.name, batchRow));
  const exact = (k: number, t: number) => exactQuartiles(matrices[k].values, matrices[k].channels, t);
  const keep = keepGateOf(trace)!;
  const keepValues = keepGateRow(trace, batchRow);
  const n = keep.channels;
  const time = trace.dims.time;
  const datasets: LineDataset[] = gates.flatMap((g, k) => gateDatasets(g, summaries[k], palette[k % palette.length]));
  for (const u of pinned) {
    if (u < 0 || u >= n) continue;
    datasets.push({
      label: `unit ${u}: ${keep.info.symbol}`,
      data: Array.from({ length: time }, (_, t) => ({ x: t, y: keepValues[t * n + u] })),
      borderColor: theme.red,
      backgroundColor: theme.red,
      borderWidth: 1.5,
      borderDash: [4, 2],
      pointRadius: 0,
      tension: 0,
      [GROUP_KEY]: `pinned-${u}`,
    });
  }
  const options = baseOptions(theme);
  const overall = summaries[0] ? summaries[0].mean.reduce((a, b) => a + b, 0) / Math.max(1, time) : NaN;
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, gates.length > 1 ? 'Gates per step: mean over units' : `Mean ${keep.info.label} ${keep.info.symbol} per step`),
    subtitle: subtitleOptions(theme, [`band: quartiles Q1–Q3 over units · click a legend entry to hide a gate`, `mean ${keep.info.symbol} ${formatNumber(overall)}${trace.dims.batch > 1 ? ` · batch row ${batchRow}` : ''}`]),
    legend: groupLegend(theme, (item, ds) => !/ Q1(–Q3)?$/.test(ds[item.datasetIndex!]?.label ?? '')) as never,
  };
  options.scales = {
    x: linearAxis(theme, trace.labels ? 'step (token)' : 'step', { min: 0, max: Math.max(1, time - 1), ticks: stepTicks(trace.labels, time) }),
    y: linearAxis(theme, 'gate (mean over units)', { min: 0, max: 1 }),
  };
  const config: ChartConfiguration<'line', Points> = { type: 'line', data: { datasets }, options: options as ChartConfiguration<'line', Points>['options'] };
  const data: TableData = {
    caption: `Gates per step over units (batch row ${batchRow})`,
    columns: ['step', ...(trace.labels ? ['token'] : []), ...gates.flatMap((g) => [`mean ${g.symbol}`, `${g.symbol} Q1`, `${g.symbol} median`, `${g.symbol} Q3`])],
    rowCount: time,
    row: (t) => [String(t), ...(trace.labels ? [trace.labels[t] ?? ''] : []), ...summaries.flatMap((s, k) => {
      const q = exact(k, t);
      return [s.mean[t], q.q1, q.median, q.q3];
    })],
  };
  return {
    kind: 'gates',
    config,
    label: `Line chart of ${gates.map((g) => `the ${g.label} ${g.symbol}`).join(', ')} per step over ${plural(time, 'step')}: mean and quartiles over ${plural(n, 'unit')}, batch row ${batchRow}.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      const lines = gates.map((g, k) => {
        const q = exact(k, t);
        return `${g.symbol} mean ${formatNumber(summaries[k].mean[t], 4)} · Q1–Q3 ${formatNumber(q.q1, 3)}–${formatNumber(q.q3, 3)}`;
      });
      for (const u of pinned) if (u >= 0 && u < n) lines.push(`unit ${u}: ${keep.info.symbol} = ${formatNumber(keepValues[t * n + u], 4)}`);
      return { title: stepText(trace.labels, t), lines };
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}

/** The per-head forget gates of forgetting attention over steps, one line per head. */
export function headGatesView(ctx: ViewContext): ViewDefinition {
  const trace = ctx.output as Trace;
  const { theme } = ctx;
  const { batchRow, pinned } = ctx.options;
  const keep = keepGateOf(trace)!;
  const { values, channels: heads } = stepMatrix(trace, keep.info.name, batchRow);
  const time = trace.dims.time;
  const palette = seriesPalette(theme);
  const datasets: LineDataset[] = Array.from({ length: heads }, (_, h) => ({
    label: `head ${h}`,
    data: Array.from({ length: time }, (_, t) => ({ x: t, y: values[t * heads + h] })),
    borderColor: palette[h % palette.length],
    backgroundColor: palette[h % palette.length],
    borderWidth: pinned.includes(h) ? 3 : 1.5,
    pointRadius: time <= 64 ? 2 : 0,
    tension: 0,
    [GROUP_KEY]: `head-${h}`,
  }));
  const options = baseOptions(theme);
  const halfLife = trace.metrics.halfLife;
  options.plugins = {
    ...options.plugins,
    title: titleOptions(theme, `${keep.info.label[0].toUpperCase()}${keep.info.label.slice(1)} ${keep.info.symbol} per head`),
    subtitle: subtitleOptions(theme, [keep.info.description, ...(halfLife ? [`half-life per head: ${halfLife.map((v) => formatNumber(v)).join(', ')} steps`] : [])]),
  };
  options.scales = {
    x: linearAxis(theme, trace.labels ? 'step (token)' : 'step', { min: 0, max: Math.max(1, time - 1), ticks: stepTicks(trace.labels, time) }),
    y: linearAxis(theme, keep.info.symbol, { min: 0, max: 1 }),
  };
  const data: TableData = {
    caption: `${keep.info.label} per head and step (batch row ${batchRow})`,
    columns: ['step', ...(trace.labels ? ['token'] : []), ...Array.from({ length: heads }, (_, h) => `head ${h}`)],
    rowCount: time,
    row: (t) => [String(t), ...(trace.labels ? [trace.labels[t] ?? ''] : []), ...Array.from({ length: heads }, (_, h) => values[t * heads + h])],
  };
  return {
    kind: 'headGates',
    config: { type: 'line', data: { datasets }, options } as ChartConfiguration<'line', Points>,
    label: `Line chart of the ${keep.info.label} (${keep.info.symbol}) of each of ${plural(heads, 'head')} over ${plural(time, 'step')}, batch row ${batchRow}.`,
    link: 'step',
    zoom: true,
    hover(x) {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      return { title: stepText(trace.labels, t), lines: Array.from({ length: heads }, (_, h) => `head ${h}: ${keep.info.symbol} = ${formatNumber(values[t * heads + h], 4)}`) };
    },
    channelAt: (x, y) => {
      const t = Math.round(x);
      if (!(t >= 0 && t < time)) return null;
      let best = -1;
      let distance = Infinity;
      for (let h = 0; h < heads; h++) {
        const d = Math.abs(values[t * heads + h] - y);
        if (d < distance) [best, distance] = [h, d];
      }
      return distance < 0.05 ? best : null;
    },
    table: (maxRows) => boundedTable(data, maxRows),
    csv: () => tableCsv(data),
  };
}
