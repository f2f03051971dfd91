/**
 * The trace: what one run produced. One data model for the worker, the cell output, the
 * renderer and the CLI. In memory its series are Float32Arrays; in a cell output
 * (`application/vnd.fglab.trace+json`) they are base64 little-endian float32 with their
 * shapes, so the output survives `.ipynb` round trips.
 */
import { decodeBase64, encodeBase64, encodeBase64Ascii } from './base64';
import { utf8Encode } from './utf8';

/** Model kinds a trace can come from. */
export type ModelKind = 'lstm' | 'gru' | 'attention' | 'forgetting-attention';

export const MODEL_KINDS: readonly ModelKind[] = ['lstm', 'gru', 'attention', 'forgetting-attention'];

/** Whether a model carries a state from step to step (LSTM, GRU). */
export function isRecurrent(model: ModelKind): boolean {
  return model === 'lstm' || model === 'gru';
}

/**
 * Sizes of a run: `batch` rows, `time` steps, `features` per input step, `units` the width of
 * the state (recurrent models) or of the output (attention: heads·keyDim); `heads` and
 * `keyDim` for attention models.
 */
export interface TraceDims {
  batch: number;
  time: number;
  features: number;
  units: number;
  heads?: number;
  keyDim?: number;
}

/** A dense float32 tensor, row-major. NaN marks entries that do not exist (above the diagonal of a causal matrix). */
export interface Series {
  shape: number[];
  data: Float32Array;
}

/** Metrics of a trace (see `src/lab/metrics.ts` for the definitions); which exist depends on the model. */
export interface TraceMetrics {
  /**
   * `ln 0.5 / ln ḡ` in steps, with ḡ the mean keep gate (LSTM forget gate, GRU update gate,
   * forgetting-attention forget gate), per unit or per head; `null` where ḡ is 0 or 1.
   */
  halfLife?: (number | null)[];
  /** Fraction of steps with the keep gate below 0.1 / above 0.9 (Karpathy et al. 2015), per unit or head. */
  saturation?: { low: number[]; high: number[] };
  /** `‖∂(Σ_u h[b][T−1][u]) / ∂x[b][t]‖₂`, `[batch][time]`: how much input t still matters at the end. */
  influence?: number[][];
  /** Entropy of each attention row in nats, `[batch][heads][query]`. */
  entropy?: number[][][];
}

/** @deprecated name of `TraceMetrics` from the walking skeleton. */
export type MemoryMetrics = TraceMetrics;

/**
 * How a traced model was trained (`train:` in a spec): the curves and the task's lag. The
 * trace beside it is the trained model on the task's test split.
 */
export interface TrainingRecord {
  /** The task and the lag it needs, in steps. */
  task: { name: string; lag: number };
  /** Epochs asked for, and optimizer steps per epoch. */
  epochs: number;
  stepsPerEpoch: number;
  /** Training loss and accuracy of every optimizer step, in order. */
  loss: number[];
  accuracy: number[];
  /** Loss and accuracy on the test split after every finished epoch. */
  testLoss: number[];
  testAccuracy: number[];
  /** Whether training was interrupted before its last epoch. */
  stopped: boolean;
  /** Wall-clock milliseconds of training. */
  trainMs?: number;
  /** Figures of the trained model on the test split: `testLoss`, `testAccuracy`, and for reber `outerAccuracy`, `legalAccuracy`. */
  metrics?: Record<string, number>;
  /** LSTM: mean |c_t| over units and test rows at every step of the test split. */
  cellMagnitude?: number[];
  /** `experiment: continual`: task A's (and B's) test figures while this training learnt task B. */
  continual?: ContinualCurve;
}

/**
 * The forgetting curve of one continual-learning run (`experiment: continual`): a model trained
 * on task A, then on task B with a mitigation; A's and B's test split evaluated before B's first
 * step and several times per epoch of B.
 */
