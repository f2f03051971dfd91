/**
 * The recurrent kernels as differentiable TensorFlow.js ops (`tf.customGrad`): the forward
 * pass is the kernel's `run` (every gate captured), the gradient its `backward` (BPTT). So
 * tfjs autodiff composes the one gate-capturing cell that traces use with the input
 * projection matMul and any loss, for influence and for training.
 *
 * Layouts follow tfjs: `projected` is `[batch, time, gates·units]` (x·K + b from a matMul),
 * `hidden` is `[batch, time, units]`. The kernels want time-major inputs; the ops transpose
 * (a copy, cheap beside the recurrence, and none for a batch of 1).
 */
import { getGruKernel } from '../gru';
import { getLstmKernel } from '../lstm';
import { tf } from '../tf';
import type { RecurrentActivation } from './activations';
import type { GruKernel, GruKernelInput, GruKernelOutput } from './gru-kernel';
import type { LstmKernel, LstmKernelInput, LstmKernelOutput } from './lstm-kernel';

export interface RecurrentOpOptions {
  /** Activation of the gates (LSTM i, f, o; GRU z, r). */
  recurrentActivation: RecurrentActivation;
  /**
   * Whether gradients flow to the recurrent weights; default true. False returns zeros for
   * them and halves the backward pass: for differentiating only with respect to the inputs.
   */
  weightGradients?: boolean;
  /** Asked between chunks of steps, forward and backward; true stops with `CancelledError`. */
  shouldStop?: () => boolean;
}

export interface LstmOpOptions extends RecurrentOpOptions {
  /** The kernel; default the one traces use (`getLstmKernel()`). */
  kernel?: LstmKernel;
  /** False: the 1997 LSTM without a forget gate (f ≡ 1); default true. */
  forgetGate?: boolean;
}

export interface GruOpOptions extends RecurrentOpOptions {
  /** Reset gate after the recurrent product (Keras 3, PyTorch) or before it (tfjs, Keras 2). */
  resetAfter: boolean;
  /** The kernel; default the one traces use (`getGruKernel()`). */
  kernel?: GruKernel;
}

/** What a recurrent op returns: the differentiable hidden sequence and the forward captures. */
export interface RecurrentSequence<Captures> {
  /** `h_t` for every step, `[batch, time, units]`; differentiable. */
  hidden: tf.Tensor3D;
  /** Every series the kernel captured, `[batch][time][units]` (not differentiated, not tensors). */
  captures: Captures;
}

/**
 * Throws unless TensorFlow.js has the gradients of `kernelNames` (for example `Sum`,
 * `Slice`) registered. tfjs-core registers none by itself; src/lab/tf.ts imports
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, which works where tfjs-core resolves to
 * its ES module build (the bundles). This guard turns a bundle or loader that missed it into
 * one clear error instead of tfjs's "gradient function not found" deep inside a backward pass.
 */
export function requireGradients(...kernelNames: string[]): void {
  const missing = kernelNames.filter((name) => tf.getGradient(name) === undefined);
  if (missing.length > 0) {
    throw new Error(`TensorFlow.js has no gradient registered for ${missing.join(', ')}: import '@tensorflow/tfjs-core/dist/register_all_gradients' at the entry of the bundle`);
  }
}

/** `[a][b][c]` → `[b][a][c]`, row-major (the identity, without a copy, when a or b is 1). */
function swapLeadingAxes(data: Float32Array, a: number, b: number, c: number): Float32Array {
  if (a === 1 || b === 1) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) out.set(data.subarray((i * b + j) * c, (i * b + j + 1) * c), (j * a + i) * c);
  }
  return out;
}

