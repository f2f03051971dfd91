/**
 * Training a recurrent model on a task, in the worker, with TensorFlow.js autodiff through
 * the one gate-capturing cell that traces use (`lstmSequence` / `gruSequence` of
 * kernels/tf-ops.ts: the kernel's forward run and its BPTT), so what is traced is what was
 * trained. The input projection and the dense readout on top are `projection` ops (explicit
 * transposes: tfjs-backend-wasm's transposed matMul is 10–20× slower).
 *
 * Attention models (plain causal softmax attention, forgetting attention) train the same way
 * through `attentionForward` of attention.ts, the forward that traces and influence use; the
 * readout reads the attention output y_t `[heads·keyDim]` of each step instead of h_t.
 *
 *   logits = h_t·W_y + b_y,   h = recurrence(x·K + b)   (or h = attention(x))
 *   loss   = Σ_t mask_t·ℓ_t / Σ_t mask_t,   ℓ = cross-entropy (classification) or squared error (adding)
 */
import type { TrainingProgress, TrainingRecord } from '../shared/trace';

export type { TrainingProgress } from '../shared/trace';
import type { LstmWeights, SequenceInput } from './data';
import { generateLstmWeights } from './data';
import { attentionForward, attentionParamShapes, generateAttentionWeights, traceAttention, type AttentionOptions, type AttentionParams, type AttentionRun, type AttentionWeights, type ScoreKind } from './attention';
import { generateGruWeights, splitGruBias, traceGru, type GruWeights } from './gru';
import { glorotUniform } from './init';
import type { RecurrentActivation } from './kernels/activations';
import { CancelledError } from './kernels/lstm-kernel';
import { gruSequence, lstmSequence, projection, requireGradients } from './kernels/tf-ops';
import { traceLstm } from './lstm';
import { createRandom } from './rng';
import type { Task, TaskData } from './tasks';
import { now, tf } from './tf';

/** What `train:` in a spec declares (defaults from the schema). */
export interface TrainSpec {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  /** Seed of the order of the training sequences. */
  seed: number;
  /** Gradients are scaled down to this global L2 norm when larger; 0 turns clipping off. */
  clipNorm: number;
}

/** The recurrent layer being trained. */
export interface RecurrentConfig {
  model: 'lstm' | 'gru';
  units: number;
  recurrentActivation: RecurrentActivation;
  /** LSTM: false for the 1997 cell, f ≡ 1. */
  forgetGate?: boolean;
  /** GRU: reset gate after the recurrent product. */
  resetAfter?: boolean;
}

/** A trained (or initial) model: the recurrent layer's weights in the Keras layout and the dense readout. */
export interface RecurrentModel {
  config: RecurrentConfig;
  /** LSTM weights or GRU weights (bias `[2][3·units]` with resetAfter). */
  recurrent: LstmWeights | GruWeights;
  /** `[units, outputs]`. */
  readoutKernel: Float32Array;
  /** `[outputs]`. */
  readoutBias: Float32Array;
  outputs: number;
}

/** How to initialise a model from a seed (Keras's initialisers; `init.ts`). */
export interface InitOptions {
  seed: number;
  unitForgetBias: boolean;
  forgetBias: number;
  chrono?: number;
}

/** An attention layer being trained; it is always causal (a step must not see the steps it predicts). */
export interface AttentionConfig {
  model: 'attention' | 'forgetting-attention';
  heads: number;
  keyDim: number;
  /** Plain attention's score (forgetting attention: scaled-dot). */
  score: ScoreKind;
}

/** A trained (or initial) attention model: its projections (and forget gates) and the dense readout of its output. */
export interface AttentionModel {
  config: AttentionConfig;
  attention: AttentionWeights;
  /** `[heads·keyDim, outputs]`. */
  readoutKernel: Float32Array;
  /** `[outputs]`. */
  readoutBias: Float32Array;
  outputs: number;
}

/** Any model the trainer trains. */
export type TrainedModel = RecurrentModel | AttentionModel;

