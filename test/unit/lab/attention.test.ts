import assert from 'node:assert/strict';
import { attentionInfluence, generateAttentionWeights, traceAttention, type AttentionOptions, type AttentionWeights } from '../../../src/lab/attention';
import type { SequenceInput } from '../../../src/lab/data';
import { createRandom, normalArray } from '../../../src/lab/rng';
import { setupLab } from './setup';

function randomInput(seed: number, batch: number, time: number, features: number): SequenceInput {
  return { batch, time, features, data: normalArray(createRandom(seed), batch * time * features) };
}

/** Direct float64 computation of every quantity from its definition, loop by loop. */
function reference(input: SequenceInput, w: AttentionWeights, o: AttentionOptions) {
  const { batch: B, time: T, features: F } = input;
  const { heads: H, keyDim: d } = w;
  const proj = (m: Float32Array, b: number, t: number, h: number, a: number): number => {
    let s = 0;
    for (let f = 0; f < F; f++) s += input.data[(b * T + t) * F + f] * m[f * H * d + h * d + a];
    return s;
  };
  const weights: number[] = [];
  const scores: number[] = [];
  const decay: number[] = [];
  const gates: number[] = [];
  const output: number[] = new Array(B * T * H * d).fill(0);
  const causal = o.causal || o.forgetting;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const q = (t: number) => Array.from({ length: d }, (_, a) => proj(w.query, b, t, h, a));
      const k = (t: number) => Array.from({ length: d }, (_, a) => proj(w.key, b, t, h, a));
      const v = (t: number) => Array.from({ length: d }, (_, a) => proj(w.value, b, t, h, a));
      const f = Array.from({ length: T }, (_, t) => {
        if (!o.forgetting) return 1;
        let z = w.forgetBias![h];
        for (let c = 0; c < F; c++) z += input.data[(b * T + t) * F + c] * w.forgetKernel![c * H + h];
        return 1 / (1 + Math.exp(-z));
      });
      gates.push(...f);
      for (let i = 0; i < T; i++) {
        const e: number[] = [];
        for (let j = 0; j < T; j++) {
          let s = 0;
          if (o.score === 'additive' && !o.forgetting) {
            for (let a = 0; a < d; a++) {
              let z = 0;
              for (let c = 0; c < d; c++) z += q(i)[c] * w.Wq![(h * d + c) * d + a] + k(j)[c] * w.Wk![(h * d + c) * d + a];
              s += w.v![h * d + a] * Math.tanh(z);
            }
          } else {
            for (let a = 0; a < d; a++) s += q(i)[a] * k(j)[a];
            if (o.score === 'scaled-dot' || o.forgetting) s /= Math.sqrt(d);
          }
          let dij = 0;
          for (let m = j + 1; m <= i; m++) dij += Math.log(f[m]);
          e.push(s);
          scores.push(causal && j > i ? NaN : s);
          decay.push(j > i ? NaN : dij);
        }
        const logits = e.map((s, j) => (causal && j > i ? -Infinity : s + (o.forgetting ? decay[decay.length - T + j] : 0)));
        const max = Math.max(...logits);
        const ex = logits.map((l) => Math.exp(l - max));
        const sum = ex.reduce((a, c) => a + c, 0);
        let alpha = ex.map((x) => x / sum);
        if (o.pruneBelow !== undefined) {
          const top = Math.max(...alpha);
          const kept = alpha.map((a) => (a >= o.pruneBelow! || a === top ? a : 0));
          const z = kept.reduce((a, c) => a + c, 0);
          alpha = kept.map((a) => a / z);
        }
        weights.push(...alpha);
        for (let j = 0; j < T; j++) for (let a = 0; a < d; a++) output[(b * T + i) * H * d + h * d + a] += alpha[j] * v(j)[a];
      }
    }
  }
  return { weights, scores, decay, gates, output };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}


/**
 * Checks an influence row against central differences: for every step t,
 * ‖∂objective/∂x_t‖₂ over the step's 2 features, within `tolerance` (relative beyond 1).
 */
function assertInfluenceByDifferences(influence: ArrayLike<number>, data: Float32Array, time: number, objective: (x: Float32Array) => number, eps: number, tolerance: number): void {
  for (let t = 0; t < time; t++) {
    let norm = 0;
    for (let f = 0; f < 2; f++) {
      const plus = Float32Array.from(data);
      const minus = Float32Array.from(data);
      plus[t * 2 + f] += eps;
      minus[t * 2 + f] -= eps;
      norm += ((objective(plus) - objective(minus)) / (2 * eps)) ** 2;
    }
    assert.ok(Math.abs(influence[t] - Math.sqrt(norm)) < tolerance * Math.max(1, Math.sqrt(norm)), `step ${t}: ${influence[t]} vs ${Math.sqrt(norm)}`);
  }
}

