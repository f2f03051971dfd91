/** Shared pieces of the kernel tests: the built wasm file, seeded inputs, comparisons. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRU_OUTPUT_SERIES, type GruKernelInput, type GruKernelOutput } from '../../../src/lab/kernels/gru-kernel';
import type { LstmKernelInput, LstmKernelOutput, RecurrentActivation } from '../../../src/lab/kernels/lstm-kernel';

/** `fglab-kernels.wasm` as built by `node esbuild.config.mjs` (out/test/unit/kernels → dist). */
export const KERNELS_WASM_PATH = join(__dirname, '..', '..', '..', '..', 'dist', 'fglab-kernels.wasm');

/** The bytes of the built kernels; fails with the build command when they are missing. */
export function kernelsWasm(): Uint8Array {
  if (!existsSync(KERNELS_WASM_PATH)) throw new Error(`${KERNELS_WASM_PATH} is missing: run node esbuild.config.mjs first`);
  return readFileSync(KERNELS_WASM_PATH);
}

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