/** Whether a model is an attention model. */
export function isAttentionModel(model: TrainedModel): model is AttentionModel {
  return model.config.model === 'attention' || model.config.model === 'forgetting-attention';
}

/** How an attention model runs: causal, forgetting for forgetting attention. */
export function attentionOptionsOf(config: AttentionConfig): AttentionOptions {
  const forgetting = config.model === 'forgetting-attention';
  return { score: forgetting ? 'scaled-dot' : config.score, causal: true, forgetting };
}

/** Features the model reads. */
export function featuresOf(model: TrainedModel): number {
  return isAttentionModel(model) ? model.attention.features : model.recurrent.features;
}

/** A fresh attention model: weights generated like `model: attention` traces do from `seed`, a glorot-uniform readout. */
export function initialAttentionModel(config: AttentionConfig, features: number, outputs: number, init: { seed: number; forgetBias: number }): AttentionModel {
  const forgetting = config.model === 'forgetting-attention';
  const attention = generateAttentionWeights(init.seed, features, config.heads, config.keyDim, { additive: !forgetting && config.score === 'additive', forgetting, forgetBias: forgetting ? init.forgetBias : 0 });
  const random = createRandom(init.seed + 1);
  return { config, attention, readoutKernel: glorotUniform(random, config.heads * config.keyDim, outputs), readoutBias: new Float32Array(outputs), outputs };
}

/** A fresh model for `features` inputs and `outputs` outputs. */
export function initialModel(config: RecurrentConfig, features: number, outputs: number, init: InitOptions): RecurrentModel {
  const recurrent = config.model === 'lstm'
    ? generateLstmWeights(init.seed, features, config.units, init.unitForgetBias, init.forgetBias, init.chrono)
    : generateGruWeights(init.seed, features, config.units, config.resetAfter ?? true);
  const random = createRandom(init.seed + 1);
  return {
    config,
    recurrent: copyWeights(recurrent),
    readoutKernel: glorotUniform(random, config.units, outputs),
    readoutBias: new Float32Array(outputs),
    outputs,
  };
}

function copyWeights<W extends LstmWeights | GruWeights>(w: W): W {
  return { ...w, kernel: w.kernel.slice(), recurrentKernel: w.recurrentKernel.slice(), bias: w.bias.slice() };
}

/** A copy of a model that shares no arrays with it. */
export function cloneModel<M extends TrainedModel>(model: M): M {
  const readout = { readoutKernel: model.readoutKernel.slice(), readoutBias: model.readoutBias.slice() };
  if (isAttentionModel(model)) {
    const attention = { ...model.attention };
    for (const name of Object.keys(attentionParamShapes(model.attention)) as (keyof AttentionParams)[]) attention[name] = model.attention[name]!.slice();
    return { ...model, attention, ...readout };
  }
  return { ...model, recurrent: copyWeights((model as RecurrentModel).recurrent), ...readout };
}


/** The trainable tensors of a model, in a fixed order. */
interface Variables {
  kernel: tf.Variable;
  recurrentKernel: tf.Variable;
  bias: tf.Variable;
  recurrentBias?: tf.Variable;
  readoutKernel: tf.Variable;
  readoutBias: tf.Variable;
}

/** A variable holding `t` (which is then disposed: the variable keeps the data). */
function variable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

function toVariables(model: RecurrentModel): Variables {
  const { config, recurrent: w } = model;
  const G = (config.model === 'lstm' ? 4 : 3) * config.units;
  const F = w.features;
  let bias = w.bias;
  let recurrentBias: Float32Array | undefined;
  if (config.model === 'gru') ({ input: bias, recurrent: recurrentBias } = splitGruBias(w as GruWeights, config.resetAfter ?? true));
  return {
    kernel: variable(tf.tensor2d(w.kernel, [F, G])),
    recurrentKernel: variable(tf.tensor2d(w.recurrentKernel, [config.units, G])),
    bias: variable(tf.tensor1d(bias)),
    recurrentBias: recurrentBias && variable(tf.tensor1d(recurrentBias)),
    readoutKernel: variable(tf.tensor2d(model.readoutKernel, [config.units, model.outputs])),
    readoutBias: variable(tf.tensor1d(model.readoutBias)),
  };
}

