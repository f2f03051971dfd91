import assert from 'node:assert/strict';
import { embeddedReber, generateTask, REBER_SYMBOLS, type TaskSpec } from '../../../src/lab/tasks';
import { createRandom } from '../../../src/lab/rng';

const base: TaskSpec = { name: 'reber', length: 60, lag: 10, symbols: 3, trainSize: 4, testSize: 1, seed: 3 };

/** The embedded Reber grammar as a regular expression (Hochreiter & Schmidhuber 1997, fig. 3), written independently of the generator. */
const INNER = '(?:B(?:TS*X(?:X(?:T*VPX)*T*V(?:PS|V)|S)|P(?:T*VPX)*T*V(?:PS|V))E)';
const EMBEDDED = new RegExp(`^(?:BT${INNER}TE|BP${INNER}PE)$`);

/** Decodes one-hot rows of `[n][time][C]` into symbol strings per sequence. */
function decode(data: Float32Array, n: number, time: number, C: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let b = 0; b < n; b++) {
    let s = '';
    for (let t = 0; t < time; t++) {
      const row = Array.from(data.subarray((b * time + t) * C, (b * time + t + 1) * C));
      assert.equal(row.filter((v) => v === 1).length, 1, `one-hot row at ${b}, ${t}`);
      s += names[row.indexOf(1)];
    }
    out.push(s);
  }
  return out;
}

describe('tasks', () => {
  it('generates embedded Reber strings the grammar accepts', () => {
    const random = createRandom(11);
    for (let i = 0; i < 200; i++) {
      const s = embeddedReber(random).map((step) => step.symbol).join('');
      assert.match(s, EMBEDDED, s);
    }
  });

  it('accepts known embedded Reber strings and rejects a wrong repetition (the checker itself)', () => {
    assert.match('BTBTXSETE', EMBEDDED);
    assert.match('BPBPVVEPE', EMBEDDED);
    assert.match('BTBTSSXXTVVETE', EMBEDDED);
    assert.doesNotMatch('BTBTXSEPE', EMBEDDED);
  });

  it('makes a continual Reber stream whose targets are the next inputs and are always legal', () => {
    const task = generateTask(base);
    const { n, time, outputs: C } = task.train;
    const inputs = decode(task.train.inputs, n, time, C, REBER_SYMBOLS);
    const targets = decode(task.train.targets, n, time, C, REBER_SYMBOLS);
    for (let b = 0; b < n; b++) {
      assert.equal(targets[b].slice(0, -1), inputs[b].slice(1));
      // The stream is whole strings back to back: every full string matches the grammar.
      const strings = (inputs[b] + targets[b].slice(-1)).match(/B[TP]B.*?E[TP]E/g) ?? [];
      assert.ok(strings.length >= 3);
      for (const s of strings) assert.match(s, EMBEDDED);
      for (let t = 0; t < time; t++) {
        const at = b * time + t;
        const target = REBER_SYMBOLS.indexOf(targets[b][t] as never);
        assert.equal(task.train.legal![at * C + target], 1, `target ${targets[b][t]} legal at ${t}`);
        // An outer step reads the inner E and predicts the first outer symbol again.
        if (task.train.outer![at] === 1) {
          assert.equal(inputs[b][t], 'E');
          const first = inputs[b].lastIndexOf('B', inputs[b].lastIndexOf('B', t) - 1);
          assert.equal(targets[b][t], inputs[b][first + 1]);
        }
      }
    }
    assert.equal(task.test.time, 600);
    assert.ok(task.lag > 5 && task.lag < 20, `lag ${task.lag}`);
  });

  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(generateTask(base).train.inputs, generateTask(base).train.inputs);
    assert.notDeepEqual(generateTask(base).train.inputs, generateTask({ ...base, seed: 4 }).train.inputs);
    assert.notDeepEqual(generateTask(base).train.inputs.subarray(0, 60 * 7), generateTask(base).test.inputs.subarray(0, 60 * 7));
  });

  it('copies k symbols after the delay and scores only the reproduction', () => {
    const task = generateTask({ ...base, name: 'copy', symbols: 3, lag: 5, trainSize: 2 });
    const { time, features: F, outputs: C } = task.train;
    assert.equal(time, 11);
    assert.equal(task.lag, 8);
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 3; i++) {
        const shown = Array.from(task.train.inputs.subarray((b * time + i) * F, (b * time + i + 1) * F)).indexOf(1);
        const wanted = Array.from(task.train.targets.subarray((b * time + 8 + i) * C, (b * time + 8 + i + 1) * C)).indexOf(1);
        assert.equal(wanted, shown);
        assert.ok(shown < 8);
      }
      assert.equal(task.train.inputs[(b * time + 7) * F + 9], 1, 'go flag on the last blank');
      assert.deepEqual(Array.from(task.train.mask.subarray(b * time, (b + 1) * time)), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    }
  });

  it('sums the two marked values of the adding problem, one in each half', () => {
    const task = generateTask({ ...base, name: 'adding', length: 20, trainSize: 5 });
    const T = 20;
    for (let b = 0; b < 5; b++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) if (task.train.inputs[(b * T + t) * 2 + 1] === 1) marked.push(t);
      assert.equal(marked.length, 2);
      assert.ok(marked[0] < 10 && marked[1] >= 10);
      const sum = marked.reduce((s, t) => s + task.train.inputs[(b * T + t) * 2], 0);
      assert.ok(Math.abs(task.train.targets[b * T + T - 1] - sum) < 1e-6);
      assert.equal(task.train.mask[b * T + T - 1], 1);
      assert.equal(task.train.mask.subarray(b * T, b * T + T - 1).reduce((a, v) => a + v, 0), 0);
    }
    assert.equal(task.kind, 'regression');
  });

  it('asks for the value stored with the key exactly lag steps later', () => {
    const task = generateTask({ ...base, name: 'recall', length: 12, lag: 7, symbols: 4, trainSize: 6 });
    const { time: T, features: F } = task.train;
    for (let b = 0; b < 6; b++) {
      const query = Array.from(task.train.mask.subarray(b * T, (b + 1) * T)).indexOf(1);
      const row = (t: number) => Array.from(task.train.inputs.subarray((b * T + t) * F, (b * T + t + 1) * F));
      const key = row(query).indexOf(1);
      assert.equal(row(query)[F - 1], 1, 'query flag');
      const stored = row(query - 7);
      assert.equal(stored[key], 1, 'the key was shown lag steps before');
      const value = stored.slice(4, 12).indexOf(1);
      assert.equal(task.train.targets[(b * T + query) * 8 + value], 1);
      for (let t = 0; t < T; t++) if (t !== query - 7 && t !== query) assert.equal(row(t)[key], 0, 'distractors use other keys');
    }
    assert.equal(task.lag, 7);
  });

  it('rejects a recall lag as long as the sequence', () => {
    assert.throws(() => generateTask({ ...base, name: 'recall', length: 5, lag: 5 }), /task\.lag: expected fewer steps than task\.length \(5\) for recall, got 5/);
  });
});
