/**
 * Typed specs, from a validated spec cell, with the checks that need more than one key
 * (shape given where needed, the size of the trace it would make).
 */
import type { RecurrentActivation } from '../kernels/lstm-kernel';
import type { TaskSpec } from '../tasks';
import type { TrainSpec } from '../train';
import { LIMITS, MAX_TRACE_BYTES } from './schema';
import { parseSpecSource, SpecError, writtenSpec, type ModelSpecValue, type SpecOptions, type WrittenSpec } from './validate';

export interface InputSpec {
  /** `[time, features]` or `[batch, time, features]` as written. */
  shape?: number[];
  random?: { seed: number };
  /** Path of a .json, .npy or .csv file, as written (relative to the notebook). */
  file?: string;
  text?: string;
  /** Default `chars`; `ids` for integer token ids fed to a model file's Embedding layer. */
  tokens?: 'chars' | 'words' | 'ids';
  /** Tokens of a model file's Embedding layer (path), mapping `text` to ids. */
  vocabulary?: string;
  /** Embedding width for text; one-hot over the vocabulary when absent. */
  features?: number;
  /** Seed of the embedding table; default 0. */
  seed?: number;
}

export interface WeightsSpec {
  seed?: number;
  /** Name of a model trained by an earlier cell (kernel state). */
  from?: string;
  file?: string;
  /** A model file's recurrent layer: name, index among the recurrent layers, or `all`. */
  layer?: string | number;
  /** Layout of a JSON or .safetensors state dict; detected when absent. */
  layout?: 'keras' | 'pytorch';
}

interface SpecBase {
  input: InputSpec;
  weights: WeightsSpec;
  show: 'influence'[];
}

/** Keys of the recurrent models for tasks and training. */
interface TrainableSpec {
  /** The task whose test split is the input (and that `train` learns). */
  task?: TaskSpec;
  /** Train on the task first; `name` keeps the model for later cells. */
  train?: TrainSpec & { name?: string };
}

/** Mitigations of catastrophic forgetting (`continual.mitigations`). */
export type Mitigation = 'none' | 'rehearsal' | 'ewc';

/** `continual:` with `experiment: continual`: task B and the mitigations to compare (defaults from the schema). */
export interface ContinualSpec {
  then: TaskSpec;
  mitigations: Mitigation[];
  /** Share of every batch's sequences replayed from A. */
  rehearsal: number;
  ewcLambda: number;
  /** Epochs of B; default `train.epochs`. */
  epochs?: number;
  /** Evaluations of A and B per epoch of B. */
  evaluations: number;
}

export interface LstmSpec extends SpecBase, TrainableSpec {
  model: 'lstm';
  experiment?: 'learning-to-forget' | 'continual';
  continual?: ContinualSpec;
  units: number;
  recurrentActivation: RecurrentActivation;
  unitForgetBias: boolean;
  /** False: the 1997 LSTM without a forget gate (f ≡ 1); absent means true. */
  forgetGate?: boolean;
  forgetBias: number;
  init?: { chrono?: number };
}

export interface GruSpec extends SpecBase, TrainableSpec {
  model: 'gru';
  units: number;
  recurrentActivation: RecurrentActivation;
  resetAfter: boolean;
}

export interface AttentionSpec extends SpecBase, TrainableSpec {
  model: 'attention';
  heads: number;
  keyDim: number;
  score: 'dot' | 'scaled-dot' | 'additive';
  causal: boolean;
  prune?: { below: number };
}

export interface ForgettingAttentionSpec extends SpecBase, TrainableSpec {
  model: 'forgetting-attention';
  heads: number;
  keyDim: number;
  forgetBias: number;
  prune?: { below: number };
}

export type RecurrentSpec = LstmSpec | GruSpec;
export type AnyAttentionSpec = AttentionSpec | ForgettingAttentionSpec;
export type ModelSpec = RecurrentSpec | AnyAttentionSpec;

