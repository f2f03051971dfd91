import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabKernel } from '../../../src/extension/kernel';
import { traceSpec } from '../../../src/lab';
import { JOB_DONE, setKernelHelper, SYNC_HELPER_GROUPS, SYNC_STATE, traceBatch, type KernelJob, type RowsRequest } from '../../../src/lab/kernels/batch-split';
import { decodeTrace } from '../../../src/shared/trace';
import { lazyKernelHelper } from '../../../src/worker/kernel-helper';
import { labKernels, uniform } from '../kernels/helpers';
import { setupLab } from '../lab/setup';

/** The real bundles, built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/** Bit patterns of a float array, for exact comparison (NaN included). */
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('batch helper thread (real threads)', () => {
  afterEach(() => setKernelHelper(undefined));

  it('takes groups of rows of a large batch on its own thread, bit-identical to one thread', async () => {
    // The kernels the helper thread builds too.
    const kernels = labKernels();
    const [B, T, F, U] = [12, 256, 32, 64];
    const request: RowsRequest = {
      model: 'lstm',
      batch: B,
      time: T,
      units: U,
      inputs: { data: uniform(B * T * F, 1, 1), features: F, kernel: uniform(F * 4 * U, 0.25, 2), bias: uniform(4 * U, 0.5, 3) },
      recurrentKernel: uniform(U * 4 * U, 0.125, 4),
      recurrentActivation: 'sigmoid',
    };
    const alone = traceBatch(request, kernels);
    const helper = lazyKernelHelper(DIST, (m) => assert.fail(m));
    const jobs: KernelJob[] = [];
    setKernelHelper({ start: (job) => (jobs.push(job), helper.start(job)) });
    try {
      // The thread starts with the first job; until it is up, jobs are taken back. Wait for one it traced groups of.
      const ran = (j: KernelJob): boolean => Atomics.load(j.sync, SYNC_STATE) === JOB_DONE && Atomics.load(j.sync, SYNC_HELPER_GROUPS) > 0;
      for (let i = 0; i < 100 && !jobs.some(ran); i++) {
        const split = traceBatch(request, kernels);
        for (const key of Object.keys(alone.series)) assert.deepEqual(bits(split.series[key]), bits(alone.series[key]), key);
        assert.deepEqual(split.keepTotals, alone.keepTotals, 'keepTotals');
        await sleep(20);
      }
      assert.ok(jobs.some(ran), 'the helper thread traced groups of a job');
    } finally {
      helper.dispose();
    }
  });

  it('gives the notebook worker the same trace of a large batch as one thread in this process', async function () {
    this.timeout(120_000);
    await setupLab();
    const spec = 'model: gru\nunits: 48\nresetAfter: true\ninput: { shape: [8, 300, 32], random: { seed: 3 } }\nweights: { seed: 2 }\n';
    const local = await traceSpec(spec, { readFile: () => assert.fail('no files') });
    const kernel = new LabKernel('test', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => {} });
    try {
      for (let run = 0; run < 3; run++) {
        const [item] = await kernel.runSpec(spec, DIST, 'cell 1', { outputPrecision: 'float32' });
        const trace = decodeTrace(JSON.parse(Buffer.from(item.data).toString('utf8')));
        assert.deepEqual(Object.keys(trace.series), Object.keys(local.series));
        for (const [key, s] of Object.entries(local.series)) assert.deepEqual(bits(trace.series[key].data), bits(s.data), `run ${run}: ${key}`);
        assert.deepEqual(trace.metrics, JSON.parse(JSON.stringify(local.metrics)));
      }
    } finally {
      kernel.dispose();
    }
  });
});
