/** The one-line summary shown above an output's charts. */
import { isComparison, type Comparison, type Trace } from '../shared/trace';
import { formatNumber, plural } from './format';
import { keepGateOf } from './series';
import { mean, median } from './stats';

/** Figures of the headline, computed over every batch row. */
export interface TraceHeadline {
  model: string;
  /** e.g. `1 × 10 steps × 128 units, 64 features`. */
  dims: string;
  /** Mean keep gate over batch, time and channels; NaN without one. */
  meanForget: number;
  /** Median of the finite half-lives in steps; NaN when none has one. */
  medianHalfLife: number;
  /** The whole line. */
  text: string;
}

const MODEL_NAMES: Record<Trace['model'], string> = { lstm: 'LSTM', gru: 'GRU', attention: 'Attention', 'forgetting-attention': 'Forgetting attention' };

/**
 * `LSTM · 1 × 10 steps × 128 units, 64 features · mean forget gate 0.614 · median half-life
 * 1.38 steps`; attention models give heads and key size, and the mean row entropy without a
 * keep gate.
 */
export function traceHeadline(trace: Trace): TraceHeadline {
  const { batch, time, units, features, heads, keyDim } = trace.dims;
  const model = MODEL_NAMES[trace.model] ?? trace.model;
  const width = heads !== undefined && keyDim !== undefined ? `${plural(heads, 'head')} × ${keyDim} key dims` : plural(units, 'unit');
  const dims = `${batch} × ${plural(time, 'step')} × ${width}, ${plural(features, 'feature')}`;
  const gate = keepGateOf(trace);
  const meanForget = gate ? mean(trace.series[gate.info.name].data) : NaN;
  const finite = (trace.metrics.halfLife ?? []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const medianHalfLife = median(finite);
  const parts = [model, dims];
  if (gate) {
    const halfLifeText = Number.isNaN(medianHalfLife) ? '—' : `${formatNumber(medianHalfLife)} ${medianHalfLife === 1 ? 'step' : 'steps'}`;
    parts.push(`mean ${gate.info.label} ${formatNumber(meanForget)}`, `median half-life ${halfLifeText}`);
  }
  const entropy = trace.metrics.entropy;
  if (entropy && !gate) parts.push(`mean attention entropy ${formatNumber(mean(entropy.flat(2)))} nats`);
  return { model, dims, meanForget, medianHalfLife, text: parts.join(' · ') };
}

/** `Comparison of 3 variants: none, unit forget bias, chrono` and each variant's median half-life. */
export function comparisonHeadline(comparison: Comparison): string {
  const names = comparison.variants.map((v) => {
    const h = traceHeadline(v.trace);
    return Number.isNaN(h.medianHalfLife) ? `${v.name} (${h.model})` : `${v.name} (${h.model}, t½ ${formatNumber(h.medianHalfLife)})`;
  });
  return `Comparison of ${plural(comparison.variants.length, 'variant')}: ${names.join(' · ')}`;
}

/** The headline of either kind of output. */
export function outputHeadline(output: Trace | Comparison): string {
  return isComparison(output) ? comparisonHeadline(output) : traceHeadline(output).text;
}
