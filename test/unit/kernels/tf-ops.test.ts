import assert from 'node:assert/strict';
import { jsGruKernel } from '../../../src/lab/kernels/gru-kernel';
import { jsLstmKernel } from '../../../src/lab/kernels/lstm-kernel';
import { gruSequence, lstmSequence, projection, requireGradients } from '../../../src/lab/kernels/tf-ops';
import { tf } from '../../../src/lab/tf';
import { setupLab } from '../lab/setup';
import { ACTIVATIONS_64, gruReference64, lstmReference64, uniform } from './helpers';

/** x·K + b in float64 for x `[B][T][F]`, laid out `[time][batch][columns]` like the kernels' inputs. */
function project64(x: Float64Array, B: number, T: number, F: number, k: Float64Array, bias: Float64Array): Float64Array {
  const C = bias.length;
  const out = new Float64Array(T * B * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < C; j++) {
        let s = bias[j];
        for (let f = 0; f < F; f++) s += x[(b * T + t) * F + f] * k[f * C + j];
        out[(t * B + b) * C + j] = s;
      }
    }
  }
  return out;
}

/** Central differences (step 1e-6) of `loss` with respect to every entry of `theta`, restored after. */
function numericGradient(theta: Float64Array, loss: () => number): Float64Array {
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) {
    const v = theta[i];
    theta[i] = v + 1e-6;
    const up = loss();
    theta[i] = v - 1e-6;
    const down = loss();
    theta[i] = v;
    out[i] = (up - down) / 2e-6;
  }
  return out;
}

/**
 * tfjs computes the projection and its gradient in float32: agreement with float64 finite
 * differences to ~1e-6 of the gradient's scale is expected; 1e-4 of it is asserted.
 */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  assert.ok(scale > 1e-3, `${what}: the numeric gradient is all but zero`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4 * scale, `${what}[${i}]: ${got[i]} vs finite differences ${want[i]}`);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

