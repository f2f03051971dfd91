/** Small hand-made traces for the chart tests. */
import type { Trace } from '../../../src/shared/trace';

/**
 * A trace from nested arrays `[batch][time][units]` of the forget gate (and optional other
 * series of the same shape), with the given half-lives (default all null) and features.
 */
export function traceOf(
  forgetGate: number[][][],
  options: { halfLife?: (number | null)[]; features?: number; series?: Record<string, number[][][]>; labels?: string[] } = {},
): Trace {
  const batch = forgetGate.length;
  const time = forgetGate[0]?.length ?? 0;
  const units = forgetGate[0]?.[0]?.length ?? 0;
  const toSeries = (v: number[][][]) => ({ shape: [batch, time, units], data: Float32Array.from(v.flat(2)) });
  const series: Trace['series'] = { forgetGate: toSeries(forgetGate) };
  for (const [name, v] of Object.entries(options.series ?? {})) series[name] = toSeries(v);
  const trace: Trace = {
    model: 'lstm',
    dims: { batch, time, units, features: options.features ?? 3 },
    series,
    metrics: {
      halfLife: options.halfLife ?? Array.from({ length: units }, () => null),
      saturation: { low: Array.from({ length: units }, () => 0), high: Array.from({ length: units }, () => 0) },
    },
  };
  if (options.labels) trace.labels = options.labels;
  return trace;
}

/** Asserts two numbers agree to `tolerance` (float32 data, float64 arithmetic). */
export function near(actual: number, expected: number, tolerance = 1e-6): boolean {
  return Math.abs(actual - expected) <= tolerance;
}

/**
 * A small attention trace from nested weights `[batch][heads][query][key]` (the scores are the
 * log-weights, NaN where the weight is 0 above the diagonal), with optional forgetting-attention
 * forget gates `[batch][heads][time]` (the decay D_ij = Σ_{k=j+1..i} ln f_k, NaN above the diagonal).
 */
export function attentionOf(weights: number[][][][], options: { forget?: number[][][]; labels?: string[]; entropy?: number[][][]; halfLife?: (number | null)[] } = {}): Trace {
  const batch = weights.length;
  const heads = weights[0].length;
  const time = weights[0][0].length;
  const shape = [batch, heads, time, time];
  const flat = Float32Array.from(weights.flat(3));
  const series: Trace['series'] = {
    weights: { shape, data: flat },
    scores: { shape, data: flat.map((w, k) => (w === 0 && k % time > Math.floor(k / time) % time ? NaN : Math.log(w))) },
    output: { shape: [batch, time, heads * 2], data: new Float32Array(batch * time * heads * 2) },
  };
  const trace: Trace = {
    model: options.forget ? 'forgetting-attention' : 'attention',
    dims: { batch, time, features: 3, units: heads * 2, heads, keyDim: 2 },
    series,
    metrics: { entropy: options.entropy ?? weights.map((b) => b.map((h) => h.map((row) => -row.reduce((s, a) => s + (a > 0 ? a * Math.log(a) : 0), 0)))) },
  };
  if (options.forget) {
    series.forgetGate = { shape: [batch, heads, time], data: Float32Array.from(options.forget.flat(2)) };
    const decay = new Float32Array(batch * heads * time * time);
    options.forget.forEach((b, bi) => b.forEach((f, h) => {
      for (let i = 0; i < time; i++) {
        for (let j = 0; j < time; j++) {
          let d = 0;
          for (let k = j + 1; k <= i; k++) d += Math.log(f[k]);
          decay[((bi * heads + h) * time + i) * time + j] = j <= i ? d : NaN;
        }
      }
    }));
    series.decay = { shape, data: decay };
    trace.metrics.halfLife = options.halfLife ?? Array.from({ length: heads }, () => null);
  }
  if (options.labels) trace.labels = options.labels;
  return trace;
}
