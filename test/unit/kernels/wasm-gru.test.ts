import assert from 'node:assert/strict';
import { RECURRENT_ACTIVATIONS } from '../../../src/lab/kernels/activations';
import { GRU_OUTPUT_SERIES, jsGruKernel, type GruKernel, type GruKernelInput } from '../../../src/lab/kernels/gru-kernel';
import { CancelledError, STEPS_PER_CHECK } from '../../../src/lab/kernels/lstm-kernel';
import { createWasmGruKernel, createWasmGruKernelAsync, instantiateGruWasm, wasmGruKernelFromExports } from '../../../src/lab/kernels/wasm-gru';
import { ACTIVATIONS_64, gruReference64, KERNEL_BUILDS, maxGruOutputDiff, ODD_KERNEL_SHAPES, randomGruInput } from './helpers';

const TOLERANCE = 1e-5;

function assertMatchesReference(kernel: GruKernel, input: GruKernelInput): void {
  const { diff, where } = maxGruOutputDiff(jsGruKernel.run(input), kernel.run(input));
  assert.ok(diff < TOLERANCE, `largest difference ${diff} at ${where}`);
}

const sigmoid = ACTIVATIONS_64.sigmoid;

for (const build of KERNEL_BUILDS) {
  describe(`GRU kernels (${build.name})`, () => {
    let kernel: GruKernel;
    before(() => {
      kernel = createWasmGruKernel(build.bytes());
    });

    it(`the wasm one is named ${build.name}`, () => {
      assert.equal(kernel.name, build.name);
    });

    describe('the TypeScript reference', () => {
      for (const resetAfter of [true, false]) {
        it(`follows the definition written out in float64 (resetAfter ${resetAfter})`, () => {
          const input = randomGruInput(3, 20, 5, resetAfter, 'sigmoid', 40, 2);
          const got = jsGruKernel.run(input).hidden;
          const want = gruReference64({ ...input, projected: Float64Array.from(input.projected), recurrentKernel: Float64Array.from(input.recurrentKernel), recurrentBias: Float64Array.from(input.recurrentBias!), act: sigmoid });
          for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `hidden[${i}]: ${got[i]} vs ${want[i]}`);
        });
      }
    });

    describe('the wasm one agrees with the TypeScript reference to 1e-5', () => {
      const shapes = [...ODD_KERNEL_SHAPES, [3, 9, 32] as const, [6, 5, 40] as const];
      let seed = 200;
      for (const resetAfter of [true, false]) {
        for (const activation of RECURRENT_ACTIVATIONS) {
          for (const [batch, time, units] of shapes) {
            const s = seed++;
            it(`for batch ${batch}, ${time} steps, ${units} units, ${activation} gates, resetAfter ${resetAfter}`, () => {
              assertMatchesReference(kernel, randomGruInput(batch, time, units, resetAfter, activation, s));
            });
          }
        }
      }

      for (const resetAfter of [true, false]) {
        it(`without a recurrent bias (resetAfter ${resetAfter})`, () => {
          assertMatchesReference(kernel, randomGruInput(3, 30, 11, resetAfter, 'sigmoid', 5, 1, 1, false));
        });

        it(`when large inputs saturate every gate (resetAfter ${resetAfter})`, () => {
          const input = randomGruInput(3, 50, 6, resetAfter, 'sigmoid', 7, 60, 2);
          const out = jsGruKernel.run(input);
          const saturated = out.updateGate.filter((v) => v < 1e-6 || v > 1 - 1e-6).length;
          assert.ok(saturated > out.updateGate.length / 2, `only ${saturated} of ${out.updateGate.length} update gates saturated`);
          assertMatchesReference(kernel, input);
        });
      }

      it('on a sequence of 1000 steps with 64 units', () => {
        assertMatchesReference(kernel, randomGruInput(1, 1000, 64, true, 'sigmoid', 17));
      });

      it('for the same instance after runs of other shapes and of the LSTM', () => {
        kernel.run(randomGruInput(5, 40, 33, false, 'sigmoid', 1, 10));
        kernel.run(randomGruInput(1, 3, 2, true, 'hardSigmoid', 2));
        assertMatchesReference(kernel, randomGruInput(2, 45, 7, true, 'sigmoid', 3));
      });
    });

    describe('on hand-worked one-unit cases', () => {
      const oneUnit = (steps: number[][], r: number[], resetAfter: boolean, bias?: number[]): GruKernelInput => ({
        batch: 1,
        time: steps.length,
        units: 1,
        projected: Float32Array.from(steps.flat()),
        recurrentKernel: Float32Array.from(r),
        recurrentBias: bias && Float32Array.from(bias),
        resetAfter,
        recurrentActivation: 'sigmoid',
      });
      const near = (got: number, want: number) => assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);

      for (const k of ['js', 'wasm'] as const) {
        it(`computes one step from the zero state (${k})`, () => {
          // p = [ln 3, 0, ln 2], b_h = 0: z = 3/4, r = 1/2, h̃ = tanh(ln 2) = 3/5, h = (1 − 3/4)·3/5.
          const out = (k === 'js' ? jsGruKernel : kernel).run(oneUnit([[Math.log(3), 0, Math.log(2)]], [5, 5, 5], true));
          near(out.updateGate[0], 0.75);
          near(out.resetGate[0], 0.5);
          near(out.candidate[0], 0.6);
          near(out.hidden[0], 0.15);
          near(out.recurrentCandidate[0], 0);
        });

        it(`lets the reset gate scale the recurrent bias only when resetAfter (${k})`, () => {
          // p = [0, ln 3, 0], b_h = [0, 0, 1]: r = 3/4; h̃ = tanh(3/4·1) with resetAfter, tanh(1) without.
          const run = (resetAfter: boolean) => (k === 'js' ? jsGruKernel : kernel).run(oneUnit([[0, Math.log(3), 0]], [1, 1, 1], resetAfter, [0, 0, 1]));
          near(run(true).candidate[0], Math.tanh(0.75));
          near(run(false).candidate[0], Math.tanh(1));
        });

        it(`carries h through R into the second step (${k})`, () => {
          // Step 1 as above: h1 = 0.15. Step 2, p = 0, R = [2, −1, 3]:
          // resetAfter: z = σ(0.3), r = σ(−0.15), h̃ = tanh(r·0.45); otherwise h̃ = tanh((r·0.15)·3).
          for (const resetAfter of [true, false]) {
            const out = (k === 'js' ? jsGruKernel : kernel).run(oneUnit([[Math.log(3), 0, Math.log(2)], [0, 0, 0]], [2, -1, 3], resetAfter));
            const z = sigmoid(0.3);
            const r = sigmoid(-0.15);
            const n = Math.tanh(resetAfter ? r * 0.45 : r * 0.15 * 3);
            near(out.updateGate[1], z);
            near(out.resetGate[1], r);
            near(out.candidate[1], n);
            near(out.hidden[1], z * 0.15 + (1 - z) * n);
          }
        });
      }
    });

    describe('outputs', () => {
      it('are fresh arrays, not views of wasm memory, and survive later runs', () => {
        const ex = instantiateGruWasm(build.bytes());
        const k = wasmGruKernelFromExports(ex);
        const first = k.run(randomGruInput(2, 40, 6, true, 'sigmoid', 5));
        const copy = GRU_OUTPUT_SERIES.map((key) => first[key].slice());
        for (const key of GRU_OUTPUT_SERIES) {
          assert.notEqual(first[key].buffer, ex.memory.buffer);
          assert.equal(first[key].length, 2 * 40 * 6);
        }
        k.run(randomGruInput(3, 80, 40, false, 'hardSigmoid', 6));
        GRU_OUTPUT_SERIES.forEach((key, s) => assert.deepEqual(first[key], copy[s]));
      });
    });

    describe('cancellation', () => {
      for (const k of ['js', 'wasm'] as const) {
        it(`asks shouldStop before the first step and then every ${STEPS_PER_CHECK} steps, and stops (${k})`, () => {
          const kern = k === 'js' ? jsGruKernel : kernel;
          let calls = 0;
          kern.run({ ...randomGruInput(1, 3 * STEPS_PER_CHECK + 1, 4, true, 'sigmoid', 9), shouldStop: () => (calls++, false) });
          assert.equal(calls, 4);
          calls = 0;
          assert.throws(() => kern.run({ ...randomGruInput(2, 5 * STEPS_PER_CHECK, 8, false, 'sigmoid', 10), shouldStop: () => ++calls === 3 }), CancelledError);
          assert.equal(calls, 3);
        });
      }

      it('can run again after a cancelled run', () => {
        const input = randomGruInput(2, 100, 8, true, 'sigmoid', 11);
        assert.throws(() => kernel.run({ ...input, shouldStop: () => true }), CancelledError);
        assertMatchesReference(kernel, input);
      });
    });

    describe('input checks', () => {
      it('rejects units below 1', () => {
        assert.throws(() => kernel.run({ ...randomGruInput(1, 2, 1, true, 'sigmoid', 1), units: 0 }), /gru kernel: units must be an integer ≥ 1, got 0/);
      });

      it('rejects projected inputs of the wrong length, naming the expected shape', () => {
        const input = { ...randomGruInput(2, 3, 4, true, 'sigmoid', 1), projected: new Float32Array(71) };
        assert.throws(() => kernel.run(input), /projected must have 72 values \(\[3, 2, 12\]\), got 71/);
      });

      it('rejects a recurrent kernel or bias of the wrong length', () => {
        const input = randomGruInput(2, 3, 4, true, 'sigmoid', 1);
        assert.throws(() => kernel.run({ ...input, recurrentKernel: new Float32Array(16) }), /recurrentKernel must have 48 values \(\[4, 12\]\), got 16/);
        assert.throws(() => jsGruKernel.run({ ...input, recurrentBias: new Float32Array(24) }), /recurrentBias must have 12 values \(\[12\]\), got 24/);
      });

      it('says so when the wasm memory cannot grow for a run', () => {
        const ex = instantiateGruWasm(build.bytes());
        const k = wasmGruKernelFromExports({ ...ex, memory: ex.memory, gruPrepare: () => 0 });
        assert.throws(() => k.run(randomGruInput(2, 3, 4, true, 'sigmoid', 1)), /wasm gru kernel: cannot grow wasm memory to about 1 MB for batch 2, units 4/);
        assert.equal(ex.gruPrepare(1, 40000, 32, 0), 0); // R alone would take 19 GB
      });

      it('rejects a wasm module without the GRU exports', async () => {
        const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
        assert.throws(() => createWasmGruKernel(empty), /fglab-kernels\.wasm: expected the exports .*; missing reserve, gruPrepare/);
        await assert.rejects(createWasmGruKernelAsync(empty), /missing reserve, gruPrepare/);
      });
    });
  });
}