function variableList(v: Variables): tf.Variable[] {
  return [v.kernel, v.recurrentKernel, v.bias, ...(v.recurrentBias ? [v.recurrentBias] : []), v.readoutKernel, v.readoutBias];
}

/** The model held by `v` now (copies out of the backend). */
function fromVariables(v: Variables, model: RecurrentModel): RecurrentModel {
  const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
  const bias = v.recurrentBias ? Float32Array.from([...read(v.bias), ...read(v.recurrentBias)]) : read(v.bias);
  return {
    ...model,
    recurrent: { ...model.recurrent, kernel: read(v.kernel), recurrentKernel: read(v.recurrentKernel), bias },
    readoutKernel: read(v.readoutKernel),
    readoutBias: read(v.readoutBias),
  };
}

/** Logits `[B·T, outputs]` of a batch `x` `[B, T, F]` (differentiable in the variables). */
function recurrentForward(v: Variables, config: RecurrentConfig, x: tf.Tensor3D, shouldStop?: () => boolean): tf.Tensor2D {
  const [B, T, F] = x.shape;
  const G = v.kernel.shape[1] as number;
  const projected = tf.reshape(projection(tf.reshape(x, [B * T, F]) as tf.Tensor2D, v.kernel as tf.Tensor2D, v.bias as tf.Tensor1D), [B, T, G]) as tf.Tensor3D;
  const common = { recurrentActivation: config.recurrentActivation, shouldStop };
  const { hidden } = config.model === 'lstm'
    ? lstmSequence(projected, v.recurrentKernel as tf.Tensor2D, { ...common, forgetGate: config.forgetGate })
    : gruSequence(projected, v.recurrentKernel as tf.Tensor2D, v.recurrentBias as tf.Tensor1D | undefined, { ...common, resetAfter: config.resetAfter ?? true });
  return projection(tf.reshape(hidden, [B * T, config.units]) as tf.Tensor2D, v.readoutKernel as tf.Tensor2D, v.readoutBias as tf.Tensor1D);
}

/** A model's trainable tensors, in a fixed order, with its differentiable forward pass. */
interface ModelVariables<M extends TrainedModel> {
  /** Every variable; the penalty and the optimizer see them in this order. */
  list: tf.Variable[];
  /** Logits `[B·T, outputs]` of a batch `x` `[B, T, F]`, differentiable in the variables. */
  forward(x: tf.Tensor3D): tf.Tensor2D;
  /** The model the variables hold now (copied out of the backend). */
  read(): M;
}

function recurrentVariables(model: RecurrentModel): ModelVariables<RecurrentModel> {
  const v = toVariables(model);
  return { list: variableList(v), forward: (x) => recurrentForward(v, model.config, x), read: () => fromVariables(v, model) };
}

/**
 * The variables of an attention model: Q, K, V projections (additive: Wq, Wk, v; forgetting:
 * the forget gates' kernel and bias), then the readout. The forward is `attentionForward`.
 */