export interface ContinualCurve {
  /** `none`, `rehearsal` or `ewc`. */
  mitigation: string;
  /** Task names: A (learnt first) and B. */
  taskA: string;
  taskB: string;
  /** B's optimizer steps at each evaluation (0: the A-trained model). */
  step: number[];
  /** Test loss and accuracy of task A and of task B at each evaluation. */
  lossA: number[];
  accuracyA: number[];
  lossB: number[];
  accuracyB: number[];
}

/** Where a running training is: what the worker streams to the host and the renderer draws live. */
export interface TrainingProgress {
  /** 1-based epoch and step within it. */
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Estimated milliseconds left for this training. */
  etaMs: number;
  /** The record so far. */
  record: TrainingRecord;
  /** The variant being trained, in an experiment of several trainings. */
  variant?: string;
}

export interface Trace {
  model: ModelKind;
  dims: TraceDims;
  /** Named series with their shapes; names, axes and order from `SERIES_INFO[model]`. */
  series: Record<string, Series>;
  metrics: TraceMetrics;
  /** Optional label of each time step (tokens when the input is text). */
  labels?: string[];
  /** The spec that made the trace, as parsed (plain JSON). */
  spec?: unknown;
  /** Wall-clock figures of the run, in milliseconds. */
  timings?: Record<string, number>;
  /** How the model was trained, when a spec trained it. */
  training?: TrainingRecord;
}

/** Variants of one base spec run side by side (`model: compare`). */
export interface Comparison {
  kind: 'comparison';
  variants: { name: string; trace: Trace }[];
}

/** Axis names of series shapes. */
export type Axis = 'batch' | 'time' | 'unit' | 'head' | 'query' | 'key' | 'feature';

/** What a series means, for legends, colour scales and the choice of view. */
export interface SeriesInfo {
  name: string;
  label: string;
  /** Mathematical symbol as shown in charts. */
  symbol: string;
  /**
   * Natural value range: gates and attention weights lie in [0, 1], tanh outputs in [−1, 1],
   * `binary` is 0/1, `negative` is ≤ 0 (log-decay), `free` is unbounded.
   */
  range: 'unit' | 'symmetric' | 'free' | 'binary' | 'negative';
  /** What each dimension of the shape indexes. */
  axes: readonly Axis[];
  description: string;
}

const BTU: readonly Axis[] = ['batch', 'time', 'unit'];
const BHQK: readonly Axis[] = ['batch', 'head', 'query', 'key'];

/** LSTM series in display order. `candidate` is `g_t = tanh(c̃_t)`. */
export const LSTM_SERIES: readonly SeriesInfo[] = [
  { name: 'forgetGate', label: 'forget gate', symbol: 'f', range: 'unit', axes: BTU, description: 'f_t = σ(x_t·W_f + h_{t−1}·U_f + b_f): the share of c_{t−1} kept' },
  { name: 'inputGate', label: 'input gate', symbol: 'i', range: 'unit', axes: BTU, description: 'i_t = σ(x_t·W_i + h_{t−1}·U_i + b_i): how much of the candidate is written' },
  { name: 'candidate', label: 'candidate', symbol: 'g', range: 'symmetric', axes: BTU, description: 'g_t = tanh(x_t·W_c + h_{t−1}·U_c + b_c): the new content' },
  { name: 'outputGate', label: 'output gate', symbol: 'o', range: 'unit', axes: BTU, description: 'o_t = σ(x_t·W_o + h_{t−1}·U_o + b_o): how much of tanh(c_t) is shown' },
  { name: 'cell', label: 'cell state', symbol: 'c', range: 'free', axes: BTU, description: 'c_t = f_t⊙c_{t−1} + i_t⊙g_t: the long-term memory' },
  { name: 'hidden', label: 'hidden state', symbol: 'h', range: 'symmetric', axes: BTU, description: 'h_t = o_t⊙tanh(c_t): the output' },
  { name: 'survival', label: 'memory survival', symbol: 'R', range: 'unit', axes: BTU, description: 'R_t = ∏_{k≤t} f_k: the share of the initial cell state still in c_t' },
];

