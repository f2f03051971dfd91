/**
 * The layers a model runs before (and between) the recurrent layers the lab traces: an
 * Embedding that turns token ids into vectors, Dense layers, normalisations, dropout (the
 * identity at inference), RepeatVector, and recurrent layers that are not traced themselves.
 * Each runs as Keras runs it at inference, in TensorFlow.js ops (recurrent ones in the lab's
 * own kernels). Masks (`mask_zero`, `Masking`) are not applied: every step is traced.
 */
import type { LstmWeights } from '../data';
import type { GruWeights } from '../gru';
import { traceGru } from '../gru';
import type { RecurrentActivation } from '../kernels/activations';
import { traceLstm } from '../lstm';
import { tf } from '../tf';
import { activationName, isKeras3 } from './keras-config';
import { fileError, sizeOf, type ModelLayer, type Tensor } from './model-file';

/** Values flowing between layers: `[batch, time, features]`, or `[batch, features]` after a recurrent layer that returns only its last step. */
export type Activations = Tensor;

/** A prepared layer: its weights read and checked against the features it receives. */
export interface FrontOp {
  name: string;
  className: string;
  /** Features per step it produces. */
  features: number;
  apply(x: Activations, shouldStop?: () => boolean): Activations;
}

/** Layer classes that pass values through unchanged at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization', 'Masking', 'InputLayer']);

/** Every class `prepareLayer` accepts, for messages. */
export const FRONT_CLASSES = ['Embedding', 'Dense', 'TimeDistributed(Dense)', 'Activation', 'LayerNormalization', 'BatchNormalization', 'RepeatVector', 'LSTM', 'GRU', ...IDENTITY].join(', ');

type Act = (x: tf.Tensor) => tf.Tensor;

/** Keras activations by name (`hard_sigmoid` as the file's Keras version defines it). */
function activation(name: string, kerasVersion: string | undefined): Act | undefined {
  const acts: Record<string, Act> = {
    linear: (x) => x,
    relu: (x) => tf.relu(x),
    relu6: (x) => tf.relu6(x),
    tanh: (x) => tf.tanh(x),
    sigmoid: (x) => tf.sigmoid(x),
    hard_sigmoid: (x) => (isKeras3(kerasVersion) ? tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1) : tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1)),
    softmax: (x) => tf.softmax(x),
    elu: (x) => tf.elu(x),
    selu: (x) => tf.selu(x),
    softplus: (x) => tf.softplus(x),
    softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
    swish: (x) => tf.mul(x, tf.sigmoid(x)),
    silu: (x) => tf.mul(x, tf.sigmoid(x)),
    gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
    exponential: (x) => tf.exp(x),
  };
  acts.hardSigmoid = acts.hard_sigmoid;
  return acts[name];
}

/** Applies `f` to `x` in TensorFlow.js and reads the result back. */
function run(x: Activations, f: (t: tf.Tensor) => tf.Tensor): Activations {
  const out = tf.tidy(() => f(tf.tensor(x.data, x.shape)));
  try {
    return { shape: out.shape, data: Float32Array.from(out.dataSync() as Float32Array) };
  } finally {
    out.dispose();
  }
}

function expectWeights(path: string, layer: ModelLayer, weights: Tensor[], shapes: number[][]): void {
  const where = `layer "${layer.name}" (${layer.className})`;
  if (weights.length !== shapes.length) throw fileError(path, `${where} has ${weights.length} weights, expected ${shapes.length} ([${shapes.map((s) => s.join(', ')).join('], [')}])`);
  shapes.forEach((s, i) => {
    if (weights[i].shape.join() !== s.join()) throw fileError(path, `${where} weight ${i} has shape [${weights[i].shape.join(', ')}], expected [${s.join(', ')}]`);
  });
}

/** Options of a recurrent layer run (not traced) before the traced one. */
export interface RecurrentRun {
  model: 'lstm' | 'gru';
  weights: LstmWeights | GruWeights;
  recurrentActivation: RecurrentActivation;
  resetAfter: boolean;
  returnSequences: boolean;
}

/** A recurrent layer as a front op: its hidden sequence (or last step) feeds the next layer. */
export function recurrentOp(layer: ModelLayer, r: RecurrentRun): FrontOp {
  return {
    name: layer.name,
    className: layer.className,
    features: r.weights.units,
    apply(x, shouldStop) {
      const [batch, time, features] = x.shape;
      const input = { batch, time, features, data: x.data };
      const run = r.model === 'lstm'
        ? traceLstm(input, r.weights, { recurrentActivation: r.recurrentActivation, shouldStop })
        : traceGru(input, r.weights as GruWeights, { recurrentActivation: r.recurrentActivation, resetAfter: r.resetAfter, shouldStop });
      return r.returnSequences ? run.series.hidden : lastStep(run.series.hidden);
    },
  };
}

