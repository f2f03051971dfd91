import assert from 'node:assert/strict';
import { parseSpec } from '../../../src/lab/spec/model-spec';
import { SpecError } from '../../../src/lab/spec/validate';

const CLASSIC = `model: lstm
units: 128
input:
  shape: [10, 64]
  random: { seed: 7 }
weights:
  seed: 1
`;

function specError(source: string): SpecError {
  try {
    parseSpec(source);
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected a SpecError, got ${(e as Error).stack}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('expected the spec to be refused');
}

describe('spec validation', () => {
  it('accepts the classic example and fills in the Keras defaults', () => {
    assert.deepEqual(parseSpec(CLASSIC), {
      model: 'lstm',
      units: 128,
      input: { shape: [10, 64], random: { seed: 7 } },
      weights: { seed: 1 },
      recurrentActivation: 'sigmoid',
      unitForgetBias: true,
      forgetBias: 0,
      show: [],
    });
  });

  it('defaults the weights to seed 0 and the input seed to 0', () => {
    const spec = parseSpec('model: lstm\nunits: 2\ninput: { shape: [3, 4], random: {} }\n');
    assert.ok(spec.model === 'lstm');
    assert.deepEqual(spec.weights, { seed: 0 });
    assert.deepEqual(spec.input.random, { seed: 0 });
  });

  it('takes the run\'s default seed for every seed the spec leaves out, and only those', () => {
    const spec = parseSpec('model: lstm\nunits: 2\ninput: { shape: [3, 4], random: {} }\n', { defaultSeed: 42 });
    assert.ok(spec.model === 'lstm');
    assert.deepEqual(spec.weights, { seed: 42 });
    assert.deepEqual(spec.input.random, { seed: 42 });
    const given = parseSpec('model: lstm\nunits: 2\ninput: { shape: [3, 4], random: { seed: 3 } }\nweights: { seed: 5 }\n', { defaultSeed: 42 });
    assert.ok(given.model === 'lstm');
    assert.deepEqual([given.weights, given.input.random], [{ seed: 5 }, { seed: 3 }]);
    const text = parseSpec('model: gru\nunits: 2\ninput: { text: "abc", features: 4 }\n', { defaultSeed: 9 });
    assert.ok(text.model === 'gru');
    assert.equal(text.input.seed, 9, 'the embedding table');
    const oneHot = parseSpec('model: gru\nunits: 2\ninput: { text: "abc" }\n', { defaultSeed: 9 });
    assert.ok(oneHot.model === 'gru');
    assert.equal(oneHot.input.seed, undefined, 'no embedding, no seed');
    const compare = parseSpec('model: compare\nbase: { model: lstm, units: 2, input: { shape: [3, 4], random: {} } }\nvariants:\n  - { name: a }\n  - { name: b, weights: { seed: 1 } }\n', { defaultSeed: 6 });
    assert.ok(compare.model === 'compare');
    assert.deepEqual(compare.variants.map((v) => (v.spec as { weights: unknown }).weights), [{ seed: 6 }, { seed: 1 }]);
  });

  it('rejects units below 1, naming the key, the expectation, the value and the line', () => {
    const e = specError(CLASSIC.replace('units: 128', 'units: 0'));
    assert.equal(e.message, 'units: expected an integer from 1 to 4096, got 0 (line 2)');
    assert.equal(e.key, 'units');
    assert.equal(e.line, 2);
  });

  it('rejects units that are not integers', () => {
    assert.match(specError(CLASSIC.replace('units: 128', 'units: 1.5')).message, /^units: expected an integer from 1 to 4096, got 1\.5/);
    assert.match(specError(CLASSIC.replace('units: 128', 'units: "many"')).message, /^units: .*got "many"/);
    assert.match(specError(CLASSIC.replace('units: 128', 'units: .nan')).message, /^units: .*got NaN/);
  });

  it('rejects an unknown key and suggests the closest one', () => {
    const e = specError(CLASSIC.replace('units: 128', 'unit: 128'));
    assert.match(e.message, /^unit: unknown key; expected one of model, units, input, weights, recurrentActivation, unitForgetBias, forgetGate, forgetBias, init, task, train, experiment, continual, show; did you mean "units"\? \(line 2\)$/);
  });

  it('rejects an unknown nested key with its full path', () => {
    assert.match(specError(CLASSIC.replace('seed: 1', 'sed: 1')).message, /^weights\.sed: unknown key.*did you mean "seed"/);
  });

  it('reports a missing required key', () => {
    assert.match(specError('model: lstm\ninput: { shape: [3, 4], random: {} }\n').message, /^units: required for model lstm \(line 1\)/);
    assert.match(specError('units: 3\n').message, /^model: required key is missing/);
  });

  it('requires exactly one input source', () => {
    assert.match(specError('model: lstm\nunits: 2\ninput: { shape: [3, 4] }\n').message, /^input: expected exactly one of "random", "file" or "text", got neither \(line 3\)/);
    assert.match(specError('model: lstm\nunits: 2\ninput: { shape: [3, 4], random: {}, file: x.json }\n').message, /got both "random" and "file"/);
  });

  it('requires a shape with random input', () => {
    assert.match(specError('model: lstm\nunits: 2\ninput: { random: { seed: 1 } }\n').message, /^input\.shape: required with input\.random/);
  });

  it('checks the shape has two or three positive integers', () => {
    assert.match(specError(CLASSIC.replace('[10, 64]', '[10]')).message, /^input\.shape: expected a list of 2 or 3 integers ≥ 1, got a list \(line 4\)/);
    assert.match(specError(CLASSIC.replace('[10, 64]', '[10, 0]')).message, /^input\.shape\[1\]: expected an integer ≥ 1, got 0/);
  });

  it('rejects an unknown model or activation with the allowed values', () => {
    assert.match(specError(CLASSIC.replace('model: lstm', 'model: lstn')).message, /^model: expected "lstm", "gru", "attention", "forgetting-attention" or "compare", got "lstn"; did you mean "lstm"\?/);
    assert.match(specError(`${CLASSIC}recurrentActivation: relu\n`).message, /^recurrentActivation: expected "sigmoid", "hardSigmoid" or "kerasHardSigmoid", got "relu"/);
  });

  it('rejects a non-boolean unitForgetBias', () => {
    assert.match(specError(`${CLASSIC}unitForgetBias: yes\n`).message, /^unitForgetBias: expected true or false, got "yes"/);
  });

  it('refuses a trace too large to hold before allocating it, with the estimated size', () => {
    const e = specError(CLASSIC.replace('[10, 64]', '[64, 100000, 64]').replace('units: 128', 'units: 1024'));
    assert.match(e.message, /^input\.shape: expected a trace under 1\.0 GB, got an estimated \d+\.\d GB/);
    assert.match(specError('model: attention\nkeyDim: 8\ninput: { shape: [5000, 4], random: {} }\n').message, /^input\.shape: expected at most 4096 steps for attention/);
  });

  it('reports YAML syntax errors with line and column', () => {
    assert.match(specError('model: lstm\nunits: [\n').message, /^YAML syntax error at line \d+, column \d+: /);
  });

  it('reports an empty cell and a cell that is not a mapping', () => {
    assert.match(specError('').message, /^spec: expected a YAML mapping starting with `model:`, got an empty cell/);
    assert.match(specError('- lstm\n').message, /^spec: expected a mapping of keys, got a list/);
  });

  it('accepts a GRU and attention specs with their defaults', () => {
    const gru = parseSpec('model: gru\nunits: 4\ninput: { shape: [3, 2], random: {} }\n');
    assert.ok(gru.model === 'gru' && gru.resetAfter === true && gru.recurrentActivation === 'sigmoid');
    const att = parseSpec('model: attention\nkeyDim: 8\ninput: { shape: [3, 2], random: {} }\n');
    assert.ok(att.model === 'attention' && att.heads === 1 && att.score === 'scaled-dot' && att.causal === false && att.prune === undefined);
    const fox = parseSpec('model: forgetting-attention\nheads: 2\nkeyDim: 4\nforgetBias: 3\nprune: {}\ninput: { text: "to be or not", tokens: words }\n');
    assert.ok(fox.model === 'forgetting-attention' && fox.forgetBias === 3 && fox.prune?.below === 0.05);
  });

  it('rejects keys that belong to another model, naming who uses them', () => {
    assert.match(specError(`${CLASSIC}heads: 2\n`).message, /^heads: not used by model lstm; it applies to attention, forgetting-attention \(line 8\)/);
    assert.match(specError('model: gru\nunits: 4\nunitForgetBias: false\ninput: { shape: [3, 2], random: {} }\n').message, /^unitForgetBias: not used by model gru; it applies to lstm \(line 3\)/);
    assert.match(specError('model: forgetting-attention\nkeyDim: 4\ncausal: false\ninput: { shape: [3, 2], random: {} }\n').message, /^causal: not used by model forgetting-attention; it applies to attention/);
  });

  it('validates the attention keys', () => {
    assert.match(specError('model: attention\nkeyDim: 4\nheads: 0\ninput: { shape: [3, 2], random: {} }\n').message, /^heads: expected an integer from 1 to 64, got 0 \(line 3\)/);
    assert.match(specError('model: attention\ninput: { shape: [3, 2], random: {} }\n').message, /^keyDim: required for model attention/);
    assert.match(specError('model: attention\nkeyDim: 4\nprune: { below: 1 }\ninput: { shape: [3, 2], random: {} }\n').message, /^prune\.below: expected a number ≥ 0 and < 1, got 1 \(line 3\)/);
    assert.match(specError('model: attention\nkeyDim: 4\nscore: cosine\ninput: { shape: [3, 2], random: {} }\n').message, /^score: expected "dot", "scaled-dot" or "additive", got "cosine"/);
  });

  it('checks text-input keys', () => {
    assert.match(specError('model: gru\nunits: 2\ninput: { text: "abc", shape: [3, 2] }\n').message, /^input\.shape: not used with input\.text/);
    assert.match(specError('model: gru\nunits: 2\ninput: { shape: [3, 2], random: {}, features: 4 }\n').message, /^input\.features: only used with input\.text/);
    assert.match(specError('model: gru\nunits: 2\ninput: { text: "" }\n').message, /^input\.text: expected some text/);
    assert.match(specError('model: gru\nunits: 2\ninput: { text: "abc", seed: 3 }\n').message, /^input\.seed: only used with input\.features/);
  });

  it('merges compare variants into the base, a variant input replacing the base\'s', () => {
    const spec = parseSpec(`model: compare
base:
  model: lstm
  units: 4
  input: { shape: [5, 2], random: { seed: 3 } }
variants:
  - name: no forget bias
    unitForgetBias: false
  - name: chrono
    init: { chrono: 20 }
  - name: gru
    model: gru
    input: { file: x.json }
`);
    assert.ok(spec.model === 'compare');
    assert.deepEqual(spec.variants.map((v) => v.name), ['no forget bias', 'chrono', 'gru']);
    const [a, b, c] = spec.variants.map((v) => v.spec);
    assert.ok(a.model === 'lstm' && a.unitForgetBias === false && a.units === 4);
    assert.ok(b.model === 'lstm' && b.init?.chrono === 20 && b.unitForgetBias === true);
    assert.ok(c.model === 'gru' && c.units === 4 && c.resetAfter === true);
    assert.deepEqual(c.input, { shape: [5, 2], file: 'x.json' });
  });

  it('names the variant and its line when a merged variant is wrong', () => {
    const e = specError('model: compare\nbase:\n  model: lstm\n  units: 4\n  input: { shape: [5, 2], random: {} }\nvariants:\n  - name: attention\n    model: attention\n');
    assert.match(e.message, /^variants\[0\] "attention": units: not used by model attention; it applies to lstm, gru \(line 4\)/);
    assert.match(specError('model: compare\nbase: { model: lstm, units: 2, input: { shape: [2, 2], random: {} } }\nvariants:\n  - name: a\n  - name: a\n').message, /^variants\[1\]\.name: expected a name not used by another variant, got "a"/);
    assert.match(specError('model: compare\nbase: { model: lstm, units: 2, input: { shape: [2, 2], random: {} } }\nvariants:\n  - unitForgetBias: false\n').message, /^variants\[0\]\.name: required key is missing/);
    assert.match(specError('model: compare\nunits: 3\nbase: { model: lstm, units: 2, input: { shape: [2, 2], random: {} } }\nvariants: [{ name: a }]\n').message, /^units: not used by model compare/);
  });

  it('rejects duplicate keys', () => {
    assert.match(specError('model: lstm\nmodel: lstm\n').message, /YAML syntax error.*unique/i);
  });
});
