import assert from 'node:assert/strict';
import { peakOf, persistenceRecord, secretCurve, stepsBelow } from '../../../src/lab/persistence';
import { runSpec } from '../../../src/lab/run';
import { decodeOutput, encodeOutputBytes, isComparison, type Trace } from '../../../src/shared/trace';
import { setupLab } from './setup';

const readFile = (): Uint8Array => {
  throw new Error('no files in these tests');
};

describe('persistence', () => {
  describe('steps until the influence stays below the threshold of its peak', () => {
    it('is floor(ln 0.01 / ln f) + 1 for a curve decaying like f^k', () => {
      // 0.9^43 = 0.01078 ≥ 0.01 and 0.9^44 = 0.00970 < 0.01: 44 steps.
      const curve = Array.from({ length: 60 }, (_, k) => 2 * 0.9 ** k);
      assert.equal(stepsBelow(curve, 0.01), 44);
      assert.equal(Math.floor(Math.log(0.01) / Math.log(0.9)) + 1, 44);
    });

    it('counts from the secret, waits for the last rise above the line, and takes the peak wherever it is', () => {
      // peak 1 at k = 1; 0.02 at k = 3 is still ≥ 0.01, so it stays below only from k = 4.
      assert.equal(stepsBelow([0.1, 1, 0.005, 0.02, 0.001, 0], 0.01), 4);
      assert.deepEqual(peakOf([0.1, 1, 0.005, 0.02, 0.001, 0]), { peak: 1, at: 1 });
      assert.equal(stepsBelow([1, 0.5, 0.1], 0.2), 2);
    });

    it('is null when the influence is still above the line at the last step, and 0 when there is none', () => {
      assert.equal(stepsBelow([1, 0.5, 0.2], 0.01), null);
      assert.equal(stepsBelow([1], 0.01), null);
      assert.equal(stepsBelow([0, 0, 0], 0.01), 0);
    });
  });

  it('reads the secret\'s row of the connectivity matrix from its own step on', () => {
    // C[s][t] = 10·s + t for a 4 × 4 matrix, row-major.
    const matrix = Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
    assert.deepEqual(secretCurve(matrix, 4, 1), [11, 12, 13]);
    const record = persistenceRecord(matrix, 4, { secretAt: 1, threshold: 0.5 });
    assert.equal(record.peak, 13);
    assert.equal(record.peakAt, 3);
    assert.equal(record.steps, null);
    assert.deepEqual(record.connectivity.shape, [4, 4]);
  });

  describe('in specs', () => {
    before(setupLab);

    it('measures a GRU on random input, round-trips the record, and refuses a secret outside the input', async () => {
      const spec = 'model: gru\nunits: 4\ninput: { shape: [2, 12, 3], random: { seed: 1 } }\npersistence: { secretAt: 2 }\n';
      const trace = (await runSpec(spec, { readFile })) as Trace;
      const p = trace.persistence!;
      assert.equal(p.secretAt, 2);
      assert.equal(p.threshold, 0.01);
      assert.deepEqual(p.connectivity.shape, [12, 12]);
      for (let s = 0; s < 12; s++) for (let t = 0; t < s; t++) assert.equal(p.connectivity.data[s * 12 + t], 0, `C[${s}][${t}]`);
      assert.ok(p.peak > 0 && p.peakAt >= 2);
      const back = decodeOutput(JSON.parse(new TextDecoder().decode(encodeOutputBytes(trace, { precision: '8-bit' })))) as Trace;
      assert.deepEqual(Array.from(back.persistence!.connectivity.data), Array.from(p.connectivity.data), 'connectivity is stored exactly whatever the precision');
      assert.equal(back.persistence!.steps, p.steps);
      await assert.rejects(runSpec(spec.replace('secretAt: 2', 'secretAt: 12'), { readFile }), /^SpecError: persistence.secretAt: expected a step of the input, 0 to 11, got 12$/);
      await assert.rejects(runSpec('model: lstm\nunits: 2\ninput: { shape: [300, 1], random: {} }\npersistence: {}\n', { readFile }), /^SpecError: input: expected at most 256 steps with persistence \(one backward pass per step\), got 300$/);
    });

    it('refuses a decoded record whose secret lies outside the trace, naming the key', async () => {
      const trace = (await runSpec('model: lstm\nunits: 2\ninput: { shape: [5, 1], random: {} }\npersistence: { secretAt: 1 }\n', { readFile })) as Trace;
      const json = JSON.parse(new TextDecoder().decode(encodeOutputBytes(trace)));
      json.persistence.secretAt = 5;
      assert.throws(() => decodeOutput(json), /^TraceFormatError: trace persistence.secretAt: expected a step from 0 to 4, got number 5$/);
    });

    it('runs experiment: persistence as the model before and after training, from the same weights', async () => {
      const source = 'model: lstm\nunits: 4\ntask: { name: copy, symbols: 1, lag: 4, trainSize: 16, testSize: 2, seed: 1 }\ntrain: { epochs: 2, batchSize: 8 }\nweights: { seed: 2 }\nexperiment: persistence\n';
      const out = await runSpec(source, { readFile, cellName: 'cell 1', models: new Map() });
      assert.ok(isComparison(out));
      assert.deepEqual(out.variants.map((v) => v.name), ['before training', 'after training']);
      const [before, after] = out.variants.map((v) => v.trace);
      assert.equal(before.training!.loss.length, 0);
      assert.equal(after.training!.loss.length, 4);
      for (const t of [before, after]) assert.equal(t.persistence!.secretAt, 0);
      assert.notDeepEqual(Array.from(before.persistence!.connectivity.data), Array.from(after.persistence!.connectivity.data));
    });
  });
});
