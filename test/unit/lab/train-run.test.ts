import assert from 'node:assert/strict';
import { runSpec, runSpecCell } from '../../../src/lab/run';
import { CancelledError } from '../../../src/lab/kernels/lstm-kernel';
import { median, predictedHalfLife } from '../../../src/lab/metrics';
import { sigmoid } from '../../../src/lab/kernels/activations';
import { parseSpec, type LstmSpec } from '../../../src/lab/spec/model-spec';
import { generateTask } from '../../../src/lab/tasks';
import type { RecurrentModel } from '../../../src/lab/train';
import { schemeSpec, startingModel, type ModelStore, type TaskSpecOf } from '../../../src/lab/train-run';
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

  describe('experiment: initialisation', () => {
    const INIT = `model: lstm
units: 5
task: { name: recall, symbols: 2, length: 16, lag: 6, trainSize: 16, testSize: 8, seed: 3 }
train: { epochs: 2, batchSize: 8, learningRate: 0.02, seed: 4 }
weights: { seed: 5 }
experiment: initialisation
initialisation: { forgetBias: 2, chrono: 12 }
`;

    it('gives each scheme the same task, data order and weights but for the forget-gate bias (and chrono\'s input-gate bias)', () => {
      const spec = parseSpec(INIT) as TaskSpecOf<LstmSpec>;
      const task = generateTask(spec.task);
      const U = 5;
      const variants = spec.initialisation!.schemes.map((scheme) => ({ scheme, spec: schemeSpec(spec, scheme, task.lag) }));
      assert.deepEqual(variants.map((v) => v.scheme), ['none', 'unitForgetBias', 'forgetBias', 'chrono']);
      const models = variants.map((v) => startingModel(v.spec, task, {}) as RecurrentModel);
      for (const [k, v] of variants.entries()) {
        assert.deepEqual(v.spec.task, spec.task);
        assert.deepEqual(v.spec.train, spec.train, 'same data order');
        assert.deepEqual(v.spec.weights, spec.weights);
        const m = models[k];
        assert.deepEqual(m.recurrent.kernel, models[0].recurrent.kernel, `${v.scheme}: kernel`);
        assert.deepEqual(m.recurrent.recurrentKernel, models[0].recurrent.recurrentKernel, `${v.scheme}: recurrent kernel`);
        assert.deepEqual(m.readoutKernel, models[0].readoutKernel, `${v.scheme}: readout`);
        const bias = m.recurrent.bias;
        assert.deepEqual(bias.subarray(2 * U), new Float32Array(2 * U), `${v.scheme}: candidate and output biases are 0`);
        if (v.scheme !== 'chrono') assert.deepEqual(bias.subarray(0, U), new Float32Array(U), `${v.scheme}: input bias 0`);
      }
      const forget = (k: number) => Array.from(models[k].recurrent.bias.subarray(U, 2 * U));
      assert.deepEqual(forget(0), [0, 0, 0, 0, 0]);
      assert.deepEqual(forget(1), [1, 1, 1, 1, 1]);
      assert.deepEqual(forget(2), [2, 2, 2, 2, 2]);
      // chrono 12: b_f = ln u with u in [1, 11], b_i = −b_f (Tallec & Ollivier 2018).
      assert.ok(forget(3).every((b) => b >= 0 && b <= Math.log(11) + 1e-6), String(forget(3)));
      assert.deepEqual(Array.from(models[3].recurrent.bias.subarray(0, U)), forget(3).map((b) => -b));
    });

    it('trains every scheme, keeps each model, and records predicted and measured half-lives before and after', async () => {
      const models: ModelStore = new Map();
      const out = (await runSpec(INIT, { readFile, models, cellName: 'cell 2' })) as Comparison;
      assert.deepEqual(out.variants.map((v) => v.name), ['no forget bias', 'unit forget bias', 'forget bias 2', 'chrono 12']);
      assert.deepEqual([...models.keys()], out.variants.map((v) => `cell 2 / ${v.name}`));
      for (const v of out.variants) {
        const h = v.trace.training!.halfLives!;
        assert.equal(v.trace.training!.loss.length, 4);
        for (const key of ['predictedBefore', 'measuredBefore', 'predictedAfter', 'measuredAfter'] as const) assert.equal(h[key].length, 5, `${v.name} ${key}`);
        assert.deepEqual(h.measuredAfter, v.trace.metrics.halfLife);
        const trained = models.get(`cell 2 / ${v.name}`) as RecurrentModel;
        assert.deepEqual(h.predictedAfter, predictedHalfLife(trained.recurrent.bias, 5, sigmoid));
      }
      const [none, unit, bias] = out.variants.map((v) => v.trace.training!.halfLives!);
      // b_f = 0, 1, 2 before training: ln 0.5 / ln σ(b) = 1, 2.2058, 5.4185 steps for every unit.
      for (const [h, want] of [[none, 1], [unit, Math.log(0.5) / Math.log(sigmoid(1))], [bias, Math.log(0.5) / Math.log(sigmoid(2))]] as const) {
        for (const p of h.predictedBefore) assert.ok(Math.abs((p as number) - want) < 1e-5, `${p} vs ${want}`);
      }
      // Measured on the test split the input and state move the gate, but a larger bias still keeps more.
      assert.ok(median(unit.measuredBefore)! > median(none.measuredBefore)!);
      assert.ok(median(bias.measuredBefore)! > median(unit.measuredBefore)!);
      const decoded = decodeOutput(JSON.parse(new TextDecoder().decode((await runSpecCell(INIT, { readFile, outputPrecision: 'float32' }))[0].data))) as Comparison;
      assert.deepEqual(decoded.variants[2].trace.training!.halfLives, out.variants[2].trace.training!.halfLives);
    });

    it('refuses a GRU and a kept model in one line each', async () => {
      await assert.rejects(runSpec(INIT.replace('model: lstm', 'model: gru').replace(/initialisation: .*\n/, ''), { readFile }), /^SpecError: experiment: initialisation is for model lstm only, got gru$/);
      await assert.rejects(runSpec(INIT.replace('weights: { seed: 5 }', 'weights: { from: x }'), { readFile }), /^SpecError: weights.from: not used with experiment: initialisation \(each scheme starts from weights generated by weights.seed\)$/);
    });
  });
});
