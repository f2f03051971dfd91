import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModelFile, traceSpec } from '../../../src/lab';
import { setupLab } from './setup';

const ROOT = join(__dirname, '..', '..', '..', '..');
const read = (p: string): Uint8Array => readFileSync(join(ROOT, p));

describe('describing a model file for "Trace a Model…"', () => {
  before(setupLab);

  it('lists the layers of a TensorFlow.js model.json from its bytes alone, with a spec that runs', async () => {
    const d = await describeModelFile(read('media/samples/trained-lstm/model.json'), 'trained-lstm/model.json');
    assert.equal(d.formatName, 'TensorFlow.js LayersModel');
    assert.deepEqual(d.layers, [{ name: 'memory', className: 'LSTM', model: 'lstm', units: 8 }, { name: 'readout', className: 'Dense', units: 1 }]);
    assert.deepEqual(d.recurrent, ['memory']);
    assert.deepEqual(d.input, { kind: 'features', features: 2, time: 30 });
    assert.equal(d.suggestedSpec, '# TensorFlow.js LayersModel; recurrent layers: memory (LSTM, 8 units)\nweights: { file: trained-lstm/model.json }\ninput: { shape: [30, 2], random: { seed: 0 } }   # or file: your sequences (.json, .npy, .csv)\n');
    const trace = await traceSpec(d.suggestedSpec, { readFile: (p) => read(join('media/samples', p)) });
    assert.equal(trace.dims.units, 8);
  });

  it('describes Keras and PyTorch files: a stack from token ids, a state dict', async () => {
    const stack = await describeModelFile(read('test/fixtures/import/keras3-gru-stack.keras'), 'models/stack.keras');
    assert.deepEqual(stack.recurrent, ['gru', 'gru_1']);
    assert.deepEqual(stack.input, { kind: 'ids', vocabulary: 12 });
    assert.match(stack.suggestedSpec, /^weights: \{ file: models\/stack\.keras, layer: "gru" \}   # or layer: all/m);
    const run = await traceSpec(stack.suggestedSpec, { readFile: (p) => read(join('test/fixtures/import', p.replace('models/stack.keras', 'keras3-gru-stack.keras'))) });
    assert.equal(run.dims.time, 8);
    const torch = await describeModelFile(read('test/fixtures/import/torch-lstm2.safetensors'), 'my model.safetensors');
    assert.equal(torch.format, 'pytorch');
    assert.deepEqual(torch.recurrent, ['rnn.l0', 'rnn.l1']);
    assert.deepEqual(torch.input, { kind: 'features', features: 3 });
    assert.match(torch.suggestedSpec, /weights: \{ file: "my model\.safetensors", layer: "rnn\.l0" \}/);
    const h5 = await describeModelFile(read('test/fixtures/import/keras2-dense-gru.h5'), 'm.h5');
    assert.deepEqual(h5.layers.map((l) => l.className), ['InputLayer', 'Dense', 'GRU']);
  });

  it('refuses bytes that are no model file with the run\'s message', async () => {
    await assert.rejects(describeModelFile(new TextEncoder().encode('hello'), 'x.json'), /^SpecError: weights\.file: "x\.json" is not a model file the lab reads/);
  });
});
