/**
 * Tracing a layer of a trained model: reads the model file a spec names, picks the recurrent
 * layer(s) to trace, completes the spec with what the file says (model, units, gate
 * activation, reset_after, unit_forget_bias; a spec that says otherwise is an error), feeds
 * the input through the layers before each traced layer, and traces it. `layer: all` traces
 * every recurrent layer of a stack in turn, each fed the previous one's output, and gives one
 * trace per layer, named by layer, as a `Comparison`.
 */
import type { Comparison, Trace } from '../../shared/trace';
import { utf8Decode } from '../../shared/utf8';
import { loadInput, type LstmWeights, type SequenceInput } from '../data';
import { parseCsv, parseNpy, readBytes, readJson, readNested, type NumericArray, type ReadFile } from '../files';
import type { GruWeights } from '../gru';
import { checkModelSpec, checkSizes, type ImportSpec, type ModelSpec, type RecurrentSpec } from '../spec/model-spec';
import { completeSpec, SpecError, suggestion, type SpecObject, type WrittenSpec } from '../spec/validate';
import { tokenize } from '../text';
import { embed, lastStep, prepareEmbedding, prepareLayer, recurrentOp, type Activations, type EmbeddingTable, type FrontOp } from './front';
import { recurrentOptions, type RecurrentOptions } from './keras-config';
import { checkFinite, FILE_KEY, fileError, layerList, RECURRENT_CLASSES, recurrentLayers, type ModelFile, type ModelLayer, type Tensor } from './model-file';
import { parseJsonBytes, readModelFile, sniffKind } from './open';
import { isPytorchStateDict } from './pytorch';

/** How the run traces one layer (the code of `run.ts`, passed in). */
export interface LayerTracer {
  /** Traces a recurrent layer on its input with its weights. */
  traceLayer(spec: RecurrentSpec, input: SequenceInput, weights: LstmWeights | GruWeights): Promise<Trace>;
  /** Runs a complete spec the usual way (weights from a Keras-layout JSON file). */
  traceSpec(spec: ModelSpec): Promise<Trace>;
}

/** One traced layer and the layers that run before it. */
export interface ImportStep {
  name: string;
  before: FrontOp[];
  spec: RecurrentSpec;
  weights: LstmWeights | GruWeights;
  returnSequences: boolean;
}

/** What a spec with a model file runs. */
export interface ImportPlan {
  file: ModelFile;
  /** The Embedding that starts the model: the input is then token ids. */
  embedding?: EmbeddingTable;
  /** Features per step the model takes (without an Embedding), and the layer that says so. */
  inputFeatures?: { features: number; layer: string };
  steps: ImportStep[];
}

/** Spec keys a recurrent layer's config supplies. */
const SUPPLIED_KEYS = ['model', 'units', 'recurrentActivation', 'resetAfter', 'unitForgetBias'] as const;

/** What each format assumes where a layer's config is silent. */
const FORMAT_DEFAULTS = {
  tfjs: { resetAfter: false, unitForgetBias: false, recurrentActivation: 'hard_sigmoid' },
  keras: { resetAfter: true, unitForgetBias: true, recurrentActivation: 'sigmoid' },
} as const;

/** An error about a key of the spec as written, with its line. */
function specError(written: WrittenSpec, key: string, message: string): SpecError {
  return new SpecError(`${written.prefix}${key}: ${message}`, key, written.lineOf(key));
}

function article(model: 'lstm' | 'gru'): string {
  return model === 'lstm' ? 'an LSTM' : 'a GRU';
}

/** The recurrent layers a spec's `weights.layer` picks. */
function chooseLayers(spec: ImportSpec, file: ModelFile): ModelLayer[] {
  const path = file.path;
  const recurrent = recurrentLayers(file);
  if (recurrent.length === 0) throw fileError(path, `has no LSTM or GRU layer to trace; its layers: ${layerList(file.layers)}`);
  const choice = spec.weights.layer;
  const names = recurrent.map((l) => `"${l.name}"`).join(', ');
  if (choice === undefined) return [recurrent[0]];
  if (choice === 'all') return recurrent;
  if (typeof choice === 'number') {
    if (choice >= recurrent.length) throw specError(spec.written, 'weights.layer', `expected an index below ${recurrent.length} (the recurrent layers of "${path}": ${names}), got ${choice}`);
    return [recurrent[choice]];
  }
  const found = recurrent.find((l) => l.name === choice);
  if (found) return [found];
  const other = file.layers.find((l) => l.name === choice);
  if (other) throw specError(spec.written, 'weights.layer', `"${choice}" is ${other.className === 'Embedding' || other.className === 'InputLayer' ? 'an' : 'a'} ${other.className} layer; the lab traces LSTM and GRU layers: ${names}`);
  throw specError(spec.written, 'weights.layer', `expected a recurrent layer of "${path}" (${names}), an index or all, got "${choice}"${suggestion(choice, recurrent.map((l) => l.name))}`);
}

