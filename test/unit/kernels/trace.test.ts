import assert from 'node:assert/strict';
import {
  JOB_DONE,
  JOB_FAILED,
  JOB_TAKEN_BACK,
  GROUP_ROWS,
  groupStarts,
  runKernelJob,
  rowSeriesNames,
  setKernelHelper,
  SPLIT_MIN_WORK,
  SYNC_FAILED_GROUP,
  SYNC_HELPER_GROUPS,
  SYNC_STATE,
  SYNC_STOP,
  traceBatch,
  traceRows,
  type KernelJob,
  type RowKernels,
  type RowsRequest,
  type RowsTrace,
} from '../../../src/lab/kernels/batch-split';
import { jsGruKernel, type GruKernel } from '../../../src/lab/kernels/gru-kernel';
import { CancelledError, jsLstmKernel, type LstmKernel } from '../../../src/lab/kernels/lstm-kernel';
import { projectRawInputs } from '../../../src/lab/kernels/raw-inputs';
import { createWasmGruKernel } from '../../../src/lab/kernels/wasm-gru';
import { createWasmLstmKernel } from '../../../src/lab/kernels/wasm-lstm';
import { KEEP_TOTALS, keepRowTotals, survival } from '../../../src/lab/metrics';
import { firstDifference, kernelsWasm, maxGruOutputDiff, maxOutputDiff, relaxedKernelsWasm, request, uniform } from './helpers';

