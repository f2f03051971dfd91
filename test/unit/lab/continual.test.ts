import assert from 'node:assert/strict';
import { alignTasks, ewcPenalty } from '../../../src/lab/continual';
import { runSpec, runSpecCell } from '../../../src/lab/run';
import { generateTask, type TaskSpec } from '../../../src/lab/tasks';
import { fisherDiagonal, initialModel, modelParameters, replayCount, replaySampler, trainModel, type RecurrentModel } from '../../../src/lab/train';
import type { ModelStore } from '../../../src/lab/train-run';
import { tf } from '../../../src/lab/tf';
import type { LstmWeights } from '../../../src/lab/data';
import { decodeOutput, isComparison, type Comparison } from '../../../src/shared/trace';
import { setupLab } from './setup';

const readFile = (): Uint8Array => {
  throw new Error('no files in these tests');
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * log p(targets | x) of one sequence under a 1-unit LSTM with a dense readout, in float64,
 * written from the Keras formulas (gate order i, f, c, o) independently of the lab's kernels.
 */
function logLikelihood(params: Float64Array[], F: number, C: number, x: Float32Array, targets: Float32Array, mask: Float32Array, T: number, kind: 'classification' | 'regression'): number {
  const [kernel, recurrent, bias, readout, readoutBias] = params;
  let h = 0;
  let c = 0;
  let ll = 0;
  for (let t = 0; t < T; t++) {
    const z = [0, 1, 2, 3].map((g) => {
      let s = bias[g] + recurrent[g] * h;
      for (let f = 0; f < F; f++) s += x[t * F + f] * kernel[f * 4 + g];
      return s;
    });
    c = sigmoid(z[1]) * c + sigmoid(z[0]) * Math.tanh(z[2]);
    h = sigmoid(z[3]) * Math.tanh(c);
    if (mask[t] === 0) continue;
    const logits = Array.from({ length: C }, (_, k) => readoutBias[k] + h * readout[k]);
    if (kind === 'regression') {
      ll -= 0.5 * (logits[0] - targets[t]) ** 2;
    } else {
      const max = Math.max(...logits);
      const logZ = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
      for (let k = 0; k < C; k++) ll += targets[t * C + k] * (logits[k] - logZ);
    }
  }
  return ll;
}

/** The empirical Fisher diagonal by central finite differences of `logLikelihood`, sequence by sequence. */
function fisherByFiniteDifferences(model: RecurrentModel, spec: TaskSpec): Float64Array[] {
  const task = generateTask(spec);
  const { n, time: T, features: F, outputs: C } = task.train;
  const params = modelParameters(model).map((p) => Float64Array.from(p));
  const fisher = params.map((p) => new Float64Array(p.length));
  const eps = 1e-5;
  for (let s = 0; s < n; s++) {
    const x = task.train.inputs.subarray(s * T * F, (s + 1) * T * F);
    const y = task.train.targets.subarray(s * T * C, (s + 1) * T * C);
    const m = task.train.mask.subarray(s * T, (s + 1) * T);
    params.forEach((p, i) => {
      for (let j = 0; j < p.length; j++) {
        const keep = p[j];
        p[j] = keep + eps;
        const up = logLikelihood(params, F, C, x, y, m, T, task.kind);
        p[j] = keep - eps;
        const down = logLikelihood(params, F, C, x, y, m, T, task.kind);
        p[j] = keep;
        fisher[i][j] += ((up - down) / (2 * eps)) ** 2 / n;
      }
    });
  }
  return fisher;
}

const CONTINUAL = `model: lstm
units: 6
task: { name: recall, length: 6, lag: 3, symbols: 1, trainSize: 32, testSize: 16, seed: 1 }
train: { epochs: 2, batchSize: 16, learningRate: 0.03 }
weights: { seed: 3 }
experiment: continual
`;
const THEN = 'then: { name: copy, symbols: 1, lag: 3, trainSize: 32, testSize: 16, seed: 2 }';

describe('continual learning', () => {
  before(setupLab);

  it('computes the EWC penalty (λ/2)·Σ F (θ − θ*)² and its gradient λ·F·(θ − θ*) as by hand', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor2d([[0.5]]));
    try {
      const penalty = ewcPenalty([Float32Array.of(2, 3), Float32Array.of(4)], [Float32Array.of(0, 1), Float32Array.of(1)], 10);
      const { value, grads } = tf.variableGrads(() => penalty([a, b]), [a, b]);
      // 10/2 · (2·1² + 3·1² + 4·0.5²) = 5 · 6 = 30
      assert.ok(Math.abs(value.dataSync()[0] - 30) < 1e-5, `penalty ${value.dataSync()[0]}`);
      assert.deepEqual(Array.from(grads[a.name].dataSync()), [20, 30]);
      assert.deepEqual(Array.from(grads[b.name].dataSync()), [-20]);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  for (const spec of [
    { name: 'adding', length: 5, lag: 1, symbols: 1, trainSize: 6, testSize: 1, seed: 4 },
    { name: 'recall', length: 4, lag: 2, symbols: 1, trainSize: 6, testSize: 1, seed: 5 },
  ] as TaskSpec[]) {
    it(`matches the Fisher diagonal of a 1-unit LSTM on ${spec.name} with per-sequence finite differences in float64`, () => {
      const task = generateTask(spec);
      const model = initialModel({ model: 'lstm', units: 1, recurrentActivation: 'sigmoid' }, task.train.features, task.train.outputs, { seed: 9, unitForgetBias: true, forgetBias: 0 });
      // Larger weights than glorot's so that every gradient is well away from 0.
      (model.recurrent as LstmWeights).kernel.forEach((v, i, k) => (k[i] = 3 * v));
      model.readoutKernel.forEach((v, i, k) => (k[i] = 2 * v + 0.5));
      const fisher = fisherDiagonal(model, task.train, task.kind);
      const reference = fisherByFiniteDifferences(model, spec);
      assert.deepEqual(fisher.map((f) => f.length), reference.map((f) => f.length));
      let largest = 0;
      for (const r of reference) for (const v of r) largest = Math.max(largest, v);
      assert.ok(largest > 1e-3, `some Fisher entry is not tiny (${largest})`);
      fisher.forEach((f, i) => f.forEach((v, j) => {
        const want = reference[i][j];
        assert.ok(Math.abs(v - want) <= 1e-4 * largest + 1e-3 * want, `parameter ${i}[${j}]: ${v} vs ${want}`);
      }));
    });
  }

  it('replays the stated fraction of every batch, in a seeded order that visits every sequence once per round', () => {
    for (const [batch, fraction] of [[16, 0.25], [32, 0.1], [8, 0.5], [20, 0.75]]) {
      const m = replayCount(batch, fraction);
      assert.ok(Math.abs(m / (batch + m) - fraction) <= 0.5 / (batch + m) + 1e-12, `${m} of ${batch + m} for ${fraction}`);
    }
    assert.equal(replayCount(16, 0), 0);
    const draw = replaySampler(10, 7);
    const round = [...draw(4), ...draw(6)];
    assert.deepEqual([...round].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...replaySampler(10, 7)(10)], round);
    assert.notDeepEqual([...replaySampler(10, 8)(10)], round);
  });

  it('trains with rehearsal: no replay is plain training, exactly; replay changes the steps', () => {
    const a = generateTask({ name: 'recall', length: 6, lag: 3, symbols: 1, trainSize: 16, testSize: 4, seed: 1 });
    const b = generateTask({ name: 'recall', length: 6, lag: 2, symbols: 1, trainSize: 16, testSize: 4, seed: 2 });
    const model = initialModel({ model: 'lstm', units: 3, recurrentActivation: 'sigmoid' }, a.train.features, a.train.outputs, { seed: 1, unitForgetBias: true, forgetBias: 0 });
    const spec = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const, seed: 0, clipNorm: 1 };
    const plain = trainModel(model, b, spec);
    const none = trainModel(model, b, spec, { replay: { data: a.train, kind: a.kind, fraction: 0, seed: 1 } });
    const mixed = trainModel(model, b, spec, { replay: { data: a.train, kind: a.kind, fraction: 0.5, seed: 1 } });
    assert.deepEqual(none.record.loss, plain.record.loss);
    assert.deepEqual(Array.from(none.model.readoutKernel), Array.from(plain.model.readoutKernel));
    assert.notDeepEqual(mixed.record.loss.slice(1), plain.record.loss.slice(1));
  });

  it('lays tasks of different widths side by side and keeps tasks of the same width as they are', () => {
    const copy = generateTask({ name: 'copy', length: 8, lag: 2, symbols: 1, trainSize: 2, testSize: 2, seed: 1 });
    const recall = generateTask({ name: 'recall', length: 5, lag: 2, symbols: 2, trainSize: 2, testSize: 2, seed: 1 });
    const { a, b } = alignTasks(copy, recall);
    assert.deepEqual([a.train.features, b.test.features, a.train.outputs, b.train.outputs], [10 + 11, 21, 9, 9]);
    for (let r = 0; r < copy.train.n * copy.train.time; r++) {
      assert.deepEqual(Array.from(a.train.inputs.subarray(r * 21, r * 21 + 10)), Array.from(copy.train.inputs.subarray(r * 10, r * 10 + 10)));
      assert.ok(a.train.inputs.subarray(r * 21 + 10, r * 21 + 21).every((v) => v === 0));
    }
    for (let r = 0; r < recall.test.n * recall.test.time; r++) {
      assert.ok(b.test.inputs.subarray(r * 21, r * 21 + 10).every((v) => v === 0));
      assert.deepEqual(Array.from(b.test.inputs.subarray(r * 21 + 10, r * 21 + 21)), Array.from(recall.test.inputs.subarray(r * 11, r * 11 + 11)));
      assert.deepEqual(Array.from(b.test.targets.subarray(r * 9, r * 9 + 8)), Array.from(recall.test.targets.subarray(r * 8, r * 8 + 8)));
    }
    const same = alignTasks(recall, generateTask({ name: 'recall', length: 7, lag: 4, symbols: 2, trainSize: 2, testSize: 2, seed: 2 }));
    assert.equal(same.a, recall);
  });

  it('runs every mitigation from the same A-trained model and B order (λ = 0 and no replay give plain training), keeps the models, and round-trips', async () => {
    const models: ModelStore = new Map();
    const source = `${CONTINUAL}continual: { ${THEN}, evaluations: 2, rehearsal: 0, ewcLambda: 0 }\n`;
    const out = (await runSpec(source, { readFile, models, cellName: 'cell 3' })) as Comparison;
    assert.ok(isComparison(out));
    assert.deepEqual(out.variants.map((v) => v.name), ['after A', 'none', 'rehearsal', 'ewc']);
    assert.deepEqual([...models.keys()], ['cell 3 / A', 'cell 3 / none', 'cell 3 / rehearsal', 'cell 3 / ewc']);
    const [afterA, none, rehearsal, ewc] = out.variants.map((v) => v.trace.training!);
    assert.equal(afterA.task.name, 'recall');
    assert.equal(afterA.continual, undefined);
    const curve = none.continual!;
    assert.deepEqual([curve.taskA, curve.taskB, curve.mitigation], ['recall', 'copy', 'none']);
    // 2 epochs of 2 steps, 2 evaluations per epoch, and one before B.
    assert.deepEqual(curve.step, [0, 1, 2, 3, 4]);
    assert.equal(curve.accuracyA[0], afterA.metrics!.testAccuracy);
    assert.ok(Math.abs(curve.accuracyA.at(-1)! - none.metrics!.retainedAccuracy) < 1e-12);
    for (const other of [rehearsal, ewc]) {
      assert.deepEqual(other.loss, none.loss);
      assert.deepEqual(other.continual!.accuracyA, curve.accuracyA);
      assert.deepEqual(other.continual!.lossB, curve.lossB);
    }
    for (const key of ['retainedAccuracy', 'accuracyB', 'lossB', 'accuracyAAfterA', 'forgetMean', 'forgetMeanAfterA']) assert.equal(typeof none.metrics![key], 'number', key);
    const items = await runSpecCell(source, { readFile, outputPrecision: 'float32' });
    const decoded = decodeOutput(JSON.parse(new TextDecoder().decode(items[0].data))) as Comparison;
    assert.deepEqual(decoded.variants[1].trace.training!.continual, curve);
  });

  it('rejects a continual spec that is incomplete or inconsistent, in one line naming the key', async () => {
    await assert.rejects(runSpec(CONTINUAL, { readFile }), /^SpecError: continual: required with experiment: continual; expected \{ then: <task B> \}, got nothing/);
    await assert.rejects(runSpec(CONTINUAL.replace('experiment: continual', 'experiment: learning-to-forget') + `continual: { ${THEN} }\n`, { readFile }), /^SpecError: continual: only used with experiment: continual, got experiment: learning-to-forget/);
    await assert.rejects(runSpec(`${CONTINUAL}continual: { ${THEN}, mitigations: [ewc, none, ewc] }\n`, { readFile }), /^SpecError: continual.mitigations: expected each mitigation once, got ewc twice/);
    await assert.rejects(runSpec(`${CONTINUAL}continual: { ${THEN}, rehearsal: 1 }\n`, { readFile }), /continual\.rehearsal: expected a number ≥ 0 and < 1, got 1 \(line 7\)/);
    await assert.rejects(runSpec(`${CONTINUAL}continual: { then: { name: adding, length: 5 } }\n`, { readFile }), /^SpecError: continual.then: expected a task of the same kind as task \(recall: classification\), got adding \(regression\)/);
    await assert.rejects(runSpec(`${CONTINUAL}continual: { then: { name: recall, length: 4, lag: 9 } }\n`, { readFile }), /^SpecError: continual.then: task.lag: expected fewer steps than task.length \(4\) for recall, got 9/);
  });
});
