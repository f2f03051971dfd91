/**
 * Inputs and weights of a run: generated from seeds or read from JSON files named in a spec.
 * Files are read through the caller's `readFile`, so the core has no file-system dependency.
 */
import { glorotUniform, orthogonal } from './init';
import { createRandom, normalArray } from './rng';
import { checkSizes, toBatchShape, type LstmSpec } from './spec/lstm-spec';
import { SpecError } from './spec/validate';
import { utf8Decode } from '../shared/utf8';

/** Reads a file named in a spec; relative paths resolve against the notebook's folder. */
export type ReadFile = (path: string) => Uint8Array;

/** An input sequence, `[batch, time, features]` row-major. */
export interface SequenceInput {
  batch: number;
  time: number;
  features: number;
  data: Float32Array;
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

/** A rectangular nested array of finite numbers, flattened. */
interface NestedArray {
  shape: number[];
  data: Float32Array;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  return typeof v === 'object' ? 'an object' : String(v);
}

/** Flattens a nested array of depth `minDepth..maxDepth`, checking that it is rectangular and finite. */
function readNested(value: unknown, key: string, minDepth: number, maxDepth: number, expected: string): NestedArray {
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  if (shape.length < minDepth || shape.length > maxDepth || shape.includes(0)) {
    throw new SpecError(`${key}: expected ${expected}, got ${shape.length === 0 ? describe(value) : `a nested list of shape [${shape.join(', ')}]`}`, key);
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let n = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(`${key}${path}: expected a finite number, got ${describe(v)}`, key);
      data[n++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new SpecError(`${key}${path}: expected a list of ${shape[depth]} (the lists must be rectangular), got ${describe(v)}`, key);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, '');
  return { shape, data };
}

function readJson(readFile: ReadFile, path: string, key: string): unknown {
  let bytes: Uint8Array;
  try {
    bytes = readFile(path);
  } catch (e) {
    throw new SpecError(`${key}: cannot read "${path}": ${(e as Error).message}`, key);
  }
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (e) {
    throw new SpecError(`${key}: "${path}" is not valid JSON: ${(e as Error).message}`, key);
  }
}

/** The input sequence a spec asks for. */
export function loadInput(spec: LstmSpec, readFile: ReadFile): SequenceInput {
  if (spec.input.file !== undefined) {
    const json = readJson(readFile, spec.input.file, 'input.file');
    const nested = readNested(json, 'input.file', 2, 3, 'a nested list [time][features] or [batch][time][features] of numbers');
    const [batch, time, features] = toBatchShape(nested.shape);
    if (spec.input.shape) {
      const want = toBatchShape(spec.input.shape);
      if (want.join() !== [batch, time, features].join()) {
        throw new SpecError(`input.shape: expected the shape of "${spec.input.file}", [${[batch, time, features].join(', ')}], got [${spec.input.shape.join(', ')}]`, 'input.shape');
      }
    }
    checkSizes(batch, time, features, spec.units, 'input.file');
    return { batch, time, features, data: nested.data };
  }
  const [batch, time, features] = toBatchShape(spec.input.shape ?? []);
  const random = createRandom(spec.input.random?.seed ?? 0);
  return { batch, time, features, data: normalArray(random, batch * time * features) };
}

/**
 * Weights generated like Keras does for `LSTM(units)`: glorot-uniform kernel, orthogonal
 * recurrent kernel, zero bias with 1 on the forget slice when `unitForgetBias`.
 */
export function generateLstmWeights(seed: number, features: number, units: number, unitForgetBias: boolean): LstmWeights {
  // Re-running a cell is the common case, and the orthogonal QR is the slow part of a small
  // trace (about 20 ms for 128 units), so the last few weight sets are kept. Weights are never
  // mutated after creation, so sharing them is safe.
  const key = `${seed}/${features}/${units}/${unitForgetBias}`;
  const cached = weightCache.get(key);
  if (cached) {
    weightCache.delete(key);
    weightCache.set(key, cached);
    return cached;
  }
  const weights = makeLstmWeights(seed, features, units, unitForgetBias);
  weightCache.set(key, weights);
  if (weightCache.size > WEIGHT_CACHE_SIZE) weightCache.delete(weightCache.keys().next().value as string);
  return weights;
}

const WEIGHT_CACHE_SIZE = 4;
const weightCache = new Map<string, LstmWeights>();

function makeLstmWeights(seed: number, features: number, units: number, unitForgetBias: boolean): LstmWeights {
  const random = createRandom(seed);
  const kernel = glorotUniform(random, features, 4 * units);
  const recurrentKernel = orthogonal(random, units, 4 * units);
  const bias = new Float32Array(4 * units);
  if (unitForgetBias) bias.fill(1, units, 2 * units);
  return { features, units, kernel, recurrentKernel, bias };
}

/** The weights a spec asks for, checked against the input's feature count. */
export function loadWeights(spec: LstmSpec, features: number, readFile: ReadFile): LstmWeights {
  const units = spec.units;
  if (spec.weights.file === undefined) return generateLstmWeights(spec.weights.seed ?? 0, features, units, spec.unitForgetBias);
  const path = spec.weights.file;
  const json = readJson(readFile, path, 'weights.file');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SpecError(`weights.file: expected a JSON object with "kernel", "recurrentKernel" and "bias", got ${describe(json)}`, 'weights.file');
  }
  const obj = json as Record<string, unknown>;
  const expectShapes: [string, number[]][] = [
    ['kernel', [features, 4 * units]],
    ['recurrentKernel', [units, 4 * units]],
    ['bias', [4 * units]],
  ];
  const arrays: Record<string, Float32Array> = {};
  for (const [name, shape] of expectShapes) {
    const key = `weights.file ${name}`;
    if (!(name in obj)) throw new SpecError(`${key}: missing; expected a list of shape [${shape.join(', ')}]`, 'weights.file');
    const nested = readNested(obj[name], key, shape.length, shape.length, `a nested list of shape [${shape.join(', ')}]`);
    if (nested.shape.join() !== shape.join()) {
      throw new SpecError(`${key}: expected shape [${shape.join(', ')}] (features ${features}, units ${units}), got [${nested.shape.join(', ')}]`, 'weights.file');
    }
    arrays[name] = nested.data;
  }
  return { features, units, kernel: arrays.kernel, recurrentKernel: arrays.recurrentKernel, bias: arrays.bias };
}
