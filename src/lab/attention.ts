/**
 * Softmax attention and forgetting attention over an input sequence, in TensorFlow.js ops
 * (differentiable, so influence uses the same code as traces).
 *
 *   q = x·W_Q, k = x·W_K, v = x·W_V, split into heads of keyDim columns
 *   e_ij = q_i·k_j (dot), q_i·k_j/√d (scaled-dot), vᵀ tanh(W_q q_i + W_k k_j) (additive)
 *   α_i = softmax_j(e_ij [+ D_ij]), masked keys (j > i when causal) get exactly 0
 *   y_i = Σ_j α_ij v_j, heads concatenated
 *
 * Forgetting attention (Lin et al. 2025): f_t = σ(x_t·w_f + b_f) per head; the decay bias
 * D_ij = Σ_{k=j+1..i} ln f_k (j ≤ i) is added to the scaled scores before the causal softmax.
 */
import type { Series, Trace } from '../shared/trace';
import type { SequenceInput } from './data';
import { glorotUniform } from './init';
import { memoryMetrics } from './metrics';
import { createRandom } from './rng';
import { decayPrefix, type AttentionKernel } from './kernels/wasm-attention';
import { tf } from './tf';

export type ScoreKind = 'dot' | 'scaled-dot' | 'additive';

/** Projection weights; head h owns columns h·keyDim … (h+1)·keyDim−1. */
export interface AttentionWeights {
  features: number;
  heads: number;
  keyDim: number;
  /** `[features, heads·keyDim]` each. */
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  /** Additive scores: `[heads, keyDim, keyDim]` each, and `v` `[heads, keyDim]`. */
  Wq?: Float32Array;
  Wk?: Float32Array;
  v?: Float32Array;
  /** Forgetting attention: `[features, heads]` and `[heads]`. */
  forgetKernel?: Float32Array;
  forgetBias?: Float32Array;
}

export interface AttentionOptions {
  score: ScoreKind;
  causal: boolean;
  /** Forgetting attention: add the decay bias (implies causal, scaled-dot). */
  forgetting: boolean;
  /** Thresholded forgetting: weights below this are zeroed and rows renormalised. */
  pruneBelow?: number;
}

/** Stands for −∞ in masked scores: exp underflows to exactly 0 in float32, gradients stay finite. */
const MASKED = -1e9;

/** Weights generated like Keras's `MultiHeadAttention`: glorot-uniform projections, zero forget bias plus `forgetBias`. */
export function generateAttentionWeights(seed: number, features: number, heads: number, keyDim: number, options: { additive: boolean; forgetting: boolean; forgetBias: number }): AttentionWeights {
  const random = createRandom(seed);
  const width = heads * keyDim;
  const w: AttentionWeights = {
    features,
    heads,
    keyDim,
    query: glorotUniform(random, features, width),
    key: glorotUniform(random, features, width),
    value: glorotUniform(random, features, width),
  };
  if (options.additive) {
    w.Wq = new Float32Array(heads * keyDim * keyDim);
    w.Wk = new Float32Array(heads * keyDim * keyDim);
    w.v = new Float32Array(heads * keyDim);
    for (let h = 0; h < heads; h++) {
      w.Wq.set(glorotUniform(random, keyDim, keyDim), h * keyDim * keyDim);
      w.Wk.set(glorotUniform(random, keyDim, keyDim), h * keyDim * keyDim);
      w.v.set(glorotUniform(random, keyDim, 1), h * keyDim);
    }
  }
  if (options.forgetting) {
    w.forgetKernel = glorotUniform(random, features, heads);
    w.forgetBias = new Float32Array(heads).fill(options.forgetBias);
  }
  return w;
}

/**
 * Decay bias `D[b][h][i][j] = Σ_{k=j+1..i} ln f[b][h][k]` for j ≤ i, 0 elsewhere (masked
 * separately), from forget gates `[batch, heads, time]`. The forward pass accumulates the
 * log-gates in float64 (a float32 prefix-sum difference loses about 2e-5 at a thousand
 * steps); the gradient is ∂D_ij/∂f_k = 1/f_k for j < k ≤ i.
 */