describe('Differentiable recurrent ops (tf.customGrad)', () => {
  before(setupLab);

  const [B, T, F, U] = [2, 6, 3, 4];
  const x = uniform(B * T * F, 1, 1);
  const w = uniform(B * T * U, 1, 2);

  it('lstmSequence: tf.grad through projection, op and a weighted sum matches finite differences for x, K, b and R', () => {
    const G = 4 * U;
    const k = uniform(F * G, 0.6, 3);
    const bias = uniform(G, 0.3, 4);
    const r = uniform(U * G, 0.5, 5);
    const grads = tf.tidy(() => {
      const loss = (xs: tf.Tensor, ks: tf.Tensor, bs: tf.Tensor, rs: tf.Tensor) => {
        const p = tf.reshape(tf.add(tf.matMul(tf.reshape(xs, [B * T, F]), ks), bs), [B, T, G]) as tf.Tensor3D;
        const { hidden } = lstmSequence(p, rs as tf.Tensor2D, { recurrentActivation: 'sigmoid' });
        return tf.sum(tf.mul(hidden, tf.tensor3d(w, [B, T, U])));
      };
      return tf.grads(loss)([tf.tensor3d(x, [B, T, F]), tf.tensor2d(k, [F, G]), tf.tensor1d(bias), tf.tensor2d(r, [U, G])]).map((g) => g.dataSync() as Float32Array);
    });
    const ref = { x: Float64Array.from(x), k: Float64Array.from(k), bias: Float64Array.from(bias), r: Float64Array.from(r) };
    const loss = () => dot(w, lstmReference64({ batch: B, time: T, units: U, projected: project64(ref.x, B, T, F, ref.k, ref.bias), recurrentKernel: ref.r, act: ACTIVATIONS_64.sigmoid }).hidden);
    assertClose(grads[0], numericGradient(ref.x, loss), 'dL/dx');
    assertClose(grads[1], numericGradient(ref.k, loss), 'dL/dK');
    assertClose(grads[2], numericGradient(ref.bias, loss), 'dL/db');
    assertClose(grads[3], numericGradient(ref.r, loss), 'dL/dR');
  });

  for (const resetAfter of [true, false]) {
    it(`gruSequence (resetAfter ${resetAfter}): the same for x, K, b_x, R and b_h`, () => {
      const G = 3 * U;
      const k = uniform(F * G, 0.6, 13);
      const bias = uniform(G, 0.3, 14);
      const r = uniform(U * G, 0.5, 15);
      const bh = uniform(G, 0.3, 16);
      const grads = tf.tidy(() => {
        const loss = (xs: tf.Tensor, ks: tf.Tensor, bs: tf.Tensor, rs: tf.Tensor, bhs: tf.Tensor) => {
          const p = tf.reshape(tf.add(tf.matMul(tf.reshape(xs, [B * T, F]), ks), bs), [B, T, G]) as tf.Tensor3D;
          const { hidden } = gruSequence(p, rs as tf.Tensor2D, bhs as tf.Tensor1D, { recurrentActivation: 'hardSigmoid', resetAfter });
          return tf.sum(tf.mul(hidden, tf.tensor3d(w, [B, T, U])));
        };
        const inputs = [tf.tensor3d(x, [B, T, F]), tf.tensor2d(k, [F, G]), tf.tensor1d(bias), tf.tensor2d(r, [U, G]), tf.tensor1d(bh)];
        return tf.grads(loss)(inputs).map((g) => g.dataSync() as Float32Array);
      });
      const ref = { x: Float64Array.from(x), k: Float64Array.from(k), bias: Float64Array.from(bias), r: Float64Array.from(r), bh: Float64Array.from(bh) };
      const loss = () =>
        dot(w, gruReference64({ batch: B, time: T, units: U, projected: project64(ref.x, B, T, F, ref.k, ref.bias), recurrentKernel: ref.r, recurrentBias: ref.bh, resetAfter, act: ACTIVATIONS_64.hardSigmoid }));
      assertClose(grads[0], numericGradient(ref.x, loss), 'dL/dx');
      assertClose(grads[1], numericGradient(ref.k, loss), 'dL/dK');
      assertClose(grads[2], numericGradient(ref.bias, loss), 'dL/db_x');
      assertClose(grads[3], numericGradient(ref.r, loss), 'dL/dR');
      assertClose(grads[4], numericGradient(ref.bh, loss), 'dL/db_h');
    });
  }

  it('projection: x·K + b with the gradients of tfjs matMul and add, or zeros for K and b', () => {
    const [rows, features, columns] = [7, 5, 12];
    const xs = tf.tensor2d(uniform(rows * features, 1, 41), [rows, features]);
    const k = tf.tensor2d(uniform(features * columns, 1, 42), [features, columns]);
    const b = tf.tensor1d(uniform(columns, 1, 43));
    const w = tf.tensor2d(uniform(rows * columns, 1, 44), [rows, columns]);
    const grads = (f: (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => tf.grads((x: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(x, kk, bb), w)))([xs, k, b]).map((g) => g.dataSync() as Float32Array));
    const want = grads((x, kk, bb) => tf.add(tf.matMul(x, kk), bb));
    const got = grads((x, kk, bb) => projection(x as tf.Tensor2D, kk as tf.Tensor2D, bb as tf.Tensor1D));
    for (let i = 0; i < 3; i++) assertClose(got[i], want[i], ['dL/dx', 'dL/dK', 'dL/db'][i]);
    const inputsOnly = grads((x, kk, bb) => projection(x as tf.Tensor2D, kk as tf.Tensor2D, bb as tf.Tensor1D, { weightGradients: false }));
    assertClose(inputsOnly[0], want[0], 'dL/dx');
    assert.ok(inputsOnly[1].every((v) => v === 0) && inputsOnly[2].every((v) => v === 0));
    assert.deepEqual(projection(xs, k, b).dataSync(), tf.add(tf.matMul(xs, k), b).dataSync());
    assert.throws(() => projection(xs, tf.zeros([4, columns]) as tf.Tensor2D, b), /projection: expected x \[rows, features\], kernel \[features, columns\], bias \[columns\]; got x \[7, 5\], kernel \[4, 12\], bias \[12\]/);
  });

  it('projection: differentiates variables when x is made inside the differentiated function (as in training)', () => {
    const k = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const b = tf.variable(tf.tensor1d([0.5, -0.5]));
    const x = tf.tensor2d([1, -1, 2, 0], [2, 2]);
    // L = Σ (2x·K + b): dL/dK[i][j] = Σ_rows 2x[r][i], dL/db = rows.
    const { grads } = tf.variableGrads(() => tf.sum(projection(tf.reshape(tf.mul(x, 2), [2, 2]) as tf.Tensor2D, k as tf.Tensor2D, b as tf.Tensor1D)) as tf.Scalar, [k, b]);
    assert.deepEqual(grads[k.name].arraySync(), [[6, 6], [-2, -2]]);
    assert.deepEqual(grads[b.name].arraySync(), [2, 2]);
    tf.dispose([k, b, x, ...Object.values(grads)]);
  });

  it('returns the hidden sequence [batch, time, units] and the captured gates of the kernel run', () => {
    const G = 4 * U;
    const p = uniform(B * T * G, 1, 21);
    const r = uniform(U * G, 0.5, 22);
    const { hidden, captures } = lstmSequence(tf.tensor3d(p, [B, T, G]), tf.tensor2d(r, [U, G]), { recurrentActivation: 'sigmoid', kernel: jsLstmKernel });
    // The kernel's own layout is time-major: transpose p by hand for the direct run.
    const timeMajor = new Float32Array(p.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) timeMajor.set(p.subarray((b * T + t) * G, (b * T + t + 1) * G), (t * B + b) * G);
    const direct = jsLstmKernel.run({ batch: B, time: T, units: U, projected: timeMajor, recurrentKernel: r, recurrentActivation: 'sigmoid' });
    assert.deepEqual(hidden.shape, [B, T, U]);
    assert.deepEqual(hidden.dataSync(), direct.hidden);
    assert.deepEqual(captures.forgetGate, direct.forgetGate);
    hidden.dispose();
  });

  it('gives zero weight gradients, and the same input gradients, with weightGradients false', () => {
    const G = 3 * U;
    const p = tf.tensor3d(uniform(B * T * G, 1, 31), [B, T, G]);
    const r = tf.tensor2d(uniform(U * G, 0.5, 32), [U, G]);
    const run = (weightGradients: boolean) =>
      tf.tidy(() =>
        tf.grads((ps: tf.Tensor, rs: tf.Tensor) => tf.sum(gruSequence(ps as tf.Tensor3D, rs as tf.Tensor2D, undefined, { recurrentActivation: 'sigmoid', resetAfter: true, weightGradients, kernel: jsGruKernel }).hidden))([p, r]).map((g) => g.dataSync() as Float32Array),
      );
    const [dpAll, drAll] = run(true);
    const [dp, dr] = run(false);
    assert.deepEqual(dp, dpAll);
    assert.ok(dr.every((v) => v === 0));
    assert.ok(drAll.some((v) => v !== 0));
  });

  it('requireGradients names the ops whose gradients are not registered', () => {
    const sum = tf.getGradient('Sum');
    tf.unregisterGradient('Sum');
    try {
      assert.throws(() => requireGradients('BatchMatMul', 'Sum'), /no gradient registered for Sum: import '@tensorflow\/tfjs-core\/dist\/register_all_gradients'/);
    } finally {
      tf.registerGradient(sum);
    }
    requireGradients('BatchMatMul', 'Sum');
  });

  it('rejects tensors of the wrong shape, naming expected and got', () => {
    const p = tf.zeros([1, 2, 12]) as tf.Tensor3D;
    const options = { recurrentActivation: 'sigmoid', resetAfter: true } as const;
    assert.throws(() => lstmSequence(p, tf.zeros([4, 16]) as tf.Tensor2D, options), /lstmSequence: projected must have 16 columns \(4·units for 4 units\), got \[1, 2, 12\]/);
    assert.throws(() => gruSequence(p, tf.zeros([3, 12]) as tf.Tensor2D, undefined, options), /gruSequence: recurrentKernel must be \[units, 3·units\], got \[3, 12\]/);
    assert.throws(() => gruSequence(p, tf.zeros([4, 12]) as tf.Tensor2D, tf.zeros([6]) as tf.Tensor1D, options), /gruSequence: recurrentBias must be \[12\], got \[6\]/);
    assert.throws(() => gruSequence(tf.zeros([2, 12]) as unknown as tf.Tensor3D, tf.zeros([4, 12]) as tf.Tensor2D, undefined, options), /projected must be \[batch, time, 3·units\] \(3 dims\), got 2 dims/);
  });
});