/**
 * A recurrent spec (or one that leaves `model` out) with `weights.file`: the file may supply
 * the model, `units` and the recurrent options, and its layers before the traced one run
 * first. `src/lab/import` reads the file and completes it into `RecurrentSpec`s (one per layer
 * with `layer: all`) with `completeSpec`.
 */
export interface ImportSpec {
  model: 'import';
  /** The model the spec names, when it names one. */
  named?: 'lstm' | 'gru';
  input: InputSpec;
  weights: WeightsSpec & { file: string };
  show: 'influence'[];
  /** The spec as written, completed once the file is read. */
  written: WrittenSpec;
}

export interface CompareSpec {
  model: 'compare';
  variants: { name: string; spec: ModelSpec | ImportSpec }[];
}

export type Spec = ModelSpec | ImportSpec | CompareSpec;

/** Normalises a `[time, features]` or `[batch, time, features]` shape to three dims. */
export function toBatchShape(shape: readonly number[]): [number, number, number] {
  return shape.length === 2 ? [1, shape[0], shape[1]] : [shape[0], shape[1], shape[2]];
}

/** Estimated bytes of the float32 series (and intermediate arrays) of a run. */
export function estimateTraceBytes(spec: ModelSpec, batch: number, time: number): number {
  switch (spec.model) {
    case 'lstm':
      return (7 + 4) * batch * time * spec.units * 4; // 7 series + the projected input (4 gates)
    case 'gru':
      return (5 + 3) * batch * time * spec.units * 4;
    case 'attention':
    case 'forgetting-attention':
      // scores, weights, kept (+ decay) per head, query and key; output and projections per step
      return ((spec.model === 'attention' ? 3 : 4) * batch * spec.heads * time * time + 4 * batch * time * spec.heads * spec.keyDim) * 4;
  }
}

/** `1.5 GB` or `12.0 MB`. */
export function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** Checks the sizes of a run before anything is allocated. */
export function checkSizes(spec: ModelSpec, batch: number, time: number, features: number, key = 'input.shape'): void {
  const dims = { batch, time, features } as const;
  for (const [name, v] of Object.entries(dims) as [keyof typeof dims, number][]) {
    if (v > LIMITS[name]) throw new SpecError(`${key}: expected ${name} ≤ ${LIMITS[name]}, got ${v}`, key);
  }
  if ((spec.model === 'attention' || spec.model === 'forgetting-attention') && time > LIMITS.attentionTime) {
    throw new SpecError(`${key}: expected at most ${LIMITS.attentionTime} steps for attention (its matrices are time × time), got ${time}`, key);
  }
  const bytes = estimateTraceBytes(spec, batch, time);
  if (bytes > MAX_TRACE_BYTES) {
    throw new SpecError(`${key}: expected a trace under ${formatBytes(MAX_TRACE_BYTES)}, got an estimated ${formatBytes(bytes)} (batch ${batch} × ${time} steps, model ${spec.model}); use fewer steps, units, heads or batch rows`, key);
  }
}

