import assert from 'node:assert/strict';
import { RECURRENT_ACTIVATIONS } from '../../../src/lab/kernels/activations';
import { jsGruKernel, type GruKernel, type GruKernelInput } from '../../../src/lab/kernels/gru-kernel';
import { CancelledError, jsLstmKernel, STEPS_PER_CHECK, type LstmKernel, type LstmKernelInput } from '../../../src/lab/kernels/lstm-kernel';
import { createWasmGruKernel, instantiateGruWasm, wasmGruKernelFromExports } from '../../../src/lab/kernels/wasm-gru';
import { createWasmLstmKernel, instantiateLstmWasm, wasmLstmKernelFromExports } from '../../../src/lab/kernels/wasm-lstm';
import { ACTIVATIONS_64, gruReference64, KERNEL_BUILDS, kernelsWasm, lstmReference64, randomGruInput, randomInput, uniform } from './helpers';

/**
 * Central differences on the float64 references, step 1e-6: the truncation error (~1e-12) and
 * the rounding error (~1e-16·|L|/1e-6 ≈ 1e-9) are far below what is compared.
 */
const EPS = 1e-6;

/**
 * The kernels' gradients come from float32 forward captures (ulp 6e-8) combined in float64:
 * they agree with float64 finite differences to at most 1.3e-7 of the gradient's scale on
 * these cases (measured); 2e-6 leaves a margin yet catches any wrong term.
 */
const TOLERANCE = 2e-6;

/** Largest difference between analytic and numeric gradients, relative to the largest numeric value (at least 1). */
function compare(analytic: ArrayLike<number>, numeric: ArrayLike<number>, what: string): void {
  assert.equal(analytic.length, numeric.length, `${what}: lengths`);
  let scale = 1;
  for (let i = 0; i < numeric.length; i++) scale = Math.max(scale, Math.abs(numeric[i]));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < numeric.length; i++) {
    const d = Math.abs(analytic[i] - numeric[i]) / scale;
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  assert.ok(worst < TOLERANCE, `${what}[${at}]: ${analytic[at]} vs finite differences ${numeric[at]} (relative ${worst})`);
  // A gradient that is zero everywhere would pass a relative test against a zero reference.
  assert.ok(Array.from(numeric).some((v) => Math.abs(v) > 1e-3), `${what}: the numeric gradient is all but zero`);
}

/** ∂L/∂θ_i for every i by central differences of `loss` around `theta` (changed in place, restored). */
function numericGradient(theta: Float64Array, loss: () => number): Float64Array {
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) {
    const v = theta[i];
    theta[i] = v + EPS;
    const up = loss();
    theta[i] = v - EPS;
    const down = loss();
    theta[i] = v;
    out[i] = (up - down) / (2 * EPS);
  }
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Checks the LSTM backward pass of `kernel` for L = Σ wH⊙h + Σ wC⊙c against finite differences. */
function checkLstm(kernel: LstmKernel, input: LstmKernelInput, withCell: boolean, seed: number): void {
  const n = input.batch * input.time * input.units;
  const wH = uniform(n, 1, seed);
  const wC = withCell ? uniform(n, 1, seed + 1) : undefined;
  const forward = kernel.run(input);
  const grads = kernel.backward(input, forward, { hidden: wH, cell: wC });
  const ref = { ...input, projected: Float64Array.from(input.projected), recurrentKernel: Float64Array.from(input.recurrentKernel), act: ACTIVATIONS_64[input.recurrentActivation] };
  const loss = () => {
    const { hidden, cell } = lstmReference64(ref);
    return dot(wH, hidden) + (wC ? dot(wC, cell) : 0);
  };
  compare(grads.projected, numericGradient(ref.projected, loss), `${kernel.name} dL/dprojected`);
  compare(grads.recurrentKernel, numericGradient(ref.recurrentKernel, loss), `${kernel.name} dL/dR`);
}