/** GRU series (Keras semantics, gate order z, r, h). The update gate z is the keep gate. */
export const GRU_SERIES: readonly SeriesInfo[] = [
  { name: 'updateGate', label: 'update gate', symbol: 'z', range: 'unit', axes: BTU, description: 'z_t = σ(x_t·W_z + h_{t−1}·U_z + b_z): the share of h_{t−1} kept' },
  { name: 'resetGate', label: 'reset gate', symbol: 'r', range: 'unit', axes: BTU, description: 'r_t = σ(x_t·W_r + h_{t−1}·U_r + b_r): how much of h_{t−1} the candidate sees' },
  { name: 'candidate', label: 'candidate', symbol: 'h̃', range: 'symmetric', axes: BTU, description: 'h̃_t = tanh(x_t·W_h + r_t⊙(h_{t−1}·U_h) + b_h) (resetAfter) or tanh(x_t·W_h + (r_t⊙h_{t−1})·U_h + b_h)' },
  { name: 'hidden', label: 'hidden state', symbol: 'h', range: 'symmetric', axes: BTU, description: 'h_t = z_t⊙h_{t−1} + (1 − z_t)⊙h̃_t' },
  { name: 'survival', label: 'memory survival', symbol: 'R', range: 'unit', axes: BTU, description: 'R_t = ∏_{k≤t} z_k: the share of the initial state still in h_t' },
];

/** Softmax attention series. `output` is `[batch, time, heads·keyDim]`. */
export const ATTENTION_SERIES: readonly SeriesInfo[] = [
  { name: 'weights', label: 'attention weights', symbol: 'α', range: 'unit', axes: BHQK, description: 'α_ij = softmax_j(e_ij): how much query i reads key j (masked positions are 0)' },
  { name: 'scores', label: 'scores', symbol: 'e', range: 'free', axes: BHQK, description: 'e_ij: dot, scaled-dot (q·k/√d) or additive (vᵀ tanh(W_q q + W_k k)) score' },
  { name: 'kept', label: 'kept', symbol: 'm', range: 'binary', axes: BHQK, description: '1 where the weight survived thresholded forgetting (prune.below), else 0' },
  { name: 'output', label: 'output', symbol: 'y', range: 'free', axes: ['batch', 'time', 'feature'], description: 'y_i = Σ_j α_ij v_j, heads concatenated' },
];

/** Forgetting-attention series (Lin et al. 2025): attention series plus the forget gates and the decay bias. */
export const FORGETTING_ATTENTION_SERIES: readonly SeriesInfo[] = [
  { name: 'forgetGate', label: 'forget gate', symbol: 'f', range: 'unit', axes: ['batch', 'head', 'time'], description: 'f_t = σ(x_t·w_f + b_f), one per head and step' },
  { name: 'decay', label: 'decay bias', symbol: 'D', range: 'negative', axes: BHQK, description: 'D_ij = Σ_{k=j+1..i} ln f_k for j ≤ i (NaN above the diagonal), added to the scaled scores' },
  ...ATTENTION_SERIES,
];

/** The series each model's trace holds, in display order. */
export const SERIES_INFO: Readonly<Record<ModelKind, readonly SeriesInfo[]>> = {
  lstm: LSTM_SERIES,
  gru: GRU_SERIES,
  attention: ATTENTION_SERIES,
  'forgetting-attention': FORGETTING_ATTENTION_SERIES,
};

/** The keep-gate series of a model: the one survival, half-life and saturation are computed from. */
export const KEEP_GATE: Readonly<Record<ModelKind, string | undefined>> = {
  lstm: 'forgetGate',
  gru: 'updateGate',
  attention: undefined,
  'forgetting-attention': 'forgetGate',
};

/** Names of the LSTM series in the order the CLI's JSON lists them. */
export const LSTM_SERIES_ORDER = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden', 'survival'] as const;

/** Identifies the JSON payload; bumped when the payload changes incompatibly. */
export const TRACE_FORMAT = 'fglab.trace';
export const TRACE_FORMAT_VERSION = 1;

