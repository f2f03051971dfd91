/**
 * Influence over time, the privacy question "how long does one input keep mattering?":
 *
 *   influence[b][t] = ‖∂(Σ_u h[b][T−1][u]) / ∂x[b][t][:]‖₂
 *
 * the norm of the gradient of the last hidden state's sum with respect to each input step
 * (the last column of Madsen's 2019 connectivity matrix). Computed with TensorFlow.js
 * autodiff (`tf.grad`) through the input projection matMul and the recurrent kernel's
 * differentiable op: one forward and one backward pass for all steps, not one per step.
 * Batch rows are independent, so one sum over the rows gives every row's gradient at once.
 * `connectivity` is the whole matrix (every step t, one backward pass each).
 */
import type { LstmWeights, SequenceInput } from './data';
import { checkGruWeights, splitGruBias, type GruWeights } from './gru';
import type { RecurrentActivation } from './kernels/activations';
import { CancelledError } from './kernels/lstm-kernel';
import { gruSequence, lstmSequence, projection, requireGradients } from './kernels/tf-ops';
import { tf } from './tf';

export interface InfluenceOptions {
  /** Activation of the gates (LSTM i, f, o; GRU z, r). */
  recurrentActivation: RecurrentActivation;
  /** Asked between chunks of steps, forward and backward; true stops with `CancelledError`. */
  shouldStop?: () => boolean;
  /** LSTM only: false for the 1997 cell without a forget gate (f ≡ 1). */
  forgetGate?: boolean;
}

export interface GruInfluenceOptions extends InfluenceOptions {
  /** Reset gate after the recurrent product (Keras 3, PyTorch) or before it (tfjs, Keras 2). */
  resetAfter: boolean;
}

/** `influence[b][t]` for an LSTM, `[batch][time]`. */
export function influence(model: 'lstm', input: SequenceInput, weights: LstmWeights, options: InfluenceOptions): number[][];
/** `influence[b][t]` for a GRU, `[batch][time]`. */
export function influence(model: 'gru', input: SequenceInput, weights: GruWeights, options: GruInfluenceOptions): number[][];
export function influence(
  model: 'lstm' | 'gru',
  input: SequenceInput,
  weights: LstmWeights | GruWeights,
  options: InfluenceOptions | GruInfluenceOptions,
): number[][] {
  const { batch: B, time: T } = input;
  const [data] = hiddenSumGradientNorms(model, input, weights, options, [T - 1]);
  return Array.from({ length: B }, (_, b) => Array.from(data.subarray(b * T, (b + 1) * T)));
}

/**
 * Madsen's (2019) connectivity matrix, `[time][time]` row-major, entry `s·T + t`:
 *
 *   C[s][t] = mean over batch rows b of ‖∂(Σ_u h[b][t][u]) / ∂x[b][s][:]‖₂
 *
 * how much input step s moves the state at step t. One backward pass per output step t over
 * the whole sequence, so the entries with s > t are computed too, and are exactly 0 (the
 * recurrence is causal). Float64 for the mean; the gradients are float32. Its cost grows as
 * time² (specs bound the time by `LIMITS.persistenceTime`).
 */
export function connectivity(model: 'lstm', input: SequenceInput, weights: LstmWeights, options: InfluenceOptions): Float64Array;
export function connectivity(model: 'gru', input: SequenceInput, weights: GruWeights, options: GruInfluenceOptions): Float64Array;
export function connectivity(model: 'lstm' | 'gru', input: SequenceInput, weights: LstmWeights | GruWeights, options: InfluenceOptions | GruInfluenceOptions): Float64Array {
  const { batch: B, time: T } = input;
  const steps = Array.from({ length: T }, (_, t) => t);
  const out = new Float64Array(T * T);
  hiddenSumGradientNorms(model, input, weights, options, steps, (t, norms) => {
    for (let s = 0; s < T; s++) {
      let sum = 0;
      for (let b = 0; b < B; b++) sum += norms[b * T + s];
      out[s * T + t] = sum / B;
    }
  });
  return out;
}

/**
 * For each output step t of `steps`: `‖∂(Σ_u h[b][t][u]) / ∂x[b][s][:]‖₂` for every batch row b
 * and input step s, `[batch][time]` row-major. Only x is differentiated; batch rows are
 * independent, so one sum over the rows gives every row's gradient at once. Each result goes
 * to `each` when given (and is not kept), else all are returned.
 */
function hiddenSumGradientNorms(
  model: 'lstm' | 'gru',
  input: SequenceInput,
  weights: LstmWeights | GruWeights,
  options: InfluenceOptions | GruInfluenceOptions,
  steps: readonly number[],
  each?: (t: number, norms: Float32Array) => void,
): Float32Array[] {
  const { batch: B, time: T, features: F } = input;
  const U = weights.units;
  const gates = model === 'lstm' ? 4 : 3;
  const G = gates * U;
  let inputBias = weights.bias;
  let recurrentBias: Float32Array | undefined;
  if (model === 'gru') {
    const resetAfter = (options as GruInfluenceOptions).resetAfter;
    checkGruWeights(weights, F, resetAfter);
    ({ input: inputBias, recurrent: recurrentBias } = splitGruBias(weights, resetAfter));
  } else if (F !== weights.features) {
    throw new Error(`influence: the input has ${F} features but the kernel expects ${weights.features}`);
  }
  requireGradients('Reshape', 'Slice', 'Sum');
  const x = tf.tensor3d(input.data, [B, T, F]);
  const kernel = tf.tensor2d(weights.kernel, [F, G]);
  const bias = tf.tensor1d(inputBias);
  const recurrentKernel = tf.tensor2d(weights.recurrentKernel, [U, G]);
  const bh = recurrentBias && tf.tensor1d(recurrentBias);
  const common = { recurrentActivation: options.recurrentActivation, shouldStop: options.shouldStop, weightGradients: false };
  const results: Float32Array[] = [];
  try {
    for (const t of steps) {
      if (options.shouldStop?.()) throw new CancelledError();
      const stepSum = (xs: tf.Tensor): tf.Scalar => {
        // Only x is differentiated: the weight gradients are skipped (about half the backward pass).
        const projected = tf.reshape(projection(tf.reshape(xs, [B * T, F]), kernel, bias, { weightGradients: false }), [B, T, G]) as tf.Tensor3D;
        const { hidden } =
          model === 'lstm'
            ? lstmSequence(projected, recurrentKernel, { ...common, forgetGate: options.forgetGate })
            : gruSequence(projected, recurrentKernel, bh, { ...common, resetAfter: (options as GruInfluenceOptions).resetAfter });
        return tf.sum(tf.slice(hidden, [0, t, 0], [B, 1, U]));
      };
      const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.grad(stepSum)(x)), 2)));
      try {
        const data = Float32Array.from(norms.dataSync() as Float32Array);
        if (each) each(t, data);
        else results.push(data);
      } finally {
        norms.dispose();
      }
    }
  } finally {
    for (const tensor of [x, kernel, bias, recurrentKernel, bh]) tensor?.dispose();
  }
  return results;
}
