/**
 * Inputs and weights of a run: generated from seeds or read from files named in a spec.
 * Files are read through the caller's `readFile`, so the core has no file-system dependency.
 */
import { readArrayFile, readJson, readNested, type ReadFile } from './files';
import { glorotUniform, orthogonal } from './init';
import { createRandom, normalArray } from './rng';
import { generateAttentionWeights, type AttentionWeights } from './attention';
import { generateGruWeights, type GruWeights } from './gru';
import { checkSizes, toBatchShape, type AnyAttentionSpec, type GruSpec, type LstmSpec, type ModelSpec } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { encodeTokens, tokenize } from './text';

export type { ReadFile } from './files';

/** An input sequence, `[batch, time, features]` row-major, with optional step labels (tokens). */
export interface SequenceInput {
  batch: number;
  time: number;
  features: number;
  data: Float32Array;
  labels?: string[];
}

/** LSTM weights in the Keras layout, gate order i, f, c, o. */
export interface LstmWeights {
  features: number;
  units: number;
  /** `[features, 4·units]` */
  kernel: Float32Array;
  /** `[units, 4·units]` */
  recurrentKernel: Float32Array;
  /** `[4·units]` */
  bias: Float32Array;
}

/** The input sequence a spec asks for. */
export function loadInput(spec: ModelSpec, readFile: ReadFile): SequenceInput {
  const input = spec.input;
  if (input.text !== undefined) {
    const mode = input.tokens ?? 'chars';
    if (mode === 'ids') throw new SpecError('input.tokens: ids are only for a model file (weights.file) that starts with an Embedding layer', 'input.tokens');
    if (input.vocabulary !== undefined) throw new SpecError('input.vocabulary: only for a model file (weights.file) that starts with an Embedding layer', 'input.vocabulary');
    const tokens = tokenize(input.text, mode);
    if (tokens.length === 0) throw new SpecError(`input.text: expected at least one ${mode === 'words' ? 'word' : 'character'}, got none`, 'input.text');
    const encoded = encodeTokens(tokens, input.features, input.seed ?? 0);
    checkSizes(spec, 1, tokens.length, encoded.features, 'input.text');
    return { batch: 1, time: tokens.length, features: encoded.features, data: encoded.data, labels: tokens };
  }
  if (input.file !== undefined) {
    const array = readArrayFile(readFile, input.file, 'input.file');
    if (array.shape.length < 2 || array.shape.length > 3) {
      throw new SpecError(`input.file: expected 2 dims [time, features] or 3 [batch, time, features], got shape [${array.shape.join(', ')}]`, 'input.file');
    }
    const [batch, time, features] = toBatchShape(array.shape);
    if (input.shape) {
      const want = toBatchShape(input.shape);
      if (want.join() !== [batch, time, features].join()) {
        throw new SpecError(`input.shape: expected the shape of "${input.file}", [${[batch, time, features].join(', ')}], got [${input.shape.join(', ')}]`, 'input.shape');
      }
    }
    checkSizes(spec, batch, time, features, 'input.file');
    return { batch, time, features, data: array.data };
  }
  const [batch, time, features] = toBatchShape(input.shape ?? []);
  return { batch, time, features, data: randomInput(input.random?.seed ?? 0, batch * time * features) };
}

/** Largest generated input kept for re-runs (values): 16 MB of float32. */
const MAX_CACHED_INPUT = 2 ** 22;

/**
 * `n` seeded standard normals, the generated input of a spec. Kept with the generated weights
 * (up to MAX_CACHED_INPUT values): re-running a cell draws the same numbers again, and their
 * logarithms, sines and cosines cost more than a small trace (3 ms for [1024, 64]). Inputs,
 * like weights, are never mutated.
 */
function randomInput(seed: number, n: number): Float32Array {
  if (n > MAX_CACHED_INPUT) return normalArray(createRandom(seed), n);
  const key = `input/${seed}/${n}`;
  const cached = recall<Float32Array>(key);
  if (cached) return cached;
  const data = normalArray(createRandom(seed), n);
  remember(key, data);
  return data;
}

/**
 * Weights generated like Keras does for `LSTM(units)`: glorot-uniform kernel, orthogonal
 * recurrent kernel, zero bias with 1 on the forget slice when `unitForgetBias`, plus
 * `forgetBias`; or chrono initialisation (Tallec & Ollivier 2018) when `chrono` is given:
 * forget bias `log U(1, T−1)` per unit, input bias its negative.
 */
export function generateLstmWeights(seed: number, features: number, units: number, unitForgetBias: boolean, forgetBias = 0, chrono?: number): LstmWeights {
  // Re-running a cell is the common case, and the orthogonal QR is the slow part of a small
  // trace (about 20 ms for 128 units), so the last few weight sets are kept. Weights are never
  // mutated after creation, so sharing them is safe.
  const key = `${seed}/${features}/${units}/${unitForgetBias}/${forgetBias}/${chrono}`;
  const cached = weightCache.get(key);
  if (cached) {
    weightCache.delete(key);
    weightCache.set(key, cached);
    return cached as LstmWeights;
  }
  const weights = makeLstmWeights(seed, features, units, unitForgetBias, forgetBias, chrono);
  remember(key, weights);
  return weights;
}

/** Entries kept: the weights and the input of three cells. */
const WEIGHT_CACHE_SIZE = 6;
const weightCache = new Map<string, unknown>();

/** Keeps generated weights for re-runs (least recently used first out). */
export function remember(key: string, weights: unknown): void {
  weightCache.set(key, weights);
  if (weightCache.size > WEIGHT_CACHE_SIZE) weightCache.delete(weightCache.keys().next().value as string);
}

