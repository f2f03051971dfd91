/**
 * An LSTM with Keras semantics and every gate captured per step. The input projection
 * `x_t·K + b` for all steps runs as one TensorFlow.js matMul; the recurrence runs in an
 * `LstmKernel` (WebAssembly SIMD when loaded, the TypeScript reference otherwise).
 */
import type { Series } from '../shared/trace';
import type { LstmWeights, SequenceInput } from './data';
import { jsLstmKernel, type LstmKernel, type RecurrentActivation } from './kernels/lstm-kernel';
import { survival } from './metrics';
import { projectTimeMajor } from './projection';
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
  timings: { projectMs: number; recurrenceMs: number };
}


/** Runs the LSTM over `input` from a zero state and captures every gate at every step. */
export function traceLstm(input: SequenceInput, weights: LstmWeights, options: LstmRunOptions): LstmRun {
  if (input.features !== weights.features) {
    throw new Error(`lstm: the input has ${input.features} features but the kernel expects ${weights.features}`);
  }
  const t0 = now();
  const projected = projectTimeMajor(input, weights.kernel, weights.bias, 4 * weights.units);
  const t1 = now();
  const out = activeKernel.run({
    batch: input.batch,
    time: input.time,
    units: weights.units,
    projected,
    recurrentKernel: weights.recurrentKernel,
    recurrentActivation: options.recurrentActivation,
    forgetGate: options.forgetGate,
    shouldStop: options.shouldStop,
  });
  const shape = [input.batch, input.time, weights.units];
  const series: Record<string, Series> = {
    inputGate: { shape, data: out.inputGate },
    forgetGate: { shape, data: out.forgetGate },
    candidate: { shape, data: out.candidate },
    outputGate: { shape, data: out.outputGate },
    cell: { shape, data: out.cell },
    hidden: { shape, data: out.hidden },
    survival: { shape, data: survival(out.forgetGate, input.batch, input.time, weights.units) },
  };
  return { series, timings: { projectMs: t1 - t0, recurrenceMs: now() - t1 } };
}
