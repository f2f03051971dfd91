/**
 * Keras model configs, as TensorFlow.js (`modelTopology`), Keras 3 (`config.json` of a
 * `.keras` file) and Keras 2 (`model_config` of an `.h5` file) save them: the layers in the
 * order they run, each with the layers it takes its input from, and the recurrent options
 * the lab needs (units, gate activation, reset_after, unit_forget_bias).
 */
import type { RecurrentActivation } from '../kernels/activations';
import { fileError } from './model-file';

/** A layer as its config describes it (weights are attached by the format readers). */
export interface ConfigLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inbound: string[];
  /** See `ModelLayer.says`. */
  says?: readonly string[];
}

/** What a model config says. */
export interface Topology {
  layers: ConfigLayer[];
  /** `[batch, time, features]` or `[batch, time]`, `null` where free. */
  inputShape?: (number | null)[];
  kerasVersion?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Layer names in Keras 2 / TensorFlow.js inbound nodes `[[["name", 0, 0, {}]]]` or Keras 3 `{args: [{config: {keras_history: ["name", 0, 0]}}]}`. */
function inboundNames(nodes: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
      else v.forEach(walk);
    } else if (isRecord(v)) {
      if (Array.isArray(v.keras_history) && typeof v.keras_history[0] === 'string') names.push(v.keras_history[0]);
      else Object.values(v).forEach(walk);
    }
  };
  walk(nodes);
  return [...new Set(names)];
}

function shapeOf(config: Record<string, unknown>): (number | null)[] | undefined {
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const s = config[key];
    if (Array.isArray(s) && s.every((d) => d === null || typeof d === 'number')) return s as (number | null)[];
  }
  const build = config.build_config;
  if (isRecord(build) && Array.isArray(build.input_shape)) return build.input_shape as (number | null)[];
  return undefined;
}

/**
 * Reads a model config: `{class_name, config}` of a Sequential or functional model, possibly
 * wrapped as TensorFlow.js's `modelTopology` (`{model_config: …}`). `path` names the file in errors.
 */
export function parseTopology(json: unknown, path: string, kerasVersion?: string): Topology {
  if (!isRecord(json)) throw fileError(path, 'has no model config (expected a JSON object with "class_name" and "config")');
  if (isRecord(json.model_config)) return parseTopology(json.model_config, path, typeof json.keras_version === 'string' ? json.keras_version : kerasVersion);
  const version = typeof json.keras_version === 'string' ? json.keras_version : kerasVersion;
  const className = json.class_name;
  const config = json.config;
  const rawLayers = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  if (typeof className !== 'string' || !Array.isArray(rawLayers)) {
    throw fileError(path, `has no model config with layers (got class_name ${JSON.stringify(className)})`);
  }
  const sequential = className === 'Sequential';
  const layers: ConfigLayer[] = [];
  for (const [i, raw] of rawLayers.entries()) {
    if (!isRecord(raw) || typeof raw.class_name !== 'string' || !isRecord(raw.config)) throw fileError(path, `has a malformed layer at index ${i} of its config`);
    const layerConfig = raw.config;
    const name = typeof raw.name === 'string' ? raw.name : typeof layerConfig.name === 'string' ? layerConfig.name : `${raw.class_name.toLowerCase()}_${i}`;
    const inbound = sequential ? (layers.length ? [layers[layers.length - 1].name] : []) : inboundNames(raw.inbound_nodes);
    layers.push({ name, className: raw.class_name, config: layerConfig, inbound });
  }
  let inputShape: (number | null)[] | undefined;
  for (const l of layers) {
    inputShape = shapeOf(l.config);
    if (inputShape || l.className !== 'InputLayer') break;
  }
  return { layers, inputShape, kerasVersion: version };
}

/** An activation's name from a config: a string, or Keras 3's `{class_name: "function", config: "tanh"}`. */
export function activationName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isRecord(v) && typeof v.config === 'string') return v.config;
  if (isRecord(v) && typeof v.class_name === 'string') return v.class_name;
  return undefined;
}

/** Whether a Keras version string is Keras 3 (where `hard_sigmoid` is x/6 + 1/2). */
export function isKeras3(version: string | undefined): boolean {
  return version !== undefined && /^3\./.test(version);
}

/** The lab's name of a recurrent activation in a config, or undefined when the lab has none. */
export function recurrentActivationOf(name: string, kerasVersion: string | undefined): RecurrentActivation | undefined {
  switch (name) {
    case 'sigmoid':
      return 'sigmoid';
    case 'hard_sigmoid':
    case 'hardSigmoid':
      // Keras 2 and TensorFlow.js: clip(0.2x + 0.5); Keras 3: clip(x/6 + 0.5).
      return isKeras3(kerasVersion) ? 'kerasHardSigmoid' : 'hardSigmoid';
    default:
      return undefined;
  }
}

/** The options of a recurrent layer that the lab reads from its config. */
export interface RecurrentOptions {
  model: 'lstm' | 'gru';
  units: number;
  recurrentActivation: RecurrentActivation;
  useBias: boolean;
  /** GRU only. */
  resetAfter?: boolean;
  /** LSTM only. */
  unitForgetBias?: boolean;
  returnSequences: boolean;
}

/**
 * Reads and checks a recurrent layer's config. `defaults` say what an absent key means in
 * this format (TensorFlow.js: hard_sigmoid gates, reset_after false, no unit forget bias;
 * Keras: sigmoid, reset_after and unit_forget_bias true).
 */
export function recurrentOptions(
  path: string,
  layer: ConfigLayer,
  model: 'lstm' | 'gru',
  kerasVersion: string | undefined,
  defaults: { resetAfter: boolean; unitForgetBias: boolean; recurrentActivation: string },
): RecurrentOptions {
  const c = layer.config;
  const where = `layer "${layer.name}" (${layer.className})`;
  const units = c.units;
  if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) throw fileError(path, `${where} has no valid "units" in its config (got ${JSON.stringify(units)})`);
  const activation = activationName(c.activation) ?? 'tanh';
  if (activation !== 'tanh') throw fileError(path, `${where} uses activation "${activation}"; the lab's ${model.toUpperCase()} uses tanh (the Keras default)`);
  const gate = activationName(c.recurrent_activation) ?? defaults.recurrentActivation;
  const recurrentActivation = recurrentActivationOf(gate, kerasVersion);
  if (!recurrentActivation) throw fileError(path, `${where} uses recurrent_activation "${gate}"; the lab supports sigmoid and hard_sigmoid`);
  for (const flag of ['go_backwards', 'time_major'] as const) {
    if (c[flag] === true) throw fileError(path, `${where} has ${flag}: true, which the lab does not trace`);
  }
  const options: RecurrentOptions = {
    model,
    units,
    recurrentActivation,
    useBias: c.use_bias !== false,
    returnSequences: c.return_sequences === true,
  };
  if (model === 'gru') options.resetAfter = typeof c.reset_after === 'boolean' ? c.reset_after : defaults.resetAfter;
  else options.unitForgetBias = typeof c.unit_forget_bias === 'boolean' ? c.unit_forget_bias : defaults.unitForgetBias;
  return options;
}