/** Generated weights cached under `key`, or undefined. */
export function recall<T>(key: string): T | undefined {
  const cached = weightCache.get(key);
  if (cached !== undefined) {
    weightCache.delete(key);
    weightCache.set(key, cached);
  }
  return cached as T | undefined;
}

function makeLstmWeights(seed: number, features: number, units: number, unitForgetBias: boolean, forgetBias: number, chrono?: number): LstmWeights {
  const random = createRandom(seed);
  const kernel = glorotUniform(random, features, 4 * units);
  const recurrentKernel = orthogonal(random, units, 4 * units);
  const bias = new Float32Array(4 * units);
  if (chrono !== undefined) {
    // b_f = log(u), u ~ U(1, T − 1); b_i = −b_f (Tallec & Ollivier 2018, section 4)
    for (let u = 0; u < units; u++) {
      const bf = Math.log(1 + random.uniform() * (chrono - 2));
      bias[units + u] = bf + forgetBias;
      bias[u] = -bf;
    }
  } else {
    bias.fill((unitForgetBias ? 1 : 0) + forgetBias, units, 2 * units);
  }
  return { features, units, kernel, recurrentKernel, bias };
}

/** Reads named arrays of given shapes from a JSON weights file, naming what does not fit. */
export function readWeightArrays(readFile: ReadFile, path: string, shapes: Record<string, number[]>, context: string): Record<string, Float32Array> {
  const json = readJson(readFile, path, 'weights.file');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpecError(`weights.file: expected a JSON object with ${Object.keys(shapes).map((k) => `"${k}"`).join(', ')}, got ${Array.isArray(json) ? 'a list' : String(json)}`, 'weights.file');
  }
  const obj = json as Record<string, unknown>;
  const arrays: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const key = `weights.file ${name}`;
    if (!(name in obj)) throw new SpecError(`${key}: missing; expected a list of shape [${shape.join(', ')}]`, 'weights.file');
    const nested = readNested(obj[name], key, shape.length, shape.length, `a nested list of shape [${shape.join(', ')}]`);
    if (nested.shape.join() !== shape.join()) {
      throw new SpecError(`${key}: expected shape [${shape.join(', ')}] (${context}), got [${nested.shape.join(', ')}]`, 'weights.file');
    }
    arrays[name] = nested.data;
  }
  return arrays;
}

/** The LSTM weights a spec asks for, checked against the input's feature count. */
export function loadLstmWeights(spec: LstmSpec, features: number, readFile: ReadFile): LstmWeights {
  const units = spec.units;
  if (spec.weights.file === undefined) {
    return generateLstmWeights(spec.weights.seed ?? 0, features, units, spec.unitForgetBias, spec.forgetBias, spec.init?.chrono);
  }
  const a = readWeightArrays(readFile, spec.weights.file, { kernel: [features, 4 * units], recurrentKernel: [units, 4 * units], bias: [4 * units] }, `features ${features}, units ${units}`);
  return { features, units, kernel: a.kernel, recurrentKernel: a.recurrentKernel, bias: a.bias };
}

/** The attention weights a spec asks for (generated, or from a JSON file in the documented layout). */
export function loadAttentionWeights(spec: AnyAttentionSpec, features: number, readFile: ReadFile): AttentionWeights {
  const { heads, keyDim } = spec;
  const additive = spec.model === 'attention' && spec.score === 'additive';
  const forgetting = spec.model === 'forgetting-attention';
  if (spec.weights.file === undefined) {
    const seed = spec.weights.seed ?? 0;
    const key = `attention/${seed}/${features}/${heads}/${keyDim}/${additive}/${forgetting}/${forgetting ? spec.forgetBias : 0}`;
    const cached = recall<AttentionWeights>(key);
    if (cached) return cached;
    const weights = generateAttentionWeights(seed, features, heads, keyDim, { additive, forgetting, forgetBias: forgetting ? spec.forgetBias : 0 });
    remember(key, weights);
    return weights;
  }
  const width = heads * keyDim;
  const shapes: Record<string, number[]> = { query: [features, width], key: [features, width], value: [features, width] };
  if (additive) Object.assign(shapes, { Wq: [heads, keyDim, keyDim], Wk: [heads, keyDim, keyDim], v: [heads, keyDim] });
  if (forgetting) Object.assign(shapes, { forgetKernel: [features, heads], forgetBias: [heads] });
  const a = readWeightArrays(readFile, spec.weights.file, shapes, `features ${features}, heads ${heads}, keyDim ${keyDim}`);
  return { features, heads, keyDim, query: a.query, key: a.key, value: a.value, Wq: a.Wq, Wk: a.Wk, v: a.v, forgetKernel: a.forgetKernel, forgetBias: a.forgetBias };
}

/** The GRU weights a spec asks for: generated like Keras, or read from a JSON file (bias `[3·units]`, or `[2][3·units]` with resetAfter). */
export function loadGruWeights(spec: GruSpec, features: number, readFile: ReadFile): GruWeights {
  const units = spec.units;
  if (spec.weights.file === undefined) {
    const seed = spec.weights.seed ?? 0;
    const key = `gru/${seed}/${features}/${units}/${spec.resetAfter}`;
    const cached = recall<GruWeights>(key);
    if (cached) return cached;
    const weights = generateGruWeights(seed, features, units, spec.resetAfter);
    remember(key, weights);
    return weights;
  }
  const biasShape = spec.resetAfter ? [2, 3 * units] : [3 * units];
  const a = readWeightArrays(readFile, spec.weights.file, { kernel: [features, 3 * units], recurrentKernel: [units, 3 * units], bias: biasShape }, `features ${features}, units ${units}, resetAfter ${spec.resetAfter}`);
  return { features, units, kernel: a.kernel, recurrentKernel: a.recurrentKernel, bias: a.bias };
}
