// Micro-benchmark of the recurrent kernels on the product's benchmark shapes: forward passes
// (the plain TypeScript reference, timed once on the large shapes, against the WebAssembly
// SIMD kernel), backward passes (BPTT,
// with and without the weight gradients), and influence (tf.grad through projection and the
// kernel op) for LSTM and GRU. Reads dist/fglab-kernels.wasm (run from the repository root after
// a build). Prints the median of RUNS timed runs after WARMUP runs, as wall-clock time and as
// this process's CPU time (steadier on a shared, loaded machine).
//   node esbuild.config.mjs --tests && node out/test/bench/kernels.js [dist/fglab-kernels.wasm]
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateLstmWeights, type SequenceInput } from '../../src/lab/data';
import { generateGruWeights, setGruKernel } from '../../src/lab/gru';
import { influence } from '../../src/lab/influence';
import type { RecurrentActivation } from '../../src/lab/kernels/activations';
import { jsGruKernel, type GruKernel, type GruKernelInput } from '../../src/lab/kernels/gru-kernel';
import { jsLstmKernel, type LstmKernel, type LstmKernelInput } from '../../src/lab/kernels/lstm-kernel';
import { createWasmGruKernel } from '../../src/lab/kernels/wasm-gru';
import { createWasmLstmKernel } from '../../src/lab/kernels/wasm-lstm';
import { setLstmKernel } from '../../src/lab/lstm';
import { initTensorFlow } from '../../src/lab/tf';

const WARMUP = 3;
const RUNS = 7;