export const decayBias = tf.customGrad(((f: tf.Tensor, save: tf.GradSaveFunc) => {
  const [B, H, T] = f.shape as [number, number, number];
  const out = decayValues(f.dataSync() as Float32Array, B * H, T);
  save([f]);
  return {
    value: tf.tensor4d(out, [B, H, T, T]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const dyv = dy.dataSync() as Float32Array;
      const fs = saved[0].dataSync() as Float32Array;
      const df = new Float32Array(B * H * T);
      for (let bh = 0; bh < B * H; bh++) {
        const base = bh * T * T;
        // df_k = (1/f_k) Σ_{i ≥ k} Σ_{j < k} dy_ij; inner[i] = Σ_{j<k} dy_ij grows with k
        const rowPrefix = new Float64Array(T); // Σ_{j<k} dy[i][j] for the current k, per i
        for (let k = 0; k < T; k++) {
          let s = 0;
          for (let i = 0; i < T; i++) {
            if (k > 0) rowPrefix[i] += dyv[base + i * T + (k - 1)];
            if (i >= k) s += rowPrefix[i];
          }
          df[bh * T + k] = s / fs[bh * T + k];
        }
      }
      return [tf.tensor3d(df, [B, H, T])];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0]);

let maskCache: { time: number; mask: Float32Array } | undefined;

/** `[T, T]`: 0 where key j ≤ query i, MASKED above the diagonal (the last size's kept). */
function causalMask(T: number): Float32Array {
  if (maskCache?.time !== T) {
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) mask.fill(MASKED, i * T + i + 1, (i + 1) * T);
    maskCache = { time: T, mask };
  }
  return maskCache.mask;
}

/** The decay bias's values (see `decayBias`) for `rows` sequences of forget gates `[rows][T]`: `[rows][T][T]`. */
function decayValues(fv: Float32Array, rows: number, T: number): Float32Array {
  const out = new Float32Array(rows * T * T);
  const prefix = new Float64Array(T + 1);
  for (let bh = 0; bh < rows; bh++) {
    decayPrefix(fv, bh * T, T, prefix);
    const base = bh * T * T;
    for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) out[base + i * T + j] = prefix[i + 1] - prefix[j + 1];
  }
  return out;
}

/** Splits `[batch, time, heads·keyDim]` into `[batch, heads, time, keyDim]`. */
function splitHeads(t: tf.Tensor, batch: number, time: number, heads: number, keyDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(t, [batch, time, heads, keyDim]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** Tensors of one forward pass; `weights` are what the output used (after pruning). */
export interface AttentionTensors {
  scores: tf.Tensor4D;
  weights: tf.Tensor4D;
  kept?: tf.Tensor4D;
  output: tf.Tensor3D;
  forgetGate?: tf.Tensor3D;
  decay?: tf.Tensor4D;
}

/**
 * The weights as tensors, what the forward pass computes with: from the arrays of
 * `AttentionWeights` for traces and influence, or the trainer's variables. Shapes: query, key,
 * value `[features, heads·keyDim]`; Wq, Wk `[heads, keyDim, keyDim]`; v `[heads, keyDim]`;
 * forgetKernel `[features, heads]`; forgetBias `[heads]`.
 */
export interface AttentionParams {
  query: tf.Tensor;
  key: tf.Tensor;
  value: tf.Tensor;
  Wq?: tf.Tensor;
  Wk?: tf.Tensor;
  v?: tf.Tensor;
  forgetKernel?: tf.Tensor;
  forgetBias?: tf.Tensor;
}

/** The names of `AttentionParams`, in the order the trainer keeps its variables. */
export const ATTENTION_PARAM_NAMES = ['query', 'key', 'value', 'Wq', 'Wk', 'v', 'forgetKernel', 'forgetBias'] as const;

/** The shape of each weight array of `w` (those it has). */
export function attentionParamShapes(w: AttentionWeights): Partial<Record<keyof AttentionParams, number[]>> {
  const { features: F, heads: H, keyDim: d } = w;
  const shapes: Partial<Record<keyof AttentionParams, number[]>> = { query: [F, H * d], key: [F, H * d], value: [F, H * d] };
  if (w.Wq) Object.assign(shapes, { Wq: [H, d, d], Wk: [H, d, d], v: [H, d] });
  if (w.forgetKernel) Object.assign(shapes, { forgetKernel: [F, H], forgetBias: [H] });
  return shapes;
}

/** `w`'s arrays as tensors (the caller disposes them, or runs inside `tf.tidy`). */
export function attentionParams(w: AttentionWeights): AttentionParams {
  const params: Partial<AttentionParams> = {};
  for (const [name, shape] of Object.entries(attentionParamShapes(w)) as [keyof AttentionParams, number[]][]) params[name] = tf.tensor(w[name]!, shape);
  return params as AttentionParams;
}

/** q, k, v `[batch, heads, time, keyDim]` from the input rows `[batch·time, features]`. */
function projectHeads(x2: tf.Tensor, w: AttentionWeights, p: AttentionParams, B: number, T: number): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const { heads: H, keyDim: d } = w;
  const project = (m: tf.Tensor): tf.Tensor4D => splitHeads(tf.matMul(x2 as tf.Tensor2D, m as tf.Tensor2D), B, T, H, d);
  return { q: project(p.query), k: project(p.key), v: project(p.value) };
}

/** The forgetting attention's gates f = σ(x·w_f + b_f), `[batch, heads, time]`. */
function forgetGates(x2: tf.Tensor, w: AttentionWeights, p: AttentionParams, B: number, T: number): tf.Tensor3D {
  if (!p.forgetKernel || !p.forgetBias) throw new Error('forgetting attention needs forgetKernel and forgetBias');
  const gates = tf.sigmoid(tf.add(tf.matMul(x2 as tf.Tensor2D, p.forgetKernel as tf.Tensor2D), p.forgetBias));
  return tf.transpose(tf.reshape(gates, [B, T, w.heads]), [0, 2, 1]) as tf.Tensor3D;
}

/**
 * The forward pass from an input tensor `[batch, time, features]`, used by traces, influence
 * and training (which passes its variables as `params`; otherwise they are made from `w`).
 */
export function attentionForward(x: tf.Tensor3D, w: AttentionWeights, options: AttentionOptions, keptMask?: tf.Tensor4D, params: AttentionParams = attentionParams(w)): AttentionTensors {
  const [B, T, F] = x.shape;
  const { heads: H, keyDim: d } = w;
  const x2 = tf.reshape(x, [B * T, F]);
  const { q, k, v } = projectHeads(x2, w, params, B, T);
  let scores: tf.Tensor4D;
  if (options.score === 'additive' && !options.forgetting) {
    if (!params.Wq || !params.Wk || !params.v) throw new Error('attention: additive scores need Wq, Wk and v');
    const perHead = (m: tf.Tensor): tf.Tensor4D => tf.tile(tf.reshape(m, [1, H, d, d]), [B, 1, 1, 1]) as tf.Tensor4D;
    const qa = tf.matMul(q, perHead(params.Wq)); // [B, H, T, d]
    const ka = tf.matMul(k, perHead(params.Wk));
    const hidden = tf.tanh(tf.add(tf.expandDims(qa, 3), tf.expandDims(ka, 2))); // [B, H, T, T, d]
    scores = tf.sum(tf.mul(hidden, tf.reshape(params.v, [1, H, 1, 1, d])), 4) as tf.Tensor4D;
  } else {
    // Kᵀ made explicitly: tfjs-wasm's matMul with transposeB runs about 8× slower here.
    const kT = tf.transpose(k, [0, 1, 3, 2]);
    // The scale goes on q ([T, d], not [T, T]); for d a power of 4 (√d a power of 2) it is exact.
    const scaled = options.score === 'scaled-dot' || options.forgetting;
    scores = tf.matMul(scaled ? tf.div(q, Math.sqrt(d)) : q, kT) as tf.Tensor4D;
  }
  let logits: tf.Tensor4D = scores;
  let forgetGate: tf.Tensor3D | undefined;
  let decay: tf.Tensor4D | undefined;
  if (options.forgetting) {
    forgetGate = forgetGates(x2, w, params, B, T);
    decay = decayBias(forgetGate) as tf.Tensor4D;
    logits = tf.add(scores, decay) as tf.Tensor4D;
  }
  const causal = options.causal || options.forgetting;
  // Masked keys get MASKED added (a constant, so no gradient): their weights underflow to exactly 0.
  // (tf.where over a bandPart mask cost 20× more than the whole softmax.)
  if (causal) logits = tf.add(logits, tf.tensor2d(causalMask(T), [T, T])) as tf.Tensor4D;
  let weights = tf.softmax(logits) as tf.Tensor4D;
  let kept: tf.Tensor4D | undefined;
  if (options.pruneBelow !== undefined) {
    // The row maximum is always kept, so every row stays normalisable.
    // Under a gradient tape the mask comes in as `keptMask`, computed beforehand: it is a
    // constant for gradients (TensorFlow.js has no gradient for comparisons and logic ops).
    kept = keptMask ?? pruneMask(weights, options.pruneBelow, causal ? T : undefined);
    const prunedRaw = tf.mul(weights, kept);

    weights = tf.div(prunedRaw, tf.sum(prunedRaw, 3, true)) as tf.Tensor4D;
  }
  const output = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [B, T, H * d]) as tf.Tensor3D;
  return { scores, weights, kept, output, forgetGate, decay };
}

/** 1 where a weight is kept by thresholded forgetting (at least `below`, or its row's largest; and j ≤ i over `T` causal steps), else 0. */
function pruneMask(weights: tf.Tensor4D, below: number, T: number | undefined): tf.Tensor4D {
  const rowMax = tf.max(weights, 3, true);
  const keep = tf.logicalOr(tf.greaterEqual(weights, below), tf.equal(weights, rowMax));
  return tf.cast(T !== undefined ? tf.logicalAnd(keep, tf.tensor2d(causalMask(T).map((m) => (m === 0 ? 1 : 0)), [T, T], 'bool')) : keep, 'float32') as tf.Tensor4D;
}

export interface AttentionRun {
  series: Record<string, Series>;
  /** Row entropy of the weights in nats, `[batch][heads][query]`. */
  entropy: number[][][];
  timings: { forwardMs: number };
}

function toSeries(t: tf.Tensor): Series {
  return { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
}

let attentionKernel: AttentionKernel | undefined;

/** Sets the WebAssembly kernel `traceAttention` runs dot and scaled-dot heads with (undefined: tfjs ops throughout). */
export function setAttentionKernel(kernel: AttentionKernel | undefined): void {
  attentionKernel = kernel;
}

/** Every series from the differentiable tfjs forward. */
function tfjsSeries(input: SequenceInput, w: AttentionWeights, options: AttentionOptions): Record<string, Series> {
  const tensors = tf.tidy(() => {
    const r = attentionForward(tf.tensor3d(input.data, [input.batch, input.time, input.features]), w, options);
    const keep: Record<string, tf.Tensor> = {};
    for (const name of ['forgetGate', 'decay', 'weights', 'scores', 'kept', 'output'] as const) if (r[name]) keep[name] = r[name] as tf.Tensor;
    return keep;
  });
  const series: Record<string, Series> = {};
  for (const [name, t] of Object.entries(tensors)) series[name] = toSeries(t);
  tf.dispose(tensors);
  return series;
}

/**
 * The same series with the heads run by the WebAssembly kernel: per sequence and head the
 * projections (and forget gates), decay, scores, softmax and output in one pass that skips
 * masked keys.
 */
function kernelSeries(input: SequenceInput, w: AttentionWeights, options: AttentionOptions, kernel: AttentionKernel): { series: Record<string, Series>; entropy: Float32Array } {
  const { batch: B, time: T, features: F } = input;
  const { heads: H, keyDim: d } = w;
  const series: Record<string, Series> = {};
  const square = [B, H, T, T];
  if (options.forgetting) {
    series.forgetGate = { shape: [B, H, T], data: new Float32Array(B * H * T) };
    series.decay = { shape: square, data: new Float32Array(B * H * T * T) };
  }
  series.weights = { shape: square, data: new Float32Array(B * H * T * T) };
  series.scores = { shape: square, data: new Float32Array(B * H * T * T) };
  series.output = { shape: [B, T, H * d], data: new Float32Array(B * T * H * d) };
  const entropy = new Float32Array(B * H * T);
  const divisor = options.score === 'scaled-dot' || options.forgetting ? Math.sqrt(d) : 1;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const head = (b * H + h) * T;
      const rows = (a: Float32Array, size: number): Float32Array => a.subarray(head * size, (head + T) * size);
      kernel.runHead(
        { time: T, input: input.data.subarray(b * T * F, (b + 1) * T * F), weights: w, head: h, forgetting: options.forgetting, divisor, causal: options.causal || options.forgetting },
        {
          scores: rows(series.scores.data, T),
          weights: rows(series.weights.data, T),
          decay: series.decay && rows(series.decay.data, T),
          forgetGate: series.forgetGate && rows(series.forgetGate.data, 1),
          entropy: rows(entropy, 1),
          output: series.output.data.subarray((b * T * H + h) * d),
          outputStride: H * d,
        },
      );
    }
  }
  return { series, entropy };
}