/** A series in a payload: base64 of little-endian float32 values, row-major. */
export interface EncodedSeries {
  shape: number[];
  /**
   * `float32`: the values. `uint16` / `uint8`: codes q with value = offset + q·scale, the
   * largest code (65535 / 255) standing for NaN; the error is at most scale / 2. A series
   * holding ±Infinity is stored as `float32` whatever the precision asked for.
   */
  dtype: 'float32' | 'uint16' | 'uint8';
  data: string;
  offset?: number;
  scale?: number;
}

/**
 * How series are stored in a cell output. `float32` is exact; `16-bit` (the default for
 * notebook outputs) keeps gates to about 8e-6; `8-bit` to about 2e-3 of each series' range.
 * The CLI's exports are always exact.
 */
export type OutputPrecision = 'float32' | '16-bit' | '8-bit';

export const OUTPUT_PRECISIONS: readonly OutputPrecision[] = ['float32', '16-bit', '8-bit'];

/** Options of the encoders. */
export interface EncodeOptions {
  /** Default `float32`. */
  precision?: OutputPrecision;
}

/** The JSON body of an `application/vnd.fglab.trace+json` output item holding one trace. */
export interface TracePayload {
  format: typeof TRACE_FORMAT;
  version: number;
  /** Absent or `trace` for one trace. */
  kind?: 'trace';
  model: ModelKind;
  dims: TraceDims;
  series: Record<string, EncodedSeries>;
  metrics: TraceMetrics;
  labels?: string[];
  spec?: unknown;
  timings?: Record<string, number>;
  training?: TrainingRecord;
  /** Series left out because the decoder recomputes them exactly from others (compact outputs). */
  derived?: string[];
}

/** The JSON body of an output item holding a comparison: one trace payload per variant. */
export interface ComparisonPayload {
  format: typeof TRACE_FORMAT;
  version: number;
  kind: 'comparison';
  variants: (Omit<TracePayload, 'format' | 'version'> & { name: string })[];
}

/** Raised when a payload is not a trace this version can read. */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function float32ToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function bytesToFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Series a compact output leaves out because the decoder rebuilds them: `survival` (the running
 * product of the keep gate) and the LSTM's `hidden` (o⊙tanh(c)).
 */
function derivable(trace: Trace): string[] {
  const out: string[] = [];
  const keep = KEEP_GATE[trace.model];
  if (isRecurrent(trace.model) && keep && trace.series[keep] && trace.series.survival) out.push('survival');
  if (trace.model === 'lstm' && trace.series.outputGate && trace.series.cell && trace.series.hidden) out.push('hidden');
  return out;
}

/** Rebuilds a series a compact payload left out. */
function derive(name: string, series: Record<string, Series>, model: ModelKind, key: string): Series {
  if (name === 'survival') {
    const gate = KEEP_GATE[model] ? series[KEEP_GATE[model] as string] : undefined;
    if (!gate) failText(key, `the keep gate to rebuild "survival"`, 'none');
    const [B, T, U] = gate.shape;
    const data = new Float32Array(gate.data.length);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < U; u++) {
        let r = 1;
        for (let t = 0; t < T; t++) {
          const i = (b * T + t) * U + u;
          r *= gate.data[i];
          data[i] = r;
        }
      }
    }
    return { shape: [...gate.shape], data };
  }
  if (name === 'hidden' && model === 'lstm' && series.outputGate && series.cell) {
    const o = series.outputGate.data;
    const c = series.cell.data;
    const h = new Float32Array(c.length);
    for (let i = 0; i < c.length; i++) h[i] = o[i] * Math.tanh(c[i]);
    return { shape: [...series.cell.shape], data: h };
  }
  return failText(key, 'a series this version can rebuild (survival, or hidden of an LSTM)', describe(name));
}

