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
 */
import type { LstmWeights, SequenceInput } from './data';
import { checkGruWeights, splitGruBias, type GruWeights } from './gru';
import type { RecurrentActivation } from './kernels/activations';
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
  const norms = tf.tidy(() => {
    const x = tf.tensor3d(input.data, [B, T, F]);
    const kernel = tf.tensor2d(weights.kernel, [F, G]);
    const bias = tf.tensor1d(inputBias);
    const recurrentKernel = tf.tensor2d(weights.recurrentKernel, [U, G]);
    const bh = recurrentBias && tf.tensor1d(recurrentBias);
    const lastSum = (xs: tf.Tensor): tf.Scalar => {
      // Only x is differentiated: the weight gradients are skipped (about half the backward pass).
      const projected = tf.reshape(projection(tf.reshape(xs, [B * T, F]), kernel, bias, { weightGradients: false }), [B, T, G]) as tf.Tensor3D;
      const common = { recurrentActivation: options.recurrentActivation, shouldStop: options.shouldStop, weightGradients: false };
      const { hidden } =
        model === 'lstm'
          ? lstmSequence(projected, recurrentKernel, { ...common, forgetGate: options.forgetGate })
          : gruSequence(projected, recurrentKernel, bh, { ...common, resetAfter: (options as GruInfluenceOptions).resetAfter });
      return tf.sum(tf.slice(hidden, [0, T - 1, 0], [B, 1, U]));
    };
    const dx = tf.grad(lastSum)(x);
    return tf.sqrt(tf.sum(tf.square(dx), 2));
  });
  try {
    const data = norms.dataSync() as Float32Array;
    return Array.from({ length: B }, (_, b) => Array.from(data.subarray(b * T, (b + 1) * T)));
  } finally {
    norms.dispose();
  }
}