function attentionVariables(model: AttentionModel): ModelVariables<AttentionModel> {
  const w = model.attention;
  const names = Object.keys(attentionParamShapes(w)) as (keyof AttentionParams)[];
  const shapes = attentionParamShapes(w);
  const params: Partial<Record<keyof AttentionParams, tf.Variable>> = {};
  for (const name of names) params[name] = variable(tf.tensor(w[name]!, shapes[name]));
  const width = model.config.heads * model.config.keyDim;
  const readoutKernel = variable(tf.tensor2d(model.readoutKernel, [width, model.outputs]));
  const readoutBias = variable(tf.tensor1d(model.readoutBias));
  const options = attentionOptionsOf(model.config);
  const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
  return {
    list: [...names.map((n) => params[n]!), readoutKernel, readoutBias],
    forward: (x) => {
      const [B, T] = x.shape;
      const { output } = attentionForward(x, w, options, undefined, params as AttentionParams);
      return projection(tf.reshape(output, [B * T, width]) as tf.Tensor2D, readoutKernel as tf.Tensor2D, readoutBias as tf.Tensor1D);
    },
    read: () => {
      const attention = { ...w };
      for (const name of names) attention[name] = read(params[name]!);
      return { ...model, attention, readoutKernel: read(readoutKernel), readoutBias: read(readoutBias) };
    },
  };
}

function modelVariables<M extends TrainedModel>(model: M): ModelVariables<M> {
  return (isAttentionModel(model) ? attentionVariables(model) : recurrentVariables(model as RecurrentModel)) as unknown as ModelVariables<M>;
}

/** The masked mean loss of logits against targets `[B·T, C]` and mask `[B·T]`. */
function maskedLoss(kind: Task['kind'], logits: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor1D): tf.Scalar {
  return tf.div(maskedLossSum(kind, logits, targets, mask), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** The loss of each step `[B·T]`: cross-entropy of logits against one-hot targets, or squared error. */
function stepLoss(kind: Task['kind'], logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
  return (kind === 'classification'
    ? tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))
    : tf.sum(tf.square(tf.sub(logits, targets)), 1)) as tf.Tensor1D;
}

/** The masked sum of the step losses of logits against targets `[B·T, C]` and mask `[B·T]`. */
function maskedLossSum(kind: Task['kind'], logits: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.mul(stepLoss(kind, logits, targets), mask)) as tf.Scalar;
}

/** Rows `indices` of a split as tensors: x `[B, T, F]`, targets `[B·T, C]`, mask `[B·T]`. */
function batchOf(data: TaskData, indices: readonly number[]): { x: Float32Array; targets: Float32Array; mask: Float32Array } {
  const { time: T, features: F, outputs: C } = data;
  const x = new Float32Array(indices.length * T * F);
  const targets = new Float32Array(indices.length * T * C);
  const mask = new Float32Array(indices.length * T);
  indices.forEach((row, i) => {
    x.set(data.inputs.subarray(row * T * F, (row + 1) * T * F), i * T * F);
    targets.set(data.targets.subarray(row * T * C, (row + 1) * T * C), i * T * C);
    mask.set(data.mask.subarray(row * T, (row + 1) * T), i * T);
  });
  return { x, targets, mask };
}

/** Absolute error under which an adding-problem answer counts as right (Hochreiter & Schmidhuber 1997). */
export const ADDING_TOLERANCE = 0.04;

/** Share of scored steps answered right: argmax = target, or |y − target| < 0.04 for regression. */
export function accuracyOf(kind: Task['kind'], logits: Float32Array, targets: Float32Array, mask: Float32Array, outputs: number): number {
  let right = 0;
  let scored = 0;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r] === 0) continue;
    scored++;
    if (kind === 'regression') {
      if (Math.abs(logits[r] - targets[r]) < ADDING_TOLERANCE) right++;
      continue;
    }
    const best = argmax(logits, r * outputs, outputs);
    if (targets[r * outputs + best] === 1) right++;
  }
  return scored === 0 ? 0 : right / scored;
}

function argmax(values: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (values[start + j] > values[start + best]) best = j;
  return best;
}

/** An extra loss term on the weights (EWC), in the variables' order of `variableList`. */
export type Penalty = (variables: tf.Variable[]) => tf.Scalar;

/**
 * Rehearsal (continual learning): sequences of an earlier task's training split replayed in
 * every batch, so that they are `fraction` of the batch's sequences (see `replayCount`), drawn
 * in a seeded order that cycles through the split.
 */
export interface Replay {
  data: TaskData;
  kind: Task['kind'];
  /** Share of every batch's sequences taken from `data`, in [0, 1). */
  fraction: number;
  seed: number;
}

