/**
 * Typed specs, from a validated spec cell, with the checks that need more than one key
 * (shape given where needed, the size of the trace it would make).
 */
import type { RecurrentActivation } from '../kernels/lstm-kernel';
import { LIMITS, MAX_TRACE_BYTES } from './schema';
import { parseSpecSource, SpecError } from './validate';

export interface InputSpec {
  /** `[time, features]` or `[batch, time, features]` as written. */
  shape?: number[];
  random?: { seed: number };
  /** Path of a .json, .npy or .csv file, as written (relative to the notebook). */
  file?: string;
  text?: string;
  /** Default `chars`. */
  tokens?: 'chars' | 'words';
  /** Embedding width for text; one-hot over the vocabulary when absent. */
  features?: number;
  /** Seed of the embedding table; default 0. */
  seed?: number;
}

export interface WeightsSpec {
  seed?: number;
  file?: string;
}

interface SpecBase {
  input: InputSpec;
  weights: WeightsSpec;
  show: 'influence'[];
}

export interface LstmSpec extends SpecBase {
  model: 'lstm';
  units: number;
  recurrentActivation: RecurrentActivation;
  unitForgetBias: boolean;
  forgetBias: number;
  init?: { chrono?: number };
}

export interface GruSpec extends SpecBase {
  model: 'gru';
  units: number;
  recurrentActivation: RecurrentActivation;
  resetAfter: boolean;
}

export interface AttentionSpec extends SpecBase {
  model: 'attention';
  heads: number;
  keyDim: number;
  score: 'dot' | 'scaled-dot' | 'additive';
  causal: boolean;
  prune?: { below: number };
}

export interface ForgettingAttentionSpec extends SpecBase {
  model: 'forgetting-attention';
  heads: number;
  keyDim: number;
  forgetBias: number;
  prune?: { below: number };
}

export type RecurrentSpec = LstmSpec | GruSpec;
export type AnyAttentionSpec = AttentionSpec | ForgettingAttentionSpec;
export type ModelSpec = RecurrentSpec | AnyAttentionSpec;

export interface CompareSpec {
  model: 'compare';
  variants: { name: string; spec: ModelSpec }[];
}

export type Spec = ModelSpec | CompareSpec;

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

function formatBytes(n: number): string {
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

function checkModelSpec(spec: ModelSpec, prefix: string): void {
  const input = spec.input;
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
  if (input.shape) {
    const [batch, time, features] = toBatchShape(input.shape);
    try {
      checkSizes(spec, batch, time, features);
    } catch (e) {
      throw new SpecError(`${prefix}${(e as Error).message}`, 'input.shape');
    }
  }
}

/** Parses and validates the YAML source of a spec cell. Throws `SpecError`. */
export function parseSpec(source: string): Spec {
  const value = parseSpecSource(source);
  if (value.model === 'compare') {
    const spec = value as unknown as CompareSpec;
    spec.variants.forEach((v, i) => checkModelSpec(v.spec, `variants[${i}] ${JSON.stringify(v.name)}: `));
    return spec;
  }
  const spec = value as unknown as ModelSpec;
  checkModelSpec(spec, '');
  return spec;
}