/** Runs attention over `input` and captures scores, weights, output (and gates, decay, kept). */
export function traceAttention(input: SequenceInput, w: AttentionWeights, options: AttentionOptions): AttentionRun {
  if (input.features !== w.features) throw new Error(`attention: the input has ${input.features} features but the projections expect ${w.features}`);
  const t0 = tf.util.now();
  const fast = attentionKernel && (options.score !== 'additive' || options.forgetting) && options.pruneBelow === undefined
    ? kernelSeries(input, w, options, attentionKernel)
    : undefined;
  const series = fast?.series ?? tfjsSeries(input, w, options);
  const [B, H, T] = series.weights.shape;
  const causal = options.causal || options.forgetting;
  // Entries that do not exist (keys after the query) are NaN in scores and decay (the kernel writes them so).
  if (causal && !fast) {
    for (let row = 0; row < B * H * T; row++) {
      const i = row % T;
      series.scores.data.fill(NaN, row * T + i + 1, (row + 1) * T);
      series.decay?.data.fill(NaN, row * T + i + 1, (row + 1) * T);
    }
  }
  const alpha = series.weights.data;
  const entropy: number[][][] = [];
  for (let b = 0; b < B; b++) {
    const perHead: number[][] = [];
    for (let h = 0; h < H; h++) {
      if (fast) {
        perHead.push(Array.from(fast.entropy.subarray((b * H + h) * T, (b * H + h + 1) * T)));
        continue;
      }
      const rows: number[] = [];
      for (let i = 0; i < T; i++) {
        const at = ((b * H + h) * T + i) * T;
        // Masked keys have weight exactly 0: causal rows end at the diagonal.
        const end = at + (causal ? i + 1 : T);
        let e = 0;
        for (let j = at; j < end; j++) {
          const a = alpha[j];
          if (a > 0) e -= a * Math.log(a);
        }
        rows.push(e);
      }
      perHead.push(rows);
    }
    entropy.push(perHead);
  }
  return { series, entropy, timings: { forwardMs: tf.util.now() - t0 } };
}