/** Deterministic uniform values in [−scale, scale) (mulberry32). */
function uniform(n: number, scale: number, seed: number): Float32Array {
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

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall-clock and CPU milliseconds of `runs` runs of `f` after `warmup` untimed ones. */
function time(f: () => void, warmup = WARMUP, runs = RUNS): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const f = (ms: number, width: number) => ms.toFixed(2).padStart(width);
const big = (batch: number, time: number, units: number) => batch * time * units > 1e6;

function lstmInput(batch: number, time: number, units: number, activation: RecurrentActivation): LstmKernelInput {
  return {
    batch,
    time,
    units,
    projected: uniform(time * batch * 4 * units, 1, 1),
    recurrentKernel: uniform(units * 4 * units, 1 / Math.sqrt(units), 2),
    recurrentActivation: activation,
  };
}

function gruInput(batch: number, time: number, units: number, resetAfter: boolean): GruKernelInput {
  return {
    batch,
    time,
    units,
    projected: uniform(time * batch * 3 * units, 1, 1),
    recurrentKernel: uniform(units * 3 * units, 1 / Math.sqrt(units), 2),
    recurrentBias: uniform(3 * units, 0.5, 3),
    resetAfter,
    recurrentActivation: 'sigmoid',
  };
}

const wasmPath = process.argv[2] ?? 'dist/fglab-kernels.wasm';
const wasmBytes = readFileSync(wasmPath);
const t0 = performance.now();
const wasmLstm: LstmKernel = createWasmLstmKernel(wasmBytes);
const wasmGru: GruKernel = createWasmGruKernel(wasmBytes);
console.log(`compile + instantiate ${wasmPath} (twice): ${(performance.now() - t0).toFixed(1)} ms`);
console.log(`median of ${RUNS} runs after ${WARMUP} warm-up runs (ms)`);

console.log('\nforward, every gate captured');
console.log('model         B     T    U  variant          js wall    js cpu   wasm wall  wasm cpu  speed-up (wall)');
const forwardCases: [model: 'lstm' | 'gru', batch: number, time: number, units: number, variant: string][] = [
  ['lstm', 1, 10, 128, 'sigmoid'],
  ['lstm', 1, 2048, 128, 'sigmoid'],
  ['lstm', 1, 2048, 128, 'hardSigmoid'],
  ['lstm', 32, 256, 256, 'sigmoid'],
  ['gru', 1, 10, 128, 'resetAfter'],
  ['gru', 1, 2048, 128, 'resetAfter'],
  ['gru', 1, 2048, 128, 'resetBefore'],
  ['gru', 32, 256, 256, 'resetAfter'],
  ['gru', 32, 256, 256, 'resetBefore'],
];
for (const [model, batch, steps, units, variant] of forwardCases) {
  let js: { wall: number; cpu: number };
  let w: { wall: number; cpu: number };
  if (model === 'lstm') {
    const input = lstmInput(batch, steps, units, variant as RecurrentActivation);
    js = big(batch, steps, units) ? time(() => jsLstmKernel.run(input), 0, 1) : time(() => jsLstmKernel.run(input));
    w = time(() => wasmLstm.run(input));
  } else {
    const input = gruInput(batch, steps, units, variant === 'resetAfter');
    js = big(batch, steps, units) ? time(() => jsGruKernel.run(input), 0, 1) : time(() => jsGruKernel.run(input));
    w = time(() => wasmGru.run(input));
  }
  console.log(
    `${model.padEnd(6)}${String(batch).padStart(6)}${String(steps).padStart(6)}${String(units).padStart(5)}  ${variant.padEnd(11)}` +
      `${f(js.wall, 12)}${f(js.cpu, 10)}${f(w.wall, 12)}${f(w.cpu, 10)}${(js.wall / w.wall).toFixed(1).padStart(10)}×`,
  );
}

console.log('\nbackward (BPTT), ∂L/∂projected and ∂L/∂R (∂L/∂b_h); "inputs only" skips the weight gradients');
console.log('model         B     T    U  variant          js wall   wasm wall  wasm cpu  inputs only wall');
const backwardCases: [model: 'lstm' | 'gru', batch: number, time: number, units: number, variant: string][] = [
  ['lstm', 1, 2048, 128, 'sigmoid'],
  ['lstm', 32, 256, 256, 'sigmoid'],
  ['gru', 1, 2048, 128, 'resetAfter'],
  ['gru', 1, 2048, 128, 'resetBefore'],
  ['gru', 32, 256, 256, 'resetAfter'],
  ['gru', 32, 256, 256, 'resetBefore'],
];
for (const [model, batch, steps, units, variant] of backwardCases) {
  const upstream = uniform(batch * steps * units, 1, 9);
  // The reference takes seconds to minutes at the large batch: timed once, small batch only.
  const skipJs = batch > 1;
  let js = { wall: NaN, cpu: NaN };
  let w: { wall: number; cpu: number };
  let inputsOnly: { wall: number; cpu: number };
  if (model === 'lstm') {
    const input = lstmInput(batch, steps, units, 'sigmoid');
    const forward = wasmLstm.run(input);
    if (!skipJs) js = time(() => jsLstmKernel.backward(input, forward, { hidden: upstream }), 0, 1);
    w = time(() => wasmLstm.backward(input, forward, { hidden: upstream }));
    inputsOnly = time(() => wasmLstm.backward(input, forward, { hidden: upstream }, { weights: false }));
  } else {
    const input = gruInput(batch, steps, units, variant === 'resetAfter');
    const forward = wasmGru.run(input);
    if (!skipJs) js = time(() => jsGruKernel.backward(input, forward, upstream), 0, 1);
    w = time(() => wasmGru.backward(input, forward, upstream));
    inputsOnly = time(() => wasmGru.backward(input, forward, upstream, { weights: false }));
  }
  console.log(
    `${model.padEnd(6)}${String(batch).padStart(6)}${String(steps).padStart(6)}${String(units).padStart(5)}  ${variant.padEnd(11)}` +
      `${skipJs ? '—'.padStart(12) : f(js.wall, 12)}${f(w.wall, 12)}${f(w.cpu, 10)}${f(inputsOnly.wall, 18)}`,
  );
}

async function benchInfluence(): Promise<void> {
  await initTensorFlow(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  setLstmKernel(wasmLstm);
  setGruKernel(wasmGru);
  console.log('\ninfluence ‖∂(Σ_u h_T)/∂x_t‖ for every step: tf.grad through projection and kernel op (wasm kernels, tfjs wasm backend)');
  console.log('model         B     T    F    U       wall       cpu');
  const cases: [batch: number, time: number, features: number, units: number][] = [
    [1, 10, 64, 128],
    [1, 2048, 64, 128],
  ];
  for (const [batch, steps, features, units] of cases) {
    const input: SequenceInput = { batch, time: steps, features, data: uniform(batch * steps * features, 1, 4) };
    const lstmWeights = generateLstmWeights(1, features, units, true);
    const gruWeights = generateGruWeights(1, features, units, true);
    const runs: [string, () => unknown][] = [
      ['lstm', () => influence('lstm', input, lstmWeights, { recurrentActivation: 'sigmoid' })],
      ['gru', () => influence('gru', input, gruWeights, { recurrentActivation: 'sigmoid', resetAfter: true })],
    ];
    for (const [model, run] of runs) {
      const t = time(run);
      console.log(`${model.padEnd(6)}${String(batch).padStart(6)}${String(steps).padStart(6)}${String(features).padStart(5)}${String(units).padStart(5)}${f(t.wall, 11)}${f(t.cpu, 10)}`);
    }
  }
}

void benchInfluence();
