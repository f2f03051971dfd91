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
