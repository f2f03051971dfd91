/**
 * The common shape of every model file the lab imports (TensorFlow.js, Keras, PyTorch): its
 * layers in the order they run, each with its Keras class name, its Keras config and its
 * weights in the Keras layout. The readers of each format (`tfjs.ts`, `keras.ts`,
 * `pytorch.ts`) produce it; `plan.ts` picks the traced layer and what runs before it.
 */
import { SpecError } from '../spec/validate';

/** The key every error about a model file names. */
export const FILE_KEY = 'weights.file';

/** Formats the lab reads. `keras-arrays` is the lab's own JSON of Keras-layout arrays. */
export type ModelFileFormat = 'tfjs' | 'keras' | 'keras-h5' | 'pytorch' | 'keras-arrays';

/** Human names of the formats, for messages and descriptions. */
export const FORMAT_NAMES: Readonly<Record<ModelFileFormat, string>> = {
  tfjs: 'TensorFlow.js LayersModel',
  keras: 'Keras 3 .keras',
  'keras-h5': 'Keras HDF5',
  pytorch: 'PyTorch state dict',
  'keras-arrays': 'Keras-layout arrays',
};

/** A float32 array with its shape, row-major. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** One layer of a model file. */
export interface ModelLayer {
  name: string;
  /** Keras class name: `LSTM`, `GRU`, `Embedding`, `Dense`, `InputLayer`, … */
  className: string;
  /** The layer's Keras config (snake_case keys, as saved). */
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer takes (empty for the model's input). */
  inbound: string[];
  /**
   * The layer's weights in Keras order and layout: `[kernel, recurrent_kernel, bias]` for LSTM
   * and GRU (a bias `[2, 3·units]` for a GRU with reset_after), `[embeddings]`, `[kernel, bias]`.
   * Checked for finite float values; an empty list for layers without weights.
   */
  weights: () => Promise<Tensor[]>;
  /**
   * The spec keys the file really states for a recurrent layer (a state dict says `units` but
   * not how its gates were meant, for instance); absent: all of `model`, `units`,
   * `recurrentActivation`, `resetAfter` and `unitForgetBias`.
   */
  says?: readonly string[];
}

/** A model file, read. */
export interface ModelFile {
  format: ModelFileFormat;
  /** The path as the spec wrote it. */
  path: string;
  /** Every layer, in the order the model runs them. */
  layers: ModelLayer[];
  /** `keras_version` when the file records one (`3.x` gives `hard_sigmoid` its Keras 3 meaning). */
  kerasVersion?: string;
  /** Shape of the model's input, `[batch, time, features]` or `[batch, time]` (token ids), `null` where free. */
  inputShape?: (number | null)[];
}

/** The layer classes whose gates the lab traces. */
export const RECURRENT_CLASSES: Readonly<Record<string, 'lstm' | 'gru'>> = { LSTM: 'lstm', GRU: 'gru' };

/** The recurrent layers of a model file, in order. */
export function recurrentLayers(file: ModelFile): ModelLayer[] {
  return file.layers.filter((l) => RECURRENT_CLASSES[l.className] !== undefined);
}

/** `name (Class)` of every layer, for messages that list what a file holds. */
export function layerList(layers: readonly ModelLayer[]): string {
  return layers.length === 0 ? 'no layers' : layers.map((l) => `"${l.name}" (${l.className})`).join(', ');
}

/** An error about the model file named in the spec. */
export function fileError(path: string, message: string): SpecError {
  return new SpecError(`${FILE_KEY}: "${path}" ${message}`, FILE_KEY);
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks that every value is finite; names the weight and the flat index of the first that is not. */
export function checkFinite(path: string, name: string, t: Tensor): Tensor {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw fileError(path, `weight "${name}" holds ${t.data[i]} at flat index ${i}; expected finite numbers`);
  }
  return t;
}

/** `[rows, cols]` → `[cols, rows]`. */
export function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data: out };
}

/** Little-endian float32 or float64 values from bytes, as float32. */
export function readFloats(bytes: Uint8Array, dtype: 'float32' | 'float64', count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === 'float32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** IEEE 754 half precision to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Whether `bytes` start with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The folder part of a path (`a/b/model.json` → `a/b/`), for files named relative to it. */
export function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '' : path.slice(0, i + 1);
}

/** Names of each layer class's weights in Keras order (the last part of a weight's name). */
export const WEIGHT_ORDER: Readonly<Record<string, readonly string[]>> = {
  LSTM: ['kernel', 'recurrent_kernel', 'bias'],
  GRU: ['kernel', 'recurrent_kernel', 'bias'],
  Embedding: ['embeddings'],
  Dense: ['kernel', 'bias'],
  TimeDistributed: ['kernel', 'bias'],
  LayerNormalization: ['gamma', 'beta'],
  BatchNormalization: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
};

/** The role of a saved weight from its name: `lstm/lstm_cell/kernel:0` → `kernel`. */
export function weightRole(name: string): string {
  return (name.split('/').pop() ?? name).replace(/:\d+$/, '');
}

/**
 * Orders a layer's saved weights as Keras does, by their roles when every role is found
 * (weights the layer does not have, such as a bias with use_bias false, may be missing),
 * otherwise as saved.
 */
export function orderWeights<T extends { name: string }>(className: string, weights: readonly T[]): T[] {
  const order = WEIGHT_ORDER[className];
  if (!order) return [...weights];
  const byRole = new Map(weights.map((w) => [weightRole(w.name).replace(/_\d+$/, ''), w] as const));
  const exact = new Map(weights.map((w) => [weightRole(w.name), w] as const));
  const pick = (role: string): T | undefined => exact.get(role) ?? byRole.get(role);
  const found = order.map(pick).filter((w): w is T => w !== undefined);
  return found.length === weights.length ? found : [...weights];
}