/** The stored form of a series at a precision. */
function encodeSeries(s: Series, precision: OutputPrecision): { meta: Omit<EncodedSeries, 'data'>; bytes: Uint8Array } {
  if (precision === 'float32') return { meta: { shape: [...s.shape], dtype: 'float32' }, bytes: float32ToBytes(s.data) };
  const bits = precision === '16-bit' ? 16 : 8;
  const nanCode = 2 ** bits - 1;
  let min = Infinity;
  let max = -Infinity;
  for (const v of s.data) {
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    } else if (v === Infinity || v === -Infinity) {
      // Codes have no room for ±∞ (an overflowed cell state, ln 0 in a decay): keep such a series exact.
      return encodeSeries(s, 'float32');
    }
  }
  if (min > max) min = max = 0;
  const scale = max > min ? (max - min) / (nanCode - 1) : 1;
  const codes = bits === 16 ? new Uint16Array(s.data.length) : new Uint8Array(s.data.length);
  for (let i = 0; i < s.data.length; i++) {
    const v = s.data[i];
    codes[i] = Number.isFinite(v) ? Math.round((v - min) / scale) : nanCode;
  }
  let bytes = new Uint8Array(codes.buffer);
  if (!LITTLE_ENDIAN && bits === 16) {
    bytes = new Uint8Array(codes.length * 2);
    const view = new DataView(bytes.buffer);
    codes.forEach((q, i) => view.setUint16(i * 2, q, true));
  }
  return { meta: { shape: [...s.shape], dtype: bits === 16 ? 'uint16' : 'uint8', offset: min, scale }, bytes };
}

/** Turns a trace into its JSON payload. */
export function encodeTrace(trace: Trace, options: EncodeOptions = {}): TracePayload {
  return { format: TRACE_FORMAT, version: TRACE_FORMAT_VERSION, ...traceBody(trace, options.precision ?? 'float32', (bytes) => encodeBase64(bytes)) };
}

/** Turns a comparison into its JSON payload. */
export function encodeComparison(comparison: Comparison, options: EncodeOptions = {}): ComparisonPayload {
  const precision = options.precision ?? 'float32';
  return {
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    kind: 'comparison',
    variants: comparison.variants.map((v) => ({ name: v.name, ...traceBody(v.trace, precision, (bytes) => encodeBase64(bytes)) })),
  };
}

/** The payload fields of a trace, with `data(bytes)` as each stored series' data string. */
function traceBody(trace: Trace, precision: OutputPrecision, data: (bytes: Uint8Array) => string): Omit<TracePayload, 'format' | 'version'> {
  const derived = precision === 'float32' ? [] : derivable(trace);
  const series: Record<string, EncodedSeries> = {};
  for (const [name, s] of Object.entries(trace.series)) {
    if (derived.includes(name)) continue;
    const { meta, bytes } = encodeSeries(s, precision);
    series[name] = { ...meta, data: data(bytes) };
  }
  const body: Omit<TracePayload, 'format' | 'version'> = { model: trace.model, dims: { ...trace.dims }, series, metrics: trace.metrics };
  if (trace.labels) body.labels = trace.labels;
  if (trace.spec !== undefined) body.spec = trace.spec;
  if (trace.timings) body.timings = trace.timings;
  if (trace.training) body.training = trace.training;
  if (derived.length) body.derived = derived;
  return body;
}

/**
 * The payload of a trace or comparison as UTF-8 JSON bytes, equal to
 * `utf8Encode(JSON.stringify(encodeTrace(…) or encodeComparison(…)))` but without building
 * the multi-megabyte base64 strings: each series' base64 is written straight into the
 * output between the UTF-8 pieces of the rest.
 */