/**
 * Replayed sequences added to a batch of `batch` new ones so that they are `fraction` of the
 * whole: round(fraction·batch / (1 − fraction)).
 */
export function replayCount(batch: number, fraction: number): number {
  return fraction <= 0 ? 0 : Math.round((fraction * batch) / (1 - fraction));
}

/** The rows of `n` to replay next: a seeded shuffled order of all n, reshuffled each time it runs out. */
export function replaySampler(n: number, seed: number): (count: number) => number[] {
  const random = createRandom(seed);
  let order: number[] = [];
  return (count) => {
    const rows: number[] = [];
    while (rows.length < count) {
      if (order.length === 0) order = shuffled(n, random);
      rows.push(order.pop()!);
    }
    return rows;
  };
}

export interface TrainOptions<M extends TrainedModel = RecurrentModel> {
  /** Asked before every batch: true stops after the batch in flight; the model so far is returned. */
  shouldStop?: () => boolean;
  /** Called after every step; the caller throttles what it sends on. */
  onProgress?: (progress: TrainingProgress) => void;
  /** Added to the loss (continual learning). */
  penalty?: Penalty;
  /** Called after each epoch with the model so far (for curves on another task). */
  onEpoch?: (model: M, epoch: number) => void;
  /** Rehearsal: an earlier task's sequences mixed into every batch. */
  replay?: Replay;
  /** `onEvaluate` calls per epoch, at evenly spaced steps (the last at the epoch's end); default 1. */
  evaluations?: number;
  /** Called `evaluations` times per epoch with the model so far and the 1-based step count. */
  onEvaluate?: (model: M, step: number) => void;
}

/** What `trainModel` returns. */
export interface TrainResult<M extends TrainedModel = RecurrentModel> {
  model: M;
  record: TrainingRecord;
}

function makeOptimizer(spec: TrainSpec): tf.Optimizer {
  switch (spec.optimizer) {
    case 'adam':
      return tf.train.adam(spec.learningRate);
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate);
  }
}

/** Fisher–Yates with the seeded generator. */
function shuffled(n: number, random: ReturnType<typeof createRandom>): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random.uniform() * (i + 1)));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Trains `model` (not changed; the result is a new model) on `task.train` for `spec.epochs`
 * epochs of minibatches in a seeded order, evaluating the test split after each epoch. Stops
 * early, keeping what was learnt, when `shouldStop` says so.
 */
