/**
 * Keras files: the Keras 3 `.keras` zip (`config.json`, `metadata.json`, `model.weights.h5`)
 * and the legacy HDF5 `.h5` of Keras 2 (and of Keras 3's `save("x.h5")`): a `model_config`
 * attribute and a `model_weights` group with one group per layer whose `weight_names`
 * attribute lists its datasets. HDF5 is read with h5wasm (`hdf5.ts`).
 *
 * In `model.weights.h5` Keras 3 names no weight: a layer's variables are the datasets `0`,
 * `1`, … of `layers/<class in snake_case>[_k]/…/vars` in the order the layer created them
 * (kernel, recurrent kernel, bias), `_k` counting the earlier layers of the same class;
 * recurrent layers keep theirs in `cell/vars`.
 */
import { unzipSync } from 'fflate';
import { utf8Decode } from '../../shared/utf8';
import { withHdf5, type Hdf5Reader } from './hdf5';
import { parseTopology, type ConfigLayer, type Topology } from './keras-config';
import { fileError, orderWeights, type ModelFile, type Tensor } from './model-file';

/** Keras's `naming.to_snake_case`: `LSTM` → `lstm`, `LayerNormalization` → `layer_normalization`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function parseJson(bytes: Uint8Array, path: string, member: string): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (e) {
    throw fileError(path, `has a ${member} that is not valid JSON: ${(e as Error).message}`);
  }
}

/** A layer's variables under `group`: its own `vars/0, 1, …`, then those of its children (sorted, as Keras walks them). */
function collectVars(h5: Hdf5Reader, group: string): Tensor[] {
  const out: Tensor[] = [];
  const members = h5.keys(group) ?? [];
  if (members.includes('vars')) {
    const vars = (h5.keys(`${group}/vars`) ?? []).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    for (const v of vars) out.push(h5.floats(`${group}/vars/${v}`));
  }
  const key = (n: string): string => (n.startsWith('_') ? `~${n}` : n);
  for (const child of members.filter((m) => m !== 'vars' && h5.keys(`${group}/${m}`) !== undefined).sort((a, b) => (key(a) < key(b) ? -1 : 1))) {
    out.push(...collectVars(h5, `${group}/${child}`));
  }
  return out;
}

/** Reads a Keras 3 `.keras` file. */
export async function readKerasZip(bytes: Uint8Array, path: string): Promise<ModelFile> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => ['config.json', 'metadata.json', 'model.weights.h5'].includes(f.name) });
  } catch (e) {
    throw fileError(path, `is not a readable zip file: ${(e as Error).message}`);
  }
  if (!files['config.json']) throw fileError(path, 'is a zip file without config.json: expected a Keras 3 .keras file');
  if (!files['model.weights.h5']) throw fileError(path, 'has no model.weights.h5: expected a Keras 3 .keras file saved with its weights');
  const metadata = files['metadata.json'] ? parseJson(files['metadata.json'], path, 'metadata.json') as { keras_version?: unknown } : {};
  const version = typeof metadata.keras_version === 'string' ? metadata.keras_version : '3';
  const topology = parseTopology(parseJson(files['config.json'], path, 'config.json'), path, version);
  const weights = await withHdf5(files['model.weights.h5'], path, (h5) => {
    const root = h5.keys('/layers') ? 'layers' : h5.keys('/_layer_checkpoint_dependencies') ? '_layer_checkpoint_dependencies' : undefined;
    if (!root) throw fileError(path, 'has a model.weights.h5 without a "layers" group');
    const seen = new Map<string, number>();
    const byLayer = new Map<string, Tensor[]>();
    for (const layer of topology.layers) {
      if (layer.className === 'InputLayer') continue;
      const snake = toSnakeCase(layer.className);
      const k = seen.get(snake) ?? 0;
      seen.set(snake, k + 1);
      const group = `/${root}/${k === 0 ? snake : `${snake}_${k}`}`;
      byLayer.set(layer.name, h5.keys(group) ? collectVars(h5, group) : []);
    }
    return byLayer;
  });
  return fromTopology('keras', path, topology, (l) => weights.get(l.name) ?? []);
}