export function encodeOutputBytes(output: Trace | Comparison, options: EncodeOptions = {}): Uint8Array {
  const precision = options.precision ?? 'float32';
  const nonce = Math.random().toString(36).slice(2);
  const pending: Uint8Array[] = [];
  const mark = (bytes: Uint8Array): string => {
    pending.push(bytes);
    return `\u0000fglab-${nonce}-${pending.length - 1}\u0000`;
  };
  const skeleton = isComparison(output)
    ? { format: TRACE_FORMAT, version: TRACE_FORMAT_VERSION, kind: 'comparison', variants: output.variants.map((v) => ({ name: v.name, ...traceBody(v.trace, precision, mark) })) }
    : { format: TRACE_FORMAT, version: TRACE_FORMAT_VERSION, ...traceBody(output, precision, mark) };
  let rest = JSON.stringify(skeleton);
  const parts: Uint8Array[] = [];
  pending.forEach((bytes, i) => {
    const m = JSON.stringify(`\u0000fglab-${nonce}-${i}\u0000`).slice(1, -1);
    const at = rest.indexOf(m);
    parts.push(utf8Encode(rest.slice(0, at)), encodeBase64Ascii(bytes));
    rest = rest.slice(at + m.length);
  });
  parts.push(utf8Encode(rest));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** @deprecated use `encodeOutputBytes`. */
export const encodeTraceBytes = (trace: Trace): Uint8Array => encodeOutputBytes(trace);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function fail(key: string, expected: string, got: unknown): never {
  return failText(key, expected, describe(got));
}

/** Like `fail`, with what was got already in words. */
function failText(key: string, expected: string, got: string): never {
  throw new TraceFormatError(`trace ${key}: expected ${expected}, got ${got}`);
}

function readCount(dims: Record<string, unknown>, key: keyof TraceDims, optional = false): number | undefined {
  const v = dims[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`dims.${key}`, 'a non-negative integer', v);
  return v;
}

function readNumberList(v: unknown, key: string, length: number, nullable: boolean): (number | null)[] {
  if (!Array.isArray(v)) fail(key, `an array of ${length} numbers`, v);
  if (v.length !== length) failText(key, `${length} entries`, `${v.length}`);
  return v.map((x, i) => {
    if (x === null && nullable) return null;
    if (typeof x !== 'number') fail(`${key}[${i}]`, nullable ? 'a number or null' : 'a number', x);
    return x;
  });
}

/** A nested array of numbers of exactly `shape`. */
function readNested(v: unknown, key: string, shape: readonly number[]): unknown {
  if (shape.length === 1) return readNumberList(v, key, shape[0], false);
  if (!Array.isArray(v)) fail(key, `an array of ${shape[0]}`, v);
  if (v.length !== shape[0]) failText(key, `${shape[0]} entries`, `${v.length}`);
  return v.map((x, i) => readNested(x, `${key}[${i}]`, shape.slice(1)));
}

function readSeries(raw: unknown, key: string): Series {
  if (!isRecord(raw)) fail(key, 'an object', raw);
  const dtype = raw.dtype;
  if (dtype !== 'float32' && dtype !== 'uint16' && dtype !== 'uint8') fail(`${key}.dtype`, '"float32", "uint16" or "uint8"', dtype);
  if (!Array.isArray(raw.shape) || !raw.shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    fail(`${key}.shape`, 'an array of non-negative integers', raw.shape);
  }
  const shape = raw.shape as number[];
  if (typeof raw.data !== 'string') fail(`${key}.data`, 'a base64 string', raw.data);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(raw.data);
  } catch (e) {
    failText(`${key}.data`, 'base64', (e as Error).message);
  }
  const width = dtype === 'float32' ? 4 : dtype === 'uint16' ? 2 : 1;
  if (bytes.length !== sizeOf(shape) * width) failText(`${key}.data`, `${sizeOf(shape) * width} bytes for shape [${shape.join(', ')}] of ${dtype}`, `${bytes.length} bytes`);
  if (dtype === 'float32') return { shape, data: bytesToFloat32(bytes) };
  if (typeof raw.offset !== 'number' || !Number.isFinite(raw.offset)) fail(`${key}.offset`, 'a finite number', raw.offset);
  if (typeof raw.scale !== 'number' || !Number.isFinite(raw.scale)) fail(`${key}.scale`, 'a finite number', raw.scale);
  const { offset, scale } = raw as { offset: number; scale: number };
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  let codes: Uint8Array | Uint16Array = bytes;
  if (dtype === 'uint16') {
    codes = new Uint16Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(codes.buffer).set(bytes);
    else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n; i++) codes[i] = view.getUint16(i * 2, true);
    }
  }
  const nanCode = dtype === 'uint16' ? 65535 : 255;
  for (let i = 0; i < n; i++) {
    const q = codes[i];
    data[i] = q === nanCode ? NaN : offset + q * scale;
  }
  return { shape, data };
}