export function trainModel<M extends TrainedModel = RecurrentModel>(model: M, task: Task, spec: TrainSpec, options: TrainOptions<M> = {}): TrainResult<M> {
  requireGradients('Reshape', 'Sum', 'Multiply', 'Neg', 'RealDiv', 'Square', 'Sub', 'Maximum', 'Exp', 'Log');
  if (isAttentionModel(model)) requireGradients('BatchMatMul', 'Transpose', 'Sigmoid', 'Softmax', 'Add', 'Tile', 'Tanh');
  const data = task.train;
  if (data.features !== featuresOf(model) || data.outputs !== model.outputs) {
    throw new Error(`train: the model takes ${featuresOf(model)} features and gives ${model.outputs} outputs, the task has ${data.features} and ${data.outputs}`);
  }
  const random = createRandom(spec.seed);
  const stepsPerEpoch = Math.ceil(data.n / spec.batchSize);
  const record: TrainingRecord = {
    task: { name: task.name, lag: task.lag },
    epochs: spec.epochs,
    stepsPerEpoch,
    loss: [],
    accuracy: [],
    testLoss: [],
    testAccuracy: [],
    stopped: false,
  };
  const variables = modelVariables(model);
  const list = variables.list;
  const optimizer = makeOptimizer(spec);
  const started = now();
  let current = model;
  const replay = options.replay;
  const replayRows = replay && replaySampler(replay.data.n, replay.seed);
  if (replay && (replay.data.features !== data.features || replay.data.outputs !== data.outputs)) {
    throw new Error(`train: replayed sequences have ${replay.data.features} features and ${replay.data.outputs} outputs, the task ${data.features} and ${data.outputs}`);
  }
  const evaluations = Math.max(1, Math.min(options.evaluations ?? 1, stepsPerEpoch));
  /** Steps within an epoch after which `onEvaluate` runs. */
  const evaluateAt = new Set(Array.from({ length: evaluations }, (_, k) => Math.round(((k + 1) * stepsPerEpoch) / evaluations)));
  try {
    outer: for (let epoch = 1; epoch <= spec.epochs; epoch++) {
      const order = shuffled(data.n, random);
      for (let step = 1; step <= stepsPerEpoch; step++) {
        if (options.shouldStop?.()) {
          record.stopped = true;
          break outer;
        }
        const rows = order.slice((step - 1) * spec.batchSize, step * spec.batchSize);
        const batch = batchOf(data, rows);
        let logitsData: Float32Array | undefined;
        const lossValue = tf.tidy(() => {
          const replayed = replayRows && { data: replay.data, kind: replay.kind, batch: batchOf(replay.data, replayRows(replayCount(rows.length, replay.fraction))) };
          const { value, grads } = batchGradients(variables, task.kind, data, rows, batch, (logits) => {
            logitsData = Float32Array.from(logits.dataSync() as Float32Array);
          }, options.penalty, replayed);
          optimizer.applyGradients(clipped(grads, spec.clipNorm));
          return value.dataSync()[0];
        });
        record.loss.push(lossValue);
        record.accuracy.push(accuracyOf(task.kind, logitsData!, batch.targets, batch.mask, data.outputs));
        const done = (epoch - 1) * stepsPerEpoch + step;
        const total = spec.epochs * stepsPerEpoch;
        options.onProgress?.({ epoch, epochs: spec.epochs, step, stepsPerEpoch, etaMs: ((now() - started) / done) * (total - done), record });
        if (options.onEvaluate && evaluateAt.has(step)) options.onEvaluate(variables.read(), done);
      }
      current = variables.read();
      const test = evaluate(current, task.test, task.kind);
      record.testLoss.push(test.loss);
      record.testAccuracy.push(test.accuracy);
      options.onEpoch?.(current, epoch);
    }
    current = variables.read();
  } finally {
    list.forEach((v) => v.dispose());
    optimizer.dispose();
  }
  record.trainMs = now() - started;
  return { model: current, record };
}

/** Replayed sequences of a batch (rehearsal): their split, its kind and the rows drawn. */
interface ReplayedBatch {
  data: TaskData;
  kind: Task['kind'];
  batch: ReturnType<typeof batchOf>;
}

/**
 * The loss of a batch (plus the penalty) and its gradients by the variables' names, by autodiff
 * through the model's forward. With replayed sequences the loss is the masked mean over the new
 * and the replayed sequences together, as if they were one batch (they may differ in length).
 */
function batchGradients<M extends TrainedModel>(variables: ModelVariables<M>, kind: Task['kind'], data: TaskData, rows: readonly number[], batch: ReturnType<typeof batchOf>, onLogits?: (logits: tf.Tensor2D) => void, penalty?: Penalty, replayed?: ReplayedBatch): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const x = tf.tensor3d(batch.x, [rows.length, data.time, data.features]);
  const targets = tf.tensor2d(batch.targets, [rows.length * data.time, data.outputs]);
  const mask = tf.tensor1d(batch.mask);
  return tf.variableGrads(() => {
    const logits = variables.forward(x);
    onLogits?.(logits);
    let loss = maskedLoss(kind, logits, targets, mask);
    if (replayed && replayed.batch.mask.length > 0) {
      const r = replayed.data;
      const m = replayed.batch.mask.length / r.time;
      const replayMask = tf.tensor1d(replayed.batch.mask);
      const replayLogits = variables.forward(tf.tensor3d(replayed.batch.x, [m, r.time, r.features]));
      const sum = tf.add(maskedLossSum(kind, logits, targets, mask), maskedLossSum(replayed.kind, replayLogits, tf.tensor2d(replayed.batch.targets, [m * r.time, r.outputs]), replayMask));
      loss = tf.div(sum, tf.maximum(tf.add(tf.sum(mask), tf.sum(replayMask)), 1)) as tf.Scalar;
    }
    return penalty ? tf.add(loss, penalty(variables.list)) as tf.Scalar : loss;
  }, variables.list);
}

