import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { runSpec, traceSpec } from '../../../src/lab';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { isComparison } from '../../../src/shared/trace';
import { maxAbsDiff, setupLab } from './setup';

type Files = Record<string, Uint8Array>;

/**
 * Saves a model with TensorFlow.js itself (`tf.io.withSaveHandler`) and lays it out as
 * `tf.io` writes it to disk: `dir/model.json` and the weight data cut into `shards` files.
 */
async function saveWithTfjs(model: tf.LayersModel, dir: string, shards = 2): Promise<Files> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('tfjs saved no weights');
  const parts = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    data.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  const files: Files = {};
  const paths: string[] = [];
  const size = Math.ceil(data.length / shards);
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    paths.push(name);
    files[`${dir}/${name}`] = data.slice(i * size, (i + 1) * size);
  }
  const json = { format: 'layers-model', generatedBy: artifacts.generatedBy, convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths, weights: artifacts.weightSpecs }] };
  files[`${dir}/model.json`] = new TextEncoder().encode(JSON.stringify(json));
  return files;
}

/** The output of `model.layers[index]`, computed by TensorFlow.js's own predict. */
function layerOutput(model: tf.LayersModel, index: number, x: tf.Tensor): Float32Array {
  const sub = tf.model({ inputs: model.inputs, outputs: model.layers[index].output as tf.SymbolicTensor });
  return tf.tidy(() => (sub.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function randomInput(seed: number, shape: [number, number, number]): { tensor: tf.Tensor3D; json: string } {
  const data = normalArray(createRandom(seed), shape[0] * shape[1] * shape[2]);
  const tensor = tf.tensor3d(data, shape);
  return { tensor, json: JSON.stringify(tensor.arraySync()) };
}

describe('importing TensorFlow.js LayersModels', () => {
  const files: Files = {};
  // Layer names are unique and models are disposed: TensorFlow.js registers variables by name in one engine for all suites.
  const models: tf.LayersModel[] = [];
  after(() => models.forEach((m) => m.dispose()));
  const readFile = (p: string): Uint8Array => {
    if (!(p in files)) throw new Error(`no such file (${p})`);
    return files[p];
  };
  before(setupLab);

  it('traces a trained LSTM saved by tfjs exactly as its own predict computes the layer (1e-5), from two shards', async () => {
    const model = tf.sequential();
    models.push(model);
    model.add(tf.layers.lstm({ name: 'imported_lstm', units: 6, inputShape: [8, 3], returnSequences: true }));
    model.add(tf.layers.dense({ name: 'imported_head', units: 1 }));
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const train = randomInput(11, [16, 8, 3]);
    await model.fit(train.tensor, tf.sum(train.tensor, 2, true), { epochs: 3, verbose: 0 });
    Object.assign(files, await saveWithTfjs(model, 'lstm', 2));
    const x = randomInput(5, [2, 8, 3]);
    files['x.json'] = new TextEncoder().encode(x.json);
    const trace = await traceSpec('weights: { file: lstm/model.json }\ninput: { file: x.json }\n', { readFile });
    assert.equal(trace.model, 'lstm');
    assert.deepEqual(trace.dims, { batch: 2, time: 8, units: 6, features: 3 });
    // tfjs's LSTM defaults: hard sigmoid gates (0.2x + 0.5) and no unit forget bias.
    const spec = trace.spec as { recurrentActivation: string; unitForgetBias: boolean; units: number };
    assert.deepEqual([spec.recurrentActivation, spec.unitForgetBias, spec.units], ['hardSigmoid', false, 6]);
    assert.ok(maxAbsDiff(trace.series.hidden.data, layerOutput(model, 0, x.tensor)) < 1e-5);
  });

  it('accepts a spec that says what the file says, and refuses one that does not', async () => {
    const ok = await traceSpec('model: lstm\nunits: 6\nrecurrentActivation: hardSigmoid\nweights: { file: lstm/model.json }\ninput: { file: x.json }\n', { readFile });
    assert.equal(ok.dims.units, 6);
    await assert.rejects(traceSpec('model: lstm\nunits: 6\nrecurrentActivation: sigmoid\nweights: { file: lstm/model.json }\ninput: { file: x.json }\n', { readFile }),
      /^SpecError: recurrentActivation: layer "imported_lstm" of "lstm\/model\.json" has recurrentActivation hardSigmoid, got sigmoid; leave recurrentActivation out to take the file's \(line 3\)$/);
    const shard = files['lstm/group1-shard2of2.bin'];
    files['lstm/group1-shard2of2.bin'] = shard.slice(0, shard.length - 4);
    await assert.rejects(traceSpec('weights: { file: lstm/model.json }\ninput: { file: x.json }\n', { readFile }), /a shard is missing or short/);
    files['lstm/group1-shard2of2.bin'] = shard;
  });

  it('feeds token ids through an Embedding and traces a GRU → LSTM stack layer by layer, each equal to tfjs predict', async () => {
    const model = tf.sequential();
    models.push(model);
    model.add(tf.layers.embedding({ name: 'stack_embedding', inputDim: 20, outputDim: 5, inputLength: 7 }));
    model.add(tf.layers.gru({ name: 'stack_gru', units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }));
    model.add(tf.layers.lstm({ name: 'stack_lstm', units: 3, returnSequences: false }));
    model.add(tf.layers.dense({ name: 'stack_head', units: 2, activation: 'softmax' }));
    // Non-zero biases, so that their place is checked too.
    for (const layer of model.layers) layer.setWeights(layer.getWeights().map((w, i) => tf.add(w, tf.mul(tf.randomNormal(w.shape, 0, 0.3, 'float32', 7 + i), 1))));
    Object.assign(files, await saveWithTfjs(model, 'stack', 3));
    const ids = [1, 5, 19, 0, 7, 7, 3];
    const x = tf.tensor2d([ids], [1, 7]);
    const out = await runSpec(`weights: { file: stack/model.json, layer: all }\ninput: { text: "${ids.join(' ')}", tokens: ids }\nshow: [influence]\n`, { readFile });
    assert.ok(isComparison(out));
    assert.deepEqual(out.variants.map((v) => v.trace.model), ['gru', 'lstm']);
    const [gru, lstm] = out.variants.map((v) => v.trace);
    assert.equal((gru.spec as { resetAfter: boolean }).resetAfter, false);
    assert.ok(maxAbsDiff(gru.series.hidden.data, layerOutput(model, 1, x)) < 1e-5);
    // The LSTM returns only its last step to the Dense layer: compare that step.
    const h = lstm.series.hidden.data;
    assert.ok(maxAbsDiff(h.subarray(6 * 3, 7 * 3), layerOutput(model, 2, x)) < 1e-5);
    assert.equal(lstm.metrics.influence?.[0].length, 7);
    assert.deepEqual(gru.labels, ids.map(String));
  });

  it('runs a Dense layer (relu) before the traced GRU', async () => {
    const model = tf.sequential();
    models.push(model);
    model.add(tf.layers.dense({ name: 'front_dense', units: 4, activation: 'relu', inputShape: [5, 2] }));
    model.add(tf.layers.gru({ name: 'front_gru', units: 3, returnSequences: true }));
    for (const layer of model.layers) layer.setWeights(layer.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.3, 'float32', 3 + i))));
    Object.assign(files, await saveWithTfjs(model, 'dense', 1));
    const x = randomInput(9, [3, 5, 2]);
    files['x2.json'] = new TextEncoder().encode(x.json);
    const trace = await traceSpec('weights: { file: dense/model.json }\ninput: { file: x2.json }\n', { readFile });
    assert.equal(trace.dims.features, 4);
    assert.ok(maxAbsDiff(trace.series.hidden.data, layerOutput(model, 1, x.tensor)) < 1e-5);
  });
});
