import assert from 'node:assert/strict';
import { runSpec, runSpecCell } from '../../../src/lab/run';
import { CancelledError } from '../../../src/lab/kernels/lstm-kernel';
import type { ModelStore } from '../../../src/lab/train-run';
import { decodeOutput, isComparison, type Comparison, type Trace } from '../../../src/shared/trace';
import { setupLab } from './setup';

const readFile = (): Uint8Array => {
  throw new Error('no files in these tests');
};

const REBER = `model: lstm
units: 6
task: { name: reber, length: 30, trainSize: 32, testSize: 1, testLength: 120, seed: 1 }
train: { epochs: 2, batchSize: 16, learningRate: 0.02 }
`;

describe('spec cells with task and train', () => {
  before(setupLab);

  it('trains, keeps the model under the cell name, and traces it on the test split with curves, lag and labels', async () => {
    const models: ModelStore = new Map();
    const progress: number[] = [];
    const out = (await runSpec(REBER, { readFile, models, cellName: 'cell 1', onTrainingProgress: (p) => progress.push(p.step) })) as Trace;
    assert.equal(out.dims.time, 120);
    assert.equal(out.dims.batch, 1);
    assert.equal(out.labels?.length, 120);
    assert.ok(out.labels!.every((l) => 'BTPSXVE'.includes(l)));
    const t = out.training!;
    assert.equal(t.task.name, 'reber');
    assert.ok(t.task.lag > 4);
    assert.equal(t.loss.length, 4);
    assert.equal(t.testLoss.length, 2);
    assert.deepEqual(progress, [1, 2, 1, 2]);
    for (const key of ['testLoss', 'testAccuracy', 'outerAccuracy', 'legalAccuracy']) assert.equal(typeof t.metrics![key], 'number', key);
    assert.equal(t.cellMagnitude!.length, 120);
    assert.ok(models.has('cell 1'));
  });

  it('continues a kept model with weights.from, and says which names exist when it is missing', async () => {
    const models: ModelStore = new Map();
    await runSpec(REBER.replace('learningRate: 0.02', 'learningRate: 0.02, name: first'), { readFile, models, cellName: 'cell 1' });
    const traced = (await runSpec(`model: lstm\nunits: 6\nweights: { from: first }\ntask: { name: reber, length: 30, testSize: 1, testLength: 120, seed: 1 }\n`, { readFile, models })) as Trace;
    assert.equal(traced.training!.loss.length, 0, 'no training, the kept model traced');
    await assert.rejects(runSpec(`model: lstm\nunits: 6\nweights: { from: nope }\ntask: { name: reber }\n`, { readFile, models }), /weights\.from: expected the name of a model trained earlier in this kernel \("first"\), got "nope"/);
    await assert.rejects(runSpec(`model: lstm\nunits: 7\nweights: { from: first }\ntask: { name: reber }\n`, { readFile, models }), /weights\.from: "first" has units 6, this spec asks for 7/);
  });

  it('keeps the model trained so far when interrupted and says where it stopped', async () => {
    const models: ModelStore = new Map();
    let asked = 0;
    await assert.rejects(runSpec(REBER, { readFile, models, cellName: 'cell 3', shouldStop: () => ++asked > 3 }), (e: Error) => {
      assert.ok(e instanceof CancelledError);
      assert.match(e.message, /^Training interrupted at epoch 2 of 2, after 3 steps: the model trained so far is kept as "cell 3" \(weights: \{ from: "cell 3" \}\)$/);
      return true;
    });
    assert.ok(models.has('cell 3'));
  });

  it('rejects input beside a task, train without a task, and an experiment without train, in one line each', async () => {
    await assert.rejects(runSpec(`model: lstm\nunits: 2\ninput: { shape: [3, 2], random: {} }\ntask: { name: adding }\n`, { readFile }), /^SpecError: input: not used with task \(the task generates the input\)/);
    await assert.rejects(runSpec(`model: lstm\nunits: 2\ninput: { shape: [3, 2], random: {} }\ntrain: { epochs: 1 }\n`, { readFile }), /train: only used with task \(line 4\)/);
    await assert.rejects(runSpec(`model: lstm\nunits: 2\ntask: { name: reber }\nexperiment: learning-to-forget\n`, { readFile }), /experiment: only used with train \(line 4\)/);
    await assert.rejects(runSpec(`model: gru\nunits: 2\ntask: { name: rebr }\n`, { readFile }), /task\.name: expected "reber", "copy", "adding" or "recall", got "rebr"; did you mean "reber"\?/);
  });

  it('runs learning-to-forget as two variants from the same start, without and with a forget gate, and the output round-trips', async () => {
    const models: ModelStore = new Map();
    const source = `${REBER}experiment: learning-to-forget\n`;
    const out = (await runSpec(source, { readFile, models, cellName: 'cell 5' })) as Comparison;
    assert.ok(isComparison(out));
    assert.deepEqual(out.variants.map((v) => v.name), ['no forget gate (1997)', 'forget gate (2000)']);
    const [without, withGate] = out.variants.map((v) => v.trace);
    assert.ok(without.series.forgetGate.data.every((f) => f === 1));
    assert.ok(withGate.series.forgetGate.data.some((f) => f < 0.99));
    assert.deepEqual([...models.keys()], ['cell 5 / no forget gate', 'cell 5 / forget gate']);
    const items = await runSpecCell(source, { readFile, outputPrecision: 'float32' });
    const decoded = decodeOutput(JSON.parse(new TextDecoder().decode(items[0].data))) as Comparison;
    assert.deepEqual(decoded.variants[1].trace.training!.metrics, out.variants[1].trace.training!.metrics);
    const md = new TextDecoder().decode(items[1].data);
    assert.match(md, /\*\*Task\*\* `reber`, lag \d+\.\d+ steps/);
    assert.match(md, /\| no forget gate \(1997\) \| 2 \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \|/);
  });
});
