/**
 * What a model file holds, for "Trace a Model…": its format, its layers and a spec cell that
 * traces its first recurrent layer. Pure (no TensorFlow.js, no file system): the caller passes
 * the file's bytes. A Keras `.h5` file is read with h5wasm, loaded on first use.
 */
import type { ReadFile } from '../files';
import { SpecError } from '../spec/validate';
import { readKerasH5, readKerasZip } from './keras';
import { FORMAT_NAMES, RECURRENT_CLASSES, type ModelFile, type ModelFileFormat } from './model-file';
import { parseJsonBytes, sniffKind } from './open';
import { isPytorchStateDict, kerasArraysModelFile, pytorchModelFile, readJsonStateDict, readSafetensors } from './pytorch';
import { readTfjsModel } from './tfjs';

/** One layer of a described model file. */
export interface DescribedLayer {
  name: string;
  /** Keras class name (`LSTM`, `Embedding`, …). */
  className: string;
  /** `lstm` or `gru` for the layers the lab traces. */
  model?: 'lstm' | 'gru';
  units?: number;
}

/** What `describeModelFile` tells. */
export interface ModelFileDescription {
  format: ModelFileFormat;
  /** `TensorFlow.js LayersModel`, `Keras 3 .keras`, … */
  formatName: string;
  layers: DescribedLayer[];
  /** Names of the recurrent layers, in order (what `weights.layer` accepts). */
  recurrent: string[];
  /** Token ids (the model starts with an Embedding of `vocabulary` ids) or `features` per step, where the file says. */
  input: { kind: 'ids'; vocabulary: number } | { kind: 'features'; features?: number; time?: number };
  /** A spec cell (YAML) that traces the first recurrent layer of the file at `path`. */
  suggestedSpec: string;
}

const noFiles: ReadFile = (p) => {
  throw new Error(`not read (${p})`);
};

async function open(bytes: Uint8Array, path: string): Promise<ModelFile> {
  switch (sniffKind(bytes)) {
    case 'zip':
      return readKerasZip(bytes, path);
    case 'hdf5':
      return readKerasH5(bytes, path);
    case 'safetensors':
      return pytorchModelFile(readSafetensors(bytes, path), path);
    case 'json': {
      const json = parseJsonBytes(bytes, path);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) break;
      const obj = json as Record<string, unknown>;
      if ('modelTopology' in obj) return readTfjsModel(obj, path, noFiles, false);
      const dict = readJsonStateDict(obj, path);
      return isPytorchStateDict(dict.keys()) ? pytorchModelFile(dict, path) : kerasArraysModelFile(dict, path);
    }
  }
  throw new SpecError(`weights.file: "${path}" is not a model file the lab reads: expected a TensorFlow.js model.json, a Keras .keras or .h5 file, or a PyTorch state dict (.safetensors or JSON)`, 'weights.file');
}

/** A YAML scalar for a path: plain when safe, else quoted. */
function yamlPath(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : JSON.stringify(path);
}

/**
 * Describes a model file from its bytes; `path` is where the spec will find it (relative to
 * the notebook). Throws `SpecError` with the same messages a run gives for a bad file.
 */
export async function describeModelFile(bytes: Uint8Array, path: string): Promise<ModelFileDescription> {
  const file = await open(bytes, path);
  const layers: DescribedLayer[] = file.layers.map((l) => {
    const model = RECURRENT_CLASSES[l.className];
    const units = typeof l.config.units === 'number' ? l.config.units : undefined;
    return { name: l.name, className: l.className, ...(model ? { model } : {}), ...(units !== undefined ? { units } : {}) };
  });
  const recurrent = layers.filter((l) => l.model);
  const firstReal = file.layers.find((l) => l.className !== 'InputLayer');
  const shape = file.inputShape;
  let input: ModelFileDescription['input'];
  if (firstReal?.className === 'Embedding') {
    const inputDim = firstReal.config.input_dim;
    input = { kind: 'ids', vocabulary: typeof inputDim === 'number' ? inputDim : 1 };
  } else {
    const features = shape && shape.length === 3 ? shape[2] ?? undefined : undefined;
    const time = shape && shape.length === 3 ? shape[1] ?? undefined : undefined;
    input = { kind: 'features', ...(features !== undefined ? { features } : {}), ...(time !== undefined ? { time } : {}) };
    if (input.features === undefined && file.format !== 'tfjs') {
      const kernel = (await file.layers.find((l) => RECURRENT_CLASSES[l.className])?.weights())?.[0];
      if (kernel) input.features = kernel.shape[0];
    }
  }
  const list = recurrent.map((l) => `${l.name} (${l.className}${l.units ? `, ${l.units} units` : ''})`).join(', ') || 'none';
  const lines = [`# ${FORMAT_NAMES[file.format]}; recurrent layers: ${list}`];
  lines.push(`weights: { file: ${yamlPath(path)}${recurrent.length > 1 ? `, layer: ${JSON.stringify(recurrent[0].name)}` : ''} }${recurrent.length > 1 ? '   # or layer: all for the whole stack' : ''}`);
  if (input.kind === 'ids') {
    const ids = Array.from({ length: 8 }, (_, i) => (i * 7 + 1) % input.vocabulary);
    lines.push(`input: { text: "${ids.join(' ')}", tokens: ids }   # token ids 0…${input.vocabulary - 1}; or text with vocabulary: your tokens file`);
  } else {
    lines.push(`input: { shape: [${input.time ?? 20}, ${input.features ?? 1}], random: { seed: 0 } }   # or file: your sequences (.json, .npy, .csv)`);
  }
  return { format: file.format, formatName: FORMAT_NAMES[file.format], layers, recurrent: recurrent.map((l) => l.name), input, suggestedSpec: `${lines.join('\n')}\n` };
}
