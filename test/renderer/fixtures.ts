/**
 * Synthetic traces for the renderer tests and bench: LSTM, GRU, attention, forgetting attention
 * and comparisons, each satisfying its model's definitions. The LSTM ones are built from
 * hand-made pre-activations so that every LSTM identity holds in float32: i, f, o = σ(z), g = tanh(z), c_t = f⊙c_{t−1} + i⊙g,
 * h_t = o⊙tanh(c_t), R_t = ∏_{k≤t} f_k, half-life = ln ½ / ln f̄ (null where f̄ is 0 or 1).
 * Forget biases spread from −1 to 4 over the units, so there are resetting and integrating
 * units; with `constantUnit` the last unit's forget gate is exactly 1 (no finite half-life).
 */
import { encodeComparison, encodeTrace, type Comparison, type Series, type Trace, type TracePayload } from '../../src/shared/trace';

export interface SyntheticOptions {
  batch?: number;
  time: number;
  units: number;
  features?: number;
  seed?: number;
  /** Make the last unit's forget gate exactly 1 (default true when units ≥ 4). */
  constantUnit?: boolean;
  labels?: string[];
  /** Add `metrics.influence` decaying with the lag (default false). */
  influence?: boolean;
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
  if (options.influence) trace.metrics.influence = influenceOf(batch, time, random);
  return trace;
}

/** Influence of step t on the last state, decaying geometrically with the lag T−1−t, with noise. */
function influenceOf(batch: number, time: number, random: () => number): number[][] {
  return Array.from({ length: batch }, () => Array.from({ length: time }, (_, t) => Math.fround(0.8 ** (time - 1 - t) * (0.8 + 0.4 * random()))));
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

/** Keep-gate metrics: half-life `ln ½ / ln ḡ` (null where ḡ is 0 or 1) and saturation, per channel, over `values[b][channel][t]` read by `at`. */
function keepGateMetrics(channels: number, count: number, at: (c: number, k: number) => number): Pick<Trace['metrics'], 'halfLife' | 'saturation'> {
  const halfLife: (number | null)[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < count; k++) {
      const g = at(c, k);
      sum += g;
      if (g < 0.1) lo++;
      if (g > 0.9) hi++;
    }
    const mean = sum / Math.max(1, count);
    halfLife.push(mean <= 0 || mean >= 1 ? null : Math.log(0.5) / Math.log(mean));
    low.push(lo / Math.max(1, count));
    high.push(hi / Math.max(1, count));
  }
  return { halfLife, saturation: { low, high } };
}

/**
 * A synthetic GRU trace (Keras semantics): z, r = σ(·), h̃ = tanh(·), h_t = z⊙h_{t−1} + (1−z)⊙h̃,
 * R_t = ∏ z; half-life and saturation of the update gate z. Update biases spread from −1 to 4.
 */
export function syntheticGru(options: { batch?: number; time: number; units: number; seed?: number; labels?: string[]; influence?: boolean }): Trace {
  const { time, units } = options;
  const batch = options.batch ?? 1;
  const random = mulberry32(options.seed ?? 5);
  const n = batch * time * units;
  const s = { updateGate: new Float32Array(n), resetGate: new Float32Array(n), candidate: new Float32Array(n), hidden: new Float32Array(n), survival: new Float32Array(n) };
  const noise = () => (random() + random() + random() - 1.5) * 2;
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      const bias = units > 1 ? -1 + (5 * u) / (units - 1) : 1;
      let h = 0;
      let r = 1;
      for (let t = 0; t < time; t++) {
        const k = (b * time + t) * units + u;
        const z = Math.fround(sigmoid(bias + 0.8 * noise()));
        const reset = Math.fround(sigmoid(noise()));
        const cand = Math.fround(Math.tanh(1.5 * noise() + reset * h));
        h = Math.fround(z * h + (1 - z) * cand);
        r = Math.fround(r * z);
        s.updateGate[k] = z;
        s.resetGate[k] = reset;
        s.candidate[k] = cand;
        s.hidden[k] = h;
        s.survival[k] = r;
      }
    }
  }
  const shape = [batch, time, units];
  const series = Object.fromEntries(Object.entries(s).map(([name, data]) => [name, { shape: [...shape], data }]));
  const metrics = keepGateMetrics(units, batch * time, (u, k) => s.updateGate[k * units + u]);
  const trace: Trace = { model: 'gru', dims: { batch, time, units, features: 8 }, series, metrics };
  if (options.labels) trace.labels = options.labels;
  if (options.influence) trace.metrics.influence = influenceOf(batch, time, random);
  return trace;
}