/** A tensor's values as a Float32Array (a copy: the backend may own its memory). */
function values(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** Checks the ranks and sizes of an op's tensors; throws naming what was expected and what was got. */
function checkShapes(op: string, gates: number, projected: tf.Tensor, recurrentKernel: tf.Tensor, recurrentBias?: tf.Tensor): void {
  if (projected.rank !== 3) throw new Error(`${op}: projected must be [batch, time, ${gates}·units] (3 dims), got ${projected.rank} dims`);
  if (recurrentKernel.rank !== 2) throw new Error(`${op}: recurrentKernel must be [units, ${gates}·units] (2 dims), got ${recurrentKernel.rank} dims`);
  const [U, G] = recurrentKernel.shape;
  if (G !== gates * U) throw new Error(`${op}: recurrentKernel must be [units, ${gates}·units], got [${recurrentKernel.shape.join(', ')}]`);
  if (projected.shape[2] !== G) throw new Error(`${op}: projected must have ${G} columns (${gates}·units for ${U} units), got [${projected.shape.join(', ')}]`);
  if (recurrentBias && (recurrentBias.rank !== 1 || recurrentBias.shape[0] !== G)) {
    throw new Error(`${op}: recurrentBias must be [${G}], got [${recurrentBias.shape.join(', ')}]`);
  }
}

/**
 * The input projection `x·K + b` for x `[rows, features]`, K `[features, columns]`, b
 * `[columns]`, differentiable with respect to all three. Its gradients transpose explicitly
 * (`dx = dy·transpose(K)`, `dK = transpose(x)·dy`): tfjs's own MatMul gradient multiplies
 * with a transposed operand, which tfjs-backend-wasm 4.22 runs 10–20× slower than a
 * transpose followed by a plain matMul (measured: 90 and 200 ms against 8 ms for
 * [2048, 512]·[512, 64] and [64, 2048]·[2048, 512]). `weightGradients: false` returns zeros
 * for K and b (for differentiating with respect to x only).
 */
export function projection(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, options: { weightGradients?: boolean } = {}): tf.Tensor2D {
  if (x.rank !== 2 || kernel.rank !== 2 || x.shape[1] !== kernel.shape[0] || bias.rank !== 1 || bias.shape[0] !== kernel.shape[1]) {
    throw new Error(`projection: expected x [rows, features], kernel [features, columns], bias [columns]; got x [${x.shape.join(', ')}], kernel [${kernel.shape.join(', ')}], bias [${bias.shape.join(', ')}]`);
  }
  const weights = options.weightGradients ?? true;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x0, k0, b] = args as tf.Tensor2D[];
    // Saved, not captured: an x made inside the differentiated function (a reshape) is
    // disposed before the backward pass unless tfjs keeps it for the gradient.
    (args[3] as tf.GradSaveFunc)([x0, k0]);
    return {
      value: tf.add(tf.matMul(x0, k0), b) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, k] = saved as tf.Tensor2D[];
        return [
          tf.matMul(dy, tf.transpose(k)),
          weights ? tf.matMul(tf.transpose(xs), dy) : tf.zerosLike(k),
          weights ? tf.sum(dy, 0) : tf.zerosLike(b),
        ];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

/**
 * The LSTM recurrence (Keras semantics, zero initial state, gate order i, f, c, o) over
 * `projected` = x·K + b `[batch, time, 4·units]` with the recurrent kernel `[units, 4·units]`.
 * Gradients flow to both inputs.
 */
export function lstmSequence(projected: tf.Tensor3D, recurrentKernel: tf.Tensor2D, options: LstmOpOptions): RecurrentSequence<LstmKernelOutput> {
  checkShapes('lstmSequence', 4, projected, recurrentKernel);
  const kernel = options.kernel ?? getLstmKernel();
  const [B, T, G] = projected.shape;
  const U = G / 4;
  let captures: LstmKernelOutput | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [p, r] = args as tf.Tensor[];
    const input: LstmKernelInput = {
      batch: B,
      time: T,
      units: U,
      projected: swapLeadingAxes(values(p), B, T, G),
      recurrentKernel: values(r),
      recurrentActivation: options.recurrentActivation,
      forgetGate: options.forgetGate,
      shouldStop: options.shouldStop,
    };
    const forward = kernel.run(input);
    captures = forward;
    return {
      value: tf.tensor3d(forward.hidden, [B, T, U]),
      gradFunc: (dy: tf.Tensor) => {
        const grads = kernel.backward(input, forward, { hidden: values(dy) }, { weights: options.weightGradients ?? true });
        return [tf.tensor3d(swapLeadingAxes(grads.projected, T, B, G), [B, T, G]), tf.tensor2d(grads.recurrentKernel, [U, G])];
      },
    };
  });
  const hidden = op(projected, recurrentKernel) as tf.Tensor3D;
  return { hidden, captures: captures! };
}

/**
 * The GRU recurrence (Keras semantics, zero initial state, gate order z, r, h; see
 * gru-kernel.ts for both `resetAfter` variants) over `projected` = x·K + b_x
 * `[batch, time, 3·units]`, the recurrent kernel `[units, 3·units]` and the recurrent bias
 * `b_h` `[3·units]` (omitted: zeros, as Keras has when resetAfter is false). Gradients flow
 * to every tensor given.
 */
export function gruSequence(
  projected: tf.Tensor3D,
  recurrentKernel: tf.Tensor2D,
  recurrentBias: tf.Tensor1D | undefined,
  options: GruOpOptions,
): RecurrentSequence<GruKernelOutput> {
  checkShapes('gruSequence', 3, projected, recurrentKernel, recurrentBias);
  const kernel = options.kernel ?? getGruKernel();
  const [B, T, G] = projected.shape;
  const U = G / 3;
  let captures: GruKernelOutput | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [p, r, bh] = args as tf.Tensor[];
    const withBias = recurrentBias !== undefined;
    const input: GruKernelInput = {
      batch: B,
      time: T,
      units: U,
      projected: swapLeadingAxes(values(p), B, T, G),
      recurrentKernel: values(r),
      recurrentBias: withBias ? values(bh) : undefined,
      resetAfter: options.resetAfter,
      recurrentActivation: options.recurrentActivation,
      shouldStop: options.shouldStop,
    };
    const forward = kernel.run(input);
    captures = forward;
    return {
      value: tf.tensor3d(forward.hidden, [B, T, U]),
      gradFunc: (dy: tf.Tensor) => {
        const grads = kernel.backward(input, forward, values(dy), { weights: options.weightGradients ?? true });
        const out: tf.Tensor[] = [tf.tensor3d(swapLeadingAxes(grads.projected, T, B, G), [B, T, G]), tf.tensor2d(grads.recurrentKernel, [U, G])];
        if (withBias) out.push(tf.tensor1d(grads.recurrentBias));
        return out;
      },
    };
  });
  const hidden = (recurrentBias ? op(projected, recurrentKernel, recurrentBias) : op(projected, recurrentKernel)) as tf.Tensor3D;
  return { hidden, captures: captures! };
}
