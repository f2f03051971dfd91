import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { SequenceInput } from '../../../src/lab/data';
import { generateGruWeights, getGruKernel, setGruKernel, traceGru, type GruWeights } from '../../../src/lab/gru';
import { jsGruKernel } from '../../../src/lab/kernels/gru-kernel';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { labKernelName, labKernels, maxAbsDiff, setupLab } from './setup';

function randomInput(seed: number, batch: number, time: number, features: number): SequenceInput {
  return { batch, time, features, data: normalArray(createRandom(seed), batch * time * features) };
}

/** Hidden sequence from TensorFlow.js's own `tf.layers.gru` (resetAfter false only). */
function tfLayersGru(input: SequenceInput, w: GruWeights, recurrentActivation: 'sigmoid' | 'hardSigmoid'): Float32Array {
  return tf.tidy(() => {
    const layer = tf.layers.gru({ units: w.units, recurrentActivation, returnSequences: true, recurrentInitializer: 'zeros' });
    const x = tf.tensor3d(input.data, [input.batch, input.time, input.features]);
    layer.apply(x); // builds the layer
    layer.setWeights([tf.tensor2d(w.kernel, [w.features, 3 * w.units]), tf.tensor2d(w.recurrentKernel, [w.units, 3 * w.units]), tf.tensor1d(w.bias)]);
    return (layer.apply(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** Generated weights with a random (not zero) bias, so that the bias's place is tested too. */
function withRandomBias(w: GruWeights, seed: number): GruWeights {
  return { ...w, bias: normalArray(createRandom(seed), w.bias.length).map((v) => 0.5 * v) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('GRU trace', () => {
  before(setupLab);

  for (const kernel of ['wasm', 'js'] as const) {
    describe(`with the ${kernel} kernel`, () => {
      let saved: ReturnType<typeof getGruKernel>;
      before(() => {
        saved = getGruKernel();
        setGruKernel(kernel === 'js' ? jsGruKernel : saved);
        if (kernel === 'wasm' && saved.name !== labKernelName()) setGruKernel(wasmGruForTests());
      });
      after(() => setGruKernel(saved));

      it('matches tf.layers.gru (resetAfter false) on the classic [10, 64] × 128 example to 1e-5', () => {
        const input = randomInput(7, 1, 10, 64);
        const w = withRandomBias(generateGruWeights(1, 64, 128, false), 3);
        const run = traceGru(input, w, { recurrentActivation: 'sigmoid', resetAfter: false });
        assert.ok(maxAbsDiff(run.series.hidden.data, tfLayersGru(input, w, 'sigmoid')) < 1e-5);
      });

      it('matches tf.layers.gru with a batch of 3, hardSigmoid gates and 9 units', () => {
        const input = randomInput(3, 3, 17, 5);
        const w = withRandomBias(generateGruWeights(4, 5, 9, false), 5);
        const run = traceGru(input, w, { recurrentActivation: 'hardSigmoid', resetAfter: false });
        assert.ok(maxAbsDiff(run.series.hidden.data, tfLayersGru(input, w, 'hardSigmoid')) < 1e-5);
      });

      it('matches tf.layers.gru with 5 units, a batch of 6 and 300 steps', () => {
        const input = randomInput(9, 6, 300, 3);
        const w = withRandomBias(generateGruWeights(8, 3, 5, false), 6);
        const run = traceGru(input, w, { recurrentActivation: 'sigmoid', resetAfter: false });
        assert.ok(maxAbsDiff(run.series.hidden.data, tfLayersGru(input, w, 'sigmoid')) < 1e-5);
      });
    });
  }

  describe('on one-unit examples worked by hand', () => {
    // One unit, one feature: K = [0.5, −1, 2], R = [0.3, −0.4, 0.8]; inputs x = [1, −0.5].
    const base = { features: 1, units: 1, kernel: Float32Array.of(0.5, -1, 2), recurrentKernel: Float32Array.of(0.3, -0.4, 0.8) };
    const input: SequenceInput = { batch: 1, time: 2, features: 1, data: Float32Array.of(1, -0.5) };

    it('with resetAfter true: the reset gate scales h·R_h + b_hh', () => {
      const w: GruWeights = { ...base, bias: Float32Array.of(0.1, 0.2, -0.3, 0.05, -0.1, 0.4) };
      const [bz, br, bh, cz, cr, ch] = [0.1, 0.2, -0.3, 0.05, -0.1, 0.4];
      // Step 1 from h0 = 0: the recurrent terms are just the recurrent bias.
      const z1 = sigmoid(0.5 + bz + cz), r1 = sigmoid(-1 + br + cr), n1 = Math.tanh(2 + bh + r1 * ch);
      const h1 = (1 - z1) * n1;
      // Step 2, x = −0.5.
      const z2 = sigmoid(-0.25 + bz + 0.3 * h1 + cz), r2 = sigmoid(0.5 + br - 0.4 * h1 + cr);
      const n2 = Math.tanh(-1 + bh + r2 * (0.8 * h1 + ch));
      const h2 = z2 * h1 + (1 - z2) * n2;
      const { series } = traceGru(input, w, { recurrentActivation: 'sigmoid', resetAfter: true });
      const want: Record<string, number[]> = { updateGate: [z1, z2], resetGate: [r1, r2], candidate: [n1, n2], hidden: [h1, h2], survival: [z1, z1 * z2] };
      for (const [name, values] of Object.entries(want)) {
        assert.ok(maxAbsDiff(series[name].data, values) < 1e-6, `${name}: ${Array.from(series[name].data)} vs ${values}`);
      }
    });

    it('with resetAfter false: the reset gate scales h before the product', () => {
      const w: GruWeights = { ...base, bias: Float32Array.of(0.1, 0.2, -0.3) };
      const hs = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));
      const z1 = hs(0.6), r1 = hs(-0.8), n1 = Math.tanh(1.7);
      const h1 = (1 - z1) * n1;
      const z2 = hs(-0.25 + 0.1 + 0.3 * h1), r2 = hs(0.5 + 0.2 - 0.4 * h1);
      const n2 = Math.tanh(-1 - 0.3 + 0.8 * (r2 * h1));
      const h2 = z2 * h1 + (1 - z2) * n2;
      const { series } = traceGru(input, w, { recurrentActivation: 'hardSigmoid', resetAfter: false });
      const want: Record<string, number[]> = { updateGate: [z1, z2], resetGate: [r1, r2], candidate: [n1, n2], hidden: [h1, h2] };
      for (const [name, values] of Object.entries(want)) {
        assert.ok(maxAbsDiff(series[name].data, values) < 1e-6, `${name}: ${Array.from(series[name].data)} vs ${values}`);
      }
    });

    it('with the Keras 3 hard sigmoid x/6 + 1/2', () => {
      const w: GruWeights = { ...base, bias: new Float32Array(6) };
      const { series } = traceGru({ batch: 1, time: 1, features: 1, data: Float32Array.of(3) }, w, { recurrentActivation: 'kerasHardSigmoid', resetAfter: true });
      // z = clip(1.5/6 + 0.5) = 0.75, r = clip(−3/6 + 0.5) = 0, h̃ = tanh(6), h = 0.25·tanh(6).
      assert.ok(maxAbsDiff(series.updateGate.data, [0.75]) < 1e-7);
      assert.ok(maxAbsDiff(series.resetGate.data, [0]) < 1e-7);
      assert.ok(maxAbsDiff(series.hidden.data, [0.25 * Math.tanh(6)]) < 1e-6);
    });
  });

  it('gives the same trace with the wasm and the js kernel, resetAfter true, odd units, batch 5', () => {
    const input = randomInput(21, 5, 70, 7);
    const w = withRandomBias(generateGruWeights(22, 7, 13, true), 23);
    const saved = getGruKernel();
    try {
      setGruKernel(saved.name === labKernelName() ? saved : wasmGruForTests());
      const a = traceGru(input, w, { recurrentActivation: 'sigmoid', resetAfter: true });
      setGruKernel(jsGruKernel);
      const b = traceGru(input, w, { recurrentActivation: 'sigmoid', resetAfter: true });
      for (const key of ['updateGate', 'resetGate', 'candidate', 'hidden', 'survival']) {
        assert.ok(maxAbsDiff(a.series[key].data, b.series[key].data) < 1e-5, key);
      }
    } finally {
      setGruKernel(saved);
    }
  });

  it('captures gates that obey h_t = z⊙h_{t−1} + (1 − z)⊙h̃_t', () => {
    const input = randomInput(11, 2, 12, 6);
    const { series } = traceGru(input, withRandomBias(generateGruWeights(2, 6, 7, true), 4), { recurrentActivation: 'sigmoid', resetAfter: true });
    const [B, T, U] = series.hidden.shape;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let u = 0; u < U; u++) {
          const k = (b * T + t) * U + u;
          const hPrev = t === 0 ? 0 : series.hidden.data[k - U];
          const z = series.updateGate.data[k];
          assert.ok(Math.abs(series.hidden.data[k] - (z * hPrev + (1 - z) * series.candidate.data[k])) < 1e-6, `b${b} t${t} u${u}`);
        }
      }
    }
  });

  it('generates Keras-like weights: zero bias of 3U or 2 × 3U, orthogonal rows of R', () => {
    const w = generateGruWeights(5, 4, 6, true);
    assert.equal(w.kernel.length, 4 * 18);
    assert.equal(w.bias.length, 36);
    assert.ok(w.bias.every((v) => v === 0));
    assert.equal(generateGruWeights(5, 4, 6, false).bias.length, 18);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let dot = 0;
        for (let c = 0; c < 18; c++) dot += w.recurrentKernel[i * 18 + c] * w.recurrentKernel[j * 18 + c];
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5, `rows ${i}, ${j}: ${dot}`);
      }
    }
    const limit = Math.sqrt(6 / (4 + 18));
    assert.ok(w.kernel.every((v) => Math.abs(v) <= limit));
  });

  it('refuses a bias of the wrong layout for resetAfter, naming both', () => {
    const w = generateGruWeights(1, 2, 3, false);
    assert.throws(() => traceGru(randomInput(1, 1, 2, 2), w, { recurrentActivation: 'sigmoid', resetAfter: true }), /bias must have 18 values \[2, 9\] \(resetAfter: true\), got 9/);
  });

  it('refuses weights whose feature count differs from the input', () => {
    const w = generateGruWeights(1, 4, 3, true);
    assert.throws(() => traceGru(randomInput(1, 1, 2, 5), w, { recurrentActivation: 'sigmoid', resetAfter: true }), /5 features but the kernel expects 4/);
  });
});

/** The WebAssembly GRU kernel, for when the lab's start-up does not load it (yet). */
function wasmGruForTests() {
  return labKernels().gru;
}
