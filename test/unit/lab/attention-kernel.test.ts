import assert from 'node:assert/strict';
import { generateAttentionWeights, setAttentionKernel, traceAttention, type AttentionOptions } from '../../../src/lab/attention';
import { createWasmAttentionKernel } from '../../../src/lab/kernels/wasm-attention';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { kernelsWasm } from '../kernels/helpers';
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
  after(() => setAttentionKernel(createWasmAttentionKernel(kernelsWasm())));

  // Steps and key sizes not multiples of 4 or 8, one step, several heads and batch rows.
  const cases: [batch: number, time: number, features: number, heads: number, keyDim: number, options: AttentionOptions][] = [
    [1, 1, 3, 1, 4, { score: 'scaled-dot', causal: true, forgetting: false }],
    [2, 13, 6, 2, 5, { score: 'scaled-dot', causal: true, forgetting: false }],
    [1, 21, 4, 3, 9, { score: 'dot', causal: false, forgetting: false }],
    [3, 17, 5, 2, 8, { score: 'scaled-dot', causal: false, forgetting: false }],
    [2, 40, 7, 2, 3, { score: 'scaled-dot', causal: true, forgetting: true }],
    [1, 64, 16, 1, 16, { score: 'scaled-dot', causal: true, forgetting: true }],
    [2, 23, 5, 3, 7, { score: 'scaled-dot', causal: true, forgetting: true }],
    [1, 1, 2, 1, 1, { score: 'scaled-dot', causal: true, forgetting: true }],
  ];
  for (const [B, T, F, H, d, options] of cases) {
    const name = `${options.forgetting ? 'forgetting' : options.score}${options.causal ? ', causal' : ''}`;
    it(`[${B}, ${T}, ${F}], ${H} head${H === 1 ? "" : "s"} of ${d}, ${name}: the same series as the tfjs forward to 1e-5, and the same entropy`, () => {
      const input = { batch: B, time: T, features: F, data: normalArray(createRandom(T + d), B * T * F) };
      const w = generateAttentionWeights(B + H, F, H, d, { additive: false, forgetting: options.forgetting, forgetBias: 1 });
      const fast = traceAttention(input, w, options);
      setAttentionKernel(undefined);
      const reference = traceAttention(input, w, options);
      setAttentionKernel(createWasmAttentionKernel(kernelsWasm()));
      const { diff, where } = maxDiff(reference.series, fast.series);
      assert.ok(diff < 1e-5, `largest difference ${diff} at ${where}`);
      const entropy = (e: number[][][]): number[] => e.flat(2);
      for (const [i, e] of entropy(reference.entropy).entries()) assert.ok(Math.abs(e - entropy(fast.entropy)[i]) < 1e-5, `entropy[${i}]`);
      if (options.causal) {
        for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) assert.equal(fast.series.weights.data[i * T + j], 0, 'masked weight');
      }
    });
  }
});