/**
 * The model's trainable arrays in the order a `Penalty` receives its variables (recurrent:
 * kernel, recurrent kernel, bias — GRU: the input bias, then the recurrent bias when split —
 * readout kernel, readout bias; attention: as `lossGradients` lists them).
 */
export function modelParameters(model: TrainedModel): Float32Array[] {
  const { list } = modelVariables(model);
  try {
    return list.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  } finally {
    list.forEach((v) => v.dispose());
  }
}

/**
 * The diagonal of the empirical Fisher information of `model` on `data` (Kirkpatrick et al.
 * 2017, elastic weight consolidation), in `modelParameters`'s order:
 *
 *   F_i = (1/N) Σ_n (∂ log p(y_n | x_n; θ) / ∂θ_i)²
 *
 * over the N sequences of `data`, one sequence at a time; log p sums, over the sequence's scored
 * steps, the log-softmax of the target class (classification) or −½(y − ŷ)² (regression: a
 * Gaussian of unit variance). Empirical: the targets are the data's, not sampled from the model.
 */
export function fisherDiagonal(model: TrainedModel, data: TaskData, kind: Task['kind'], shouldStop?: () => boolean): Float32Array[] {
  requireGradients('Reshape', 'Sum', 'Multiply', 'Neg', 'Square', 'Sub', 'Exp', 'Log');
  const variables = modelVariables(model);
  const { list } = variables;
  const sums = list.map((v) => new Float64Array(v.size));
  try {
    for (let n = 0; n < data.n; n++) {
      if (shouldStop?.()) throw new CancelledError();
      const one = batchOf(data, [n]);
      const squares = tf.tidy(() => {
        const x = tf.tensor3d(one.x, [1, data.time, data.features]);
        const targets = tf.tensor2d(one.targets, [data.time, data.outputs]);
        const mask = tf.tensor1d(one.mask);
        const { grads } = tf.variableGrads(() => tf.mul(maskedLossSum(kind, variables.forward(x), targets, mask), kind === 'classification' ? -1 : -0.5) as tf.Scalar, list);
        return list.map((v) => tf.square(grads[v.name]).dataSync() as Float32Array);
      });
      squares.forEach((sq, i) => {
        const sum = sums[i];
        for (let j = 0; j < sq.length; j++) sum[j] += sq[j];
      });
    }
  } finally {
    list.forEach((v) => v.dispose());
  }
  return sums.map((s) => Float32Array.from(s, (v) => v / Math.max(1, data.n)));
}

/**
 * The training loss of `model` on rows `rows` of a split and its gradient with respect to every
 * weight, by the autodiff the trainer steps with: `[loss, gradients]`, the gradients in the
 * order of the variables (attention: query, key, value, [Wq, Wk, v,] [forgetKernel, forgetBias,]
 * readoutKernel, readoutBias), each laid out like the weight.
 */
export function lossGradients(model: TrainedModel, kind: Task['kind'], data: TaskData, rows: readonly number[]): [number, Float32Array[]] {
  const variables = modelVariables(model);
  let loss = NaN;
  let gradients: Float32Array[] = [];
  try {
    tf.tidy(() => {
      const { value, grads } = batchGradients(variables, kind, data, rows, batchOf(data, rows));
      loss = value.dataSync()[0];
      gradients = variables.list.map((v) => Float32Array.from(grads[v.name].dataSync() as Float32Array));
    });
    return [loss, gradients];
  } finally {
    variables.list.forEach((v) => v.dispose());
  }
}

