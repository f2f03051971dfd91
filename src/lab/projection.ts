/** The input projection shared by the recurrent models. */
import type { SequenceInput } from './data';
import { tf } from './tf';

/**
 * `x_t·K + b` for every step, laid out `[time][batch][columns]` (time-major, so each step's
 * slice is contiguous), as one tfjs matMul; `kernel` is `[features, columns]`.
 */
export function projectTimeMajor(input: SequenceInput, kernel: Float32Array, bias: Float32Array, columns: number): Float32Array {
  const { batch: B, time: T, features: F } = input;
  const timeMajor = new Float32Array(T * B * F);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) timeMajor.set(input.data.subarray((b * T + t) * F, (b * T + t + 1) * F), (t * B + b) * F);
  }
  const projected = tf.tidy(() => {
    const x = tf.tensor2d(timeMajor, [T * B, F]);
    const k = tf.tensor2d(kernel, [F, columns]);
    return tf.add(tf.matMul(x, k), tf.tensor1d(bias));
  });
  try {
    return Float32Array.from(projected.dataSync() as Float32Array);
  } finally {
    projected.dispose();
  }
}