/** Transposes `[batch, heads, time]` to `[batch, time, heads]` so per-head metrics reuse the per-unit ones. */
function headsLast(data: Float32Array, batch: number, heads: number, time: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let t = 0; t < time; t++) out[(b * time + t) * heads + h] = data[(b * heads + h) * time + t];
  return out;
}

/**
 * The trace of an attention run over `input` (without spec, labels and total time): the series,
 * the row entropies and, for forgetting attention, the memory metrics of the forget gates per head.
 */
export function attentionTrace(model: 'attention' | 'forgetting-attention', input: SequenceInput, w: AttentionWeights, run: AttentionRun): Trace {
  const { batch, time, features } = input;
  const { heads, keyDim } = w;
  const trace: Trace = {
    model,
    dims: { batch, time, units: heads * keyDim, features, heads, keyDim },
    series: run.series,
    metrics: { entropy: run.entropy },
    timings: { ...run.timings },
  };
  if (run.series.forgetGate) Object.assign(trace.metrics, memoryMetrics(headsLast(run.series.forgetGate.data, batch, heads, time), batch, time, heads));
  return trace;
}

/**
 * Influence of each input step on the last query's output:
 * `‖∂(Σ_u y[b][T−1][u]) / ∂x[b][t]‖₂`, `[batch][time]`, by TensorFlow.js autodiff through the
 * same forward pass traces use. Batch rows do not interact, so one gradient serves all rows.
 */