/** `[batch, time, units]` → `[batch, units]`, the last step. */
export function lastStep(h: Tensor): Tensor {
  const [B, T, U] = h.shape;
  const out = new Float32Array(B * U);
  for (let b = 0; b < B; b++) out.set(h.data.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  return { shape: [B, U], data: out };
}

/**
 * Prepares a non-recurrent layer that receives `features` per step. Throws for layers the lab
 * cannot run, naming the layer and what it can run.
 */
export function prepareLayer(path: string, layer: ModelLayer, weights: Tensor[], features: number, kerasVersion: string | undefined): FrontOp {
  const c = layer.config;
  const where = `layer "${layer.name}" (${layer.className})`;
  const base = { name: layer.name, className: layer.className };
  if (IDENTITY.has(layer.className)) return { ...base, features, apply: (x) => x };
  const inner = layer.className === 'TimeDistributed' && typeof c.layer === 'object' && c.layer !== null ? (c.layer as { class_name?: string; config?: Record<string, unknown> }) : undefined;
  if (layer.className === 'Dense' || inner?.class_name === 'Dense') {
    const config = inner?.config ?? c;
    const units = weights[0]?.shape[1];
    const useBias = config.use_bias !== false;
    expectWeights(path, layer, weights, useBias ? [[features, units], [units]] : [[features, units]]);
    const actName = activationName(config.activation) ?? 'linear';
    const act = activation(actName, kerasVersion);
    if (!act) throw fileError(path, `${where} uses activation "${actName}", which the lab cannot run`);
    const [kernel, bias] = weights;
    return {
      ...base,
      features: units,
      apply: (x) =>
        run(x, (t) => {
          const flat = tf.reshape(t, [-1, features]);
          let y = tf.matMul(flat, tf.tensor2d(kernel.data, [features, units]));
          if (bias) y = tf.add(y, tf.tensor1d(bias.data));
          return tf.reshape(act(y), [...x.shape.slice(0, -1), units]);
        }),
    };
  }
  if (layer.className === 'Activation') {
    const actName = activationName(c.activation) ?? 'linear';
    const act = activation(actName, kerasVersion);
    if (!act) throw fileError(path, `${where} uses activation "${actName}", which the lab cannot run`);
    return { ...base, features, apply: (x) => run(x, act) };
  }
  if (layer.className === 'LayerNormalization' || layer.className === 'BatchNormalization') {
    const scale = c.scale !== false;
    const center = c.center !== false;
    const epsilon = typeof c.epsilon === 'number' ? c.epsilon : layer.className === 'LayerNormalization' ? 1e-3 : 1e-3;
    const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
    if (!axis.every((a) => a === -1 || a === 2)) throw fileError(path, `${where} normalises over axis ${JSON.stringify(c.axis)}; the lab runs it over the features (axis -1) only`);
    const shapes = [...(scale ? [[features]] : []), ...(center ? [[features]] : []), ...(layer.className === 'BatchNormalization' ? [[features], [features]] : [])];
    expectWeights(path, layer, weights, shapes);
    let i = 0;
    const gamma = scale ? weights[i++] : undefined;
    const beta = center ? weights[i++] : undefined;
    const moving = layer.className === 'BatchNormalization' ? { mean: weights[i++], variance: weights[i++] } : undefined;
    return {
      ...base,
      features,
      apply: (x) =>
        run(x, (t) => {
          let mean: tf.Tensor;
          let variance: tf.Tensor;
          if (moving) {
            mean = tf.tensor1d(moving.mean.data);
            variance = tf.tensor1d(moving.variance.data);
          } else {
            ({ mean, variance } = tf.moments(t, -1, true));
          }
          let y = tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, epsilon)));
          if (gamma) y = tf.mul(y, tf.tensor1d(gamma.data));
          if (beta) y = tf.add(y, tf.tensor1d(beta.data));
          return y;
        }),
    };
  }
  if (layer.className === 'RepeatVector') {
    const n = c.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw fileError(path, `${where} has no valid "n"`);
    return {
      ...base,
      features,
      apply: (x) => {
        if (x.shape.length !== 2) throw fileError(path, `${where} expects one vector per sequence, got shape [${x.shape.join(', ')}]`);
        const [B, F] = x.shape;
        const out = new Float32Array(B * n * F);
        for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) out.set(x.data.subarray(b * F, (b + 1) * F), (b * n + t) * F);
        return { shape: [B, n, F], data: out };
      },
    };
  }
  throw fileError(path, `has ${where} before the traced layer, which the lab cannot run; it runs ${FRONT_CLASSES}`);
}

/** An Embedding layer: its table `[input_dim, output_dim]`. */
export interface EmbeddingTable {
  name: string;
  inputDim: number;
  outputDim: number;
  table: Tensor;
}

/** Reads and checks an Embedding layer's table. */
export function prepareEmbedding(path: string, layer: ModelLayer, weights: Tensor[]): EmbeddingTable {
  const c = layer.config;
  const inputDim = typeof c.input_dim === 'number' ? c.input_dim : weights[0]?.shape[0];
  const outputDim = typeof c.output_dim === 'number' ? c.output_dim : weights[0]?.shape[1];
  expectWeights(path, layer, weights, [[inputDim, outputDim]]);
  return { name: layer.name, inputDim, outputDim, table: weights[0] };
}

/** Looks token ids `[batch, time]` up in an embedding table: `[batch, time, output_dim]`. */
export function embed(e: EmbeddingTable, ids: Int32Array, batch: number, time: number): Activations {
  const D = e.outputDim;
  const out = new Float32Array(batch * time * D);
  for (let i = 0; i < ids.length; i++) out.set(e.table.data.subarray(ids[i] * D, (ids[i] + 1) * D), i * D);
  return { shape: [batch, time, D], data: out };
}

/** Number of values of an activation, for size checks. */
export const valuesOf = (x: Activations): number => sizeOf(x.shape);
