import assert from 'node:assert/strict';
import { runSpec } from '../../../src/lab/run';
import { generateTask, taskShape, type TaskSpec } from '../../../src/lab/tasks';
import { initialModel, trainModel } from '../../../src/lab/train';
import { estimateTrainingMemory } from '../../../src/lab/train-memory';
import type { LstmSpec } from '../../../src/lab/spec/model-spec';
import { lstmSequence } from '../../../src/lab/kernels/tf-ops';
import { tf } from '../../../src/lab/tf';
import { setupLab } from './setup';

const readFile = (): Uint8Array => {
  throw new Error('no files in these tests');
};

describe('training memory estimate', () => {
  before(setupLab);

  it('knows the sizes every task will allocate before generating it', () => {
    for (const spec of [
      { name: 'reber', length: 12, lag: 1, symbols: 1, trainSize: 3, testSize: 2, testLength: 40, seed: 1 },
      { name: 'reber', length: 12, lag: 1, symbols: 1, trainSize: 3, testSize: 2, seed: 1 },
      { name: 'copy', length: 50, lag: 4, symbols: 3, trainSize: 3, testSize: 2, seed: 1 },
      { name: 'adding', length: 9, lag: 1, symbols: 1, trainSize: 3, testSize: 2, seed: 1 },
      { name: 'recall', length: 9, lag: 3, symbols: 5, trainSize: 3, testSize: 2, seed: 1 },
    ] as TaskSpec[]) {
      const task = generateTask(spec);
      const shape = taskShape(spec);
      assert.deepEqual(shape, { train: { n: task.train.n, time: task.train.time }, test: { n: task.test.n, time: task.test.time }, features: task.train.features, outputs: task.train.outputs }, spec.name);
    }
  });

  /**
   * One shape (LSTM, 64 units, batch 32 × 200 steps, Adam), measured on the wasm backend: TensorFlow.js's peak
   * bytes over an epoch 32.0 MB against an estimated 33.5 MB of step tensors and weights; the kernel's forward
   * arrays kept for BPTT (6 per step, measured from the op's captures) 9.8 MB, within the estimated tape.
   */
  it('estimates a training step within a factor 2 of the tensor bytes TensorFlow.js measures, and the kernel tape it keeps', async () => {
    const taskSpec: TaskSpec = { name: 'recall', length: 200, lag: 20, symbols: 1, trainSize: 64, testSize: 8, seed: 1 };
    const spec = { model: 'lstm', units: 64, recurrentActivation: 'sigmoid' } as LstmSpec;
    const train = { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'adam' as const, seed: 0, clipNorm: 1 };
    const estimate = estimateTrainingMemory(spec, taskSpec, train);
    const task = generateTask(taskSpec);
    const model = initialModel({ model: 'lstm', units: 64, recurrentActivation: 'sigmoid' }, task.train.features, task.train.outputs, { seed: 1, unitForgetBias: true, forgetBias: 0 });
    const profile = await tf.profile(() => {
      trainModel(model, task, train);
    });
    const predicted = estimate.tensors + estimate.weights;
    assert.ok(profile.peakBytes > predicted / 2 && profile.peakBytes < 2 * predicted, `measured ${profile.peakBytes} bytes, estimated ${predicted}`);
    const kept = tf.tidy(() => {
      const projected = tf.zeros([32, 200, 256]) as tf.Tensor3D;
      const { captures } = lstmSequence(projected, tf.zeros([64, 256]) as tf.Tensor2D, { recurrentActivation: 'sigmoid' });
      return Object.values(captures).reduce((s, a) => s + a.byteLength, 0);
    });
    assert.ok(kept > 0 && kept <= estimate.tape && estimate.tape < 5 * kept, `kernel arrays ${kept} bytes, estimated tape ${estimate.tape}`);
    assert.equal(estimate.data, 4 * (64 * 200 * (10 + 8 + 2) + 8 * 200 * (10 + 8 + 2)));
  });

  it('refuses a run above the memory limit before generating anything, with the estimate in one line', async () => {
    const big = 'model: lstm\nunits: 256\ntask: { name: adding, length: 5000, trainSize: 100000 }\ntrain: { epochs: 1, batchSize: 256 }\n';
    await assert.rejects(runSpec(big, { readFile }), (e: Error) => {
      assert.match(e.message, /^train: expected a run within the memory limit of 2\.0 GB \(fglab\.workerMemoryLimitMB; in the CLI Node's heap limit\), got an estimated 61\.1 GB \(task data 9\.3 GB, test traces 1\.7 GB, one training step 50\.1 GB, weights and optimizer 5\.1 MB\); use fewer or shorter sequences, a smaller batch or fewer units$/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    const small = 'model: lstm\nunits: 4\ntask: { name: adding, length: 10, trainSize: 64 }\ntrain: { epochs: 1, batchSize: 32 }\n';
    await assert.rejects(runSpec(small, { readFile, memoryLimitBytes: 100_000 }), /^SpecError: train: expected a run within the memory limit of 0\.1 MB .*, got an estimated 0\.\d MB/);
    const continual = `${small}weights: { seed: 1 }\nexperiment: continual\ncontinual: { then: { name: adding, length: 20, trainSize: 64 } }\n`.replace('model: lstm', 'model: lstm');
    await assert.rejects(runSpec(continual, { readFile, memoryLimitBytes: 200_000 }), /^SpecError: continual: expected a run within the memory limit of 0\.2 MB/);
  });
});