describe('attention', () => {
  before(setupLab);

  for (const score of ['dot', 'scaled-dot', 'additive'] as const) {
    it(`matches softmax(e) computed directly for ${score} scores, two heads, batch 2`, () => {
      const input = randomInput(5, 2, 6, 3);
      const w = generateAttentionWeights(2, 3, 2, 4, { additive: score === 'additive', forgetting: false, forgetBias: 0 });
      const o: AttentionOptions = { score, causal: false, forgetting: false };
      const run = traceAttention(input, w, o);
      const ref = reference(input, w, o);
      assert.deepEqual(run.series.weights.shape, [2, 2, 6, 6]);
      assert.deepEqual(run.series.output.shape, [2, 6, 8]);
      close(run.series.weights.data, ref.weights, 1e-5, 'weights');
      close(run.series.scores.data, ref.scores, 1e-5, 'scores');
      close(run.series.output.data, ref.output, 1e-5, 'output');
    });
  }

  it('gives masked keys exactly zero weight when causal, and rows that sum to one', () => {
    const input = randomInput(1, 1, 5, 2);
    const w = generateAttentionWeights(1, 2, 1, 3, { additive: false, forgetting: false, forgetBias: 0 });
    const { series } = traceAttention(input, w, { score: 'scaled-dot', causal: true, forgetting: false });
    for (let i = 0; i < 5; i++) {
      let sum = 0;
      for (let j = 0; j < 5; j++) {
        const a = series.weights.data[i * 5 + j];
        if (j > i) {
          assert.equal(a, 0);
          assert.ok(Number.isNaN(series.scores.data[i * 5 + j]));
        }
        sum += a;
      }
      assert.ok(Math.abs(sum - 1) < 1e-6);
    }
    assert.equal(series.weights.data[0], 1, 'the first query sees only itself');
  });

  it('row entropy is −Σ α ln α, and ln T for uniform rows', () => {
    const input: SequenceInput = { batch: 1, time: 4, features: 1, data: new Float32Array(4) };
    const w = generateAttentionWeights(1, 1, 1, 2, { additive: false, forgetting: false, forgetBias: 0 });
    const run = traceAttention(input, w, { score: 'dot', causal: false, forgetting: false });
    for (const e of run.entropy[0][0]) assert.ok(Math.abs(e - Math.log(4)) < 1e-6);
  });

  it('prunes weights below the threshold, keeps the row maximum and renormalises', () => {
    const input = randomInput(9, 1, 8, 3);
    const w = generateAttentionWeights(3, 3, 2, 4, { additive: false, forgetting: false, forgetBias: 0 });
    const o: AttentionOptions = { score: 'dot', causal: false, forgetting: false, pruneBelow: 0.2 };
    const run = traceAttention(input, w, o);
    const ref = reference(input, w, o);
    close(run.series.weights.data, ref.weights, 1e-5, 'pruned weights');
    const kept = run.series.kept.data;
    for (let i = 0; i < kept.length; i++) {
      assert.ok(kept[i] === 0 || kept[i] === 1);
      assert.equal(kept[i] === 0, run.series.weights.data[i] === 0);
    }
  });

  it('forgetting attention: gates, decay D_ij = Σ ln f_k in float64 and weights match the definition', () => {
    const input = randomInput(4, 2, 7, 3);
    const w = generateAttentionWeights(8, 3, 2, 4, { additive: false, forgetting: true, forgetBias: 1 });
    const o: AttentionOptions = { score: 'scaled-dot', causal: true, forgetting: true };
    const run = traceAttention(input, w, o);
    const ref = reference(input, w, o);
    assert.deepEqual(run.series.forgetGate.shape, [2, 2, 7]);
    close(run.series.forgetGate.data, ref.gates, 1e-6, 'forget gates');
    close(run.series.decay.data, ref.decay, 1e-6, 'decay');
    close(run.series.weights.data, ref.weights, 1e-5, 'weights');
    close(run.series.output.data, ref.output, 1e-5, 'output');
  });

  it('accumulates the decay over a thousand steps without float32 drift', () => {
    // f = σ(0.5) everywhere: D_ij = (i − j)·ln σ(0.5) exactly.
    const T = 1000;
    const w = generateAttentionWeights(1, 1, 1, 1, { additive: false, forgetting: true, forgetBias: 0.5 });
    w.forgetKernel = Float32Array.of(0);
    const input: SequenceInput = { batch: 1, time: T, features: 1, data: new Float32Array(T) };
    const run = traceAttention(input, w, { score: 'scaled-dot', causal: true, forgetting: true });
    const lnf = Math.log(Math.fround(1 / (1 + Math.exp(-0.5))));
    let worst = 0;
    for (let i = 0; i < T; i += 37) for (let j = 0; j <= i; j += 11) worst = Math.max(worst, Math.abs(run.series.decay.data[i * T + j] - (i - j) * lnf) / Math.max(1, (i - j) * -lnf));
    assert.ok(worst < 1e-6, `relative error ${worst}`);
  });

  for (const forgetting of [false, true]) {
    it(`influence of each step on the last query matches finite differences (${forgetting ? 'forgetting attention' : 'causal attention'})`, () => {
      const input = randomInput(3, 1, 5, 2);
      const w = generateAttentionWeights(5, 2, 2, 3, { additive: false, forgetting, forgetBias: 0.5 });
      const o: AttentionOptions = { score: 'scaled-dot', causal: true, forgetting };
      const influence = attentionInfluence(input, w, o);
      const objective = (x: Float32Array): number => {
        const ref = reference({ ...input, data: x }, w, o);
        let s = 0;
        for (let u = 0; u < 6; u++) s += ref.output[(input.time - 1) * 6 + u];
        return s;
      };
      assertInfluenceByDifferences(influence[0], input.data, input.time, objective, 1e-3, 2e-3);
    });
  }
  it('computes the influence of pruned attention, the mask held fixed (finite differences of the traced output)', () => {
    const input = randomInput(4, 1, 5, 2);
    const w = generateAttentionWeights(6, 2, 2, 3, { additive: false, forgetting: true, forgetBias: 0.5 });
    const o: AttentionOptions = { score: 'scaled-dot', causal: true, forgetting: true, pruneBelow: 0.2 };
    const influence = attentionInfluence(input, w, o);
    const objective = (x: Float32Array): number => {
      const out = traceAttention({ ...input, data: x }, w, o).series.output.data;
      let s = 0;
      for (let u = 0; u < 6; u++) s += out[(input.time - 1) * 6 + u];
      return s;
    };
    assertInfluenceByDifferences(influence[0], input.data, input.time, objective, 1e-2, 1e-2);
  });
});
