/**
 * The trace: what one run produced. One data model for the worker, the cell output, the
 * renderer and the CLI. In memory its series are Float32Arrays; in a cell output
 * (`application/vnd.fglab.trace+json`) they are base64 little-endian float32 with their
 * shapes, so the output survives `.ipynb` round trips.
 */
import { decodeBase64, encodeBase64, encodeBase64Ascii } from './base64';
import { utf8Encode } from './utf8';

/** Model kinds a trace can come from. */
export type ModelKind = 'lstm';

/** Sizes of a run: `batch` rows, `time` steps, `units` recurrent units, `features` per input step. */
export interface TraceDims {
  batch: number;
  time: number;
  units: number;
  features: number;
}

/** A dense float32 tensor, row-major. */
export interface Series {
  shape: number[];
  data: Float32Array;
}

/** Per-unit memory metrics (see `src/lab/metrics.ts` for the definitions). */
export interface MemoryMetrics {
  /** `ln 0.5 / ln f̄_u` in steps, per unit; `null` where the mean forget gate is 0 or 1. */
  halfLife: (number | null)[];
  /** Fraction of steps (over batch and time) with the forget gate below 0.1 / above 0.9 (Karpathy et al. 2015). */
  saturation: { low: number[]; high: number[] };
}

export interface Trace {
  model: ModelKind;
  dims: TraceDims;
  /** Named series, each `[batch, time, units]`; names and order from `SERIES_INFO`. */
  series: Record<string, Series>;
  metrics: MemoryMetrics;
  /** Optional label of each time step (tokens when the input is text). */
  labels?: string[];
  /** The spec that made the trace, as parsed (plain JSON). */
  spec?: unknown;
  /** Wall-clock figures of the run, in milliseconds. */
  timings?: Record<string, number>;
}

/** What a series means, for legends and colour scales. */
export interface SeriesInfo {
  name: string;
  label: string;
  /** Mathematical symbol as shown in charts. */
  symbol: string;
  /** Natural value range: gates lie in [0, 1], tanh outputs in [−1, 1], the cell state is unbounded. */
  range: 'unit' | 'symmetric' | 'free';
  description: string;
}

/** LSTM series in display order. `candidate` is `g_t = tanh(c̃_t)`. */
export const LSTM_SERIES: readonly SeriesInfo[] = [
  { name: 'forgetGate', label: 'forget gate', symbol: 'f', range: 'unit', description: 'f_t = σ(x_t·W_f + h_{t−1}·U_f + b_f): the share of c_{t−1} kept' },
  { name: 'inputGate', label: 'input gate', symbol: 'i', range: 'unit', description: 'i_t = σ(x_t·W_i + h_{t−1}·U_i + b_i): how much of the candidate is written' },
  { name: 'candidate', label: 'candidate', symbol: 'g', range: 'symmetric', description: 'g_t = tanh(x_t·W_c + h_{t−1}·U_c + b_c): the new content' },
  { name: 'outputGate', label: 'output gate', symbol: 'o', range: 'unit', description: 'o_t = σ(x_t·W_o + h_{t−1}·U_o + b_o): how much of tanh(c_t) is shown' },
  { name: 'cell', label: 'cell state', symbol: 'c', range: 'free', description: 'c_t = f_t⊙c_{t−1} + i_t⊙g_t: the long-term memory' },
  { name: 'hidden', label: 'hidden state', symbol: 'h', range: 'symmetric', description: 'h_t = o_t⊙tanh(c_t): the output' },
  { name: 'survival', label: 'memory survival', symbol: 'R', range: 'unit', description: 'R_t = ∏_{k≤t} f_k: the share of the initial cell state still in c_t' },
];

/** Names of the LSTM series in the order the CLI's JSON lists them. */
export const LSTM_SERIES_ORDER = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden', 'survival'] as const;

/** Identifies the JSON payload; bumped when the payload changes incompatibly. */
export const TRACE_FORMAT = 'fglab.trace';
export const TRACE_FORMAT_VERSION = 1;

/** A series in a payload: base64 of little-endian float32 values, row-major. */
export interface EncodedSeries {
  shape: number[];
  dtype: 'float32';
  data: string;
}

