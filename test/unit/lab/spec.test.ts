import assert from 'node:assert/strict';
import { parseLstmSpec } from '../../../src/lab/spec/lstm-spec';
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
    parseLstmSpec(source);
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected a SpecError, got ${(e as Error).stack}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('expected the spec to be refused');
}

describe('spec validation', () => {
  it('accepts the classic example and fills in the Keras defaults', () => {
    assert.deepEqual(parseLstmSpec(CLASSIC), {
      model: 'lstm',
      units: 128,
      input: { shape: [10, 64], random: { seed: 7 } },
      weights: { seed: 1 },
      recurrentActivation: 'sigmoid',
      unitForgetBias: true,
    });
  });

  it('defaults the weights to seed 0 and the input seed to 0', () => {
    const spec = parseLstmSpec('model: lstm\nunits: 2\ninput: { shape: [3, 4], random: {} }\n');
    assert.deepEqual(spec.weights, { seed: 0 });
    assert.deepEqual(spec.input.random, { seed: 0 });
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
    assert.match(e.message, /^unit: unknown key; expected one of model, units, input, weights, recurrentActivation, unitForgetBias; did you mean "units"\? \(line 2\)$/);
  });

  it('rejects an unknown nested key with its full path', () => {
    assert.match(specError(CLASSIC.replace('seed: 1', 'sed: 1')).message, /^weights\.sed: unknown key.*did you mean "seed"/);
  });

  it('reports a missing required key', () => {
    assert.match(specError('model: lstm\ninput: { shape: [3, 4], random: {} }\n').message, /^units: required key is missing/);
  });

  it('requires exactly one input source', () => {
    assert.match(specError('model: lstm\nunits: 2\ninput: { shape: [3, 4] }\n').message, /^input: expected exactly one of "random" or "file", got neither \(line 3\)/);
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
    assert.match(specError(CLASSIC.replace('model: lstm', 'model: lstn')).message, /^model: expected "lstm", got "lstn"; did you mean "lstm"\?/);
    assert.match(specError(`${CLASSIC}recurrentActivation: relu\n`).message, /^recurrentActivation: expected "sigmoid" or "hardSigmoid", got "relu"/);
  });

  it('rejects a non-boolean unitForgetBias', () => {
    assert.match(specError(`${CLASSIC}unitForgetBias: yes\n`).message, /^unitForgetBias: expected true or false, got "yes"/);
  });

  it('refuses a trace too large to hold before allocating it, with the estimated size', () => {
    const e = specError(CLASSIC.replace('[10, 64]', '[64, 100000, 64]').replace('units: 128', 'units: 1024'));
    assert.match(e.message, /^input\.shape: expected a trace under 1\.0 GB, got an estimated \d+\.\d GB/);
  });

  it('reports YAML syntax errors with line and column', () => {
    assert.match(specError('model: lstm\nunits: [\n').message, /^YAML syntax error at line \d+, column \d+: /);
  });

  it('reports an empty cell and a cell that is not a mapping', () => {
    assert.match(specError('').message, /^spec: expected a YAML mapping starting with `model:`, got an empty cell/);
    assert.match(specError('- lstm\n').message, /^spec: expected a mapping of keys, got a list/);
  });

  it('rejects duplicate keys', () => {
    assert.match(specError('model: lstm\nmodel: lstm\n').message, /YAML syntax error.*unique/i);
  });
});