/** The text of an HDF5 string attribute (h5py may store bytes). */
function attrText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function attrList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  return [];
}

/** Guesses a layer's class from its weights (weights-only files have no config). */
function guessLayer(name: string, weights: { name: string; tensor: Tensor }[]): ConfigLayer {
  const role = (r: string) => weights.find((w) => w.name.replace(/:\d+$/, '').endsWith(`/${r}`) || w.name === r)?.tensor;
  const recurrent = role('recurrent_kernel');
  if (recurrent && recurrent.shape.length === 2) {
    const [U, cols] = recurrent.shape;
    const className = cols === 4 * U ? 'LSTM' : cols === 3 * U ? 'GRU' : 'RNN';
    const bias = role('bias');
    return { name, className, config: { name, units: U, return_sequences: true, reset_after: bias?.shape.length === 2 }, inbound: [], says: ['model', 'units', 'resetAfter'] };
  }
  if (role('embeddings')) return { name, className: 'Embedding', config: { name }, inbound: [] };
  if (role('kernel')) return { name, className: 'Dense', config: { name, activation: 'linear' }, inbound: [] };
  return { name, className: weights.length ? 'Unknown' : 'InputLayer', config: { name }, inbound: [] };
}

/** Reads a legacy Keras `.h5` file: a saved model, or the weights of one (`save_weights`). */
export async function readKerasH5(bytes: Uint8Array, path: string): Promise<ModelFile> {
  return withHdf5(bytes, path, (h5) => {
    const modelConfig = attrText(h5.attr('/', 'model_config'));
    const group = h5.keys('/model_weights') ? '/model_weights' : '/';
    const version = attrText(h5.attr('/', 'keras_version')) ?? attrText(h5.attr(group, 'keras_version'));
    if (!modelConfig && !h5.attr(group, 'layer_names')) {
      const hint = h5.keys('/layers') ? ' (a Keras 3 .weights.h5 holds no model config: save the model with model.save("model.keras"))' : '';
      throw fileError(path, `is an HDF5 file without a Keras model config or layer_names${hint}`);
    }
    const weightsOf = (layerName: string): { name: string; tensor: Tensor }[] => {
      const layerGroup = `${group === '/' ? '' : group}/${layerName}`;
      if (!h5.keys(layerGroup)) return [];
      return attrList(h5.attr(layerGroup, 'weight_names')).map((w) => ({ name: w, tensor: h5.floats(`${layerGroup}/${w}`) }));
    };
    let topology: Topology;
    const saved = new Map<string, { name: string; tensor: Tensor }[]>();
    if (modelConfig) {
      let json: unknown;
      try {
        json = JSON.parse(modelConfig);
      } catch (e) {
        throw fileError(path, `has a model_config that is not valid JSON: ${(e as Error).message}`);
      }
      topology = parseTopology(json, path, version);
      for (const l of topology.layers) saved.set(l.name, weightsOf(l.name));
    } else {
      const names = attrList(h5.attr(group, 'layer_names'));
      const layers: ConfigLayer[] = [];
      for (const n of names) {
        const w = weightsOf(n);
        saved.set(n, w);
        const guessed = guessLayer(n, w);
        guessed.inbound = layers.length ? [layers[layers.length - 1].name] : [];
        layers.push(guessed);
      }
      topology = { layers, kerasVersion: version };
    }
    const weights = new Map([...saved].map(([n, w]) => [n, orderWeights(topology.layers.find((l) => l.name === n)?.className ?? '', w).map((x) => x.tensor)] as const));
    return fromTopology('keras-h5', path, topology, (l) => weights.get(l.name) ?? []);
  });
}

function fromTopology(format: 'keras' | 'keras-h5', path: string, topology: Topology, weights: (l: ConfigLayer) => Tensor[]): ModelFile {
  return {
    format,
    path,
    kerasVersion: topology.kerasVersion,
    inputShape: topology.inputShape,
    layers: topology.layers.map((l) => ({ ...l, weights: async () => weights(l) })),
  };
}
