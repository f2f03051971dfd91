import assert from 'node:assert/strict';
import { generateAttentionWeights, setAttentionKernel, traceAttention, type AttentionOptions } from '../../../src/lab/attention';
import { createWasmAttentionKernel } from '../../../src/lab/kernels/wasm-attention';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { KERNEL_BUILDS, labKernelWasm, labNativeProducts } from '../kernels/helpers';
import { setupLab } from './setup';

/** Largest difference over two traces' series (NaN must be NaN in both), relative beyond 1. */
function maxDiff(a: Record<string, { data: Float32Array }>, b: Record<string, { data: Float32Array }>): { diff: number; where: string } {
  let diff = 0;
  let where = '';
  assert.deepEqual(Object.keys(b), Object.keys(a));
  for (const key of Object.keys(a)) {
    const [x, y] = [a[key].data, b[key].data];
    assert.equal(y.length, x.length, key);
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]) || Number.isNaN(y[i])) {
        assert.ok(Number.isNaN(x[i]) && Number.isNaN(y[i]), `${key}[${i}]: ${x[i]} vs ${y[i]}`);
        continue;
      }
      const d = Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(x[i]));
      if (d > diff) [diff, where] = [d, `${key}[${i}]: ${x[i]} vs ${y[i]}`];
    }
  }
  return { diff, where };
}

describe('attention heads in the WebAssembly kernel', () => {
  before(setupLab);
  after(() => setAttentionKernel(createWasmAttentionKernel(labKernelWasm(), labNativeProducts())));

  // Steps and key sizes not multiples of 4 or 8, one step, several heads and batch rows; long
  // enough for several chunks of rows (T 133, 150, 300); a decay strong enough (forget bias −4)
  // that the early keys of late rows get exactly zero weight, which the kernel skips.
  const cases: [batch: number, time: number, features: number, heads: number, keyDim: number, options: AttentionOptions, forgetBias?: number][] = [
    [1, 1, 3, 1, 4, { score: 'scaled-dot', causal: true, forgetting: false }],
    [2, 13, 6, 2, 5, { score: 'scaled-dot', causal: true, forgetting: false }],
    [1, 21, 4, 3, 9, { score: 'dot', causal: false, forgetting: false }],
    [3, 17, 5, 2, 8, { score: 'scaled-dot', causal: false, forgetting: false }],
    [2, 40, 7, 2, 3, { score: 'scaled-dot', causal: true, forgetting: true }],
    [1, 64, 16, 1, 16, { score: 'scaled-dot', causal: true, forgetting: true }],
    [2, 23, 5, 3, 7, { score: 'scaled-dot', causal: true, forgetting: true }],
    [1, 1, 2, 1, 1, { score: 'scaled-dot', causal: true, forgetting: true }],
    [2, 133, 4, 1, 8, { score: 'scaled-dot', causal: true, forgetting: false }],
    [1, 150, 3, 1, 4, { score: 'dot', causal: false, forgetting: false }],
    [1, 300, 6, 2, 5, { score: 'scaled-dot', causal: true, forgetting: true }, -4],
  ];
  // Both builds: the relaxed-SIMD one fuses the multiply–adds of its products.
  for (const build of KERNEL_BUILDS) for (const [B, T, F, H, d, options, forgetBias = 1] of cases) {
    const name = `${options.forgetting ? 'forgetting' : options.score}${options.causal ? ', causal' : ''}`;
    it(`${build.name}: [${B}, ${T}, ${F}], ${H} head${H === 1 ? "" : "s"} of ${d}, ${name}${forgetBias !== 1 ? `, forget bias ${forgetBias}` : ''}: the same series as the tfjs forward to 1e-5, and the same entropy`, () => {
      const input = { batch: B, time: T, features: F, data: normalArray(createRandom(T + d), B * T * F) };
      const w = generateAttentionWeights(B + H, F, H, d, { additive: false, forgetting: options.forgetting, forgetBias });
      setAttentionKernel(createWasmAttentionKernel(build.bytes()));
      const fast = traceAttention(input, w, options);
      setAttentionKernel(undefined);
      const reference = traceAttention(input, w, options);
      setAttentionKernel(createWasmAttentionKernel(labKernelWasm(), labNativeProducts()));
      const { diff, where } = maxDiff(reference.series, fast.series);
      assert.ok(diff < 1e-5, `largest difference ${diff} at ${where}`);
      const entropy = (e: number[][][]): number[] => e.flat(2);
      for (const [i, e] of entropy(reference.entropy).entries()) assert.ok(Math.abs(e - entropy(fast.entropy)[i]) < 1e-5, `entropy[${i}]`);
      if (options.causal) {
        for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) assert.equal(fast.series.weights.data[i * T + j], 0, 'masked weight');
      }
      if (forgetBias < 0) {
        // Skipped keys are exactly the ones whose weight underflows: from the traced logits
        // l = e + D (float64), a key well above exp's underflow point ln(FLT_MIN) ≈ −87.34 below
        // its row's largest logit has a weight, one well below it has none.
        const { scores, decay, weights } = fast.series;
        let [weighted, zero] = [0, 0];
        for (let row = 0; row < B * H * T; row++) {
          const i = row % T;
          const l = (j: number): number => scores.data[row * T + j] + decay!.data[row * T + j];
          let m = -Infinity;
          for (let j = 0; j <= i; j++) m = Math.max(m, l(j));
          for (let j = 0; j <= i; j++) {
            const x = l(j) - m;
            const a = weights.data[row * T + j];
            if (x > -87) assert.ok(a > 0, `row ${row} key ${j}: x ${x}, weight ${a}`), weighted++;
            if (x < -87.7) assert.equal(a, 0, `row ${row} key ${j}: x ${x}`), zero++;
          }
        }
        assert.ok(zero > weighted, `${zero} zero weights, ${weighted} nonzero`);
      }
    });
  }
});
