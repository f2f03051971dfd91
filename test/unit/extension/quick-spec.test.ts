import assert from 'node:assert/strict';
import type { ObjectNode } from '../../../src/lab/spec/schema';
import { SPEC_SCHEMA } from '../../../src/lab/spec/schema';
import { askedKeys, integerProblem, parseShape, quickSpec, traceableModels } from '../../../src/extension/quick-spec';
import { validateSpecSource } from '../../../src/extension/spec-check';

const TOY = {
  type: 'object',
  doc: 'toy',
  required: ['model'],
  properties: {
    model: { type: 'enum', values: ['a', 'b', 'c'], doc: 'Which.', valueDocs: { a: 'The first.' } },
    units: { type: 'integer', minimum: 1, maximum: 64, requiredFor: ['a'], doc: 'Units.' },
    keyDim: { type: 'integer', minimum: 1, requiredFor: ['b'], doc: 'Key size.' },
    base: { type: 'object', requiredFor: ['c'], doc: 'Base.', properties: {} },
    input: { type: 'object', doc: 'Input.', properties: { shape: { type: 'shape', minItems: 2, maxItems: 3, item: { type: 'integer', minimum: 1, doc: 'd' }, doc: 's' } } },
  },
} as unknown as ObjectNode;

describe('quick trace questions', () => {
  it('offers the models whose required keys are all integers', () => {
    assert.deepEqual(traceableModels(TOY), [{ model: 'a', doc: 'The first.' }, { model: 'b', doc: '' }]);
  });

  it('asks for the integer keys a model requires, with suggestions', () => {
    assert.deepEqual(askedKeys(TOY, 'a').map((k) => [k.name, k.value]), [['units', 128]]);
    assert.deepEqual(askedKeys(TOY, 'b').map((k) => [k.name, k.value]), [['keyDim', 16]]);
  });

  it('checks a typed integer against the key\'s bounds', () => {
    const [units] = askedKeys(TOY, 'a');
    assert.equal(integerProblem(units, '8'), undefined);
    assert.equal(integerProblem(units, '0'), 'units: expected an integer from 1 to 64, got "0"');
    assert.equal(integerProblem(units, 'many'), 'units: expected an integer from 1 to 64, got "many"');
    assert.equal(integerProblem(units, ''), 'units: expected an integer from 1 to 64, got nothing');
  });

  it('reads a shape written with commas, spaces or brackets', () => {
    assert.deepEqual(parseShape(TOY, '10, 64'), [10, 64]);
    assert.deepEqual(parseShape(TOY, '[2, 10, 64]'), [2, 10, 64]);
    assert.deepEqual(parseShape(TOY, '10 x 64'), [10, 64]);
    assert.equal(parseShape(TOY, '10'), 'input.shape: expected 2 or 3 integers ≥ 1 ([time, features] or [batch, time, features]), got "10"');
    assert.match(String(parseShape(TOY, '10, 0')), /got "10, 0"$/);
  });

  it('writes a spec the run accepts for every traceable model of the lab', () => {
    const models = traceableModels(SPEC_SCHEMA);
    assert.ok(models.some((m) => m.model === 'lstm'));
    for (const { model } of models) {
      const values = Object.fromEntries(askedKeys(SPEC_SCHEMA, model).map((k) => [k.name, k.value]));
      const source = quickSpec(model, values, [10, 64]);
      assert.doesNotThrow(() => validateSpecSource(source), source);
    }
  });
});
