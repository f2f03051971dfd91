/**
 * Synthetic LSTM traces for the renderer tests, built from hand-made pre-activations so that
 * every LSTM identity holds in float32: i, f, o = σ(z), g = tanh(z), c_t = f⊙c_{t−1} + i⊙g,
 * h_t = o⊙tanh(c_t), R_t = ∏_{k≤t} f_k, half-life = ln ½ / ln f̄ (null where f̄ is 0 or 1).
 * Forget biases spread from −1 to 4 over the units, so there are resetting and integrating
 * units; with `constantUnit` the last unit's forget gate is exactly 1 (no finite half-life).
 */
import { dirname } from 'node:path';
import { initLab, traceOutputItems, traceSpec } from '../../src/lab';
import { TRACE_MIME } from '../../src/shared/ids';
import { encodeTrace, type Trace, type TracePayload } from '../../src/shared/trace';

/** The classic example: Keras's `LSTMCell(units=128)` over input of shape `(10, 64)`. */
export const CLASSIC_SPEC = 'model: lstm\nunits: 128\ninput: { shape: [10, 64], random: { seed: 7 } }\nweights: { seed: 1 }\n';

/**
 * The `application/vnd.fglab.trace+json` output text the lab core makes for `source`, exactly
 * as a cell output carries it (TensorFlow.js on its WASM backend, from node_modules).
 */
export async function labPayload(source = CLASSIC_SPEC): Promise<string> {
  const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  await initLab({ tfjsWasmDir });
  const trace = await traceSpec(source, { readFile: (path) => { throw new Error(`the spec reads no files, asked for ${path}`); } });
  const item = traceOutputItems(trace).find((i) => i.mime === TRACE_MIME);
  if (!item) throw new Error(`the lab made no ${TRACE_MIME} output`);
  return new TextDecoder().decode(item.data);
}

export interface SyntheticOptions {
  batch?: number;
  time: number;
  units: number;
  features?: number;
  seed?: number;
  /** Make the last unit's forget gate exactly 1 (default true when units ≥ 4). */
  constantUnit?: boolean;
  labels?: string[];
}

/** Mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A synthetic LSTM trace satisfying the LSTM identities (see the file comment). */
export function syntheticTrace(options: SyntheticOptions): Trace {
  const { time, units } = options;
  const batch = options.batch ?? 1;
  const features = options.features ?? 8;
  const constantUnit = options.constantUnit ?? units >= 4;
  const random = mulberry32(options.seed ?? 42);
  const n = batch * time * units;
  const s = {
    inputGate: new Float32Array(n),
    forgetGate: new Float32Array(n),
    candidate: new Float32Array(n),
    outputGate: new Float32Array(n),
    cell: new Float32Array(n),
    hidden: new Float32Array(n),
    survival: new Float32Array(n),
  };
  const noise = () => (random() + random() + random() - 1.5) * 2;
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      const forgetBias = units > 1 ? -1 + (5 * u) / (units - 1) : 1;
      const phase = random() * 2 * Math.PI;
      let c = 0;
      let r = 1;
      for (let t = 0; t < time; t++) {
        const k = (b * time + t) * units + u;
        const wave = Math.sin(phase + (2 * Math.PI * t) / Math.max(8, time / 3));
        const i = Math.fround(sigmoid(noise() + wave));
        const f = constantUnit && u === units - 1 ? 1 : Math.fround(sigmoid(forgetBias + 0.8 * noise() + 0.5 * wave));
        const g = Math.fround(Math.tanh(1.5 * noise() + wave));
        const o = Math.fround(sigmoid(noise()));
        c = Math.fround(f * c + i * g);
        r = Math.fround(r * f);
        s.inputGate[k] = i;
        s.forgetGate[k] = f;
        s.candidate[k] = g;
        s.outputGate[k] = o;
        s.cell[k] = c;
        s.hidden[k] = Math.fround(o * Math.tanh(c));
        s.survival[k] = r;
      }
    }
  }
  const halfLife: (number | null)[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (let u = 0; u < units; u++) {
    let sum = 0;
    let lo = 0;
    let hi = 0;
    for (let k = u; k < n; k += units) {
      const f = s.forgetGate[k];
      sum += f;
      if (f < 0.1) lo++;
      if (f > 0.9) hi++;
    }
    const count = Math.max(1, batch * time);
    const mean = sum / count;
    halfLife.push(mean <= 0 || mean >= 1 ? null : Math.log(0.5) / Math.log(mean));
    low.push(lo / count);
    high.push(hi / count);
  }
  const shape = [batch, time, units];
  const series = Object.fromEntries(Object.entries(s).map(([name, data]) => [name, { shape: [...shape], data }]));
  const trace: Trace = { model: 'lstm', dims: { batch, time, units, features }, series, metrics: { halfLife, saturation: { low, high } } };
  if (options.labels) trace.labels = options.labels;
  return trace;
}

/** The JSON text of a synthetic trace's cell output. */
export function syntheticPayload(options: SyntheticOptions): string {
  return JSON.stringify(encodeTrace(syntheticTrace(options)));
}

/** A payload whose `series.<name>.data` lost its last `drop` base64 characters. */
export function truncatedPayload(payload: TracePayload, name: string, drop = 5): string {
  const copy: TracePayload = { ...payload, series: { ...payload.series } };
  copy.series[name] = { ...copy.series[name], data: copy.series[name].data.slice(0, -drop) };
  return JSON.stringify(copy);
}