/** Checks the input keys of a spec, and its sizes when they are known. */
export function checkModelSpec(spec: ModelSpec | ImportSpec, prefix: string): void {
  const input = spec.input;
  if (spec.model !== 'import') {
    for (const key of ['layer', 'layout'] as const) {
      if (spec.weights[key] !== undefined) throw new SpecError(`${prefix}weights.${key}: only for the model file of an LSTM or GRU, not for ${spec.model} weights`, `weights.${key}`);
    }
  }
  if (spec.model === 'import' && spec.written.value.task !== undefined) {
    throw new SpecError(`${prefix}weights.file: not used with task; train with weights.seed, or continue a trained model with weights.from`, 'weights.file');
  }
  if (spec.model !== 'import' && 'task' in spec && spec.task !== undefined) {
    if (Object.keys(input ?? {}).length > 0) throw new SpecError(`${prefix}input: not used with task (the task generates the input)`, 'input');
    if (spec.weights.file !== undefined) throw new SpecError(`${prefix}weights.file: not used with task; train with weights.seed, or continue a trained model with weights.from`, 'weights.file');
    if (spec.model === 'lstm') checkContinual(spec, prefix);
    if (spec.model === 'attention' && !spec.causal) {
      throw new SpecError(`${prefix}causal: expected true with task (attention that sees later steps would read what it has to predict), got false`, 'causal');
    }
    if ((spec.model === 'attention' || spec.model === 'forgetting-attention') && spec.prune !== undefined) {
      throw new SpecError(`${prefix}prune: not used with task; thresholded forgetting is traced on input, not trained`, 'prune');
    }
    return;
  }
  if (spec.model !== 'import' && spec.weights.from !== undefined) {
    throw new SpecError(`${prefix}weights.from: only used with task (a trained model is traced on a task's test split)`, 'weights.from');
  }
  if (input.random && !input.shape) {
    throw new SpecError(`${prefix}input.shape: required with input.random; expected [time, features] or [batch, time, features]`, 'input.shape');
  }
  if (input.text !== undefined) {
    if (input.shape) throw new SpecError(`${prefix}input.shape: not used with input.text (the text decides the steps)`, 'input.shape');
    if (input.text.length === 0) throw new SpecError(`${prefix}input.text: expected some text, got an empty string`, 'input.text');
  } else {
    for (const key of ['features', 'tokens', 'seed'] as const) {
      if (input[key] !== undefined) throw new SpecError(`${prefix}input.${key}: only used with input.text`, `input.${key}`);
    }
  }
  if (input.shape && spec.model !== 'import') {
    const [batch, time, features] = toBatchShape(input.shape);
    try {
      checkSizes(spec, batch, time, features);
    } catch (e) {
      throw new SpecError(`${prefix}${(e as Error).message}`, 'input.shape');
    }
  }
}

/** `experiment: continual` and `continual` come together; each mitigation once. */
function checkContinual(spec: LstmSpec, prefix: string): void {
  if (spec.experiment === 'continual' && spec.continual === undefined) {
    throw new SpecError(`${prefix}continual: required with experiment: continual; expected { then: <task B> }, got nothing`, 'continual');
  }
  if (spec.continual !== undefined && spec.experiment !== 'continual') {
    throw new SpecError(`${prefix}continual: only used with experiment: continual, got experiment: ${spec.experiment}`, 'continual');
  }
  const mitigations = spec.continual?.mitigations ?? [];
  const twice = mitigations.find((m, i) => mitigations.indexOf(m) !== i);
  if (twice !== undefined) throw new SpecError(`${prefix}continual.mitigations: expected each mitigation once, got ${twice} twice`, 'continual.mitigations');
}

/** The typed spec of a validated one: an `ImportSpec` when a model file has its say. */
function typedSpec(value: ModelSpecValue): ModelSpec | ImportSpec {
  const written = writtenSpec(value);
  const model = value.model as string | undefined;
  if (written && (model === undefined || model === 'lstm' || model === 'gru')) {
    const v = value as unknown as { input: InputSpec; weights: WeightsSpec & { file: string }; show?: 'influence'[] };
    const spec: ImportSpec = { model: 'import', input: v.input, weights: v.weights, show: v.show ?? [], written };
    if (model !== undefined) spec.named = model;
    return spec;
  }
  return value as unknown as ModelSpec;
}

/** Parses and validates the YAML source of a spec cell. Throws `SpecError`. */
export function parseSpec(source: string, options: SpecOptions = {}): Spec {
  const value = parseSpecSource(source, options);
  if (value.model === 'compare') {
    const spec: CompareSpec = { model: 'compare', variants: value.variants.map((v) => ({ name: v.name, spec: typedSpec(v.spec) })) };
    spec.variants.forEach((v, i) => checkModelSpec(v.spec, `variants[${i}] ${JSON.stringify(v.name)}: `));
    return spec;
  }
  const spec = typedSpec(value);
  checkModelSpec(spec, '');
  return spec;
}
