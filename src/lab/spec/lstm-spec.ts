/**
 * The typed LSTM spec, from a validated spec cell, with the checks that need more than one
 * key (shape given where needed, the size of the trace it would make).
 */
import type { RecurrentActivation } from '../kernels/lstm-kernel';
import { LIMITS, MAX_TRACE_BYTES, SPEC_SCHEMA } from './schema';
import { parseSpecSource, SpecError } from './validate';

export interface LstmSpec {
  model: 'lstm';
  /** Number of recurrent units, ≥ 1. */
  units: number;
  input: {
    /** `[time, features]` or `[batch, time, features]` as written. */
    shape?: number[];
    random?: { seed: number };
    /** Path of a JSON nested array, as written (relative to the notebook). */
    file?: string;
  };
  weights: { seed?: number; file?: string };
  /** Default `sigmoid` (Keras). */
  recurrentActivation: RecurrentActivation;
  /** Default true (Keras); applies to generated weights only. */
  unitForgetBias: boolean;
}

/** Number of float32 series a trace of an LSTM holds (i, f, g, o, c, h, survival). */
export const LSTM_TRACE_SERIES = 7;

/** Normalises a `[time, features]` or `[batch, time, features]` shape to three dims. */
export function toBatchShape(shape: readonly number[]): [number, number, number] {
  return shape.length === 2 ? [1, shape[0], shape[1]] : [shape[0], shape[1], shape[2]];
}

/** Bytes of the float32 series of a trace of `batch × time × units`, plus the projected input. */
export function estimateTraceBytes(batch: number, time: number, units: number): number {
  return (LSTM_TRACE_SERIES + 4) * batch * time * units * 4;
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** Checks the sizes of a run before anything is allocated. */
export function checkSizes(batch: number, time: number, features: number, units: number, key = 'input.shape'): void {
  const dims = { batch, time, features } as const;
  for (const [name, v] of Object.entries(dims) as [keyof typeof dims, number][]) {
    if (v > LIMITS[name]) throw new SpecError(`${key}: expected ${name} ≤ ${LIMITS[name]}, got ${v}`, key);
  }
  const bytes = estimateTraceBytes(batch, time, units);
  if (bytes > MAX_TRACE_BYTES) {
    throw new SpecError(
      `${key}: expected a trace under ${formatBytes(MAX_TRACE_BYTES)}, got an estimated ${formatBytes(bytes)} (${batch} × ${time} steps × ${units} units × ${LSTM_TRACE_SERIES + 4} float32 series); use fewer steps, units or batch rows`,
      key,
    );
  }
}

/** Parses and validates the YAML source of an LSTM spec cell. Throws `SpecError`. */
export function parseLstmSpec(source: string): LstmSpec {
  const raw = parseSpecSource(source, SPEC_SCHEMA) as unknown as LstmSpec;
  if (raw.input.random && !raw.input.shape) {
    throw new SpecError('input.shape: required with input.random; expected [time, features] or [batch, time, features]', 'input.shape');
  }
  if (raw.input.shape) {
    const [batch, time, features] = toBatchShape(raw.input.shape);
    checkSizes(batch, time, features, raw.units);
  }
  return raw;
}
