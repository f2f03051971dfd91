// Training speed on the adding problem (length 100, 64 units, batch 32): optimizer steps per
// second of the lab's trainer (the traced cell's own forward and BPTT, wasm kernels) beside
// tf.layers.lstm + dense trained with the same optimizer (Adam) on the same backend, after one
// warm-up epoch each. A row of `npm run bench`; `npm run bench:training` prints it alone.
// (Measured on a loaded 2-core machine (load 7–13): 11.9 against 1.8 steps/s.)
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initLab } from '../../src/lab';
import { generateTask } from '../../src/lab/tasks';
import { initialModel, trainModel } from '../../src/lab/train';
import { readKernelWasm } from '../../src/worker/kernel-wasm';

/** The workload's name in the bench table. */
export const TRAINING_WORKLOAD = 'training: adding [32, 100, 2] → LSTM 64, Adam (steps/s)';

/** Steps per second of the lab's trainer and of tf.layers (`model.fit`), on the backend already started. */
export async function measureTraining(steps = 10): Promise<{ lab: number; layers: number }> {
  const task = generateTask({ name: 'adding', length: 100, lag: 1, symbols: 1, trainSize: 32 * steps, testSize: 1, seed: 1 });
  const spec = { epochs: 1, batchSize: 32, learningRate: 0.001, optimizer: 'adam' as const, seed: 0, clipNorm: 0 };
  const model = initialModel({ model: 'lstm', units: 64, recurrentActivation: 'sigmoid' }, 2, 1, { seed: 1, unitForgetBias: true, forgetBias: 0 });
  trainModel(model, { ...task, train: { ...task.train, n: 64 } }, spec); // warm-up
  const t0 = performance.now();
  trainModel(model, task, spec);
  const lab = (steps / (performance.now() - t0)) * 1000;

  const m = tf.sequential();
  m.add(tf.layers.lstm({ units: 64, recurrentActivation: 'sigmoid', returnSequences: false, inputShape: [100, 2] }));
  m.add(tf.layers.dense({ units: 1 }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  const x = tf.tensor3d(task.train.inputs, [task.train.n, 100, 2]);
  const yAll = Float32Array.from({ length: task.train.n }, (_, b) => task.train.targets[b * 100 + 99]);
  const y = tf.tensor2d(yAll, [task.train.n, 1]);
  const [xWarm, yWarm] = [x.slice([0, 0, 0], [64, 100, 2]), y.slice([0, 0], [64, 1])];
  await m.fit(xWarm, yWarm, { batchSize: 32, epochs: 1, verbose: 0 });
  const t1 = performance.now();
  await m.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0, shuffle: false });
  const layers = (steps / (performance.now() - t1)) * 1000;
  tf.dispose([x, y, xWarm, yWarm]);
  m.dispose();
  return { lab, layers };
}

async function main(): Promise<void> {
  const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  await initLab({ tfjsWasmDir, kernelWasm: readKernelWasm(join(__dirname, '..', '..', '..', 'dist'), (m) => console.error(m)) });
  const { lab, layers } = await measureTraining();
  console.log(`backend ${tf.getBackend()}; adding, length 100, 64 units, batch 32, Adam; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`lab trainer (traced cell, wasm kernel BPTT): ${lab.toFixed(2)} steps/s`);
  console.log(`tf.layers.lstm + dense (model.fit):           ${layers.toFixed(2)} steps/s`);
}

// Run alone only as its own bundle (bench.js bundles this file too).
if (/training\.js$/.test(process.argv[1] ?? '')) void main();
