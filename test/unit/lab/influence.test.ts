import assert from 'node:assert/strict';
import { generateLstmWeights, type LstmWeights, type SequenceInput } from '../../../src/lab/data';
import { generateGruWeights, type GruWeights } from '../../../src/lab/gru';
import { connectivity, influence } from '../../../src/lab/influence';
import type { RecurrentActivation } from '../../../src/lab/kernels/activations';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { ACTIVATIONS_64, gruReference64, lstmReference64 } from '../kernels/helpers';
import { setupLab } from './setup';

function randomInput(seed: number, batch: number, time: number, features: number): SequenceInput {
  return { batch, time, features, data: normalArray(createRandom(seed), batch * time * features) };
}

/** x·K + b in float64, laid out `[time][batch][columns]` like the kernels' inputs. */
function project64(x: Float64Array, B: number, T: number, F: number, kernel: Float32Array, bias: ArrayLike<number>, columns: number): Float64Array {
  const out = new Float64Array(T * B * columns);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < columns; j++) {
        let s = bias[j];
        for (let f = 0; f < F; f++) s += x[(b * T + t) * F + f] * kernel[f * columns + j];
        out[(t * B + b) * columns + j] = s;
      }
    }
  }
  return out;
}

/**
 * influence[b][t] by central differences (step 1e-6) on the float64 references: the
 * definition, computed independently of tfjs and of the kernels' backward passes.
 */
function numericInfluence(input: SequenceInput, lastHidden: (x: Float64Array) => Float64Array, step = input.time - 1): number[][] {
  const { batch: B, time: T, features: F } = input;
  const x = Float64Array.from(input.data);
  const lastSum = (b: number) => {
    const h = lastHidden(x);
    const U = h.length / (B * T);
    let s = 0;
    for (let u = 0; u < U; u++) s += h[(b * T + step) * U + u];
    return s;
  };
  const eps = 1e-6;
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: T }, (_, t) => {
      let sq = 0;
      for (let f = 0; f < F; f++) {
        const i = (b * T + t) * F + f;
        const v = x[i];
        x[i] = v + eps;
        const up = lastSum(b);
        x[i] = v - eps;
        const down = lastSum(b);
        x[i] = v;
        sq += ((up - down) / (2 * eps)) ** 2;
      }
      return Math.sqrt(sq);
    }),
  );
}

function lstmLastHidden(input: SequenceInput, w: LstmWeights, activation: RecurrentActivation) {
  return (x: Float64Array) =>
    lstmReference64({
      batch: input.batch, time: input.time, units: w.units, act: ACTIVATIONS_64[activation],
      projected: project64(x, input.batch, input.time, input.features, w.kernel, w.bias, 4 * w.units),
      recurrentKernel: Float64Array.from(w.recurrentKernel),
    }).hidden;
}

function gruLastHidden(input: SequenceInput, w: GruWeights, activation: RecurrentActivation, resetAfter: boolean) {
  const G = 3 * w.units;
  return (x: Float64Array) =>
    gruReference64({
      batch: input.batch, time: input.time, units: w.units, act: ACTIVATIONS_64[activation], resetAfter,
      projected: project64(x, input.batch, input.time, input.features, w.kernel, w.bias.subarray(0, G), G),
      recurrentKernel: Float64Array.from(w.recurrentKernel),
      recurrentBias: resetAfter ? Float64Array.from(w.bias.subarray(G)) : undefined,
    });
}

/**
 * tfjs runs the projection and its gradient in float32 and the kernels capture float32 gates:
 * the result agrees with float64 finite differences to about 1e-6 of the largest influence;
 * 1e-4 of it is asserted.
 */
function assertClose(got: number[][], want: number[][]): void {
  const scale = Math.max(...want.flat());
  assert.ok(scale > 1e-3, `the influence is all but zero (${scale})`);
  for (let b = 0; b < want.length; b++) {
    for (let t = 0; t < want[b].length; t++) {
      assert.ok(Math.abs(got[b][t] - want[b][t]) < 1e-4 * scale, `influence[${b}][${t}]: ${got[b][t]} vs finite differences ${want[b][t]}`);
    }
  }
}

/** Small random biases, so that the bias's place is tested too. */
function withBias<W extends { bias: Float32Array }>(w: W, seed: number): W {
  return { ...w, bias: normalArray(createRandom(seed), w.bias.length).map((v) => 0.3 * v) };
}

