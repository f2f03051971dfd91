import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSpec, traceSpec } from '../../../src/lab';
import type { Trace } from '../../../src/shared/trace';
import { isComparison } from '../../../src/shared/trace';
import { maxAbsDiff, setupLab } from './setup';

/** Fixtures written by test/fixtures/import/make_fixtures.py (h5py, NumPy, PyTorch). */
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'import');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, unknown>;

const extra: Record<string, string | Uint8Array> = {
  'x.json': JSON.stringify(expected.x),
  'x1.json': JSON.stringify((expected.x as number[][][])[0]),
  'vocab.json': JSON.stringify(['<pad>', 'the', 'cat', 'sat', 'on', 'a', 'mat', '[UNK]', 'dog', 'ran', 'far', 'away']),
};
const readFile = (p: string): Uint8Array => {
  if (p in extra) {
    const v = extra[p];
    return typeof v === 'string' ? new TextEncoder().encode(v) : v;
  }
  return readFileSync(join(FIXTURES, p));
};

const flat = (v: unknown): number[] => (v as number[]).flat(3) as number[];

async function failure(source: string): Promise<Error> {
  try {
    await runSpec(source, { readFile });
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the run to fail');
}

describe('importing Keras and PyTorch files', () => {
  before(setupLab);

  it('traces the LSTM of a Keras 3 .keras file as the Keras formulas compute it, with model and units from the file', async () => {
    const trace = await traceSpec('weights: { file: keras3-lstm.keras }\ninput: { file: x.json }\n', { readFile });
    assert.equal(trace.model, 'lstm');
    assert.deepEqual(trace.dims, { batch: 2, time: 6, units: 4, features: 3 });
    assert.ok(maxAbsDiff(trace.series.hidden.data, flat(expected['keras3-lstm'])) < 1e-5);
    const spec = trace.spec as { units: number; recurrentActivation: string; unitForgetBias: boolean; weights: { layer: string } };
    assert.deepEqual([spec.units, spec.recurrentActivation, spec.unitForgetBias, spec.weights.layer], [4, 'sigmoid', true, 'lstm']);
  });

  it('traces a Keras 3 stack from token ids: Embedding, GRU (reset_after), GRU (Keras 3 hard_sigmoid), one trace per layer', async () => {
    const out = await runSpec(`weights: { file: keras3-gru-stack.keras, layer: all }\ninput: { text: "${(expected.ids as number[]).join(' ')}", tokens: ids }\n`, { readFile });
    assert.ok(isComparison(out));
    assert.deepEqual(out.variants.map((v) => v.name), ['gru', 'gru_1']);
    const [a, b] = out.variants.map((v) => v.trace);
    const want = expected['keras3-gru-stack'] as Record<string, unknown>;
    assert.ok(maxAbsDiff(a.series.hidden.data, flat(want.gru)) < 1e-5);
    assert.ok(maxAbsDiff(b.series.hidden.data, flat(want.gru_1)) < 1e-5);
    assert.equal((b.spec as { recurrentActivation: string }).recurrentActivation, 'kerasHardSigmoid');
    assert.deepEqual(a.labels, ['3', '1', '4', '1', '5', '9', '2', '6']);
    assert.equal(a.dims.features, 3);
    assert.equal(b.dims.features, 5);
  });

  it('picks one layer of a stack by name or by index, feeding it the layers before', async () => {
    const ids = (expected.ids as number[]).join(', ');
    const byName = await traceSpec(`weights: { file: keras3-gru-stack.keras, layer: gru_1 }\ninput: { text: "${ids}", tokens: ids }\n`, { readFile });
    const byIndex = await traceSpec(`model: gru\nweights: { file: keras3-gru-stack.keras, layer: 1 }\ninput: { text: "${ids}", tokens: ids }\n`, { readFile });
    const want = flat((expected['keras3-gru-stack'] as Record<string, unknown>).gru_1);
    assert.ok(maxAbsDiff(byName.series.hidden.data, want) < 1e-5);
    assert.deepEqual(byIndex.series.hidden.data, byName.series.hidden.data);
  });

  it('maps text to ids through a vocabulary, labelling the steps with the tokens', async () => {
    const trace = await traceSpec('weights: { file: keras3-gru-stack.keras }\ninput: { text: "the cat sat on a zebra", tokens: words, vocabulary: vocab.json }\n', { readFile });
    assert.deepEqual(trace.labels, ['the', 'cat', 'sat', 'on', 'a', 'zebra']);
    assert.equal(trace.dims.time, 6);
  });

  it('runs the Dense layer of a legacy Keras 2 .h5 first, with Keras 2\'s hard_sigmoid (0.2x + 0.5)', async () => {
    const trace = await traceSpec('weights: { file: keras2-dense-gru.h5 }\ninput: { file: x.json }\n', { readFile });
    assert.equal(trace.model, 'gru');
    assert.equal((trace.spec as { recurrentActivation: string; resetAfter: boolean }).recurrentActivation, 'hardSigmoid');
    assert.equal((trace.spec as { resetAfter: boolean }).resetAfter, true);
    assert.ok(maxAbsDiff(trace.series.hidden.data, flat(expected['keras2-dense-gru'])) < 1e-5);
  });

  it('reads a Keras 2 save_weights file, telling the LSTM from its shapes', async () => {
    const trace = await traceSpec('weights: { file: keras2-weights-only.h5 }\ninput: { file: x.json }\n', { readFile });
    assert.equal(trace.model, 'lstm');
    assert.ok(maxAbsDiff(trace.series.hidden.data, flat(expected['keras2-weights-only'])) < 1e-5);
  });

  it('equals torch.nn.LSTM (two layers, in a module) from .safetensors, per layer', async () => {
    const want = expected['torch-lstm2'] as Record<string, unknown>;
    const l0 = await traceSpec('weights: { file: torch-lstm2.safetensors }\ninput: { file: x.json }\n', { readFile });
    assert.ok(maxAbsDiff(l0.series.hidden.data, flat(want.l0)) < 1e-5);
    const out = await runSpec('model: lstm\nweights: { file: torch-lstm2.safetensors, layer: all }\ninput: { file: x.json }\n', { readFile });
    assert.ok(isComparison(out));
    assert.deepEqual(out.variants.map((v) => v.name), ['rnn.l0', 'rnn.l1']);
    assert.ok(maxAbsDiff(out.variants[1].trace.series.hidden.data, flat(want.l1)) < 1e-5);
    const l1 = await traceSpec('weights: { file: torch-lstm2.safetensors, layer: 1, layout: pytorch }\ninput: { file: x.json }\n', { readFile });
    assert.deepEqual(l1.series.hidden.data, out.variants[1].trace.series.hidden.data);
  });

  it('equals torch.nn.GRU from a JSON state dict: gates r, z, n reordered to z, r, h, resetAfter true', async () => {
    const trace = await traceSpec('weights: { file: torch-gru.json }\ninput: { file: x.json }\n', { readFile });
    assert.equal(trace.model, 'gru');
    assert.equal((trace.spec as { resetAfter: boolean }).resetAfter, true);
    assert.ok(maxAbsDiff(trace.series.hidden.data, flat(expected['torch-gru'])) < 1e-5);
  });

  it('compares a trained model with an untrained twin: a variant with weights.seed drops the base\'s file and layer', async () => {
    const out = await runSpec('model: compare\nbase:\n  weights: { file: keras3-lstm.keras, layer: lstm }\n  input: { file: x.json }\nvariants:\n  - name: trained\n  - name: untrained\n    model: lstm\n    units: 4\n    weights: { seed: 1 }\n', { readFile });
    assert.ok(isComparison(out));
    const [trained, untrained] = out.variants.map((v) => v.trace);
    assert.ok(maxAbsDiff(trained.series.hidden.data, flat(expected['keras3-lstm'])) < 1e-5);
    assert.deepEqual((untrained.spec as { weights: unknown }).weights, { seed: 1 });
  });

  it('says which spec key contradicts the file, with its line', async () => {
    assert.equal((await failure('model: lstm\nweights: { file: torch-gru.json }\ninput: { file: x.json }\n')).message, 'model: the traced layer "l0" of "torch-gru.json" is a GRU, got lstm (line 1)');
    assert.equal((await failure('units: 7\nweights: { file: keras3-lstm.keras }\ninput: { file: x.json }\n')).message, 'units: layer "lstm" of "keras3-lstm.keras" has 4 units, got 7 (line 1)');
    assert.match((await failure('weights: { file: keras2-dense-gru.h5 }\nresetAfter: false\ninput: { file: x.json }\n')).message, /^resetAfter: layer "gru" of "keras2-dense-gru\.h5" has resetAfter true, got false; leave resetAfter out to take the file's \(line 2\)$/);
    assert.match((await failure('weights: { file: keras3-lstm.keras }\nforgetBias: 1\ninput: { file: x.json }\n')).message, /^forgetBias: only for generated weights/);
    assert.match((await failure('weights: { file: torch-gru.json }\nunitForgetBias: true\ninput: { file: x.json }\n')).message, /^unitForgetBias: not used by model gru; it applies to lstm \(line 2\)$/);
  });

  it('lists the recurrent layers when the named one does not exist or is not recurrent', async () => {
    assert.equal((await failure('weights: { file: keras3-gru-stack.keras, layer: gru2 }\ninput: { text: "1 2", tokens: ids }\n')).message,
      'weights.layer: expected a recurrent layer of "keras3-gru-stack.keras" ("gru", "gru_1"), an index or all, got "gru2"; did you mean "gru"? (line 1)');
    assert.match((await failure('weights: { file: keras3-gru-stack.keras, layer: embedding }\ninput: { text: "1 2", tokens: ids }\n')).message, /^weights\.layer: "embedding" is an Embedding layer; the lab traces LSTM and GRU layers: "gru", "gru_1"/);
    assert.match((await failure('weights: { file: torch-gru.json, layer: 3 }\ninput: { file: x.json }\n')).message, /^weights\.layer: expected an index below 1/);
  });

  it('checks token ids and the input width against the model', async () => {
    assert.match((await failure('weights: { file: keras3-gru-stack.keras }\ninput: { text: "1 12", tokens: ids }\n')).message, /^input\.text: token id 12 at position 1 is outside the Embedding's ids 0…11 \(layer "embedding"\)/);
    assert.match((await failure('weights: { file: keras3-gru-stack.keras }\ninput: { text: "the cat" }\n')).message, /^input\.vocabulary: required with input\.text: the model of "keras3-gru-stack\.keras" starts with an Embedding/);
    assert.match((await failure('weights: { file: keras3-gru-stack.keras }\ninput: { shape: [4, 3], random: {} }\n')).message, /^input\.random: the model of/);
    assert.match((await failure('weights: { file: keras3-lstm.keras }\ninput: { shape: [4, 5], random: {} }\n')).message, /^input: the model of "keras3-lstm\.keras" takes 3 features per step \(layer "lstm"\), got 5/);
    assert.match((await failure('weights: { file: keras3-lstm.keras }\ninput: { text: "1 2", tokens: ids }\n')).message, /^input\.tokens: ids are only for a model that starts with an Embedding layer/);
  });

  it('refuses a float16 HDF5 weight, naming the dataset', async () => {
    assert.match((await failure('weights: { file: keras2-float16.h5 }\ninput: { file: x.json }\n')).message, /^weights\.file: "keras2-float16\.h5" dataset "\/model_weights\/lstm\/lstm\/lstm_cell\/kernel:0" holds float16 values; expected float32 or float64$/);
  });
});

describe('bad model files', () => {
  before(setupLab);
  const bad: Record<string, Uint8Array> = {};
  const put = (name: string, bytes: Uint8Array | string): void => {
    bad[name] = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  };
  const readBad = (p: string): Uint8Array => {
    if (p in bad) return bad[p];
    return readFile(p);
  };
  const fail = async (file: string, input = 'input: { file: x.json }'): Promise<string> => {
    try {
      await runSpec(`weights: { file: ${file} }\n${input}\n`, { readFile: readBad });
    } catch (e) {
      return (e as Error).message;
    }
    return assert.fail('expected an error');
  };
  const safetensors = (header: object, data: Uint8Array): Uint8Array => {
    const text = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setUint32(0, text.length, true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  };

  before(() => {
    put('png.h5', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    put('empty.keras', new Uint8Array(0));
    put('zip.keras', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7]));
    put('hdf5.h5', new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    put('dense.json', JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 2, batch_input_shape: [null, 3] } }] } }, weightsManifest: [] }));
    put('short.json', JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 1, batch_input_shape: [null, 2, 1] } }] } }, weightsManifest: [{ paths: ['short.bin'], weights: [{ name: 'lstm/kernel', shape: [1, 4], dtype: 'float32' }, { name: 'lstm/recurrent_kernel', shape: [1, 4], dtype: 'float32' }, { name: 'lstm/bias', shape: [4], dtype: 'float32' }] }] }));
    put('short.bin', new Uint8Array(20));
    put('missing.json', JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: ['nowhere.bin'], weights: [] }] }));
    put('int.json', JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: ['short.bin'], weights: [{ name: 'w', shape: [1], dtype: 'int32' }] }] }));
    put('f16.safetensors', safetensors({ weight_ih_l0: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, new Uint8Array(8)));
    put('cut.safetensors', safetensors({ weight_ih_l0: { dtype: 'F32', shape: [8, 1], data_offsets: [0, 32] } }, new Uint8Array(16)));
    put('rnn.json', JSON.stringify({ weight_ih_l0: [[1], [2]], weight_hh_l0: [[1, 2], [3, 4]] }));
    put('shapes.json', JSON.stringify({ weight_ih_l0: [[1], [2], [3], [4]], weight_hh_l0: [[1], [2], [3], [4]], bias_ih_l0: [1, 2] }));
    put('text.json', 'not json at all');
    put('list.json', '[1, 2]');
  });

  it('gives one clear error for each kind of bad file', async () => {
    assert.match(await fail('nowhere.json'), /^weights\.file: cannot read "nowhere\.json": /);
    assert.match(await fail('png.h5'), /^weights\.file: "png\.h5" is not a model file the lab reads: expected JSON .*; it starts with bytes 89 50 4e 47/);
    assert.match(await fail('empty.keras'), /it starts with bytes \(none: the file is empty\)$/);
    assert.match(await fail('zip.keras'), /^weights\.file: "zip\.keras" is not a readable zip file/);
    assert.match(await fail('hdf5.h5'), /^weights\.file: "hdf5\.h5" is not an HDF5 file h5wasm can open/);
    assert.match(await fail('text.json'), /^weights\.file: "text\.json" is not a model file the lab reads/);
    assert.match(await fail('list.json'), /^weights\.file: "list\.json" is not a model file the lab reads/);
    assert.equal(await fail('dense.json'), 'weights.file: "dense.json" has no LSTM or GRU layer to trace; its layers: "dense" (Dense)');
    assert.match(await fail('short.json', 'input: { shape: [2, 1], random: {} }'), /^weights\.file: "short\.json" weightsManifest\[0\]: its shards \(short\.bin\) hold 20 bytes, the weights need 48; a shard is missing or short$/);
    assert.match(await fail('missing.json'), /^weights\.file: "missing\.json" names weight shard "nowhere\.bin", which cannot be read/);
    assert.match(await fail('int.json'), /^weights\.file: "int\.json" weight "w" has dtype int32; expected float32 or float64$/);
    assert.match(await fail('f16.safetensors'), /^weights\.file: "f16\.safetensors" tensor "weight_ih_l0" has dtype F16; expected F32 or F64/);
    assert.equal(await fail('cut.safetensors'), 'weights.file: "cut.safetensors" is truncated: tensor "weight_ih_l0" ends at byte 32 of the data, which has 16');
    assert.match(await fail('rnn.json'), /1 gate blocks; expected 4 \(nn\.LSTM\) or 3 \(nn\.GRU\)/);
    assert.match(await fail('shapes.json'), /^weights\.file: "shapes\.json" tensor "bias_ih_l0" has shape \[2\], expected \[4\]$/);
  });

  it('checks the weights of a layer against its units', async () => {
    put('units.json', JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 2, batch_input_shape: [null, 2, 1] } }] } }, weightsManifest: [{ paths: ['zeros.bin'], weights: [{ name: 'lstm/kernel', shape: [1, 4], dtype: 'float32' }, { name: 'lstm/recurrent_kernel', shape: [1, 4], dtype: 'float32' }, { name: 'lstm/bias', shape: [4], dtype: 'float32' }] }] }));
    put('zeros.bin', new Uint8Array(48));
    assert.equal(await fail('units.json', 'input: { shape: [2, 1], random: {} }'), 'weights.file: "units.json" layer "lstm" (LSTM, 2 units) has a kernel of shape [1, 4], expected [1, 8]');
  });

  it('refuses layer: all inside a comparison and weights.layer without a file', async () => {
    const e = await failure('model: compare\nbase: { weights: { file: torch-lstm2.safetensors, layer: all }, input: { file: x.json } }\nvariants: [{ name: a }]\n');
    assert.match(e.message, /^variants\[0\] "a": weights\.layer: all traces a stack/);
    assert.match((await failure('model: lstm\nunits: 2\nweights: { seed: 1, layer: 0 }\ninput: { file: x.json }\n')).message, /^weights\.layer: only used with weights\.file \(line 3\)$/);
  });
});

export type { Trace };
