/**
 * A GRU with Keras semantics (gate order z, r, h; `resetAfter` either way) and every gate
 * captured per step. The input projection `x_t·K + b_x` and the recurrence run in a
 * `GruKernel` (WebAssembly SIMD when loaded, the TypeScript reference otherwise), a chunk of
 * steps at a time. See src/lab/kernels/gru-kernel.ts for the maths.
 */
import type { Series } from '../shared/trace';
import type { SequenceInput } from './data';
import { glorotUniform, orthogonal } from './init';
import type { RecurrentActivation } from './kernels/activations';
import { traceBatch } from './kernels/batch-split';
import { jsGruKernel, type GruKernel } from './kernels/gru-kernel';
import { createRandom } from './rng';
import { now } from './tf';

/**
 * GRU weights in the Keras layout, gate order z, r, h.
 *
 * `bias` is `[3·units]` when `resetAfter` is false (Keras 2, tfjs) and `[2, 3·units]`
 * flattened when it is true (Keras 3): the input bias row `b_x`, then the recurrent bias
 * row `b_h`. (PyTorch's `bias_ih_l0` and `bias_hh_l0`, in PyTorch's gate order r, z, n.)
 */
export interface GruWeights {
  features: number;
  units: number;
  /** `[features, 3·units]` */
  kernel: Float32Array;
  /** `[units, 3·units]` */
  recurrentKernel: Float32Array;
  /** `[3·units]` (resetAfter false) or `[2, 3·units]` (resetAfter true), row-major. */
  bias: Float32Array;
}

export interface GruRunOptions {
  /** Activation of z and r. Keras's default is `sigmoid`, tfjs's `hardSigmoid`. */
  recurrentActivation: RecurrentActivation;
  /** Reset gate after the recurrent product (Keras 3, PyTorch) or before it (tfjs, Keras 2). */
  resetAfter: boolean;
  /** Asked between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

export interface GruRun {
  /** `updateGate, resetGate, candidate, hidden, survival`, each `[batch, time, units]`. */
  series: Record<string, Series>;
  /** `recurrenceMs`: the kernel's time, input projection and survival included. */
  /** The keep gate's totals per batch row, `[batch][KEEP_TOTALS][units]`, for `memoryMetricsOfTotals` (metrics.ts). */
  keepTotals: Float64Array;
  timings: { recurrenceMs: number };
}

let activeKernel: GruKernel = jsGruKernel;

/** Chooses the recurrence kernel used by `traceGru` and by `influence` for GRUs. */
export function setGruKernel(kernel: GruKernel): void {
  activeKernel = kernel;
}

/** The kernel `traceGru` uses now. */
export function getGruKernel(): GruKernel {
  return activeKernel;
}

/** The length `bias` must have: 3·units, or 6·units for the two rows of resetAfter. */
export function gruBiasLength(units: number, resetAfter: boolean): number {
  return (resetAfter ? 6 : 3) * units;
}

/** Checks that weights fit each other, the input's feature count and `resetAfter`. */
export function checkGruWeights(weights: GruWeights, features: number, resetAfter: boolean): void {
  const { units: U } = weights;
  if (features !== weights.features) throw new Error(`gru: the input has ${features} features but the kernel expects ${weights.features}`);
  const want: [string, number, string][] = [
    ['kernel', weights.features * 3 * U, `[${weights.features}, ${3 * U}]`],
    ['recurrentKernel', U * 3 * U, `[${U}, ${3 * U}]`],
    ['bias', gruBiasLength(U, resetAfter), resetAfter ? `[2, ${3 * U}]` : `[${3 * U}]`],
  ];
  for (const [key, n, shape] of want) {
    const got = weights[key as 'kernel' | 'recurrentKernel' | 'bias'].length;
    if (got !== n) {
      const why = key === 'bias' ? ` (resetAfter: ${resetAfter})` : '';
      throw new Error(`gru: ${key} must have ${n} values ${shape}${why}, got ${got}`);
    }
  }
}

/** The input bias `b_x` `[3·units]` and the recurrent bias `b_h` (undefined when resetAfter is false). */
export function splitGruBias(weights: GruWeights, resetAfter: boolean): { input: Float32Array; recurrent?: Float32Array } {
  const G = 3 * weights.units;
  if (!resetAfter) return { input: weights.bias };
  return { input: weights.bias.subarray(0, G), recurrent: weights.bias.subarray(G, 2 * G) };
}

/**
 * Weights generated like Keras does for `GRU(units, reset_after)`: glorot-uniform kernel,
 * orthogonal recurrent kernel (over the whole `[units, 3·units]`), zero bias.
 */
export function generateGruWeights(seed: number, features: number, units: number, resetAfter: boolean): GruWeights {
  // As for the LSTM, the orthogonal QR dominates small traces, and re-running a cell is the
  // common case: the last few weight sets are kept (they are never mutated).
  const key = `${seed}/${features}/${units}/${resetAfter}`;
  const cached = weightCache.get(key);
  if (cached) {
    weightCache.delete(key);
    weightCache.set(key, cached);
    return cached;
  }
  const random = createRandom(seed);
  const kernel = glorotUniform(random, features, 3 * units);
  const recurrentKernel = orthogonal(random, units, 3 * units);
  const weights: GruWeights = { features, units, kernel, recurrentKernel, bias: new Float32Array(gruBiasLength(units, resetAfter)) };
  weightCache.set(key, weights);
  if (weightCache.size > WEIGHT_CACHE_SIZE) weightCache.delete(weightCache.keys().next().value as string);
  return weights;
}

const WEIGHT_CACHE_SIZE = 4;
const weightCache = new Map<string, GruWeights>();


/** Runs the GRU over `input` from a zero state and captures every gate at every step. */
export function traceGru(input: SequenceInput, weights: GruWeights, options: GruRunOptions): GruRun {
  checkGruWeights(weights, input.features, options.resetAfter);
  const U = weights.units;
  const bias = splitGruBias(weights, options.resetAfter);
  const t0 = now();
  // As for the LSTM: the projection runs inside the kernel, large batches are split.
  const out = traceBatch({
    model: 'gru',
    batch: input.batch,
    time: input.time,
    units: U,
    inputs: { data: input.data, features: input.features, kernel: weights.kernel, bias: bias.input },
    recurrentKernel: weights.recurrentKernel,
    recurrentBias: bias.recurrent,
    resetAfter: options.resetAfter,
    recurrentActivation: options.recurrentActivation,
    shouldStop: options.shouldStop,
  }, { gru: activeKernel });
  const shape = [input.batch, input.time, U];
  const series: Record<string, Series> = {};
  for (const name of ['updateGate', 'resetGate', 'candidate', 'hidden', 'survival']) series[name] = { shape, data: out.series[name] };
  return { series, keepTotals: out.keepTotals, timings: { recurrenceMs: now() - t0 } };
}
