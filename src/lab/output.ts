/**
 * Cell outputs of a trace or comparison: the `application/vnd.fglab.trace+json` item the
 * renderer draws, and a `text/markdown` summary that reads where the renderer is absent
 * (GitHub, Jupyter). Built where the trace is (worker or CLI), so the extension host only
 * wraps bytes.
 */
import { MARKDOWN_MIME, TRACE_MIME } from '../shared/ids';
import type { OutputItemBytes } from '../shared/protocol';
import { encodeOutputBytes, isComparison, KEEP_GATE, type Comparison, type ContinualCurve, type OutputPrecision, type Trace } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';
import { median } from './metrics';

/** Headline figures of a trace. */
export interface TraceSummary {
  /** Mean keep gate (LSTM forget gate, GRU update gate, forgetting-attention forget gate), or NaN. */
  meanKeep: number;
  medianHalfLife: number | null;
  /** Share of all keep-gate values below 0.1 / above 0.9. */
  saturationLow: number;
  saturationHigh: number;
  /** Mean attention-row entropy in nats, or NaN. */
  meanEntropy: number;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

export function summarize(trace: Trace): TraceSummary {
  const keep = KEEP_GATE[trace.model];
  return {
    meanKeep: keep && trace.series[keep] ? mean(trace.series[keep].data) : NaN,
    medianHalfLife: median(trace.metrics.halfLife ?? []),
    saturationLow: mean(trace.metrics.saturation?.low ?? []),
    saturationHigh: mean(trace.metrics.saturation?.high ?? []),
    meanEntropy: trace.metrics.entropy ? mean(trace.metrics.entropy.flat(2)) : NaN,
  };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

const TITLES: Record<Trace['model'], string> = {
  lstm: 'LSTM',
  gru: 'GRU',
  attention: 'Attention',
  'forgetting-attention': 'Forgetting attention',
};

const KEEP_NAMES: Record<Trace['model'], string> = { lstm: 'forget gate f', gru: 'update gate z', attention: '', 'forgetting-attention': 'forget gate f' };

function shapeLine(trace: Trace): string {
  const { batch, time, units, features, heads, keyDim } = trace.dims;
  const body = heads !== undefined ? `${heads} heads × keyDim ${keyDim}` : `${units} units`;
  return `batch ${batch} × ${time} steps × ${body}, ${features} input features`;
}

function measureRows(trace: Trace): string[] {
  const s = summarize(trace);
  const rows: string[] = [];
  const keep = KEEP_NAMES[trace.model];
  const per = trace.dims.heads !== undefined ? 'heads' : 'units';
  if (!Number.isNaN(s.meanKeep)) rows.push(`| mean ${keep} | ${s.meanKeep.toFixed(3)} |`);
  if (trace.metrics.halfLife) {
    const never = trace.metrics.halfLife.filter((h) => h === null).length;
    const halfLife = s.medianHalfLife === null ? 'none finite' : `${s.medianHalfLife.toPrecision(3)} steps`;
    rows.push(`| median half-life ln 0.5 / ln ḡ | ${halfLife}${never ? ` (${never} ${per} with a mean gate of 0 or 1)` : ''} |`);
  }
  if (trace.metrics.saturation) {
    rows.push(`| ${keep} < 0.1 (forgetting) | ${percent(s.saturationLow)} of steps |`);
    rows.push(`| ${keep} > 0.9 (remembering) | ${percent(s.saturationHigh)} of steps |`);
  }
  if (!Number.isNaN(s.meanEntropy)) rows.push(`| mean attention entropy | ${s.meanEntropy.toFixed(3)} nats (uniform over all keys: ${Math.log(trace.dims.time).toFixed(3)}) |`);
  const influence = trace.metrics.influence;
  if (influence) {
    const row = influence[0];
    const last = row[row.length - 1] || 1;
    const lagHalf = row.length - 1 - row.findIndex((v) => v >= last / 2);
    rows.push(`| influence of the first step / last step | ${(row[0] / last).toExponential(2)} |`);
    rows.push(`| longest lag with influence ≥ ½ of the last step's | ${lagHalf} steps |`);
  }
  for (const [name, s2] of Object.entries(trace.series)) rows.push(`| series \`${name}\` | [${s2.shape.join(', ')}] |`);
  return rows;
}

/** Markdown lines on how traces were trained: the task and its lag, then each model's test figures. */
function trainingLines(traces: { name: string; trace: Trace }[]): string[] {
  const first = traces[0].trace.training!;
  const lines = [`**Task** \`${first.task.name}\`, lag ${first.task.lag.toPrecision(3)} steps`, '', '| model | epochs | test loss | test accuracy | outer T/P | legal next symbol |', '|---|---|---|---|---|---|'];
  const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(3));
  for (const { name, trace } of traces) {
    const t = trace.training!;
    const m = t.metrics ?? {};
    lines.push(`| ${name.replace(/\|/g, '\\|') || trace.model} | ${t.testLoss.length}${t.stopped ? ' (interrupted)' : ''} | ${f(m.testLoss)} | ${f(m.testAccuracy)} | ${f(m.outerAccuracy)} | ${f(m.legalAccuracy)} |`);
  }
  return lines;
}

/** Markdown lines of `experiment: continual`: A's accuracy after A and after B, and B's, per mitigation. */
function continualLines(curves: ContinualCurve[]): string[] {
  const lines = [`**Forgetting** of \`${curves[0].taskA}\` (A) while learning \`${curves[0].taskB}\` (B)`, '', '| mitigation | A after A | A after B (retained) | B after B |', '|---|---|---|---|'];
  for (const c of curves) lines.push(`| ${c.mitigation} | ${c.accuracyA[0].toFixed(3)} | ${c.accuracyA.at(-1)!.toFixed(3)} | ${c.accuracyB.at(-1)!.toFixed(3)} |`);
  return lines;
}

/** A short Markdown summary: shapes, mean keep gate, median half-life, saturation, entropy, influence. */
export function markdownSummary(output: Trace | Comparison): string {
  if (isComparison(output)) {
    const lines = [`**Comparison** of ${output.variants.length} variants`, '', '| variant | model | mean keep gate | median half-life | saturated < 0.1 / > 0.9 |', '|---|---|---|---|---|'];
    for (const { name, trace } of output.variants) {
      const s = summarize(trace);
      const hl = s.medianHalfLife === null ? '—' : `${s.medianHalfLife.toPrecision(3)} steps`;
      const keep = Number.isNaN(s.meanKeep) ? '—' : s.meanKeep.toFixed(3);
      const sat = trace.metrics.saturation ? `${percent(s.saturationLow)} / ${percent(s.saturationHigh)}` : '—';
      lines.push(`| ${name.replace(/\|/g, '\\|')} | ${trace.model} | ${keep} | ${hl} | ${sat} |`);
    }
    const trained = output.variants.filter((v) => v.trace.training);
    if (trained.length) lines.push('', ...trainingLines(trained.map((v) => ({ name: v.name, trace: v.trace }))));
    const continual = output.variants.map((v) => v.trace.training?.continual).filter((c) => c !== undefined);
    if (continual.length) lines.push('', ...continualLines(continual));
    return [...lines, '', '_Charts: open this notebook in VS Code with Forget Gate Lab._', ''].join('\n');
  }
  return [
    `**${TITLES[output.model]} trace**: ${shapeLine(output)}`,
    '',
    '| measure | value |',
    '|---|---|',
    ...measureRows(output),
    ...(output.training ? ['', ...trainingLines([{ name: '', trace: output }])] : []),
    '',
    '_Charts: open this notebook in VS Code with Forget Gate Lab._',
    '',
  ].join('\n');
}

/** Precision of series in notebook outputs unless a setting says otherwise: gates to about 8e-6. */
export const DEFAULT_OUTPUT_PRECISION: OutputPrecision = '16-bit';

/**
 * The output items of a trace or comparison, in the order VS Code prefers them (richest
 * first). Series are stored at `precision` (default 16-bit: a 2048-step × 128-unit LSTM takes
 * about 3.5 MB); exports from the CLI are always exact.
 */
export function traceOutputItems(output: Trace | Comparison, precision: OutputPrecision = DEFAULT_OUTPUT_PRECISION): OutputItemBytes[] {
  return [
    { mime: TRACE_MIME, data: encodeOutputBytes(output, { precision }) },
    { mime: MARKDOWN_MIME, data: utf8Encode(markdownSummary(output)) },
  ];
}