describe('influence', () => {
  before(setupLab);

  describe('matches finite differences of the definition', () => {
    for (const activation of ['sigmoid', 'hardSigmoid', 'kerasHardSigmoid'] as const) {
      it(`for an LSTM with ${activation} gates, batch 2, 9 steps`, () => {
        const input = randomInput(1, 2, 9, 3);
        const w = withBias(generateLstmWeights(2, 3, 5, true), 3);
        assertClose(influence('lstm', input, w, { recurrentActivation: activation }), numericInfluence(input, lstmLastHidden(input, w, activation)));
      });
    }

    for (const resetAfter of [true, false]) {
      for (const activation of ['sigmoid', 'hardSigmoid'] as const) {
        it(`for a GRU with ${activation} gates, resetAfter ${resetAfter}, batch 3, 8 steps`, () => {
          const input = randomInput(4, 3, 8, 2);
          const w = withBias(generateGruWeights(5, 2, 6, resetAfter), 6);
          const got = influence('gru', input, w, { recurrentActivation: activation, resetAfter });
          assertClose(got, numericInfluence(input, gruLastHidden(input, w, activation, resetAfter)));
        });
      }
    }
  });

  describe('on one-unit examples worked by hand', () => {
    it('GRU with R = 0 and a constant update gate: (1 − z)·z^lag at x = 0', () => {
      // K = [0, 1, 1], b_x = [ln 3, 0, 0], b_h = 0, R = 0: z = 3/4 in every step and
      // h̃_t = tanh(x_t), so h_{T−1} = Σ_t (1 − z)·z^{T−1−t}·tanh(x_t) and at x = 0 the
      // derivative by x_t is (1 − z)·z^{T−1−t}: influence decays like the update gate's survival.
      const w: GruWeights = { features: 1, units: 1, kernel: Float32Array.of(0, 1, 1), recurrentKernel: new Float32Array(3), bias: Float32Array.of(Math.log(3), 0, 0, 0, 0, 0) };
      const T = 12;
      const [got] = influence('gru', { batch: 1, time: T, features: 1, data: new Float32Array(T) }, w, { recurrentActivation: 'sigmoid', resetAfter: true });
      for (let t = 0; t < T; t++) {
        const want = 0.25 * 0.75 ** (T - 1 - t);
        assert.ok(Math.abs(got[t] - want) < 1e-6, `t = ${t}: ${got[t]} vs ${want}`);
      }
    });

    it('LSTM with R = 0 and constant gates: o·i·f^lag at x = 0', () => {
      // K = [0, 0, 1, 0], b = [ln 3, ln 9, 0, 0], R = 0: i = 3/4, f = 9/10, o = 1/2, g_t = tanh(x_t).
      // c_{T−1} = Σ_t f^{T−1−t}·i·g_t, h = o·tanh(c); at x = 0, c = 0 and ∂h/∂x_t = o·f^{T−1−t}·i.
      const w: LstmWeights = { features: 1, units: 1, kernel: Float32Array.of(0, 0, 1, 0), recurrentKernel: new Float32Array(4), bias: Float32Array.of(Math.log(3), Math.log(9), 0, 0) };
      const T = 20;
      const [got] = influence('lstm', { batch: 1, time: T, features: 1, data: new Float32Array(T) }, w, { recurrentActivation: 'sigmoid' });
      for (let t = 0; t < T; t++) {
        const want = 0.5 * 0.75 * 0.9 ** (T - 1 - t);
        assert.ok(Math.abs(got[t] - want) < 1e-6, `t = ${t}: ${got[t]} vs ${want}`);
      }
    });

    it('is zero for a step the update gate shuts out with a hard sigmoid', () => {
      // b_z = 10 saturates z at exactly 1 (hard sigmoid) from step 1 on; z_0 < 1 through x_0.
      // Later steps cannot reach h (1 − z = 0), so their influence is exactly 0.
      const w: GruWeights = { features: 1, units: 1, kernel: Float32Array.of(-20, 0, 1), recurrentKernel: new Float32Array(3), bias: Float32Array.of(10, 0, 0) };
      const [got] = influence('gru', { batch: 1, time: 4, features: 1, data: Float32Array.of(0.5, 0, 0, 0) }, w, { recurrentActivation: 'hardSigmoid', resetAfter: false });
      // z_0 = clip(0.2·(10 − 10) + 0.5) = 1/2, h_0 = tanh(0.5)/2; then z = 1 keeps h_0.
      assert.deepEqual(got.slice(1), [0, 0, 0]);
      assert.ok(got[0] > 0.1, `influence of step 0: ${got[0]}`);
    });
  });

  describe('connectivity (Madsen 2019)', () => {
    /** C[s][t] by central differences: the mean over batch rows of the finite-difference influence of s on step t. */
    function numericConnectivity(input: SequenceInput, hidden: (x: Float64Array) => Float64Array): Float64Array {
      const T = input.time;
      const out = new Float64Array(T * T);
      for (let t = 0; t < T; t++) {
        const rows = numericInfluence(input, hidden, t);
        for (let s = 0; s < T; s++) out[s * T + t] = rows.reduce((sum, row) => sum + row[s], 0) / input.batch;
      }
      return out;
    }

    /** Same tolerance as the influence: 1e-4 of the largest entry (float32 gradients against float64 differences). */
    function assertMatrixClose(got: Float64Array, want: Float64Array, T: number): void {
      const scale = Math.max(...want);
      assert.ok(scale > 1e-3, `the connectivity is all but zero (${scale})`);
      for (let s = 0; s < T; s++) {
        for (let t = 0; t < T; t++) {
          const i = s * T + t;
          if (s > t) assert.equal(got[i], 0, `C[${s}][${t}] after the output step must be exactly 0, got ${got[i]}`);
          else assert.ok(Math.abs(got[i] - want[i]) < 1e-4 * scale, `C[${s}][${t}]: ${got[i]} vs finite differences ${want[i]}`);
        }
      }
    }

    it('matches finite differences for an LSTM, batch 2, 7 steps, every s ≤ t, and is exactly 0 for s > t', () => {
      const input = randomInput(11, 2, 7, 3);
      const w = withBias(generateLstmWeights(12, 3, 4, true), 13);
      assertMatrixClose(connectivity('lstm', input, w, { recurrentActivation: 'sigmoid' }), numericConnectivity(input, lstmLastHidden(input, w, 'sigmoid')), 7);
    });

    it('matches finite differences for a GRU (resetAfter), batch 2, 6 steps, and is exactly 0 for s > t', () => {
      const input = randomInput(14, 2, 6, 2);
      const w = withBias(generateGruWeights(15, 2, 5, true), 16);
      const got = connectivity('gru', input, w, { recurrentActivation: 'sigmoid', resetAfter: true });
      assertMatrixClose(got, numericConnectivity(input, gruLastHidden(input, w, 'sigmoid', true)), 6);
    });

    it('is o·i·f^(t−s) for one LSTM unit with constant gates and no recurrence, at x = 0', () => {
      // As in the influence case above: i = 3/4, f = 9/10, o = 1/2, g_t = tanh(x_t), R = 0, so
      // c_t = Σ_{s≤t} f^{t−s}·i·g_s and at x = 0 (c = 0, tanh' = 1) ∂h_t/∂x_s = o·i·f^{t−s}.
      const w: LstmWeights = { features: 1, units: 1, kernel: Float32Array.of(0, 0, 1, 0), recurrentKernel: new Float32Array(4), bias: Float32Array.of(Math.log(3), Math.log(9), 0, 0) };
      const T = 15;
      const got = connectivity('lstm', { batch: 1, time: T, features: 1, data: new Float32Array(T) }, w, { recurrentActivation: 'sigmoid' });
      for (let s = 0; s < T; s++) {
        for (let t = 0; t < T; t++) {
          const want = s > t ? 0 : 0.5 * 0.75 * 0.9 ** (t - s);
          assert.ok(Math.abs(got[s * T + t] - want) < 1e-6, `C[${s}][${t}] = ${got[s * T + t]}, want ${want}`);
        }
      }
    });

    it('has the influence as its last column', () => {
      const input = randomInput(17, 3, 6, 2);
      const w = generateLstmWeights(18, 2, 3, true);
      const C = connectivity('lstm', input, w, { recurrentActivation: 'sigmoid' });
      const rows = influence('lstm', input, w, { recurrentActivation: 'sigmoid' });
      for (let s = 0; s < 6; s++) {
        const mean = (rows[0][s] + rows[1][s] + rows[2][s]) / 3;
        assert.ok(Math.abs(C[s * 6 + 5] - mean) < 1e-6 * Math.max(1, mean), `C[${s}][5] = ${C[s * 6 + 5]}, mean influence ${mean}`);
      }
    });
  });

  it('gives one row per batch row and one value per step', () => {
    const input = randomInput(8, 3, 7, 4);
    const got = influence('lstm', input, generateLstmWeights(1, 4, 6, true), { recurrentActivation: 'sigmoid' });
    assert.equal(got.length, 3);
    assert.ok(got.every((row) => row.length === 7 && row.every((v) => Number.isFinite(v) && v >= 0)));
  });

  it('refuses weights whose feature count differs from the input', () => {
    assert.throws(() => influence('lstm', randomInput(1, 1, 2, 5), generateLstmWeights(1, 4, 3, true), { recurrentActivation: 'sigmoid' }), /5 features but the kernel expects 4/);
    assert.throws(() => influence('gru', randomInput(1, 1, 2, 5), generateGruWeights(1, 4, 3, true), { recurrentActivation: 'sigmoid', resetAfter: true }), /5 features but the kernel expects 4/);
  });
});
