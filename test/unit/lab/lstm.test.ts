import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { generateLstmWeights, type LstmWeights, type SequenceInput } from '../../../src/lab/data';
import { jsLstmKernel } from '../../../src/lab/kernels/lstm-kernel';
import { getLstmKernel, setLstmKernel, traceLstm } from '../../../src/lab/lstm';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { labKernelName, maxAbsDiff, setupLab } from './setup';

function randomInput(seed: number, batch: number, time: number, features: number): SequenceInput {
  return { batch, time, features, data: normalArray(createRandom(seed), batch * time * features) };
}

/** Hidden sequence and final cell state from TensorFlow.js's own `tf.layers.lstm`. */
function tfLayersLstm(input: SequenceInput, w: LstmWeights, recurrentActivation: 'sigmoid' | 'hardSigmoid') {
  return tf.tidy(() => {
    const layer = tf.layers.lstm({ units: w.units, recurrentActivation, returnSequences: true, returnState: true });
    const x = tf.tensor3d(input.data, [input.batch, input.time, input.features]);
    layer.apply(x); // builds the layer
    layer.setWeights([tf.tensor2d(w.kernel, [w.features, 4 * w.units]), tf.tensor2d(w.recurrentKernel, [w.units, 4 * w.units]), tf.tensor1d(w.bias)]);
    const [seq, , c] = layer.apply(x) as tf.Tensor[];
    return { hidden: seq.dataSync() as Float32Array, lastCell: c.dataSync() as Float32Array };
  });
}

describe('LSTM trace', () => {
  before(setupLab);

  for (const kernel of ['wasm', 'js'] as const) {
    describe(`with the ${kernel} kernel`, () => {
      let saved: ReturnType<typeof getLstmKernel>;
      before(() => {
        saved = getLstmKernel();
        if (kernel === 'js') setLstmKernel(jsLstmKernel);
        else assert.equal(saved.name, labKernelName(), 'the WebAssembly kernel is loaded');
      });
      after(() => setLstmKernel(saved));

      it('matches tf.layers.lstm on the classic [10, 64] × 128 example to 1e-5', () => {
        const input = randomInput(7, 1, 10, 64);
        const w = generateLstmWeights(1, 64, 128, true);
        const run = traceLstm(input, w, { recurrentActivation: 'sigmoid' });
        const ref = tfLayersLstm(input, w, 'sigmoid');
        assert.ok(maxAbsDiff(run.series.hidden.data, ref.hidden) < 1e-5);
        const last = run.series.cell.data.subarray(9 * 128, 10 * 128);
        assert.ok(maxAbsDiff(last, ref.lastCell) < 1e-5);
      });

      it('matches tf.layers.lstm with a batch of 3, hardSigmoid gates and no unit forget bias', () => {
        const input = randomInput(3, 3, 17, 5);
        const w = generateLstmWeights(4, 5, 9, false);
        const run = traceLstm(input, w, { recurrentActivation: 'hardSigmoid' });
        const ref = tfLayersLstm(input, w, 'hardSigmoid');
        assert.ok(maxAbsDiff(run.series.hidden.data, ref.hidden) < 1e-5);
      });
    });
  }

  it('captures gates that obey c_t = f⊙c_{t−1} + i⊙g and h_t = o⊙tanh(c_t)', () => {
    const input = randomInput(11, 2, 12, 6);
    const w = generateLstmWeights(2, 6, 7, true);
    const { series } = traceLstm(input, w, { recurrentActivation: 'sigmoid' });
    const [B, T, U] = series.cell.shape;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let u = 0; u < U; u++) {
          const k = (b * T + t) * U + u;
          const cPrev = t === 0 ? 0 : series.cell.data[k - U];
          const c = series.forgetGate.data[k] * cPrev + series.inputGate.data[k] * series.candidate.data[k];
          assert.ok(Math.abs(series.cell.data[k] - c) < 1e-6, `cell at b${b} t${t} u${u}`);
          assert.ok(Math.abs(series.hidden.data[k] - series.outputGate.data[k] * Math.tanh(series.cell.data[k])) < 1e-6);
          for (const gate of ['inputGate', 'forgetGate', 'outputGate']) {
            const v = series[gate].data[k];
            assert.ok(v > 0 && v < 1, `${gate} in (0, 1)`);
          }
        }
      }
    }
  });

  it('follows a one-unit example worked by hand', () => {
    // One unit, one feature: K = [0.5, −0.5, 1, 0.25], R = [0.1, 0.2, −0.3, 0.4], b = [0, 1, 0, 0].
    const w: LstmWeights = {
      features: 1,
      units: 1,
      kernel: Float32Array.of(0.5, -0.5, 1, 0.25),
      recurrentKernel: Float32Array.of(0.1, 0.2, -0.3, 0.4),
      bias: Float32Array.of(0, 1, 0, 0),
    };
    const x = [1, -2];
    const { series } = traceLstm({ batch: 1, time: 2, features: 1, data: Float32Array.from(x) }, w, { recurrentActivation: 'sigmoid' });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    // step 1, h0 = c0 = 0
    const i1 = s(0.5), f1 = s(-0.5 + 1), g1 = Math.tanh(1), o1 = s(0.25);
    const c1 = i1 * g1;
    const h1 = o1 * Math.tanh(c1);
    // step 2, x = −2
    const i2 = s(-1 + 0.1 * h1), f2 = s(1 + 1 + 0.2 * h1), g2 = Math.tanh(-2 - 0.3 * h1), o2 = s(-0.5 + 0.4 * h1);
    const c2 = f2 * c1 + i2 * g2;
    const h2 = o2 * Math.tanh(c2);
    const expect: Record<string, number[]> = {
      inputGate: [i1, i2], forgetGate: [f1, f2], candidate: [g1, g2], outputGate: [o1, o2], cell: [c1, c2], hidden: [h1, h2], survival: [f1, f1 * f2],
    };
    for (const [name, values] of Object.entries(expect)) {
      assert.ok(maxAbsDiff(series[name].data, values) < 1e-6, `${name}: ${Array.from(series[name].data)} vs ${values}`);
    }
  });

  it('refuses weights whose feature count differs from the input', () => {
    const w = generateLstmWeights(1, 4, 3, true);
    assert.throws(() => traceLstm(randomInput(1, 1, 2, 5), w, { recurrentActivation: 'sigmoid' }), /5 features but the kernel expects 4/);
  });
});
