/** Shared pieces of the kernel tests: the built wasm file, seeded inputs, comparisons. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWasmLstmKernel } from '../../../src/lab/kernels/wasm-lstm';
import { loadNativeProducts, readKernelWasm, runsRelaxedSimd } from '../../../src/worker/kernel-wasm';
import { createWasmGruKernel } from '../../../src/lab/kernels/wasm-gru';
import type { NativeProducts } from '../../../src/lab/kernels/wasm-module';
import { GRU_OUTPUT_SERIES, type GruKernel, type GruKernelInput, type GruKernelOutput } from '../../../src/lab/kernels/gru-kernel';
import type { LstmKernel, LstmKernelInput, LstmKernelOutput, RecurrentActivation } from '../../../src/lab/kernels/lstm-kernel';
import type { RowsRequest, RowsTrace } from '../../../src/lab/kernels/batch-split';
import type { RawInputs } from '../../../src/lab/kernels/raw-inputs';

/** `fglab-kernels.wasm` as built by `node esbuild.config.mjs` (out/test/unit/kernels → dist). */
export const KERNELS_WASM_PATH = join(__dirname, '..', '..', '..', '..', 'dist', 'fglab-kernels.wasm');

/** The relaxed-SIMD build beside it (fused multiply–adds). */
export const RELAXED_KERNELS_WASM_PATH = join(__dirname, '..', '..', '..', '..', 'dist', 'fglab-kernels-relaxed.wasm');