export interface AttentionOptions {
  batch?: number;
  time: number;
  heads: number;
  keyDim: number;
  seed?: number;
  causal?: boolean;
  labels?: string[];
  /** Thresholded forgetting: weights below `prune` are zeroed and rows renormalised; adds `kept`. */
  prune?: number;
  /** Forgetting attention (Lin et al. 2025): per-head forget gates and the decay bias D; always causal. */
  forgetting?: boolean;
  influence?: boolean;
}

/**
 * A synthetic (forgetting) attention trace that satisfies the definitions: scores
 * e_ij = q_i·k_j/√d (+ D_ij for forgetting attention), masked keys (j > i when causal) have
 * score NaN and weight exactly 0, α_i = softmax over the allowed keys (rows sum to 1), pruned
 * weights are 0 and the rest renormalised with kept = 1, entropy H_i = −Σ α ln α, and
 * D_ij = Σ_{k=j+1..i} ln f_k accumulated in float64 (NaN above the diagonal).
 */
export function syntheticAttention(options: AttentionOptions): Trace {
  const { time: T, heads: H, keyDim: d } = options;
  const B = options.batch ?? 1;
  const causal = options.forgetting ? true : options.causal ?? false;
  const random = mulberry32(options.seed ?? 9);
  const normal = () => (random() + random() + random() + random() - 2) * 1.7;
  const matrix = () => new Float32Array(B * H * T * T);
  const scores = matrix();
  const weights = matrix();
  const kept = options.prune !== undefined ? matrix() : undefined;
  const decay = options.forgetting ? matrix() : undefined;
  const forget = options.forgetting ? new Float32Array(B * H * T) : undefined;
  const output = new Float32Array(B * T * H * d);
  const entropy: number[][][] = [];
  for (let b = 0; b < B; b++) {
    const rowsB: number[][] = [];
    for (let h = 0; h < H; h++) {
      const q = Array.from({ length: T }, () => Array.from({ length: d }, normal));
      const k = Array.from({ length: T }, () => Array.from({ length: d }, normal));
      const v = Array.from({ length: T }, () => Array.from({ length: d }, normal));
      const logF = new Float64Array(T);
      if (forget) {
        const bias = 0.5 + 2.5 * h;
        for (let t = 0; t < T; t++) {
          const f = Math.fround(sigmoid(bias + 0.7 * normal()));
          forget[(b * H + h) * T + t] = f;
          logF[t] = Math.log(f);
        }
      }
      const prefix = new Float64Array(T + 1);
      for (let t = 0; t < T; t++) prefix[t + 1] = prefix[t] + logF[t];
      const rows: number[] = [];
      for (let i = 0; i < T; i++) {
        const base = ((b * H + h) * T + i) * T;
        const e = new Float64Array(T);
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          const allowed = !causal || j <= i;
          if (decay) decay[base + j] = allowed ? Math.fround(prefix[i + 1] - prefix[j + 1]) : NaN;
          if (!allowed) {
            scores[base + j] = NaN;
            e[j] = -Infinity;
            continue;
          }
          let dot = 0;
          for (let c = 0; c < d; c++) dot += q[i][c] * k[j][c];
          e[j] = dot / Math.sqrt(d) + (decay ? decay[base + j] : 0);
          scores[base + j] = Math.fround(e[j]);
          if (e[j] > max) max = e[j];
        }
        const alpha = new Float64Array(T);
        let sum = 0;
        for (let j = 0; j < T; j++) sum += alpha[j] = e[j] === -Infinity ? 0 : Math.exp(e[j] - max);
        for (let j = 0; j < T; j++) alpha[j] /= sum;
        if (options.prune !== undefined && kept) {
          let rest = 0;
          for (let j = 0; j < T; j++) {
            const keep = alpha[j] >= options.prune && alpha[j] > 0;
            kept[base + j] = keep ? 1 : 0;
            if (!keep) alpha[j] = 0;
            rest += alpha[j];
          }
          for (let j = 0; j < T; j++) alpha[j] /= rest;
        }
        let entropyI = 0;
        for (let j = 0; j < T; j++) {
          weights[base + j] = alpha[j];
          if (alpha[j] > 0) entropyI -= alpha[j] * Math.log(alpha[j]);
          for (let c = 0; c < d; c++) output[(b * T + i) * H * d + h * d + c] += alpha[j] * v[j][c];
        }
        rows.push(entropyI);
      }
      rowsB.push(rows);
    }
    entropy.push(rowsB);
  }
  const bhqk = [B, H, T, T];
  const series: Record<string, Series> = {
    weights: { shape: bhqk, data: weights },
    scores: { shape: bhqk, data: scores },
    output: { shape: [B, T, H * d], data: output },
  };
  if (kept) series.kept = { shape: bhqk, data: kept };
  let metrics: Trace['metrics'] = { entropy };
  if (forget && decay) {
    series.forgetGate = { shape: [B, H, T], data: forget };
    series.decay = { shape: bhqk, data: decay };
    metrics = { ...metrics, ...keepGateMetrics(H, B * T, (h, k) => forget[(Math.floor(k / T) * H + h) * T + (k % T)]) };
  }
  const trace: Trace = { model: options.forgetting ? 'forgetting-attention' : 'attention', dims: { batch: B, time: T, features: 8, units: H * d, heads: H, keyDim: d }, series, metrics };
  if (options.labels) trace.labels = options.labels;
  if (options.influence) trace.metrics.influence = influenceOf(B, T, random);
  return trace;
}