/** Scales every gradient by clipNorm/‖g‖ when the global norm ‖g‖ exceeds clipNorm (> 0). */
function clipped(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  if (!(clipNorm > 0)) return grads;
  const names = Object.keys(grads);
  const norm = Math.sqrt(names.reduce((s, n) => s + (tf.sum(tf.square(grads[n])).dataSync()[0]), 0));
  if (!(norm > clipNorm)) return grads;
  const scale = clipNorm / norm;
  return Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], scale)]));
}

/** A model's outputs on a split through the traced cell: the recurrent trace and the logits `[n·T, outputs]`. */
export function predict(model: RecurrentModel, data: TaskData, shouldStop?: () => boolean): { run: ReturnType<typeof traceLstm>; logits: Float32Array; input: SequenceInput } {
  const input: SequenceInput = { batch: data.n, time: data.time, features: data.features, data: data.inputs };
  const { config } = model;
  const common = { recurrentActivation: config.recurrentActivation, shouldStop };
  const run = config.model === 'lstm'
    ? traceLstm(input, model.recurrent, { ...common, forgetGate: config.forgetGate })
    : traceGru(input, model.recurrent as GruWeights, { ...common, resetAfter: config.resetAfter ?? true });
  return { run, logits: readoutLogits(model, run.series.hidden.data, config.units, data.n * data.time), input };
}

/** The dense readout of `rows` steps of `width` features: logits `[rows, outputs]`. */
function readoutLogits(model: TrainedModel, hidden: Float32Array, width: number, rows: number): Float32Array {
  const C = model.outputs;
  const logits = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      let s = model.readoutBias[c];
      for (let u = 0; u < width; u++) s += hidden[r * width + u] * model.readoutKernel[u * C + c];
      logits[r * C + c] = s;
    }
  }
  return logits;
}

/** An attention model's outputs on a split through the trace (the WebAssembly heads where set): the attention run and the logits `[n·T, outputs]`. */
export function predictAttention(model: AttentionModel, data: TaskData): { run: AttentionRun; logits: Float32Array; input: SequenceInput } {
  const input: SequenceInput = { batch: data.n, time: data.time, features: data.features, data: data.inputs };
  const run = traceAttention(input, model.attention, attentionOptionsOf(model.config));
  return { run, logits: readoutLogits(model, run.series.output.data, model.config.heads * model.config.keyDim, data.n * data.time), input };
}

/** The masked mean loss and accuracy of `model` on a split, computed through the traced cell (float64 sums). */
export function evaluate(model: TrainedModel, data: TaskData, kind: Task['kind']): { loss: number; accuracy: number } {
  const { logits } = isAttentionModel(model) ? predictAttention(model, data) : predict(model, data);
  return { loss: lossOf(kind, logits, data.targets, data.mask, data.outputs), accuracy: accuracyOf(kind, logits, data.targets, data.mask, data.outputs) };
}

/** Masked mean cross-entropy or squared error of logits, in float64. */
export function lossOf(kind: Task['kind'], logits: Float32Array, targets: Float32Array, mask: Float32Array, outputs: number): number {
  let total = 0;
  let scored = 0;
  for (let r = 0; r < mask.length; r++) {
    if (mask[r] === 0) continue;
    scored += mask[r];
    if (kind === 'regression') {
      total += mask[r] * (logits[r] - targets[r]) ** 2;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < outputs; c++) max = Math.max(max, logits[r * outputs + c]);
    let sum = 0;
    for (let c = 0; c < outputs; c++) sum += Math.exp(logits[r * outputs + c] - max);
    const logZ = max + Math.log(sum);
    for (let c = 0; c < outputs; c++) total -= mask[r] * targets[r * outputs + c] * (logits[r * outputs + c] - logZ);
  }
  return scored === 0 ? 0 : total / scored;
}
