import assert from 'node:assert/strict';
import { instantiateLstmWasm, type LstmWasmExports } from '../../../src/lab/kernels/wasm-lstm';
import { kernelsWasm, relaxedKernelsWasm } from './helpers';

/** Activation codes of the `applyActivation` export (the hard sigmoids have no fused variant). */
const HARD_SIGMOID = 2;
const KERAS_HARD_SIGMOID = 4;

/**
 * exp, sigmoid and tanh as training computes them (a multiply and an add per polynomial term)
 * and as traces do (fused multiply–adds in the relaxed-SIMD build): both held to the same bounds.
 */
const VARIANTS = [
  { name: 'SIMD build, as training computes them', bytes: kernelsWasm, EXP: 0, SIGMOID: 1, TANH: 3 },
  { name: 'relaxed-SIMD build, fused as traces compute them', bytes: relaxedKernelsWasm, EXP: 5, SIGMOID: 6, TANH: 7 },
];

/** Runs one activation of the wasm module over `xs` (rounded to f32). */
function applyWasm(ex: LstmWasmExports, kind: number, xs: ArrayLike<number>): Float32Array {
  const n = Math.ceil(xs.length / 4) * 4;
  const ptr = ex.reserve(4 * n);
  assert.notEqual(ptr, 0);
  const heap = new Float32Array(ex.memory.buffer, ptr, n);
  heap.fill(0);
  heap.set(xs);
  ex.applyActivation(kind, ptr, n);
  return new Float32Array(ex.memory.buffer, ptr, xs.length).slice();
}

/** `n` evenly spaced f32 values from lo to hi. */
function grid(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Largest relative error against a double-precision reference (skipping exact zeros). */
function maxRelativeError(xs: Float32Array, ys: Float32Array, f: (x: number) => number): { error: number; at: number } {
  let error = 0;
  let at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const want = f(xs[i]);
    if (want === 0) continue;
    const e = Math.abs(ys[i] - want) / Math.abs(want);
    if (!(e <= error)) {
      error = e;
      at = xs[i];
    }
  }
  return { error, at };
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

for (const { name, bytes, EXP, SIGMOID, TANH } of VARIANTS) describe(`WebAssembly SIMD activations (${name})`, () => {
  let ex: LstmWasmExports;
  before(() => {
    ex = instantiateLstmWasm(bytes());
  });

  describe('exp', () => {
    it('is within 1.5e-7 relative of Math.exp over [−87.3, 88]', () => {
      const xs = grid(-87.3, 88, 400_001);
      const { error, at } = maxRelativeError(xs, applyWasm(ex, EXP, xs), Math.exp);
      assert.ok(error < 1.5e-7, `relative error ${error} at ${at}`);
    });

    it('is within 1.5e-7 relative of Math.exp over [−1, 1]', () => {
      const xs = grid(-1, 1, 200_001);
      const { error, at } = maxRelativeError(xs, applyWasm(ex, EXP, xs), Math.exp);
      assert.ok(error < 1.5e-7, `relative error ${error} at ${at}`);
    });

    it('returns 0 below ln(FLT_MIN), stays finite above 88 and keeps NaN', () => {
      const ys = applyWasm(ex, EXP, [-88, -1000, -Infinity, 89, 1000, Infinity, NaN, 0]);
      assert.deepEqual([...ys.subarray(0, 3)], [0, 0, 0]);
      for (const y of ys.subarray(3, 6)) assert.equal(y, Math.fround(Math.exp(88)) === y ? y : NaN, `got ${y}`);
      assert.ok(ys.subarray(3, 6).every((y) => Number.isFinite(y) && y > 1e38));
      assert.ok(Number.isNaN(ys[6]));
      assert.equal(ys[7], 1);
    });
  });

  describe('sigmoid', () => {
    it('is within 3e-7 relative of the logistic function over [−87, 100]', () => {
      const xs = grid(-87, 100, 400_001);
      const { error, at } = maxRelativeError(xs, applyWasm(ex, SIGMOID, xs), sigmoid);
      assert.ok(error < 3e-7, `relative error ${error} at ${at}`);
    });

    it('is within 1e-7 absolute over [−10, 10]', () => {
      const xs = grid(-10, 10, 200_001);
      const ys = applyWasm(ex, SIGMOID, xs);
      let error = 0;
      for (let i = 0; i < xs.length; i++) error = Math.max(error, Math.abs(ys[i] - sigmoid(xs[i])));
      assert.ok(error < 1e-7, `absolute error ${error}`);
    });

    it('gives 1 and 0 without overflow for ±100, ±1e30 and ±Infinity', () => {
      const ys = applyWasm(ex, SIGMOID, [100, 1e30, Infinity, -100, -1e30, -Infinity]);
      assert.deepEqual([...ys], [1, 1, 1, 0, 0, 0]);
    });

    it('is exactly 1/2 at 0', () => {
      assert.equal(applyWasm(ex, SIGMOID, [0])[0], 0.5);
    });
  });

  describe('tanh', () => {
    it('is within 2.5e-7 relative of Math.tanh over [−20, 20]', () => {
      const xs = grid(-20, 20, 400_001);
      const { error, at } = maxRelativeError(xs, applyWasm(ex, TANH, xs), Math.tanh);
      assert.ok(error < 2.5e-7, `relative error ${error} at ${at}`);
    });

    it('is within 2.5e-7 relative near the branch point 0.625', () => {
      const xs = grid(0.6, 0.65, 100_001);
      const { error, at } = maxRelativeError(xs, applyWasm(ex, TANH, xs), Math.tanh);
      assert.ok(error < 2.5e-7, `relative error ${error} at ${at}`);
    });

    it('keeps full relative accuracy for tiny arguments', () => {
      const xs = Float32Array.from({ length: 2001 }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-30 + (27 * i) / 2000));
      const { error, at } = maxRelativeError(xs, applyWasm(ex, TANH, xs), Math.tanh);
      assert.ok(error < 1.5e-7, `relative error ${error} at ${at}`);
    });

    it('is x itself below 2^-32, subnormal x included', () => {
      const xs = Float32Array.from([2 ** -33, -1e-20, 3e-25, -1e-38, 1e-44, -(2 ** -149)]);
      assert.deepEqual([...applyWasm(ex, TANH, xs)], [...xs]);
    });

    it('saturates to exactly ±1 for large arguments and infinities', () => {
      assert.deepEqual([...applyWasm(ex, TANH, [10, 44, 100, 1e30, Infinity, -10, -100, -Infinity])], [1, 1, 1, 1, 1, -1, -1, -1]);
    });

    it('keeps the sign of zero and propagates NaN', () => {
      const ys = applyWasm(ex, TANH, [0, -0, NaN]);
      assert.ok(Object.is(ys[0], 0));
      assert.ok(Object.is(ys[1], -0));
      assert.ok(Number.isNaN(ys[2]));
    });
  });
});