/** Reads one trace payload (the body of a trace, or one variant of a comparison). */
function readTrace(json: Record<string, unknown>, prefix: string): Trace {
  const at = (k: string): string => `${prefix}${k}`;
  if (typeof json.model !== 'string' || !MODEL_KINDS.includes(json.model as ModelKind)) {
    fail(at('model'), MODEL_KINDS.map((m) => `"${m}"`).join(', '), json.model);
  }
  const model = json.model as ModelKind;
  if (!isRecord(json.dims)) fail(at('dims'), 'an object', json.dims);
  const recurrent = isRecurrent(model);
  const dims: TraceDims = {
    batch: readCount(json.dims, 'batch') as number,
    time: readCount(json.dims, 'time') as number,
    units: readCount(json.dims, 'units') as number,
    features: readCount(json.dims, 'features') as number,
  };
  for (const k of ['heads', 'keyDim'] as const) {
    const v = readCount(json.dims, k, recurrent);
    if (v !== undefined) dims[k] = v;
  }
  if (!isRecord(json.series)) fail(at('series'), 'an object', json.series);
  const series: Record<string, Series> = {};
  for (const [name, raw] of Object.entries(json.series)) series[name] = readSeries(raw, at(`series.${name}`));
  if (json.derived !== undefined) {
    if (!Array.isArray(json.derived) || !json.derived.every((d) => typeof d === 'string')) fail(at('derived'), 'an array of series names', json.derived);
    for (const name of json.derived as string[]) series[name] = derive(name, series, model, at(`derived`));
  }
  const m = json.metrics;
  if (!isRecord(m)) fail(at('metrics'), 'an object', m);
  const metrics: TraceMetrics = {};
  // Per-unit metrics for recurrent models, per-head for forgetting attention.
  const perGate = recurrent ? dims.units : dims.heads;
  if (m.halfLife !== undefined) metrics.halfLife = readNumberList(m.halfLife, at('metrics.halfLife'), perGate ?? 0, true);
  if (m.saturation !== undefined) {
    if (!isRecord(m.saturation)) fail(at('metrics.saturation'), 'an object', m.saturation);
    metrics.saturation = {
      low: readNumberList(m.saturation.low, at('metrics.saturation.low'), perGate ?? 0, false) as number[],
      high: readNumberList(m.saturation.high, at('metrics.saturation.high'), perGate ?? 0, false) as number[],
    };
  }
  if (m.influence !== undefined) metrics.influence = readNested(m.influence, at('metrics.influence'), [dims.batch, dims.time]) as number[][];
  if (m.entropy !== undefined) metrics.entropy = readNested(m.entropy, at('metrics.entropy'), [dims.batch, dims.heads ?? 0, dims.time]) as number[][][];
  const trace: Trace = { model, dims, series, metrics };
  if (json.labels !== undefined) {
    if (!Array.isArray(json.labels) || !json.labels.every((l) => typeof l === 'string')) fail(at('labels'), 'an array of strings', json.labels);
    trace.labels = json.labels as string[];
  }
  if (json.spec !== undefined) trace.spec = json.spec;
  if (json.timings !== undefined) {
    if (!isRecord(json.timings)) fail(at('timings'), 'an object', json.timings);
    trace.timings = json.timings as Record<string, number>;
  }
  if (json.training !== undefined) trace.training = readTraining(json.training, at('training'));
  return trace;
}