describe('kernel traces from raw inputs', () => {
  let wasm: Required<RowKernels>;
  let relaxed: Required<RowKernels>;
  before(() => {
    wasm = { lstm: createWasmLstmKernel(kernelsWasm()), gru: createWasmGruKernel(kernelsWasm()) };
    relaxed = { lstm: createWasmLstmKernel(relaxedKernelsWasm()), gru: createWasmGruKernel(relaxedKernelsWasm()) };
  });

  /** The survival and row totals a trace gives are `survival` and `keepRowTotals` of its keep gate (metrics.ts), bit for bit. */
  function assertSurvival(trace: { survival: Float32Array; keepTotals: Float64Array }, keep: Float32Array, B: number, T: number, U: number, kernel: string): void {
    assert.equal(firstDifference({ survival: survival(keep, B, T, U) }, { survival: trace.survival }), undefined, `${kernel}: survival`);
    assert.equal(firstDifference({ keepTotals: keepRowTotals(keep, B, T, U) }, { keepTotals: trace.keepTotals }), undefined, `${kernel}: totals`);
  }

  // Odd sizes: units not a multiple of 4 or 8, one step, batch 1, a chunk and a bit.
  const shapes: [batch: number, time: number, features: number, units: number][] = [
    [1, 1, 1, 1],
    [1, 10, 64, 128],
    [3, 33, 5, 7],
    [5, 40, 3, 13],
    [2, 1, 9, 16],
    [6, 70, 17, 9],
  ];

  for (const [B, T, F, U] of shapes) {
    it(`LSTM [${B}, ${T}, ${F}] × ${U}: trace equals run on the reference projection to 1e-5, in every kernel, with the survival`, () => {
      const r = request('lstm', B, T, F, U, B + T + U);
      const projected = projectRawInputs(r.inputs, B, T, 4 * U);
      const reference = jsLstmKernel.run({ ...r, projected });
      for (const kernel of [wasm.lstm, relaxed.lstm, jsLstmKernel] as LstmKernel[]) {
        const trace = kernel.trace(r);
        const { diff, where } = maxOutputDiff(reference, trace);
        assert.ok(diff < 1e-5, `${kernel.name}: largest difference ${diff} at ${where}`);
        assertSurvival(trace, trace.forgetGate, B, T, U, kernel.name);
      }
    });

    it(`GRU [${B}, ${T}, ${F}] × ${U}: trace equals run on the reference projection to 1e-5, in every kernel, with the survival`, () => {
      const r = request('gru', B, T, F, U, B + T + U);
      const projected = projectRawInputs(r.inputs, B, T, 3 * U);
      const gruInput = { ...r, resetAfter: r.resetAfter ?? true };
      const reference = jsGruKernel.run({ ...gruInput, projected });
      for (const kernel of [wasm.gru, relaxed.gru, jsGruKernel] as GruKernel[]) {
        const trace = kernel.trace(gruInput);
        // A trace has no recurrentCandidate (only the backward pass needs it).
        assert.equal('recurrentCandidate' in trace, false);
        const { diff, where } = maxGruOutputDiff(reference, { ...trace, recurrentCandidate: reference.recurrentCandidate });
        assert.ok(diff < 1e-5, `${kernel.name}: largest difference ${diff} at ${where}`);
        assertSurvival(trace, trace.updateGate, B, T, U, kernel.name);
      }
    });
  }

  it('the relaxed-SIMD build runs and differentiates with the SIMD build\'s bits (training is the same on every machine); only traces fuse', () => {
    const [B, T, F, U] = [3, 37, 5, 13];
    const r = request('lstm', B, T, F, U, 11);
    const input = { ...r, projected: projectRawInputs(r.inputs, B, T, 4 * U) };
    const upstream = { hidden: uniform(B * T * U, 1, 12) };
    assert.equal(firstDifference({ ...relaxed.lstm.run(input) }, { ...wasm.lstm.run(input) }), undefined, 'lstm run');
    const grads = (k: LstmKernel) => ({ ...k.backward(input, k.run(input), upstream) });
    assert.equal(firstDifference(grads(relaxed.lstm), grads(wasm.lstm)), undefined, 'lstm backward');
    const g = { ...request('gru', B, T, F, U, 12), resetAfter: false };
    const gInput = { ...g, projected: projectRawInputs(g.inputs, B, T, 3 * U) };
    assert.equal(firstDifference({ ...relaxed.gru.run(gInput) }, { ...wasm.gru.run(gInput) }), undefined, 'gru run');
    const gGrads = (k: GruKernel) => ({ ...k.backward(gInput, k.run(gInput), upstream.hidden) });
    assert.equal(firstDifference(gGrads(relaxed.gru), gGrads(wasm.gru)), undefined, 'gru backward');
  });

  it('checks raw inputs and into arrays, naming what was expected and what was got', () => {
    const r = request('lstm', 2, 3, 4, 5, 1);
    assert.throws(() => wasm.lstm.trace({ ...r, inputs: { ...r.inputs, data: new Float32Array(5) } }), /lstm kernel: inputs\.data must have 24 values \[2, 3, 4\], got 5/);
    assert.throws(() => wasm.lstm.trace({ ...r, inputs: { ...r.inputs, kernel: new Float32Array(5) } }), /lstm kernel: inputs\.kernel must have 80 values \[4, 20\], got 5/);
    const g = request('gru', 2, 3, 4, 5, 1);
    assert.throws(() => wasm.gru.trace({ ...g, resetAfter: true, inputs: { ...g.inputs, bias: new Float32Array(3) } }), /gru kernel: inputs\.bias must have 15 values \[15\], got 3/);
    const into = jsLstmKernel.trace(r);
    assert.throws(() => wasm.lstm.trace(r, { ...into, cell: new Float32Array(29) }), /lstm kernel: into\.cell must hold 30 values, got 29/);
  });

  for (const model of ['lstm', 'gru'] as const) {
    it(`${model}: each batch row's trace is the same bit for bit whatever the other rows, written into given arrays`, () => {
      const [B, T, F, U] = [5, 45, 6, 11];
      const r = request(model, B, T, F, U, 9);
      const whole = traceRows(r, wasm);
      assert.deepEqual(Object.keys(whole.series), [...rowSeriesNames(model)]);
      // Rows 3 and 4 alone, written at an offset into larger arrays.
      const offset = 17;
      const into: Record<string, Float32Array> = {};
      for (const name of rowSeriesNames(model)) into[name] = new Float32Array(offset + 2 * T * U);
      const totals = new Float64Array(offset + 2 * KEEP_TOTALS * U);
      const view: RowsTrace = { series: Object.fromEntries(Object.entries(into).map(([k, a]) => [k, a.subarray(offset)])), keepTotals: totals.subarray(offset) };
      const tail = traceRows({ ...r, batch: 2, inputs: { ...r.inputs, data: r.inputs.data.subarray(3 * T * F) } }, wasm, view);
      const expected: RowsTrace = {
        series: Object.fromEntries(Object.entries(whole.series).map(([k, a]) => [k, a.subarray(3 * T * U)])),
        keepTotals: whole.keepTotals.subarray(3 * KEEP_TOTALS * U),
      };
      assert.equal(firstDifference(expected, tail), undefined);
      assert.equal(firstDifference(expected, view), undefined, 'written into the given arrays');
      assert.deepEqual(Array.from(into.hidden.subarray(0, offset)), new Array(offset).fill(0), 'nothing written before them');
      assert.deepEqual(Array.from(totals.subarray(0, offset)), new Array(offset).fill(0), 'no totals written before them');
      assertSurvival({ survival: whole.series.survival, keepTotals: whole.keepTotals }, model === 'lstm' ? whole.series.forgetGate : whole.series.updateGate, B, T, U, wasm[model].name);
    });
  }
});

