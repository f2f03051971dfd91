/** The one-line summary shown above a trace's charts. */
import type { Trace } from '../shared/trace';
import { formatNumber, plural } from './format';
import { mean, median } from './stats';

/** Figures of the headline, computed over every batch row. */
export interface TraceHeadline {
  model: string;
  /** e.g. `1 × 10 steps × 128 units, 64 features`. */
  dims: string;
  /** Mean forget gate over batch, time and units; NaN without a forget gate series. */
  meanForget: number;
  /** Median of the finite half-lives in steps; NaN when no unit has one. */
  medianHalfLife: number;
  /** The whole line. */
  text: string;
}

/**
 * `LSTM · 1 × 10 steps × 128 units, 64 features · mean forget gate 0.614 · median half-life
 * 1.38 steps`.
 */
export function traceHeadline(trace: Trace): TraceHeadline {
  const { batch, time, units, features } = trace.dims;
  const model = trace.model.toUpperCase();
  const dims = `${batch} × ${plural(time, 'step')} × ${plural(units, 'unit')}, ${plural(features, 'feature')}`;
  const f = trace.series.forgetGate;
  const meanForget = f ? mean(f.data) : NaN;
  const finite = (trace.metrics.halfLife ?? []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const medianHalfLife = median(finite);
  const halfLifeText = Number.isNaN(medianHalfLife) ? '—' : `${formatNumber(medianHalfLife)} ${medianHalfLife === 1 ? 'step' : 'steps'}`;
  const text = `${model} · ${dims} · mean forget gate ${formatNumber(meanForget)} · median half-life ${halfLifeText}`;
  return { model, dims, meanForget, medianHalfLife, text };
}
