// `npm run bench:training`: optimizer steps per second on the
// adding problem (length 100, 64 units, batch 32), the lab's trainer (the traced cell's own
// forward and BPTT) beside tf.layers.lstm + dense trained with the same optimizer on the same backend.
// Measured on a loaded 2-core machine (load 7–13): 11.9 against 1.8 steps/s.
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initLab } from '../../src/lab';
import { generateTask } from '../../src/lab/tasks';
import { initialModel, trainModel } from '../../src/lab/train';

async function main(): Promise<void> {
  const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  await initLab({ tfjsWasmDir, kernelWasm: readFileSync(join(__dirname, '..', '..', '..', 'dist', 'fglab-kernels.wasm')) });
  const steps = 10;
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
  await m.fit(x.slice([0, 0, 0], [64, 100, 2]), y.slice([0, 0], [64, 1]), { batchSize: 32, epochs: 1, verbose: 0 });
  const t1 = performance.now();
  await m.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0, shuffle: false });
  const layers = (steps / (performance.now() - t1)) * 1000;
  console.log(`backend ${tf.getBackend()}; adding, length 100, 64 units, batch 32, Adam; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`lab trainer (traced cell, wasm kernel BPTT): ${lab.toFixed(2)} steps/s`);
  console.log(`tf.layers.lstm + dense (model.fit):           ${layers.toFixed(2)} steps/s`);
}

void main();
