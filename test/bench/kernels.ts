// Micro-benchmark of the LSTM kernels: the plain TypeScript reference against the WebAssembly
// SIMD kernel, on the product's benchmark shapes. Reads dist/fglab-kernels.wasm (run from the
// repository root after a build). Prints the median of RUNS timed runs after WARMUP runs, as
// wall-clock time and as this process's CPU time (steadier on a shared, loaded machine).
//   npx esbuild test/bench/kernels.ts --bundle --platform=node --packages=external --outfile=/tmp/kb.js && node /tmp/kb.js
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { jsLstmKernel, type LstmKernel, type LstmKernelInput, type RecurrentActivation } from '../../src/lab/kernels/lstm-kernel';
import { createWasmLstmKernel } from '../../src/lab/kernels/wasm-lstm';

const WARMUP = 3;
const RUNS = 7;

interface BenchCase {
  batch: number;
  time: number;
  units: number;
  activation: RecurrentActivation;
}

const CASES: BenchCase[] = [
  { batch: 1, time: 10, units: 128, activation: 'sigmoid' },
  { batch: 1, time: 2048, units: 128, activation: 'sigmoid' },
  { batch: 1, time: 2048, units: 128, activation: 'hardSigmoid' },
  { batch: 32, time: 256, units: 256, activation: 'sigmoid' },
];

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

function inputFor(c: BenchCase): LstmKernelInput {
  return {
    batch: c.batch,
    time: c.time,
    units: c.units,
    projected: uniform(c.time * c.batch * 4 * c.units, 1, 1),
    recurrentKernel: uniform(c.units * 4 * c.units, 1 / Math.sqrt(c.units), 2),
    recurrentActivation: c.activation,
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall-clock and CPU milliseconds of `runs` runs after `warmup` untimed ones. */
function time(kernel: LstmKernel, input: LstmKernelInput, warmup: number, runs: number): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) kernel.run(input);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    kernel.run(input);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const wasmPath = process.argv[2] ?? 'dist/fglab-kernels.wasm';
const t0 = performance.now();
const wasm = createWasmLstmKernel(readFileSync(wasmPath));
console.log(`compile + instantiate ${wasmPath}: ${(performance.now() - t0).toFixed(1)} ms`);
console.log(`median of ${RUNS} runs after ${WARMUP} warm-up runs (ms)`);
console.log('  B     T    U  activation       js wall    js cpu   wasm wall  wasm cpu  speed-up (wall)');
const f = (ms: number, width: number) => ms.toFixed(2).padStart(width);
for (const c of CASES) {
  const input = inputFor(c);
  const js = time(jsLstmKernel, input, c.batch * c.time * c.units > 1e6 ? 1 : WARMUP, RUNS);
  const w = time(wasm, input, WARMUP, RUNS);
  console.log(
    `${String(c.batch).padStart(3)}${String(c.time).padStart(6)}${String(c.units).padStart(5)}  ${c.activation.padEnd(11)}` +
      `${f(js.wall, 12)}${f(js.cpu, 10)}${f(w.wall, 12)}${f(w.cpu, 10)}${(js.wall / w.wall).toFixed(1).padStart(10)}×`,
  );
}
