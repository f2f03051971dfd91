/**
 * TensorFlow.js LayersModel files: `model.json` (the Keras topology and a `weightsManifest`)
 * and the binary weight shards beside it. Each manifest group's shards, concatenated in
 * order, hold the group's weights one after the other (float32, or quantized uint8 / uint16 /
 * float16 with their scale). See tfjs-core's `io` for the format.
 */
import type { ReadFile } from '../files';
import { parseTopology } from './keras-config';
import { checkFinite, fileError, folderOf, halfToFloat, orderWeights, sizeOf, type ModelFile, type Tensor } from './model-file';

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Bytes of one weight of `dtype`, quantized or not. */
function bytesPerValue(entry: WeightEntry): number {
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  return dtype === 'uint8' ? 1 : dtype === 'uint16' || dtype === 'float16' ? 2 : dtype === 'float64' ? 8 : 4;
}

function decode(entry: WeightEntry, bytes: Uint8Array, path: string): Float32Array {
  const n = sizeOf(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = entry.quantization;
  if (q) {
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    if (q.dtype === 'uint8') for (let i = 0; i < n; i++) out[i] = view.getUint8(i) * scale + min;
    else if (q.dtype === 'uint16') for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true) * scale + min;
    else if (q.dtype === 'float16') for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    else throw fileError(path, `weight "${entry.name}" is quantized as ${q.dtype}; expected uint8, uint16 or float16`);
    return out;
  }
  if (entry.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function readManifest(json: Record<string, unknown>, path: string): { paths: string[]; weights: WeightEntry[] }[] {
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw fileError(path, 'has no "weightsManifest": expected a TensorFlow.js model.json saved with its weights');
  return manifest.map((group, g) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw fileError(path, `weightsManifest[${g}]: expected {"paths": [...], "weights": [...]}`);
    const weights = group.weights.map((w, i): WeightEntry => {
      if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw fileError(path, `weightsManifest[${g}].weights[${i}]: expected {"name", "shape", "dtype"}`);
      }
      const entry: WeightEntry = { name: w.name, shape: w.shape as number[], dtype: typeof w.dtype === 'string' ? w.dtype : 'float32' };
      if (isRecord(w.quantization) && typeof w.quantization.dtype === 'string') entry.quantization = w.quantization as WeightEntry['quantization'];
      else if (entry.dtype !== 'float32' && entry.dtype !== 'float64') throw fileError(path, `weight "${entry.name}" has dtype ${entry.dtype}; expected float32 or float64`);
      return entry;
    });
    return { paths: group.paths.map(String), weights };
  });
}

/**
 * Reads a TensorFlow.js `model.json` (already parsed) and its weight shards; with
 * `withWeights` false only the topology (the layers then have no weights).
 */
export function readTfjsModel(json: Record<string, unknown>, path: string, readFile: ReadFile, withWeights = true): ModelFile {
  const topology = parseTopology(json.modelTopology, path);
  const folder = folderOf(path);
  const weights = new Map<string, { name: string; tensor: () => Tensor }>();
  for (const [g, group] of (withWeights ? readManifest(json, path) : []).entries()) {
    const shards = group.paths.map((p) => {
      try {
        return readFile(folder + p);
      } catch (e) {
        throw fileError(path, `names weight shard "${p}", which cannot be read: ${(e as Error).message}`);
      }
    });
    const total = shards.reduce((n, s) => n + s.length, 0);
    const need = group.weights.reduce((n, w) => n + sizeOf(w.shape) * bytesPerValue(w), 0);
    if (total < need) throw fileError(path, `weightsManifest[${g}]: its shards (${group.paths.join(', ')}) hold ${total} bytes, the weights need ${need}; a shard is missing or short`);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const s of shards) {
      bytes.set(s, o);
      o += s.length;
    }
    let offset = 0;
    for (const entry of group.weights) {
      const length = sizeOf(entry.shape) * bytesPerValue(entry);
      const slice = bytes.subarray(offset, offset + length);
      offset += length;
      weights.set(entry.name, { name: entry.name, tensor: () => checkFinite(path, entry.name, { shape: entry.shape, data: decode(entry, slice, path) }) });
    }
  }
  const names = [...weights.keys()];
  return {
    format: 'tfjs',
    path,
    kerasVersion: topology.kerasVersion,
    inputShape: topology.inputShape,
    layers: topology.layers.map((l) => ({
      ...l,
      weights: async () => {
        // Weights are named `<layer>/…/<role>`; converted Keras models may prefix the model's name.
        const own = names.filter((n) => n.startsWith(`${l.name}/`) || n.includes(`/${l.name}/`)).map((n) => weights.get(n) as { name: string; tensor: () => Tensor });
        return orderWeights(l.className, own).map((w) => w.tensor());
      },
    })),
  };
}