/** The layers from the model input to `last`, following each layer's single input. */
function pathTo(file: ModelFile, last: ModelLayer): ModelLayer[] {
  const byName = new Map(file.layers.map((l) => [l.name, l] as const));
  const chain: ModelLayer[] = [];
  for (let l: ModelLayer = last; ; ) {
    chain.unshift(l);
    if (l.inbound.length === 0) break;
    if (l.inbound.length > 1) throw fileError(file.path, `layer "${l.name}" takes ${l.inbound.length} inputs (${l.inbound.join(', ')}); the lab follows a single path from the model input to the traced layer`);
    const previous = byName.get(l.inbound[0]);
    if (!previous) throw fileError(file.path, `layer "${l.name}" takes its input from "${l.inbound[0]}", which the file does not hold`);
    if (chain.includes(previous)) throw fileError(file.path, `has a cycle through layer "${previous.name}"`);
    l = previous;
  }
  return chain;
}

/** The weights of a recurrent layer, in the Keras layout, checked against its config. */
function recurrentWeights(path: string, layer: ModelLayer, weights: Tensor[], o: RecurrentOptions, features: number | undefined): LstmWeights | GruWeights {
  const G = o.model === 'lstm' ? 4 : 3;
  const U = o.units;
  const where = `layer "${layer.name}" (${layer.className}, ${U} units`;
  const want = o.useBias ? 3 : 2;
  if (weights.length !== want) throw fileError(path, `${where}) has ${weights.length} weights, expected ${want} (kernel, recurrent kernel${o.useBias ? ', bias' : ''})`);
  const [kernel, recurrentKernel, savedBias] = weights;
  const F = features ?? kernel.shape[0];
  const biasShape = o.model === 'gru' && o.resetAfter ? [2, G * U] : [G * U];
  const expected: [string, Tensor, number[]][] = [['kernel', kernel, [F, G * U]], ['recurrent kernel', recurrentKernel, [U, G * U]]];
  if (savedBias) expected.push(['bias', savedBias, biasShape]);
  for (const [name, t, shape] of expected) {
    if (t.shape.join() !== shape.join()) {
      const why = name === 'bias' && o.model === 'gru' ? `, reset_after ${o.resetAfter}` : name === 'kernel' && features !== undefined ? `, ${F} input features` : '';
      throw fileError(path, `${where}${why}) has a ${name} of shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  const bias = savedBias?.data ?? new Float32Array(biasShape.reduce((a, b) => a * b, 1));
  return { features: F, units: U, kernel: kernel.data, recurrentKernel: recurrentKernel.data, bias };
}

/**
 * The spec of one traced layer: the spec as written, completed with what the layer's config
 * says. A key the spec gives must agree with the file.
 */
function completeForLayer(spec: ImportSpec, file: ModelFile, layer: ModelLayer, o: RecurrentOptions): RecurrentSpec {
  const written = spec.written;
  const says = new Set(layer.says ?? SUPPLIED_KEYS);
  const fromFile: SpecObject = { model: o.model, units: o.units, recurrentActivation: o.recurrentActivation };
  if (o.model === 'gru') fromFile.resetAfter = o.resetAfter as boolean;
  else fromFile.unitForgetBias = o.unitForgetBias as boolean;
  const supplied: SpecObject = {};
  const of = `layer "${layer.name}" of "${file.path}"`;
  for (const [key, value] of Object.entries(fromFile)) {
    if (!says.has(key) && key !== 'model' && key !== 'units') continue;
    supplied[key] = value;
    const given = written.value[key];
    if (given === undefined || given === value) continue;
    if (key === 'model' && says.has(key)) throw specError(written, key, `the traced ${of} is ${article(o.model)}, got ${String(given)}`);
    if (key === 'units' && says.has(key)) throw specError(written, key, `${of} has ${o.units} units, got ${String(given)}`);
    if (key !== 'model' && key !== 'units' && says.has(key)) throw specError(written, key, `${of} has ${key} ${String(value)}, got ${String(given)}; leave ${key} out to take the file's`);
  }
  for (const key of ['forgetBias', 'init']) {
    if (written.value[key] !== undefined) throw specError(written, key, `only for generated weights (weights.seed); "${file.path}" gives trained weights`);
  }
  const value = completeSpec(written, supplied) as unknown as RecurrentSpec;
  value.weights = { ...value.weights, layer: layer.name };
  return value;
}

/** Reads the model file of a spec and plans the run: the traced layers and what runs before each. */
export async function planImport(spec: ImportSpec, readFile: ReadFile, bytes?: Uint8Array): Promise<ImportPlan> {
  const path = spec.weights.file;
  const file = await readModelFile(bytes ?? readBytes(readFile, path, FILE_KEY), path, readFile, spec.weights.layout);
  const chosen = chooseLayers(spec, file);
  const chain = pathTo(file, chosen[chosen.length - 1]);
  for (const c of chosen) {
    if (!chain.includes(c)) throw specError(spec.written, 'weights.layer', `all: layer "${c.name}" is not on the path from the input to "${chosen[chosen.length - 1].name}"; trace the layers one at a time`);
  }
  const defaults = FORMAT_DEFAULTS[file.format === 'tfjs' ? 'tfjs' : 'keras'];
  const weights = await Promise.all(chain.map(async (l) => (await l.weights()).map((t, i) => checkFinite(path, `${l.name}[${i}]`, t))));
  const plan: ImportPlan = { file, steps: [] };
  let before: FrontOp[] = [];
  let features: number | undefined;
  for (const [i, layer] of chain.entries()) {
    const w = weights[i];
    if (layer.className === 'InputLayer') continue;
    if (layer.className === 'Embedding') {
      if (features !== undefined || before.length || plan.steps.length) throw fileError(path, `has an Embedding layer ("${layer.name}") after other layers; the lab runs an Embedding only on the model input`);
      plan.embedding = prepareEmbedding(path, layer, w);
      features = plan.embedding.outputDim;
      continue;
    }
    const model = RECURRENT_CLASSES[layer.className];
    if (model) {
      const o = recurrentOptions(path, layer, model, file.kerasVersion, defaults);
      const rw = recurrentWeights(path, layer, w, o, features);
      if (features === undefined) plan.inputFeatures = { features: rw.features, layer: layer.name };
      if (chosen.includes(layer)) {
        plan.steps.push({ name: layer.name, before, spec: completeForLayer(spec, file, layer, o), weights: rw, returnSequences: o.returnSequences });
        before = [];
      } else {
        before.push(recurrentOp(layer, { model, weights: rw, recurrentActivation: o.recurrentActivation, resetAfter: o.resetAfter ?? false, returnSequences: o.returnSequences }));
      }
      features = o.units;
      continue;
    }
    if (features === undefined) {
      // The first layer says the width of the input: a kernel's rows, a normalisation's size.
      const width = w[0]?.shape[0] ?? (file.inputShape && file.inputShape.length === 3 ? file.inputShape[2] ?? undefined : undefined);
      if (width === undefined) throw fileError(path, `starts with layer "${layer.name}" (${layer.className}), which does not say how many features it takes; the lab needs a model whose first layer has weights or an input shape`);
      features = width;
      plan.inputFeatures = { features: width, layer: layer.name };
    }
    const op = prepareLayer(path, layer, w, features, file.kerasVersion);
    before.push(op);
    features = op.features;
  }
  return plan;
}

/** Token ids of the input, for a model that starts with an Embedding. */
interface TokenIds {
  ids: Int32Array;
  batch: number;
  time: number;
  labels?: string[];
}

/** Reads a vocabulary: a JSON list or {token: id} object, or a .txt file of one token per line. */
function readVocabulary(readFile: ReadFile, path: string): Map<string, number> {
  const key = 'input.vocabulary';
  const vocab = new Map<string, number>();
  if (path.toLowerCase().endsWith('.txt')) {
    const lines = utf8Decode(readBytes(readFile, path, key)).split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((t, i) => vocab.has(t) || vocab.set(t, i));
    return vocab;
  }
  const json = readJson(readFile, path, key);
  if (Array.isArray(json)) json.forEach((t, i) => vocab.has(String(t)) || vocab.set(String(t), i));
  else if (typeof json === 'object' && json !== null) {
    for (const [t, id] of Object.entries(json)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new SpecError(`${key}: "${path}" maps "${t}" to ${JSON.stringify(id)}; expected an integer id ≥ 0`, key);
      vocab.set(t, id);
    }
  } else throw new SpecError(`${key}: "${path}": expected a JSON list of tokens or an object {token: id}`, key);
  return vocab;
}

/** Reads an ids file: `[time]` or `[batch][time]` integers (JSON, .npy, or a CSV with one id per row). */
function readIdsFile(readFile: ReadFile, path: string): NumericArray {
  const key = 'input.file';
  const lower = path.toLowerCase();
  let a: NumericArray;
  if (lower.endsWith('.npy')) a = parseNpy(readBytes(readFile, path, key), key);
  else if (lower.endsWith('.csv')) {
    a = parseCsv(utf8Decode(readBytes(readFile, path, key)), key);
    if (a.shape[1] !== 1) throw new SpecError(`${key}: expected one token id per row, got ${a.shape[1]} columns`, key);
    a = { shape: [a.shape[0]], data: a.data };
  } else a = readNested(readJson(readFile, path, key), key, 1, 2, 'token ids: a list [time] or [batch][time] of integers');
  if (a.shape.length < 1 || a.shape.length > 2) throw new SpecError(`${key}: expected token ids of shape [time] or [batch, time], got [${a.shape.join(', ')}]`, key);
  return a;
}

function loadTokenIds(spec: ImportSpec, e: EmbeddingTable, readFile: ReadFile): TokenIds {
  const { input, written } = spec;
  const starts = `the model of "${spec.weights.file}" starts with an Embedding (layer "${e.name}", ids 0…${e.inputDim - 1})`;
  if (input.random) throw specError(written, 'input.random', `${starts}: give token ids (input.text with tokens: ids, or input.file) or text with input.vocabulary`);
  for (const key of ['features', 'seed'] as const) {
    if (input[key] !== undefined) throw specError(written, `input.${key}`, `not used: ${starts}, which embeds the tokens`);
  }
  if (input.shape) throw specError(written, 'input.shape', `not used with token ids (${starts})`);
  let ids: number[];
  let batch = 1;
  let labels: string[] | undefined;
  if (input.text !== undefined) {
    if (input.tokens === 'ids') {
      if (input.vocabulary !== undefined) throw specError(written, 'input.vocabulary', 'not used with tokens: ids');
      const parts = input.text.split(/[\s,]+/).filter((p) => p !== '');
      ids = parts.map((p, t) => {
        if (!/^\d+$/.test(p)) throw specError(written, 'input.text', `expected integer token ids separated by spaces or commas, got ${JSON.stringify(p)} at step ${t}`);
        return Number(p);
      });
      labels = parts;
    } else {
      if (input.vocabulary === undefined) throw specError(written, 'input.vocabulary', `required with input.text: ${starts}, and its vocabulary maps text to ids (or give ids with tokens: ids)`);
      const vocab = readVocabulary(readFile, input.vocabulary);
      const unknown = ['[UNK]', '<unk>', '<UNK>', '[unk]'].map((t) => vocab.get(t)).find((id) => id !== undefined);
      const tokens = tokenize(input.text, input.tokens ?? 'chars');
      ids = tokens.map((t, step) => {
        const id = vocab.get(t) ?? unknown;
        if (id === undefined) throw specError(written, 'input.text', `token ${JSON.stringify(t)} at step ${step} is not in the vocabulary "${input.vocabulary}" (which has no [UNK] or <unk> token either)`);
        return id;
      });
      labels = tokens;
    }
  } else if (input.file !== undefined) {
    const a = readIdsFile(readFile, input.file);
    if (a.shape.length === 2) batch = a.shape[0];
    ids = Array.from(a.data);
  } else {
    throw specError(written, 'input', `${starts}: give token ids (input.text with tokens: ids, or input.file)`);
  }
  if (ids.length === 0) throw specError(written, 'input', 'expected at least one token id, got none');
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= e.inputDim);
  if (bad >= 0) throw specError(written, input.text !== undefined ? 'input.text' : 'input.file', `token id ${ids[bad]} at position ${bad} is outside the Embedding's ids 0…${e.inputDim - 1} (layer "${e.name}")`);
  return { ids: Int32Array.from(ids), batch, time: ids.length / batch, labels };
}

/** The input of the first layer run: embedded token ids, or the spec's input checked against the model's width. */
function loadModelInput(spec: ImportSpec, plan: ImportPlan, readFile: ReadFile): { x: Activations; labels?: string[] } {
  const first = plan.steps[0].spec;
  if (plan.embedding) {
    const t = loadTokenIds(spec, plan.embedding, readFile);
    checkSizes(first, t.batch, t.time, plan.embedding.outputDim, t.labels ? 'input.text' : 'input.file');
    return { x: embed(plan.embedding, t.ids, t.batch, t.time), labels: t.labels };
  }
  const { input, written } = spec;
  if (input.tokens === 'ids') throw specError(written, 'input.tokens', `ids are only for a model that starts with an Embedding layer; "${spec.weights.file}" does not`);
  if (input.vocabulary !== undefined) throw specError(written, 'input.vocabulary', `only for a model that starts with an Embedding layer; "${spec.weights.file}" does not`);
  const si = loadInput(first, readFile);
  const want = plan.inputFeatures;
  if (want && si.features !== want.features) {
    throw specError(written, 'input', `the model of "${spec.weights.file}" takes ${want.features} features per step (layer "${want.layer}"), got ${si.features}`);
  }
  return { x: { shape: [si.batch, si.time, si.features], data: si.data }, labels: si.labels };
}

/** Whether a spec names its model and units and its file is JSON arrays in the Keras layout (no topology, no PyTorch names). */
function isKerasArrays(spec: ImportSpec, bytes: Uint8Array): boolean {
  const w = spec.written.value;
  if (w.model === undefined || w.units === undefined || spec.weights.layout === 'pytorch' || sniffKind(bytes) !== 'json') return false;
  const json = parseJsonBytes(bytes, spec.weights.file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return spec.weights.layout === undefined;
  return !('modelTopology' in json) && !('weightsManifest' in json) && !isPytorchStateDict(Object.keys(json));
}

/**
 * Runs a spec with a model file: one trace, or with `layer: all` one trace per recurrent
 * layer (a `Comparison` whose variants are named by layer).
 */
export async function traceImport(spec: ImportSpec, readFile: ReadFile, tracer: LayerTracer, shouldStop?: () => boolean): Promise<Trace | Comparison> {
  checkModelSpec(spec, spec.written.prefix);
  const bytes = readBytes(readFile, spec.weights.file, FILE_KEY);
  if (isKerasArrays(spec, bytes)) {
    // The lab's own Keras-layout arrays with a complete spec: the usual path and its messages.
    return tracer.traceSpec(completeSpec(spec.written, {}) as unknown as ModelSpec);
  }
  const plan = await planImport(spec, readFile, bytes);
  let { x, labels } = loadModelInput(spec, plan, readFile);
  const traces: { name: string; trace: Trace }[] = [];
  for (const step of plan.steps) {
    for (const op of step.before) x = op.apply(x, shouldStop);
    if (x.shape.length !== 3) throw fileError(plan.file.path, `feeds layer "${step.name}" one vector per sequence (shape [${x.shape.join(', ')}]), not a sequence`);
    const [batch, time, features] = x.shape;
    checkSizes(step.spec, batch, time, features);
    const input: SequenceInput = { batch, time, features, data: x.data };
    if (labels && labels.length === time) input.labels = labels;
    const trace = await tracer.traceLayer(step.spec, input, step.weights);
    traces.push({ name: step.name, trace });
    x = step.returnSequences ? trace.series.hidden : lastStep(trace.series.hidden);
  }
  if (spec.weights.layer !== 'all' || traces.length === 1) return traces[0].trace;
  return { kind: 'comparison', variants: traces };
}