/** Checks the GRU backward pass of `kernel` for L = Σ w⊙h against finite differences. */
function checkGru(kernel: GruKernel, input: GruKernelInput, seed: number): void {
  const w = uniform(input.batch * input.time * input.units, 1, seed);
  const grads = kernel.backward(input, kernel.run(input), w);
  const ref = {
    ...input,
    projected: Float64Array.from(input.projected),
    recurrentKernel: Float64Array.from(input.recurrentKernel),
    recurrentBias: Float64Array.from(input.recurrentBias ?? new Float32Array(3 * input.units)),
    act: ACTIVATIONS_64[input.recurrentActivation],
  };
  const loss = () => dot(w, gruReference64(ref));
  compare(grads.projected, numericGradient(ref.projected, loss), `${kernel.name} dL/dprojected`);
  compare(grads.recurrentKernel, numericGradient(ref.recurrentKernel, loss), `${kernel.name} dL/dR`);
  compare(grads.recurrentBias, numericGradient(ref.recurrentBias, loss), `${kernel.name} dL/db_h`);
}

describe('Backward passes (BPTT) against finite differences', () => {
  const lstmKernels: LstmKernel[] = [jsLstmKernel];
  const gruKernels: GruKernel[] = [jsGruKernel];
  before(() => {
    for (const build of KERNEL_BUILDS) {
      lstmKernels.push(createWasmLstmKernel(build.bytes()));
      gruKernels.push(createWasmGruKernel(build.bytes()));
    }
  });

  const shapes: [batch: number, time: number, units: number][] = [
    [2, 7, 3],
    [3, 5, 5],
    [1, 40, 2],
  ];

  describe('LSTM', () => {
    let seed = 300;
    for (const activation of RECURRENT_ACTIVATIONS) {
      for (const [batch, time, units] of shapes) {
        const s = seed++;
        it(`gives dL/dprojected and dL/dR for batch ${batch}, ${time} steps, ${units} units, ${activation} gates`, () => {
          for (const kernel of lstmKernels) checkLstm(kernel, randomInput(batch, time, units, activation, s), false, s);
        });
      }
      const s = seed++;
      it(`takes an upstream gradient on the cell state too (${activation})`, () => {
        for (const kernel of lstmKernels) checkLstm(kernel, randomInput(2, 6, 4, activation, s), true, s);
      });
      it(`without a forget gate (f ≡ 1), with and without ∂L/∂c (${activation})`, () => {
        for (const kernel of lstmKernels) {
          for (const withCell of [false, true]) {
            const input = { ...randomInput(2, 9, 3, activation, s + 50), forgetGate: false };
            checkLstm(kernel, input, withCell, s + 50);
            // Nothing reaches the unused forget-gate columns.
            const grads = kernel.backward(input, kernel.run(input), { hidden: uniform(2 * 9 * 3, 1, 1) });
            for (let row = 0; row < 18; row++) for (let u = 0; u < 3; u++) assert.ok(grads.projected[row * 12 + 3 + u] === 0);
          }
        }
      });
    }
  });

  describe('GRU', () => {
    let seed = 400;
    for (const resetAfter of [true, false]) {
      for (const activation of RECURRENT_ACTIVATIONS) {
        for (const [batch, time, units] of shapes) {
          const s = seed++;
          it(`gives dL/dprojected, dL/dR and dL/db_h for batch ${batch}, ${time} steps, ${units} units, ${activation} gates, resetAfter ${resetAfter}`, () => {
            for (const kernel of gruKernels) checkGru(kernel, randomGruInput(batch, time, units, resetAfter, activation, s), s);
          });
        }
      }
    }
  });

  describe('the WebAssembly backward passes agree with the reference on larger shapes', () => {
    /**
     * The wasm passes accumulate in float32 (the reference in float64): over a few hundred
     * steps and products of up to 4·256 terms that is about 1e-6 of the gradient's scale.
     */
    function assertAgree(got: Float32Array, want: Float32Array, what: string): void {
      let scale = 1e-3;
      for (const v of want) scale = Math.max(scale, Math.abs(v));
      let worst = 0;
      let at = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i] - want[i]) / scale;
        if (!(d <= worst)) {
          worst = d;
          at = i;
        }
      }
      assert.ok(worst < 2e-5, `${what}[${at}]: ${got[at]} vs ${want[at]} (relative to the scale ${scale}: ${worst})`);
    }
    const big: [batch: number, time: number, units: number][] = [
      [1, 100, 128],
      [2, 70, 17],
      [3, 33, 8],
      [4, 40, 5],
      [5, 65, 12],
      [7, 20, 40],
      [9, 31, 3],
      [1, 1, 1],
      [6, 12, 256],
    ];
    let seed = 500;
    for (const [batch, time, units] of big) {
      const s = seed++;
      const activation = RECURRENT_ACTIVATIONS[s % 3];
      it(`LSTM: batch ${batch}, ${time} steps, ${units} units, ${activation}, with and without ∂L/∂c`, () => {
        const input = randomInput(batch, time, units, activation, s);
        const forward = jsLstmKernel.run(input);
        const n = batch * time * units;
        for (const cell of [undefined, uniform(n, 1, s + 2)]) {
          const upstream = { hidden: uniform(n, 1, s + 1), cell };
          const want = jsLstmKernel.backward(input, forward, upstream);
          const got = lstmKernels[1].backward(input, forward, upstream);
          assertAgree(got.projected, want.projected, 'dL/dprojected');
          assertAgree(got.recurrentKernel, want.recurrentKernel, 'dL/dR');
          const noWeights = lstmKernels[1].backward(input, forward, upstream, { weights: false });
          assert.deepEqual(noWeights.projected, got.projected);
          assert.ok(noWeights.recurrentKernel.every((v) => v === 0));
        }
      });
      for (const resetAfter of [true, false]) {
        it(`GRU: batch ${batch}, ${time} steps, ${units} units, ${activation}, resetAfter ${resetAfter}`, () => {
          const input = randomGruInput(batch, time, units, resetAfter, activation, s);
          const forward = jsGruKernel.run(input);
          const upstream = uniform(batch * time * units, 1, s + 1);
          const want = jsGruKernel.backward(input, forward, upstream);
          const got = gruKernels[1].backward(input, forward, upstream);
          assertAgree(got.projected, want.projected, 'dL/dprojected');
          assertAgree(got.recurrentKernel, want.recurrentKernel, 'dL/dR');
          assertAgree(got.recurrentBias, want.recurrentBias, 'dL/db_h');
          const noWeights = gruKernels[1].backward(input, forward, upstream, { weights: false });
          assert.deepEqual(noWeights.projected, got.projected);
          assert.ok(noWeights.recurrentKernel.every((v) => v === 0) && noWeights.recurrentBias.every((v) => v === 0));
        });
      }
    }
  });

  describe('hand-worked one-unit cases', () => {
    it('LSTM, one step: dL/dz from the captured gates alone', () => {
      // z = [ln 3, 0, ln 2, −ln 3]: i = 3/4, f = 1/2, g = 3/5, o = 1/4, c = 0.45 and L = h = o·tanh c.
      const input: LstmKernelInput = { batch: 1, time: 1, units: 1, projected: Float32Array.of(Math.log(3), 0, Math.log(2), -Math.log(3)), recurrentKernel: Float32Array.of(1, 1, 1, 1), recurrentActivation: 'sigmoid' };
      for (const kernel of lstmKernels) {
        const { projected, recurrentKernel } = kernel.backward(input, kernel.run(input), { hidden: Float32Array.of(1) });
        const dc = 0.25 * (1 - Math.tanh(0.45) ** 2);
        const want = [dc * 0.6 * 0.75 * 0.25, 0 /* c₀ = 0 */, dc * 0.75 * (1 - 0.36), Math.tanh(0.45) * 0.25 * 0.75];
        for (let j = 0; j < 4; j++) assert.ok(Math.abs(projected[j] - want[j]) < 1e-6, `${kernel.name} dz[${j}]: ${projected[j]} vs ${want[j]}`);
        assert.deepEqual([...recurrentKernel], [0, 0, 0, 0]); // h₀ = 0
      }
    });

    it('GRU, one step with resetAfter: the reset gate gets its gradient through the recurrent bias', () => {
      // p = [ln 3, 0, ln 2], b_h = [0, 0, 1], h₀ = 0: z = 3/4, r = 1/2, h̃ = tanh(ln 2 + r·1), L = h = (1 − z)·h̃.
      const input: GruKernelInput = {
        batch: 1, time: 1, units: 1, projected: Float32Array.of(Math.log(3), 0, Math.log(2)), recurrentKernel: Float32Array.of(2, 3, 4),
        recurrentBias: Float32Array.of(0, 0, 1), resetAfter: true, recurrentActivation: 'sigmoid',
      };
      const n = Math.tanh(Math.log(2) + 0.5);
      const daZ = -n * (3 / 16);
      const daH = 0.25 * (1 - n * n);
      const daR = daH * 1 * 0.25;
      for (const kernel of gruKernels) {
        const g = kernel.backward(input, kernel.run(input), Float32Array.of(1));
        const near = (got: ArrayLike<number>, want: number[], what: string) => {
          for (let j = 0; j < want.length; j++) assert.ok(Math.abs(got[j] - want[j]) < 1e-6, `${kernel.name} ${what}[${j}]: ${got[j]} vs ${want[j]}`);
        };
        near(g.projected, [daZ, daR, daH], 'dL/dp');
        near(g.recurrentBias, [daZ, daR, daH * 0.5], 'dL/db_h');
        near(g.recurrentKernel, [0, 0, 0], 'dL/dR'); // h₀ = 0
      }
    });
  });

  describe('cancellation', () => {
    it(`asks shouldStop every ${STEPS_PER_CHECK} steps going back and stops`, () => {
      for (const kernel of [...lstmKernels]) {
        const input = randomInput(1, 3 * STEPS_PER_CHECK, 4, 'sigmoid', 1);
        const forward = kernel.run(input);
        let calls = 0;
        assert.throws(() => kernel.backward({ ...input, shouldStop: () => ++calls === 2 }, forward, { hidden: new Float32Array(forward.hidden.length) }), CancelledError);
        assert.equal(calls, 2);
      }
      for (const kernel of [...gruKernels]) {
        const input = randomGruInput(1, 3 * STEPS_PER_CHECK, 4, true, 'sigmoid', 1);
        const forward = kernel.run(input);
        let calls = 0;
        assert.throws(() => kernel.backward({ ...input, shouldStop: () => ++calls === 2 }, forward, new Float32Array(forward.hidden.length)), CancelledError);
        assert.equal(calls, 2);
      }
    });
  });

  describe('input checks', () => {
    it('says so when the wasm memory cannot grow for a backward pass', () => {
      const lstmEx = instantiateLstmWasm(kernelsWasm());
      const lstm = wasmLstmKernelFromExports({ ...lstmEx, memory: lstmEx.memory, lstmBackPrepare: () => 0 });
      const input = randomInput(2, 3, 4, 'sigmoid', 1);
      assert.throws(() => lstm.backward(input, lstm.run(input), { hidden: new Float32Array(24) }), /wasm lstm kernel: cannot grow wasm memory to about 1 MB for the backward pass of batch 2, units 4/);
      const gruEx = instantiateGruWasm(kernelsWasm());
      const gru = wasmGruKernelFromExports({ ...gruEx, memory: gruEx.memory, gruBackPrepare: () => 0 });
      const gi = randomGruInput(2, 3, 4, true, 'sigmoid', 1);
      assert.throws(() => gru.backward(gi, gru.run(gi), new Float32Array(24)), /wasm gru kernel: cannot grow wasm memory to about 1 MB for the backward pass of batch 2, units 4/);
      assert.equal(lstmEx.lstmBackPrepare(1, 40000, 32), 0);
      assert.equal(gruEx.gruBackPrepare(1, 40000, 32), 0);
    });

    it('rejects upstream gradients of the wrong length, naming the shape', () => {
      const input = randomInput(2, 3, 4, 'sigmoid', 1);
      const forward = jsLstmKernel.run(input);
      assert.throws(() => jsLstmKernel.backward(input, forward, { hidden: new Float32Array(5) }), /upstream\.hidden must have 24 values \(\[2, 3, 4\]\), got 5/);
      const gi = randomGruInput(2, 3, 4, false, 'sigmoid', 1);
      assert.throws(() => jsGruKernel.backward(gi, jsGruKernel.run(gi), new Float32Array(5)), /dHidden must have 24 values \(\[2, 3, 4\]\), got 5/);
    });
  });
});
