/**
 * An LSTM with Keras semantics and every gate captured per step: the input projection
 * `x_t·K + b` and the recurrence run in an `LstmKernel` (WebAssembly SIMD when loaded, the
 * TypeScript reference otherwise), a chunk of steps at a time.
 */
import type { Series } from '../shared/trace';
import type { LstmWeights, SequenceInput } from './data';
import { traceBatch } from './kernels/batch-split';
import { jsLstmKernel, LSTM_OUTPUT_SERIES, type LstmKernel, type RecurrentActivation } from './kernels/lstm-kernel';
import { now } from './tf';

let activeKernel: LstmKernel = jsLstmKernel;

/** Chooses the recurrence kernel used by `traceLstm` (the worker loads the WASM one at start). */
export function setLstmKernel(kernel: LstmKernel): void {
  activeKernel = kernel;
}

/** The kernel `traceLstm` uses now. */
export function getLstmKernel(): LstmKernel {
  return activeKernel;
}

export interface LstmRunOptions {
  recurrentActivation: RecurrentActivation;
  /** False: the 1997 LSTM without a forget gate (f ≡ 1); default true. */
  forgetGate?: boolean;
  shouldStop?: () => boolean;
}

export interface LstmRun {
  /** `inputGate, forgetGate, candidate, outputGate, cell, hidden, survival`, each `[batch, time, units]`. */
  series: Record<string, Series>;
  /** `recurrenceMs`: the kernel's time, input projection and survival included. */
  /** The keep gate's totals per batch row, `[batch][KEEP_TOTALS][units]`, for `memoryMetricsOfTotals` (metrics.ts). */
  keepTotals: Float64Array;
  timings: { recurrenceMs: number };
}


/** Runs the LSTM over `input` from a zero state and captures every gate at every step. */
export function traceLstm(input: SequenceInput, weights: LstmWeights, options: LstmRunOptions): LstmRun {
  if (input.features !== weights.features) {
    throw new Error(`lstm: the input has ${input.features} features but the kernel expects ${weights.features}`);
  }
  const t0 = now();
  // The projection x·K + b runs inside the kernel, chunk by chunk (raw-inputs.ts); large
  // batches are split with the helper thread (batch-split.ts).
  const out = traceBatch({
    model: 'lstm',
    batch: input.batch,
    time: input.time,
    units: weights.units,
    inputs: { data: input.data, features: input.features, kernel: weights.kernel, bias: weights.bias },
    recurrentKernel: weights.recurrentKernel,
    recurrentActivation: options.recurrentActivation,
    forgetGate: options.forgetGate,
    shouldStop: options.shouldStop,
  }, { lstm: activeKernel });
  const shape = [input.batch, input.time, weights.units];
  const series: Record<string, Series> = {};
  for (const name of [...LSTM_OUTPUT_SERIES, 'survival']) series[name] = { shape, data: out.series[name] };
  return { series, keepTotals: out.keepTotals, timings: { recurrenceMs: now() - t0 } };
}
