import assert from 'node:assert/strict';
import { RECURRENT_ACTIVATIONS } from '../../../src/lab/kernels/activations';
import {
  CancelledError,
  jsLstmKernel,
  STEPS_PER_CHECK,
  type LstmKernel,
  type LstmKernelInput,
  type RecurrentActivation,
} from '../../../src/lab/kernels/lstm-kernel';
import {
  createWasmLstmKernel,
  createWasmLstmKernelAsync,
  instantiateLstmWasm,
  instantiateLstmWasmAsync,
  wasmLstmKernelFromExports,
} from '../../../src/lab/kernels/wasm-lstm';
import { KERNEL_BUILDS, maxOutputDiff, ODD_KERNEL_SHAPES, randomInput, SERIES_KEYS } from './helpers';

const TOLERANCE = 1e-5;

const hardSigmoid = (x: number) => Math.min(1, Math.max(0, 0.2 * x + 0.5));

function assertMatchesReference(kernel: LstmKernel, input: LstmKernelInput): void {
  const { diff, where } = maxOutputDiff(jsLstmKernel.run(input), kernel.run(input));
  assert.ok(diff < TOLERANCE, `largest difference ${diff} at ${where}`);
}

/** One-unit input: each step's projected `[i, f, c, o]` for batch 1, and R `[r_i, r_f, r_c, r_o]`. */
function oneUnit(steps: number[][], r: number[], recurrentActivation: RecurrentActivation): LstmKernelInput {
  return {
    batch: 1,
    time: steps.length,
    units: 1,
    projected: Float32Array.from(steps.flat()),
    recurrentKernel: Float32Array.from(r),
    recurrentActivation,
  };
}