describe('WebAssembly SIMD hard sigmoids', () => {
  let ex: LstmWasmExports;
  before(() => {
    ex = instantiateLstmWasm(kernelsWasm());
  });

  describe('hard sigmoid', () => {
    it('is clip(0.2x + 0.5, 0, 1) to 1e-7', () => {
      const xs = grid(-10, 10, 20_001);
      const ys = applyWasm(ex, HARD_SIGMOID, xs);
      for (let i = 0; i < xs.length; i++) {
        const want = Math.min(1, Math.max(0, 0.2 * xs[i] + 0.5));
        assert.ok(Math.abs(ys[i] - want) < 1e-7, `at ${xs[i]}: ${ys[i]} vs ${want}`);
      }
    });

    it('is exactly 0 and 1 beyond ±2.5', () => {
      assert.deepEqual([...applyWasm(ex, HARD_SIGMOID, [-2.5, -3, -1e30, 2.5, 3, 1e30])], [0, 0, 0, 1, 1, 1]);
    });
  });

  describe('Keras 3 hard sigmoid', () => {
    it('is clip(x/6 + 0.5, 0, 1) to 1e-7', () => {
      const xs = grid(-10, 10, 20_001);
      const ys = applyWasm(ex, KERAS_HARD_SIGMOID, xs);
      for (let i = 0; i < xs.length; i++) {
        const want = Math.min(1, Math.max(0, xs[i] / 6 + 0.5));
        assert.ok(Math.abs(ys[i] - want) < 1e-7, `at ${xs[i]}: ${ys[i]} vs ${want}`);
      }
    });

    it('is exactly 0, 1/2 and 1 at −3, 0 and 3 and beyond', () => {
      assert.deepEqual([...applyWasm(ex, KERAS_HARD_SIGMOID, [-3, -1e30, 0, 3, 1e30])], [0, 0, 0.5, 1, 1]);
    });
  });
});