/** Four variants on one input: LSTMs with and without a forget bias, a GRU, forgetting attention. */
export function syntheticComparison(time = 40): Comparison {
  const biased = syntheticTrace({ time, units: 32, seed: 1 });
  const plain = syntheticTrace({ time, units: 32, seed: 2 });
  // Without the forget bias the gates sit lower: f ← f², with survival and metrics to match.
  const f = plain.series.forgetGate.data;
  for (let k = 0; k < f.length; k++) f[k] = Math.fround(f[k] * f[k]);
  const r = plain.series.survival.data;
  for (let u = 0; u < 32; u++) {
    let prod = 1;
    for (let t = 0; t < time; t++) r[t * 32 + u] = prod = Math.fround(prod * f[t * 32 + u]);
  }
  Object.assign(plain.metrics, keepGateMetrics(32, time, (u, k) => f[k * 32 + u]));
  return {
    kind: 'comparison',
    variants: [
      { name: 'no forget bias', trace: plain },
      { name: 'unit forget bias', trace: biased },
      { name: 'GRU', trace: syntheticGru({ time, units: 32 }) },
      { name: 'forgetting attention', trace: syntheticAttention({ time, heads: 4, keyDim: 4, forgetting: true }) },
    ],
  };
}

/** The JSON text of any synthetic output. */
export function payloadOf(output: Trace | Comparison): string {
  return JSON.stringify('kind' in output && output.kind === 'comparison' ? encodeComparison(output) : encodeTrace(output as Trace));
}

/** Words for token labels: `the cat sat on the mat …` repeated to `n`. */
export function words(n: number): string[] {
  const text = 'the cat sat on the mat and forgot what it saw before the dog came in'.split(' ');
  return Array.from({ length: n }, (_, t) => text[t % text.length]);
}