/** Reads a `TrainingRecord`, checking the fields the renderer draws. */
function readTraining(raw: unknown, where: string): TrainingRecord {
  if (!isRecord(raw)) fail(where, 'an object', raw);
  if (!isRecord(raw.task) || typeof raw.task.name !== 'string' || typeof raw.task.lag !== 'number') fail(`${where}.task`, 'an object with a name and a lag', raw.task);
  for (const key of ['loss', 'accuracy', 'testLoss', 'testAccuracy', 'cellMagnitude'] as const) {
    if (key === 'cellMagnitude' && raw[key] === undefined) continue;
    const list = raw[key];
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'number' || v === null)) fail(`${where}.${key}`, 'an array of numbers', list);
  }
  for (const key of ['epochs', 'stepsPerEpoch'] as const) if (typeof raw[key] !== 'number') fail(`${where}.${key}`, 'a number', raw[key]);
  if (typeof raw.stopped !== 'boolean') fail(`${where}.stopped`, 'true or false', raw.stopped);
  if (raw.continual !== undefined) readContinual(raw.continual, `${where}.continual`);
  if (raw.metrics !== undefined && (!isRecord(raw.metrics) || !Object.values(raw.metrics).every((v) => typeof v === 'number' || v === null))) fail(`${where}.metrics`, 'an object of numbers', raw.metrics);
  return raw as unknown as TrainingRecord;
}

/** Checks a `ContinualCurve`: names, and five number arrays of one length. */
function readContinual(raw: unknown, where: string): void {
  if (!isRecord(raw)) fail(where, 'an object', raw);
  for (const key of ['mitigation', 'taskA', 'taskB'] as const) if (typeof raw[key] !== 'string') fail(`${where}.${key}`, 'a string', raw[key]);
  const n = Array.isArray(raw.step) ? raw.step.length : -1;
  for (const key of ['step', 'lossA', 'accuracyA', 'lossB', 'accuracyB'] as const) {
    const list = raw[key];
    if (!Array.isArray(list) || list.length !== n || !list.every((v) => typeof v === 'number' || v === null)) fail(`${where}.${key}`, `an array of ${n < 0 ? 'numbers' : `${n} numbers (as many as step)`}`, list);
  }
}

function checkHeader(json: unknown): asserts json is Record<string, unknown> {
  if (!isRecord(json)) fail('payload', 'a JSON object', json);
  if (json.format !== TRACE_FORMAT) fail('format', `"${TRACE_FORMAT}"`, json.format);
  if (json.version !== TRACE_FORMAT_VERSION) fail('version', `${TRACE_FORMAT_VERSION} (this version of Forget Gate Lab)`, json.version);
}

/**
 * Reads a payload (parsed JSON) back into a trace, checking every field it uses.
 * Throws `TraceFormatError` naming the key, what was expected and what was got.
 */
export function decodeTrace(json: unknown): Trace {
  checkHeader(json);
  if (json.kind !== undefined && json.kind !== 'trace') fail('kind', '"trace"', json.kind);
  return readTrace(json, '');
}

/** Reads either kind of output payload: one trace or a comparison of variants. */
export function decodeOutput(json: unknown): Trace | Comparison {
  checkHeader(json);
  if (json.kind !== 'comparison') return decodeTrace(json);
  if (!Array.isArray(json.variants) || json.variants.length === 0) fail('variants', 'a non-empty array', json.variants);
  return {
    kind: 'comparison',
    variants: json.variants.map((v, i) => {
      if (!isRecord(v)) fail(`variants[${i}]`, 'an object', v);
      if (typeof v.name !== 'string') fail(`variants[${i}].name`, 'a string', v.name);
      return { name: v.name, trace: readTrace(v, `variants[${i}].`) };
    }),
  };
}

/** Whether a decoded output is a comparison. */
export function isComparison(output: Trace | Comparison): output is Comparison {
  return (output as Comparison).kind === 'comparison';
}

/** Value of series `s` at batch row `b`, step `t`, unit `u`. */
export function at(s: Series, b: number, t: number, u: number): number {
  const [, T, U] = s.shape;
  return s.data[(b * T + t) * U + u];
}