export function attentionInfluence(input: SequenceInput, w: AttentionWeights, options: AttentionOptions): number[][] {
  const { batch: B, time: T, features: F } = input;
  const grad = tf.tidy(() => {
    const x = tf.tensor3d(input.data, [B, T, F]);
    // Thresholded forgetting: the mask of the forward pass, held fixed while differentiating.
    const kept = options.pruneBelow === undefined ? undefined : attentionForward(x, w, options).kept;
    const g = tf.grad((xi: tf.Tensor) => {
      const y = attentionForward(xi as tf.Tensor3D, w, options, kept).output;
      return tf.sum(tf.slice(y, [0, T - 1, 0], [B, 1, -1]));
    });
    return g(x);
  });
  const data = grad.dataSync() as Float32Array;
  grad.dispose();
  return stepNorms(data, B, T, F);
}

/** Euclidean norm over the last axis of `[batch, time, features]`, as `[batch][time]`. */
export function stepNorms(data: Float32Array, batch: number, time: number, features: number): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row: number[] = [];
    for (let t = 0; t < time; t++) {
      let s = 0;
      for (let f = 0; f < features; f++) s += data[(b * time + t) * features + f] ** 2;
      row.push(Math.sqrt(s));
    }
    out.push(row);
  }
  return out;
}