function readBuilt(path: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${path} is missing: run node esbuild.config.mjs first`);
  return readFileSync(path);
}

/** The bytes of the built SIMD kernels; fails with the build command when they are missing. */
export function kernelsWasm(): Uint8Array {
  return readBuilt(KERNELS_WASM_PATH);
}

/**
 * The bytes of the relaxed-SIMD build, after making sure this runtime compiles it (on Node 20
 * by turning V8's flag on, as the lab does); fails when it cannot.
 */
export function relaxedKernelsWasm(): Uint8Array {
  const bytes = readBuilt(RELAXED_KERNELS_WASM_PATH);
  if (!runsRelaxedSimd(bytes)) throw new Error(`this runtime (${process.version}) does not compile relaxed SIMD`);
  return bytes;
}

/** The bundles' folder, with the fused kernels built by `node esbuild.config.mjs` (npm test builds first). */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/**
 * The kernels' build the lab picks on this runtime, as the worker and the CLI pick it
 * (src/worker/kernel-wasm.ts: relaxed SIMD where it runs).
 */
export function labKernelWasm(): Uint8Array {
  const bytes = readKernelWasm(DIST, (m) => {
    throw new Error(m);
  });
  if (!bytes) throw new Error(`no kernels in ${DIST}: run node esbuild.config.mjs first`);
  return bytes;
}

/** The native product accelerator as the worker and the CLI load it (src/worker/kernel-wasm.ts), where it runs. */
export function labNativeProducts(): NativeProducts | undefined {
  return loadNativeProducts(DIST, (m) => {
    throw new Error(m);
  });
}

/** The recurrent kernels as the worker builds them: the lab's build, with the accelerator where it runs. */
export function labKernels(): { lstm: LstmKernel; gru: GruKernel } {
  const native = labNativeProducts();
  return { lstm: createWasmLstmKernel(labKernelWasm(), native), gru: createWasmGruKernel(labKernelWasm(), native) };
}

/** The name of those kernels (`wasm-relaxed-simd+avx2`, `wasm-relaxed-simd` or `wasm-simd`). */
export function labKernelName(): string {
  return labKernels().lstm.name;
}

/** Both builds, by the name their kernels report: each kernel test runs on both. */
export const KERNEL_BUILDS: readonly { name: string; bytes: () => Uint8Array }[] = [
  { name: 'wasm-simd', bytes: kernelsWasm },
  { name: 'wasm-relaxed-simd', bytes: relaxedKernelsWasm },
];

/**
 * Odd shapes `[batch, time, units]` on which each WebAssembly recurrent kernel is checked
 * against the TypeScript reference: units not a multiple of 4 or 16, batch 1, one step, and
 * the register block's remainders (batch 2, 3, 5, 7, 9).
 */
export const ODD_KERNEL_SHAPES: readonly (readonly [batch: number, time: number, units: number])[] = [
  [1, 10, 1],
  [1, 37, 3],
  [2, 33, 5],
  [7, 65, 4],
  [1, 40, 128],
  [2, 20, 128],
  [7, 12, 9],
  [4, 70, 17],
  [9, 31, 12],
  [5, 12, 256],
  [1, 1, 2],
];

/** Uniform values in [−scale, scale) from a seeded mulberry32 generator. */
export function uniform(n: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/**
 * A random kernel input: projected inputs uniform in ±`scale`, R in ±`recurrentScale`/√units.
 */
export function randomInput(
  batch: number,
  time: number,
  units: number,
  recurrentActivation: RecurrentActivation,
  seed: number,
  scale = 1,
  recurrentScale = scale,
): LstmKernelInput {
  return {
    batch,
    time,
    units,
    projected: uniform(time * batch * 4 * units, scale, seed),
    recurrentKernel: uniform(units * 4 * units, recurrentScale / Math.sqrt(units), seed + 1),
    recurrentActivation,
  };
}

export const SERIES_KEYS = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden'] as const;

/**
 * Largest difference between two kernel outputs over all six series, absolute for values
 * within [−1, 1] and relative beyond (only the cell state leaves that range: it can grow
 * with the number of steps, where an f32 ulp exceeds 1e-5).
 */
export function maxOutputDiff(a: LstmKernelOutput, b: LstmKernelOutput): { diff: number; where: string } {
  let diff = 0;
  let where = '';
  for (const key of SERIES_KEYS) {
    if (a[key].length !== b[key].length) throw new Error(`${key}: lengths differ, ${a[key].length} vs ${b[key].length}`);
    for (let i = 0; i < a[key].length; i++) {
      const d = Math.abs(a[key][i] - b[key][i]) / Math.max(1, Math.abs(a[key][i]));
      if (!(d <= diff)) {
        diff = d;
        where = `${key}[${i}]: ${a[key][i]} vs ${b[key][i]}`;
      }
    }
  }
  return { diff, where };
}

/**
 * A random GRU kernel input: projected inputs uniform in ±`scale`, R in ±`recurrentScale`/√units,
 * a recurrent bias in ±0.5 unless `withBias` is false.
 */
export function randomGruInput(
  batch: number,
  time: number,
  units: number,
  resetAfter: boolean,
  recurrentActivation: RecurrentActivation,
  seed: number,
  scale = 1,
  recurrentScale = scale,
  withBias = true,
): GruKernelInput {
  return {
    batch,
    time,
    units,
    projected: uniform(time * batch * 3 * units, scale, seed),
    recurrentKernel: uniform(units * 3 * units, recurrentScale / Math.sqrt(units), seed + 1),
    recurrentBias: withBias ? uniform(3 * units, 0.5, seed + 2) : undefined,
    resetAfter,
    recurrentActivation,
  };
}

/** Largest absolute difference between two GRU kernel outputs over all five series. */
export function maxGruOutputDiff(a: GruKernelOutput, b: GruKernelOutput): { diff: number; where: string } {
  let diff = 0;
  let where = '';
  for (const key of GRU_OUTPUT_SERIES) {
    if (a[key].length !== b[key].length) throw new Error(`${key}: lengths differ, ${a[key].length} vs ${b[key].length}`);
    for (let i = 0; i < a[key].length; i++) {
      // rec_h is unbounded (a sum over the units); relative beyond 1 like the LSTM's cell.
      const d = Math.abs(a[key][i] - b[key][i]) / Math.max(1, Math.abs(a[key][i]));
      if (!(d <= diff)) {
        diff = d;
        where = `${key}[${i}]: ${a[key][i]} vs ${b[key][i]}`;
      }
    }
  }
  return { diff, where };
}

/** Sizes and weights of a float64 reference run; arrays laid out like the kernels' inputs. */
export interface Reference64Input {
  batch: number;
  time: number;
  units: number;
  projected: Float64Array;
  recurrentKernel: Float64Array;
  recurrentBias?: Float64Array;
  resetAfter?: boolean;
  /** LSTM: false for the 1997 cell without a forget gate (f ≡ 1). */
  forgetGate?: boolean;
  act: (x: number) => number;
}

/** The activation functions written out again, for the float64 references. */
export const ACTIVATIONS_64: Record<RecurrentActivation, (x: number) => number> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  kerasHardSigmoid: (x) => Math.min(1, Math.max(0, (x + 3) / 6)),
};

/**
 * The LSTM written out in float64 from its definition (Hochreiter & Schmidhuber 1997 with the
 * forget gate of Gers et al. 2000, Keras gate order i, f, c, o): hidden and cell `[B][T][U]`.
 */
export function lstmReference64(input: Reference64Input): { hidden: Float64Array; cell: Float64Array } {
  const { batch: B, time: T, units: U, projected: p, recurrentKernel: R, act } = input;
  const G = 4 * U;
  const hidden = new Float64Array(B * T * U);
  const cell = new Float64Array(B * T * U);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(U);
    let c = new Float64Array(U);
    for (let t = 0; t < T; t++) {
      const pre = (j: number) => p[(t * B + b) * G + j] + h.reduce((s, hk, k) => s + hk * R[k * G + j], 0);
      const hNext = new Float64Array(U);
      const cNext = new Float64Array(U);
      for (let u = 0; u < U; u++) {
        cNext[u] = (input.forgetGate === false ? 1 : act(pre(U + u))) * c[u] + act(pre(u)) * Math.tanh(pre(2 * U + u));
        hNext[u] = act(pre(3 * U + u)) * Math.tanh(cNext[u]);
      }
      h = hNext;
      c = cNext;
      hidden.set(h, (b * T + t) * U);
      cell.set(c, (b * T + t) * U);
    }
  }
  return { hidden, cell };
}

/**
 * The GRU written out in float64 from its definition (Cho et al. 2014; Keras's two
 * variants, gate order z, r, h): hidden `[B][T][U]`.
 */
export function gruReference64(input: Reference64Input): Float64Array {
  const { batch: B, time: T, units: U, projected: p, recurrentKernel: R, act } = input;
  const G = 3 * U;
  const bh = input.recurrentBias ?? new Float64Array(G);
  const out = new Float64Array(B * T * U);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(U);
    for (let t = 0; t < T; t++) {
      const x = (j: number) => p[(t * B + b) * G + j];
      const hR = (j: number, v: Float64Array) => v.reduce((s, vk, k) => s + vk * R[k * G + j], 0);
      const z = Float64Array.from({ length: U }, (_, u) => act(x(u) + hR(u, h) + bh[u]));
      const r = Float64Array.from({ length: U }, (_, u) => act(x(U + u) + hR(U + u, h) + bh[U + u]));
      const rh = h.map((v, k) => r[k] * v);
      const n = Float64Array.from({ length: U }, (_, u) =>
        Math.tanh(input.resetAfter ? x(2 * U + u) + r[u] * (hR(2 * U + u, h) + bh[2 * U + u]) : x(2 * U + u) + hR(2 * U + u, rh) + bh[2 * U + u]),
      );
      h = h.map((v, u) => z[u] * v + (1 - z[u]) * n[u]);
      out.set(h, (b * T + t) * U);
    }
  }
  return out;
}

/** Raw inputs x `[batch][time][features]` with input weights for `columns` gate columns, seeded. */
export function rawInputs(batch: number, time: number, features: number, columns: number, seed: number): RawInputs {
  return {
    data: uniform(batch * time * features, 1, seed),
    features,
    kernel: uniform(features * columns, 1 / Math.sqrt(features), seed + 1),
    bias: uniform(columns, 0.5, seed + 2),
  };
}

/** A seeded trace request of the model; the GRU's resetAfter alternates with the seed's parity. */
export function request(model: 'lstm' | 'gru', batch: number, time: number, features: number, units: number, seed: number, recurrentActivation: RecurrentActivation = 'sigmoid'): RowsRequest {
  const gates = model === 'lstm' ? 4 : 3;
  return {
    model,
    batch,
    time,
    units,
    inputs: rawInputs(batch, time, features, gates * units, seed),
    recurrentKernel: uniform(units * gates * units, 1 / Math.sqrt(units), seed + 3),
    ...(model === 'gru' ? { recurrentBias: uniform(3 * units, 0.5, seed + 4), resetAfter: seed % 2 === 0 } : {}),
    recurrentActivation,
  };
}

export type Arrays = Record<string, Float32Array | Float64Array>;

/** A rows trace's arrays by name (its series and `keepTotals`), or the arrays given. */
function arraysOf(x: RowsTrace | Arrays): Arrays {
  return 'series' in x && 'keepTotals' in x && !(x.series instanceof Float32Array) ? { ...(x as RowsTrace).series, keepTotals: (x as RowsTrace).keepTotals } : (x as Arrays);
}

/** Whether two sets of arrays are identical bit for bit (NaN included), with the first difference. */
export function firstDifference(first: RowsTrace | Arrays, second: RowsTrace | Arrays): string | undefined {
  const [a, b] = [arraysOf(first), arraysOf(second)];
  for (const key of Object.keys(a)) {
    if (!b[key] || a[key].length !== b[key].length) return `${key}: lengths ${a[key].length} vs ${b[key]?.length}`;
    const x = new Uint32Array(a[key].buffer, a[key].byteOffset, a[key].byteLength / 4);
    const y = new Uint32Array(b[key].buffer, b[key].byteOffset, b[key].byteLength / 4);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${key}[${i >> (a[key] instanceof Float64Array ? 1 : 0)}]: ${a[key][i]} vs ${b[key][i]}`;
  }
  return undefined;
}