for (const build of KERNEL_BUILDS) {
  describe(`WebAssembly SIMD LSTM kernel (${build.name})`, () => {
    let kernel: LstmKernel;
    before(() => {
      kernel = createWasmLstmKernel(build.bytes());
    });

    it(`is named ${build.name}`, () => {
      assert.equal(kernel.name, build.name);
    });

    describe('agrees with the TypeScript reference kernel to 1e-5', () => {
      const shapes = [...ODD_KERNEL_SHAPES, [8, 9, 32] as const];
      let seed = 100;
      for (const activation of RECURRENT_ACTIVATIONS) {
        for (const [batch, time, units] of shapes) {
          const s = seed++;
          it(`for batch ${batch}, ${time} steps, ${units} units with ${activation} gates`, () => {
            assertMatchesReference(kernel, randomInput(batch, time, units, activation, s));
          });
        }
      }

      for (const activation of ['sigmoid', 'hardSigmoid', 'kerasHardSigmoid'] as const) {
        it(`when large inputs saturate every gate (${activation})`, () => {
          // Projected inputs up to ±60 saturate the gates. R stays moderate: were |h·R| ≈ 100 too,
          // z would differ by f32 rounding (~1e-5) between any two orders of summation.
          const input = randomInput(3, 50, 6, activation, 7, 60, 2);
          const out = jsLstmKernel.run(input);
          const saturated = out.inputGate.filter((v) => v < 1e-6 || v > 1 - 1e-6).length;
          assert.ok(saturated > out.inputGate.length / 2, `only ${saturated} of ${out.inputGate.length} input gates saturated`);
          assertMatchesReference(kernel, input);
        });
      }

      it('when the cell state grows far beyond 1', () => {
        // i = f = 1 and g = 1 in every step: c_t = t, past where an f32 ulp is 1e-5.
        const input = randomInput(2, 300, 4, 'sigmoid', 3, 1);
        for (let t = 0; t < 300 * 2; t++) for (let u = 0; u < 4; u++) for (const q of [0, 1, 2]) input.projected[t * 16 + q * 4 + u] = 40;
        const out = kernel.run(input);
        assert.ok(out.cell[299 * 4] > 250, `cell reached ${out.cell[299 * 4]}`);
        assertMatchesReference(kernel, input);
      });

      it('on a sequence of 1000 steps with 64 units', () => {
        assertMatchesReference(kernel, randomInput(1, 1000, 64, 'sigmoid', 17));
      });

      for (const [batch, time, units] of [[1, 40, 3], [5, 70, 8], [3, 33, 17]] as const) {
        it(`without a forget gate (f ≡ 1) for batch ${batch}, ${time} steps, ${units} units`, () => {
          const input = { ...randomInput(batch, time, units, 'sigmoid', 60 + units), forgetGate: false };
          assertMatchesReference(kernel, input);
          assert.ok(kernel.run(input).forgetGate.every((f) => f === 1));
        });
      }

      it('for the same instance after runs of other shapes', () => {
        kernel.run(randomInput(5, 40, 33, 'sigmoid', 1, 10));
        kernel.run(randomInput(1, 3, 2, 'hardSigmoid', 2));
        assertMatchesReference(kernel, randomInput(2, 45, 7, 'sigmoid', 3));
      });
    });

    describe('on hand-worked one-unit cases', () => {
      it('adds i·g to the cell without forgetting when there is no forget gate (1997 LSTM)', () => {
        // Every step z = [ln 3, −40, ln 2, 0] (R = 0): i = 3/4, g = 3/5, so c_t = 0.45·t whatever z_f says.
        for (const k of [kernel, jsLstmKernel]) {
          const steps = Array.from({ length: 5 }, () => [Math.log(3), -40, Math.log(2), 0]);
          const out = k.run({ ...oneUnit(steps, [0, 0, 0, 0], 'sigmoid'), forgetGate: false });
          for (let t = 0; t < 5; t++) {
            assert.ok(Math.abs(out.cell[t] - 0.45 * (t + 1)) < 1e-6, `${k.name} c[${t}] = ${out.cell[t]}`);
            assert.equal(out.forgetGate[t], 1);
            assert.ok(Math.abs(out.hidden[t] - 0.5 * Math.tanh(0.45 * (t + 1))) < 1e-6);
          }
        }
      });

      it('computes one step from the zero state with the sigmoid', () => {
        // z = [ln 3, 0, ln 2, −ln 3]: i = 3/4, f = 1/2, g = tanh(ln 2) = 3/5, o = 1/4.
        const out = kernel.run(oneUnit([[Math.log(3), 0, Math.log(2), -Math.log(3)]], [5, 5, 5, 5], 'sigmoid'));
        const near = (got: number, want: number) => assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
        near(out.inputGate[0], 0.75);
        near(out.forgetGate[0], 0.5);
        near(out.candidate[0], 0.6);
        near(out.outputGate[0], 0.25);
        near(out.cell[0], 0.45); // f·0 + i·g
        near(out.hidden[0], 0.25 * Math.tanh(0.45));
      });

      it('carries the state into the second step through R with the hard sigmoid', () => {
        // Step 1: z = [2.5, 0, ln 2, 2.5] → i = 1, f = 1/2, g = 3/5, o = 1; c = 0.6, h = tanh(0.6).
        // Step 2: z = p + h₁·R with R = [−1, 2, 0.5, −3].
        const p2 = [0.3, -0.2, 0.1, 0.4];
        const r = [-1, 2, 0.5, -3];
        const out = kernel.run(oneUnit([[2.5, 0, Math.log(2), 2.5], p2], r, 'hardSigmoid'));
        const h1 = Math.tanh(0.6);
        const z = p2.map((p, q) => p + h1 * r[q]);
        const i = hardSigmoid(z[0]);
        const f = hardSigmoid(z[1]);
        const g = Math.tanh(z[2]);
        const o = hardSigmoid(z[3]);
        const c = f * 0.6 + i * g;
        const want = { inputGate: [1, i], forgetGate: [0.5, f], candidate: [0.6, g], outputGate: [1, o], cell: [0.6, c], hidden: [h1, o * Math.tanh(c)] };
        for (const key of SERIES_KEYS) {
          for (const t of [0, 1]) assert.ok(Math.abs(out[key][t] - want[key][t]) < 1e-6, `${key}[${t}]: ${out[key][t]} vs ${want[key][t]}`);
        }
      });

      it('uses the Keras 3 hard sigmoid clip(x/6 + 1/2, 0, 1) for i, f, o', () => {
        // z = [1.5, −6, ln 2, 2]: i = 3/4, f = 0, g = 3/5, o = 5/6; c = 0.45, h = 5/6·tanh(0.45).
        for (const k of [kernel, jsLstmKernel]) {
          const out = k.run(oneUnit([[1.5, -6, Math.log(2), 2]], [1, 1, 1, 1], 'kerasHardSigmoid'));
          const near = (got: number, want: number) => assert.ok(Math.abs(got - want) < 1e-6, `${k.name}: ${got} vs ${want}`);
          near(out.inputGate[0], 0.75);
          near(out.forgetGate[0], 0);
          near(out.outputGate[0], 5 / 6);
          near(out.hidden[0], (5 / 6) * Math.tanh(0.45));
        }
      });

      it('keeps batch rows independent', () => {
        // Row 0 sees z = [ln 3, 0, ln 2, −ln 3] (as above), row 1 all zeros: i = f = o = 1/2, g = 0.
        const input: LstmKernelInput = {
          batch: 2,
          time: 1,
          units: 1,
          projected: Float32Array.of(Math.log(3), 0, Math.log(2), -Math.log(3), 0, 0, 0, 0),
          recurrentKernel: Float32Array.of(1, 1, 1, 1),
          recurrentActivation: 'sigmoid',
        };
        const out = kernel.run(input);
        const near = (got: number, want: number) => assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
        near(out.inputGate[0], 0.75);
        near(out.cell[0], 0.45);
        near(out.inputGate[1], 0.5);
        near(out.forgetGate[1], 0.5);
        assert.equal(out.candidate[1], 0);
        assert.equal(out.cell[1], 0);
        assert.equal(out.hidden[1], 0);
      });

      it('saturates without overflow at z = ±100', () => {
        const out = kernel.run(oneUnit([[100, -100, 100, 100], [-100, 100, -100, -100]], [0, 0, 0, 0], 'sigmoid'));
        for (const key of SERIES_KEYS) assert.ok(out[key].every(Number.isFinite), `${key} has ${[...out[key]]}`);
        assert.deepEqual([...out.inputGate], [1, 0]);
        assert.deepEqual([...out.forgetGate], [0, 1]);
        assert.deepEqual([...out.candidate], [1, -1]);
        assert.deepEqual([...out.cell], [1, 1]); // c₂ = f·c₁ + i·g = 1·1 + 0·(−1)
      });
    });

    describe('outputs', () => {
      it('are fresh arrays, not views of wasm memory, and survive later runs', () => {
        const ex = instantiateLstmWasm(build.bytes());
        const k = wasmLstmKernelFromExports(ex);
        const input = randomInput(2, 40, 6, 'sigmoid', 5);
        const first = k.run(input);
        const copy = SERIES_KEYS.map((key) => first[key].slice());
        for (const key of SERIES_KEYS) {
          assert.notEqual(first[key].buffer, ex.memory.buffer);
          assert.equal(first[key].byteOffset, 0);
          assert.equal(first[key].length, 2 * 40 * 6);
        }
        k.run(randomInput(3, 80, 40, 'hardSigmoid', 6));
        SERIES_KEYS.forEach((key, s) => assert.deepEqual(first[key], copy[s]));
      });

      it('are the same on a second run of the same input', () => {
        const input = randomInput(3, 70, 10, 'sigmoid', 8);
        const a = kernel.run(input);
        const b = kernel.run(input);
        for (const key of SERIES_KEYS) assert.deepEqual(a[key], b[key]);
      });
    });

    describe('cancellation', () => {
      it(`asks shouldStop before the first step and then every ${STEPS_PER_CHECK} steps`, () => {
        let calls = 0;
        kernel.run({ ...randomInput(1, 3 * STEPS_PER_CHECK + 1, 4, 'sigmoid', 9), shouldStop: () => (calls++, false) });
        assert.equal(calls, 4);
      });

      it('throws CancelledError when shouldStop returns true', () => {
        let calls = 0;
        const input = { ...randomInput(2, 5 * STEPS_PER_CHECK, 8, 'sigmoid', 10), shouldStop: () => ++calls === 3 };
        assert.throws(() => kernel.run(input), CancelledError);
        assert.equal(calls, 3);
      });

      it('can run again after a cancelled run', () => {
        const input = randomInput(2, 100, 8, 'sigmoid', 11);
        assert.throws(() => kernel.run({ ...input, shouldStop: () => true }), CancelledError);
        assertMatchesReference(kernel, input);
      });
    });

    describe('input checks', () => {
      it('rejects units below 1', () => {
        const input = { ...randomInput(1, 2, 1, 'sigmoid', 1), units: 0 };
        assert.throws(() => kernel.run(input), /units must be an integer ≥ 1, got 0/);
      });

      it('rejects a fractional batch', () => {
        const input = { ...randomInput(1, 2, 1, 'sigmoid', 1), batch: 1.5 };
        assert.throws(() => kernel.run(input), /batch must be an integer ≥ 1, got 1.5/);
      });

      it('rejects projected inputs of the wrong length, naming the expected shape', () => {
        const input = { ...randomInput(2, 3, 4, 'sigmoid', 1), projected: new Float32Array(95) };
        assert.throws(() => kernel.run(input), /projected must have 96 values \(\[3, 2, 16\]\), got 95/);
      });

      it('rejects a recurrent kernel of the wrong length, naming the expected shape', () => {
        const input = { ...randomInput(2, 3, 4, 'sigmoid', 1), recurrentKernel: new Float32Array(16) };
        assert.throws(() => kernel.run(input), /recurrentKernel must have 64 values \(\[4, 16\]\), got 16/);
      });

      it('reports memory it cannot get instead of writing out of bounds', () => {
        const ex = instantiateLstmWasm(build.bytes());
        assert.equal(ex.reserve(2 ** 33), 0);
        assert.equal(ex.prepare(1, 40000, 32, 0), 0); // R alone would take 25.6 GB
      });

      it('says so when the wasm memory cannot grow for a run', () => {
        const ex = instantiateLstmWasm(build.bytes());
        const k = wasmLstmKernelFromExports({ ...ex, memory: ex.memory, prepare: () => 0 });
        assert.throws(() => k.run(randomInput(2, 3, 4, 'sigmoid', 1)), /cannot grow wasm memory to about 1 MB for batch 2, units 4/);
      });

      it('rejects a wasm module without the kernel exports', () => {
        const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
        assert.throws(() => createWasmLstmKernel(empty), /fglab-kernels\.wasm: expected the exports .*; missing reserve, prepare/);
      });
    });

    describe('async creation', () => {
      it('gives a kernel with the same results', async () => {
        const k = await createWasmLstmKernelAsync(build.bytes());
        assertMatchesReference(k, randomInput(3, 20, 6, 'hardSigmoid', 12));
      });

      it('rejects a wasm module without the kernel exports', async () => {
        const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
        await assert.rejects(instantiateLstmWasmAsync(empty), /missing reserve/);
      });
    });
  });
}
