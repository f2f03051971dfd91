/**
 * Cell outputs of a trace: the `application/vnd.fglab.trace+json` item the renderer draws,
 * and a `text/markdown` summary that reads where the renderer is absent (GitHub, Jupyter).
 * Built where the trace is (worker or CLI), so the extension host only wraps bytes.
 */
import { MARKDOWN_MIME, TRACE_MIME } from '../shared/ids';
import type { OutputItemBytes } from '../shared/protocol';
import { encodeOutputBytes, type Trace } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';
import { median } from './metrics';

/** Headline figures of a trace. */
export interface TraceSummary {
  meanForget: number;
  medianHalfLife: number | null;
  /** Share of all (step, unit) forget-gate values below 0.1 / above 0.9. */
  saturationLow: number;
  saturationHigh: number;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

export function summarize(trace: Trace): TraceSummary {
  return {
    meanForget: mean(trace.series.forgetGate.data),
    medianHalfLife: median(trace.metrics.halfLife ?? []),
    saturationLow: mean(trace.metrics.saturation?.low ?? []),
    saturationHigh: mean(trace.metrics.saturation?.high ?? []),
  };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** A short Markdown summary: shapes, mean forget gate, median half-life, saturation. */
export function markdownSummary(trace: Trace): string {
  const { batch, time, units, features } = trace.dims;
  const s = summarize(trace);
  const never = (trace.metrics.halfLife ?? []).filter((h) => h === null).length;
  const halfLife = s.medianHalfLife === null ? 'none finite' : `${s.medianHalfLife.toPrecision(3)} steps`;
  const shape = `[${batch}, ${time}, ${units}]`;
  return [
    `**LSTM trace**: batch ${batch} × ${time} steps × ${units} units, ${features} input features`,
    '',
    '| measure | value |',
    '|---|---|',
    `| mean forget gate f̄ | ${s.meanForget.toFixed(3)} |`,
    `| median half-life ln 0.5 / ln f̄ᵤ | ${halfLife}${never ? ` (${never} units with f̄ of 0 or 1)` : ''} |`,
    `| forget gate < 0.1 (forgetting) | ${percent(s.saturationLow)} of steps |`,
    `| forget gate > 0.9 (remembering) | ${percent(s.saturationHigh)} of steps |`,
    `| series ${shape} | ${Object.keys(trace.series).join(', ')} |`,
    '',
    '_Charts: open this notebook in VS Code with Forget Gate Lab._',
    '',
  ].join('\n');
}

/** The output items of a trace, in the order VS Code prefers them (richest first). */
export function traceOutputItems(trace: Trace): OutputItemBytes[] {
  return [
    { mime: TRACE_MIME, data: encodeOutputBytes(trace) },
    { mime: MARKDOWN_MIME, data: utf8Encode(markdownSummary(trace)) },
  ];
}
