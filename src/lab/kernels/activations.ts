/**
 * The recurrent (gate) activations of the kernels, with their derivatives for the backward
 * passes. The WebAssembly kernels take the same choice as a small integer code.
 */

/**
 * Recurrent activation of the gates: `sigmoid` 1/(1 + e^−x) (Keras's default),
 * `hardSigmoid` clip(0.2x + 0.5, 0, 1) (TensorFlow.js and Keras 2), `kerasHardSigmoid`
 * clip(x/6 + 0.5, 0, 1) (Keras 3's `hard_sigmoid`, relu6(x + 3)/6).
 */
export type RecurrentActivation = 'sigmoid' | 'hardSigmoid' | 'kerasHardSigmoid';

/** Every recurrent activation, in the order of their codes. */
export const RECURRENT_ACTIVATIONS: readonly RecurrentActivation[] = ['sigmoid', 'hardSigmoid', 'kerasHardSigmoid'];

/** The code the WebAssembly kernels take: 0 sigmoid, 1 hard sigmoid (0.2), 2 Keras 3 hard sigmoid (1/6). */
export function activationCode(activation: RecurrentActivation): number {
  return RECURRENT_ACTIVATIONS.indexOf(activation);
}

/** 1/(1 + e^−x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** clip(0.2x + 0.5, 0, 1): TensorFlow.js's `hardSigmoid` (and Keras 2's). */
export function hardSigmoid(x: number): number {
  return Math.min(1, Math.max(0, 0.2 * x + 0.5));
}

/** clip(x/6 + 0.5, 0, 1): Keras 3's `hard_sigmoid`. */
export function kerasHardSigmoid(x: number): number {
  return Math.min(1, Math.max(0, x / 6 + 0.5));
}

/** The activation function itself. */
export function activationFunction(activation: RecurrentActivation): (x: number) => number {
  return activation === 'hardSigmoid' ? hardSigmoid : activation === 'kerasHardSigmoid' ? kerasHardSigmoid : sigmoid;
}

/**
 * The derivative as a function of the activation's output `y` (what the kernels capture):
 * `y(1 − y)` for the sigmoid, the slope (0.2 or 1/6) where `0 < y < 1` for the hard
 * sigmoids and 0 where they are clipped. (At the two kinks themselves any value in between
 * is a subgradient; this picks 0, which only a set of inputs of measure zero reaches.)
 */
export function activationDerivative(activation: RecurrentActivation): (y: number) => number {
  if (activation === 'sigmoid') return (y) => y * (1 - y);
  const slope = activation === 'hardSigmoid' ? 0.2 : 1 / 6;
  return (y) => (y > 0 && y < 1 ? slope : 0);
}
