// `npm run bench`: the product's speed figures, measured side by side in one run.
//  - cold start: a new kernel worker to its first [10, 64] × 128 trace;
//  - the classic [10, 64] × 128 example and batch 1 × 2048 steps × 64 features × 128 units,
//    traced in the worker (round trip through the extension host's kernel client, outputs
//    encoded), and the trace time the worker itself reports;
//  - the same shapes through `tf.layers.lstm` on the same (wasm) backend, as the ratio to beat.
// Medians of RUNS runs after WARMUP. Absolute times on shared machines are noisy; the ratios
// are the figures to compare.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LabKernel } from '../../src/extension/kernel';
import { initLab } from '../../src/lab';
import { generateLstmWeights } from '../../src/lab/data';
import { createRandom, normalArray } from '../../src/lab/rng';
import { decodeTrace } from '../../src/shared/trace';

const WARMUP = 10;
const RUNS = 9;
const DIST = join(__dirname, '..', '..', '..', 'dist');

interface Shape {
  name: string;
  time: number;
  features: number;
  units: number;
  /** Target for the worker round trip, ms (from the walking-skeleton issue). */
  target: number;
}

const SHAPES: Shape[] = [
  { name: 'W1 [10, 64] × 128', time: 10, features: 64, units: 128, target: 5 },
  { name: 'W3 [2048, 64] × 128', time: 2048, features: 64, units: 128, target: 150 },
];

const spec = (s: Shape): string => `model: lstm\nunits: ${s.units}\ninput: { shape: [${s.time}, ${s.features}], random: { seed: 7 } }\nweights: { seed: 1 }\n`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function measure(fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function newKernel(): LabKernel {
  return new LabKernel('bench', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => {} });
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  // Cold start, several times, each with a fresh worker.
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const k = newKernel();
    const t0 = performance.now();
    await k.runSpec(spec(SHAPES[0]), DIST, 'bench');
    cold.push(performance.now() - t0);
    k.dispose();
  }
  rows.push(['cold start: new worker → first W1 trace', median(cold).toFixed(1), '', '', '']);

  const kernel = newKernel();
  const breakdown: string[] = [];
  await initLab({ tfjsWasmDir: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`, kernelWasm: readFileSync(join(DIST, 'fglab-kernels.wasm')) });
  for (const s of SHAPES) {
    const payloads: Uint8Array[] = [];
    const roundTrip = await measure(async () => {
      payloads.push((await kernel.runSpec(spec(s), DIST, 'bench'))[0].data);
    });
    const timings = payloads.slice(WARMUP).map((p) => decodeTrace(JSON.parse(Buffer.from(p).toString('utf8'))).timings ?? {});
    const traceMs = timings.map((t) => t.totalMs ?? NaN);
    const part = (k: string): string => median(timings.map((t) => t[k] ?? NaN)).toFixed(2);
    breakdown.push(`${s.name}: setup (parse, input, weights) ${part('setupMs')}, projection (tfjs matMul) ${part('projectMs')}, recurrence (kernel) ${part('recurrenceMs')} ms`);
    // tf.layers.lstm on the same backend, same weights and input, returnSequences (no gates).
    const w = generateLstmWeights(1, s.features, s.units, true);
    const layer = tf.layers.lstm({ units: s.units, recurrentActivation: 'sigmoid', returnSequences: true });
    const x = tf.tensor3d(normalArray(createRandom(7), s.time * s.features), [1, s.time, s.features]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    layer.setWeights([tf.tensor2d(w.kernel, [s.features, 4 * s.units]), tf.tensor2d(w.recurrentKernel, [s.units, 4 * s.units]), tf.tensor1d(w.bias)]);
    const layers = await measure(() => {
      const y = layer.apply(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
    });
    x.dispose();
    rows.push([
      s.name,
      roundTrip.toFixed(2),
      median(traceMs).toFixed(2),
      layers.toFixed(2),
      `${(roundTrip / layers).toFixed(3)} (target < ${s.target} ms: ${roundTrip < s.target ? 'met' : 'MISSED'})`,
    ]);
  }
  kernel.dispose();

  const header = ['workload (medians, ms)', 'worker round trip, all gates', 'trace in worker', 'tf.layers.lstm (wasm, h only)', 'round trip / tf.layers'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`backend ${tf.getBackend()}, ${RUNS} runs after ${WARMUP} warm-up, node ${process.version}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
  console.log(`\nInside the worker's trace (medians, ms):\n${breakdown.map((b) => `- ${b}`).join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