describe('batch split over a helper thread', () => {
  let wasm: Required<RowKernels>;
  /** A batch large enough to be split. */
  const big = (model: 'lstm' | 'gru'): RowsRequest => request(model, 9, 256, 32, 64, 3);
  before(() => {
    wasm = { lstm: createWasmLstmKernel(kernelsWasm()), gru: createWasmGruKernel(kernelsWasm()) };
    const r = big('lstm');
    assert.ok(r.batch * r.time * 3 * r.units * (r.units + r.inputs.features) >= SPLIT_MIN_WORK, 'the test batch is above the split threshold');
  });
  afterEach(() => setKernelHelper(undefined));

  /** A helper that runs each job on this thread when `start` is called, with its own kernel instances. */
  function inlineHelper(jobs: KernelJob[], kernels: RowKernels = { lstm: createWasmLstmKernel(kernelsWasm()), gru: createWasmGruKernel(kernelsWasm()) }) {
    return {
      start(job: KernelJob) {
        jobs.push(job);
        runKernelJob(job, kernels);
      },
    };
  }

  for (const model of ['lstm', 'gru'] as const) {
    it(`${model}: a split trace is bit-identical to one thread's, whichever thread takes which groups of rows`, () => {
      const r = big(model);
      // Groups of 8 rows while more than half the batch is left (where it holds four of them),
      // then of 4, then 2 and 1 for the remainder.
      assert.equal(GROUP_ROWS, 4);
      assert.deepEqual(groupStarts(r.batch), [0, 4, 8, 9]);
      assert.deepEqual(groupStarts(32), [0, 8, 16, 20, 24, 28, 32]);
      assert.deepEqual(groupStarts(64), [0, 8, 16, 24, 32, 36, 40, 44, 48, 52, 56, 60, 64]);
      assert.deepEqual(groupStarts(12), [0, 4, 8, 12]);
      assert.deepEqual(groupStarts(7), [0, 4, 6, 7]);
      assert.deepEqual(groupStarts(2), [0, 2]);
      const groups = groupStarts(r.batch).length - 1;
      const alone = traceBatch(r, wasm);
      // A helper that starts at once and so claims every group.
      const jobs: KernelJob[] = [];
      setKernelHelper(inlineHelper(jobs));
      const split = traceBatch(r, wasm);
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0].batch, r.batch, 'the job is the whole batch; the threads claim its groups');
      assert.equal(Atomics.load(jobs[0].sync, SYNC_STATE), JOB_DONE);
      assert.equal(Atomics.load(jobs[0].sync, SYNC_HELPER_GROUPS), groups);
      assert.ok(split.series.hidden.buffer instanceof SharedArrayBuffer && split.keepTotals.buffer instanceof SharedArrayBuffer, 'series and totals on shared memory');
      assert.equal(firstDifference(alone, split), undefined);
      // A helper that starts while this thread traces its first group: it takes the others.
      const late: KernelJob[] = [];
      const kernels = { lstm: createWasmLstmKernel(kernelsWasm()), gru: createWasmGruKernel(kernelsWasm()) };
      setKernelHelper({ start: (job) => void late.push(job) });
      let checks = 0;
      const mixed = traceBatch({ ...r, shouldStop: () => (checks++ === 0 && runKernelJob(late[0], kernels), false) }, wasm);
      assert.equal(Atomics.load(late[0].sync, SYNC_STATE), JOB_DONE);
      assert.equal(Atomics.load(late[0].sync, SYNC_HELPER_GROUPS), groups - 1);
      assert.equal(firstDifference(alone, mixed), undefined);
    });
  }

  it('takes the job back when the helper never starts it, with the same result', () => {
    const r = big('lstm');
    const jobs: KernelJob[] = [];
    setKernelHelper({ start: (job) => void jobs.push(job) });
    const split = traceBatch(r, wasm);
    assert.equal(Atomics.load(jobs[0].sync, SYNC_STATE), JOB_TAKEN_BACK);
    setKernelHelper(undefined);
    assert.equal(firstDifference(traceBatch(r, wasm), split), undefined);
  });

  it('runs the rows itself when the helper fails, and when no thread can be started', () => {
    const r = big('gru');
    const alone = traceBatch(r, wasm);
    const broken = { ...jsGruKernel, name: wasm.gru.name, trace: () => { throw new RangeError('out of memory'); } };
    const jobs: KernelJob[] = [];
    setKernelHelper(inlineHelper(jobs, { gru: broken }));
    assert.equal(firstDifference(alone, traceBatch(r, wasm)), undefined);
    assert.equal(Atomics.load(jobs[0].sync, SYNC_STATE), JOB_FAILED);
    assert.equal(Atomics.load(jobs[0].sync, SYNC_FAILED_GROUP), 0, 'the group it failed in, run again here');
    assert.equal(Atomics.load(jobs[0].sync, SYNC_HELPER_GROUPS), 0);
    setKernelHelper({ start: () => { throw new Error('no threads'); } });
    assert.equal(firstDifference(alone, traceBatch(r, wasm)), undefined);
  });

  it('a helper running the other WebAssembly build fails the job, and the rows are run here: the same bits', () => {
    const other = { lstm: createWasmLstmKernel(relaxedKernelsWasm()), gru: createWasmGruKernel(relaxedKernelsWasm()) };
    assert.deepEqual([wasm.lstm.name, other.lstm.name], ['wasm-simd', 'wasm-relaxed-simd']);
    const r = big('lstm');
    const alone = traceBatch(r, wasm);
    const jobs: KernelJob[] = [];
    setKernelHelper(inlineHelper(jobs, other));
    const split = traceBatch(r, wasm);
    assert.equal(jobs[0].kernel, 'wasm-simd');
    assert.equal(Atomics.load(jobs[0].sync, SYNC_STATE), JOB_FAILED);
    assert.equal(Atomics.load(jobs[0].sync, SYNC_FAILED_GROUP), -1, 'failed before it took a group');
    assert.equal(firstDifference(alone, split), undefined);
  });

  it('asks the helper to stop when the run is interrupted', () => {
    const jobs: KernelJob[] = [];
    setKernelHelper({ start: (job) => void jobs.push(job) });
    assert.throws(() => traceBatch({ ...big('lstm'), shouldStop: () => true }, wasm), CancelledError);
    assert.equal(Atomics.load(jobs[0].sync, SYNC_STOP), 1, 'stop requested');
  });

  it('does not split small batches, batch 1, or with the TypeScript kernel', () => {
    const jobs: KernelJob[] = [];
    setKernelHelper(inlineHelper(jobs));
    traceBatch(request('lstm', 4, 10, 8, 8, 1), wasm);
    traceBatch({ ...big('lstm'), batch: 1, inputs: { ...big('lstm').inputs, data: big('lstm').inputs.data.subarray(0, 256 * 32) } }, wasm);
    traceBatch(big('lstm'), { lstm: { ...wasm.lstm, name: jsLstmKernel.name } });
    assert.equal(jobs.length, 0);
  });
});
