/**
 * Opens the model file a spec names: tells the format from the bytes (zip, HDF5,
 * .safetensors, JSON) and hands it to that format's reader.
 */
import { readBytes, type ReadFile } from '../files';
import { SpecError } from '../spec/validate';
import { utf8Decode } from '../../shared/utf8';
import { HDF5_MAGIC } from './hdf5';
import { readKerasH5, readKerasZip } from './keras';
import { FILE_KEY, fileError, startsWith, type ModelFile } from './model-file';
import { isPytorchStateDict, kerasArraysModelFile, looksLikeSafetensors, pytorchModelFile, readJsonStateDict, readSafetensors, type StateDict } from './pytorch';
import { readTfjsModel } from './tfjs';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Which reader fits the bytes. */
export type FileKind = 'zip' | 'hdf5' | 'safetensors' | 'json';

/** Tells a model file's kind from its first bytes; undefined when it is none the lab reads. */
export function sniffKind(bytes: Uint8Array): FileKind | undefined {
  if (startsWith(bytes, ZIP_MAGIC)) return 'zip';
  if (startsWith(bytes, HDF5_MAGIC)) return 'hdf5';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b ? 'json' : undefined;
}

function hexStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses JSON bytes, with the spec's message for text that is not JSON. */
export function parseJsonBytes(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (e) {
    throw new SpecError(`${FILE_KEY}: "${path}" is not valid JSON: ${(e as Error).message}`, FILE_KEY);
  }
}

/** A model file from its bytes. `readFile` reads files beside it (TensorFlow.js weight shards). */
export async function readModelFile(bytes: Uint8Array, path: string, readFile: ReadFile, layout?: 'keras' | 'pytorch'): Promise<ModelFile> {
  const kind = sniffKind(bytes);
  if (layout !== undefined && kind !== 'json' && kind !== 'safetensors') {
    throw new SpecError(`weights.layout: only used with a JSON or .safetensors state dict; "${path}" is ${kind === 'zip' ? 'a zip (.keras) file' : kind === 'hdf5' ? 'an HDF5 file' : 'neither'}`, 'weights.layout');
  }
  switch (kind) {
    case 'zip':
      return readKerasZip(bytes, path);
    case 'hdf5':
      return readKerasH5(bytes, path);
    case 'safetensors':
      return fromStateDict(readSafetensors(bytes, path), path, layout ?? 'pytorch');
    case 'json': {
      const json = parseJsonBytes(bytes, path);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fileError(path, 'is JSON but not an object: expected a model.json or a state dict');
      const obj = json as Record<string, unknown>;
      if ('modelTopology' in obj || 'weightsManifest' in obj) {
        if (layout !== undefined) throw new SpecError(`weights.layout: not used with a TensorFlow.js model.json ("${path}"), whose topology says the layout`, 'weights.layout');
        return readTfjsModel(obj, path, readFile);
      }
      const dict = readJsonStateDict(obj, path);
      return fromStateDict(dict, path, layout ?? (isPytorchStateDict(dict.keys()) ? 'pytorch' : 'keras'));
    }
    default:
      throw fileError(path, `is not a model file the lab reads: expected JSON (a TensorFlow.js model.json or a state dict), HDF5 (.h5), a zip (.keras) or .safetensors; it starts with bytes ${hexStart(bytes) || '(none: the file is empty)'}`);
  }
}

function fromStateDict(dict: StateDict, path: string, layout: 'keras' | 'pytorch'): ModelFile {
  return layout === 'pytorch' ? pytorchModelFile(dict, path) : kerasArraysModelFile(dict, path);
}

/** Reads and opens the model file named by `weights.file`. */
export function openModelFile(path: string, readFile: ReadFile, layout?: 'keras' | 'pytorch'): Promise<ModelFile> {
  return readModelFile(readBytes(readFile, path, FILE_KEY), path, readFile, layout);
}