/** The JSON body of an `application/vnd.fglab.trace+json` output item. */
export interface TracePayload {
  format: typeof TRACE_FORMAT;
  version: number;
  model: ModelKind;
  dims: TraceDims;
  series: Record<string, EncodedSeries>;
  metrics: MemoryMetrics;
  labels?: string[];
  spec?: unknown;
  timings?: Record<string, number>;
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

/** Turns a trace into its JSON payload. */
export function encodeTrace(trace: Trace): TracePayload {
  const series: Record<string, EncodedSeries> = {};
  for (const [name, s] of Object.entries(trace.series)) {
    series[name] = { shape: [...s.shape], dtype: 'float32', data: encodeBase64(float32ToBytes(s.data)) };
  }
  const payload: TracePayload = {
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    model: trace.model,
    dims: { ...trace.dims },
    series,
    metrics: trace.metrics,
  };
  if (trace.labels) payload.labels = trace.labels;
  if (trace.spec !== undefined) payload.spec = trace.spec;
  if (trace.timings) payload.timings = trace.timings;
  return payload;
}

/**
 * The payload as UTF-8 JSON bytes, equal to `utf8Encode(JSON.stringify(encodeTrace(trace)))`
 * but without building the multi-megabyte base64 strings: the series' base64 is written
 * straight into the output between the UTF-8 pieces of the rest.
 */
export function encodeTraceBytes(trace: Trace): Uint8Array {
  const names = Object.keys(trace.series);
  const nonce = Math.random().toString(36).slice(2);
  const marker = (i: number): string => `\u0000fglab-${nonce}-${i}\u0000`;
  const skeleton = encodeTrace({ ...trace, series: {} });
  skeleton.series = Object.fromEntries(names.map((n, i) => [n, { shape: [...trace.series[n].shape], dtype: 'float32', data: marker(i) }]));
  const text = JSON.stringify(skeleton);
  const parts: Uint8Array[] = [];
  let rest = text;
  names.forEach((name, i) => {
    const m = JSON.stringify(marker(i)).slice(1, -1);
    const at = rest.indexOf(m);
    parts.push(utf8Encode(rest.slice(0, at)), encodeBase64Ascii(float32ToBytes(trace.series[name].data)));
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

function readCount(dims: Record<string, unknown>, key: keyof TraceDims): number {
  const v = dims[key];
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

/**
 * Reads a payload (parsed JSON) back into a trace, checking every field it uses.
 * Throws `TraceFormatError` naming the key, what was expected and what was got.
 */
export function decodeTrace(json: unknown): Trace {
  if (!isRecord(json)) fail('payload', 'a JSON object', json);
  if (json.format !== TRACE_FORMAT) fail('format', `"${TRACE_FORMAT}"`, json.format);
  if (json.version !== TRACE_FORMAT_VERSION) fail('version', `${TRACE_FORMAT_VERSION} (this version of Forget Gate Lab)`, json.version);
  if (json.model !== 'lstm') fail('model', '"lstm"', json.model);
  if (!isRecord(json.dims)) fail('dims', 'an object', json.dims);
  const dims: TraceDims = {
    batch: readCount(json.dims, 'batch'),
    time: readCount(json.dims, 'time'),
    units: readCount(json.dims, 'units'),
    features: readCount(json.dims, 'features'),
  };
  if (!isRecord(json.series)) fail('series', 'an object', json.series);
  const series: Record<string, Series> = {};
  for (const [name, raw] of Object.entries(json.series)) {
    const key = `series.${name}`;
    if (!isRecord(raw)) fail(key, 'an object', raw);
    if (raw.dtype !== 'float32') fail(`${key}.dtype`, '"float32"', raw.dtype);
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
    if (bytes.length !== sizeOf(shape) * 4) failText(`${key}.data`, `${sizeOf(shape) * 4} bytes for shape [${shape.join(', ')}]`, `${bytes.length} bytes`);
    series[name] = { shape, data: bytesToFloat32(bytes) };
  }
  const m = json.metrics;
  if (!isRecord(m)) fail('metrics', 'an object', m);
  if (!isRecord(m.saturation)) fail('metrics.saturation', 'an object', m.saturation);
  const metrics: MemoryMetrics = {
    halfLife: readNumberList(m.halfLife, 'metrics.halfLife', dims.units, true),
    saturation: {
      low: readNumberList(m.saturation.low, 'metrics.saturation.low', dims.units, false) as number[],
      high: readNumberList(m.saturation.high, 'metrics.saturation.high', dims.units, false) as number[],
    },
  };
  const trace: Trace = { model: 'lstm', dims, series, metrics };
  if (json.labels !== undefined) {
    if (!Array.isArray(json.labels) || !json.labels.every((l) => typeof l === 'string')) fail('labels', 'an array of strings', json.labels);
    trace.labels = json.labels as string[];
  }
  if (json.spec !== undefined) trace.spec = json.spec;
  if (json.timings !== undefined) {
    if (!isRecord(json.timings)) fail('timings', 'an object', json.timings);
    trace.timings = json.timings as Record<string, number>;
  }
  return trace;
}

/** Value of series `s` at batch row `b`, step `t`, unit `u`. */
export function at(s: Series, b: number, t: number, u: number): number {
  const [, T, U] = s.shape;
  return s.data[(b * T + t) * U + u];
}
