import assert from 'node:assert/strict';
import { medianHalfLife } from '../../../src/charts/chart.initialisation';
import { persistenceText } from '../../../src/charts/chart.persistence';
import { LIGHT_THEME } from '../../../src/charts/theme';
import { DEFAULT_VIEW_OPTIONS } from '../../../src/charts/view';
import { buildView, defaultViews } from '../../../src/charts/views';
import type { Comparison, Trace, TrainingRecord } from '../../../src/shared/trace';
import { traceOf } from './helpers';

const ctx = (output: Trace | Comparison) => ({ output, theme: LIGHT_THEME, options: DEFAULT_VIEW_OPTIONS, toImage: () => ({}) as never });

/** A 3-step trace whose connectivity is C[s][t] = 0.1^(t−s) for s ≤ t (0 after), the secret at step 0. */
function persistent(): Trace {
  const t = traceOf([[[0.5], [0.5], [0.5]]]);
  const C = [1, 0.1, 0.01, 0, 1, 0.1, 0, 0, 1];
  // Charts tests load no TensorFlow.js, so the record is written out (src/lab/persistence.ts makes it from a matrix).
  t.persistence = { secretAt: 0, threshold: 0.05, connectivity: { shape: [3, 3], data: Float32Array.from(C) }, peak: 1, peakAt: 0, steps: 2 };
  return t;
}

describe('persistence views', () => {
  it('lead a trace with the secret\'s curve and add the connectivity heatmap', () => {
    const views = defaultViews(persistent());
    assert.equal(views[0], 'persistence');
    assert.ok(views.includes('connectivity'));
    assert.ok(!defaultViews(traceOf([[[0.5]]])).includes('persistence'));
  });

  it('draw the secret\'s curve with the line at threshold · peak and say when it falls below for good', () => {
    const def = buildView('persistence', ctx(persistent()));
    const sets = def.config.data.datasets as { label: string; data: { x: number; y: number }[] }[];
    assert.deepEqual(sets.map((s) => s.label), ['influence of the secret', '5% of the peak']);
    assert.deepEqual(sets[0].data.map((p) => p.y), [1, 0.1, 0.01].map(Math.fround));
    assert.deepEqual(sets[1].data, [{ x: 0, y: 0.05 }, { x: 2, y: 0.05 }]);
    assert.deepEqual((def.config.options!.plugins!.subtitle as { text: string[] }).text, ['below 5% of its peak after 2 steps']);
    assert.equal(def.config.options!.scales!.y!.type, 'logarithmic', 'two decades and more: log scale');
  });

  it('say "never within the sequence" when the influence is still above the line at the end', () => {
    assert.equal(persistenceText({ ...persistent().persistence!, steps: null, threshold: 0.01 }), 'still above 1% of its peak at the last step (never within the sequence)');
  });

  it('show the connectivity matrix on a log scale with s > t blank, and its exact values in hover and table', () => {
    const def = buildView('connectivity', ctx(persistent()));
    assert.equal(def.heatmap!.layer.hi, 0);
    assert.ok(Math.abs(def.heatmap!.layer.lo + 2) < 1e-6, String(def.heatmap!.layer.lo));
    assert.ok(Number.isNaN(def.heatmap!.layer.grid.values[3]), 'C[1][0] is not drawn');
    assert.deepEqual(def.hover(0, 1), { title: 'input step s = 1 → output step t = 0', lines: ['C = 0 (t before s)'] });
    assert.deepEqual(def.hover(2, 0), { title: 'input step s = 0 → output step t = 2', lines: ['C = 0.01'] });
    assert.equal(def.csv().split('\n')[1], '0,1,0.1,0.01', 'float32 values at their shortest');
  });
});

describe('initialisation view', () => {
  const record = (halfLives: TrainingRecord['halfLives']): TrainingRecord => ({ task: { name: 'copy', lag: 5 }, epochs: 1, stepsPerEpoch: 1, loss: [1], accuracy: [0], testLoss: [1], testAccuracy: [0], stopped: false, halfLives });
  function variant(predicted: number, measured: (number | null)[]): Trace {
    const t = traceOf([[[0.5, 0.5]]]);
    t.training = record({ predictedBefore: [predicted, predicted], measuredBefore: measured, predictedAfter: [2 * predicted, null], measuredAfter: [3, 4] });
    return t;
  }
  const comparison: Comparison = { kind: 'comparison', variants: [{ name: 'no forget bias', trace: variant(1, [1.5, null]) }, { name: 'unit forget bias', trace: variant(1.5, [2, 3]) }] };

  it('plots predicted against measured per unit, before and after, skipping units without a half-life', () => {
    assert.ok(defaultViews(comparison).includes('halfLifeCheck'));
    const def = buildView('halfLifeCheck', ctx(comparison));
    const sets = def.config.data.datasets as { label: string; data: { x: number; y: number }[] }[];
    assert.deepEqual(sets.map((s) => s.label), ['no forget bias: before training', 'no forget bias: after training', 'unit forget bias: before training', 'unit forget bias: after training', 'predicted = measured']);
    assert.deepEqual(sets[0].data, [{ x: 1, y: 1.5 }]);
    assert.deepEqual(sets[1].data, [{ x: 2, y: 3 }]);
    assert.deepEqual(sets[2].data, [{ x: 1.5, y: 2 }, { x: 1.5, y: 3 }]);
    assert.deepEqual(sets[4].data, [{ x: 1, y: 1 }, { x: 3, y: 3 }]);
    assert.deepEqual((def.config.options!.plugins!.subtitle as { text: string[] }).text, [
      'no forget bias: median t½ predicted 1 → measured 1.5 before training, 2 → 3.5 after',
      'unit forget bias: median t½ predicted 1.5 → measured 2.5 before training, 3 → 3.5 after',
    ]);
    assert.equal(def.csv().split('\n')[2], 'no forget bias,1,1,,,4');
  });

  it('takes the median over units with a finite half-life only', () => {
    assert.equal(medianHalfLife([null, 2, Infinity, 4]), 3);
    assert.equal(medianHalfLife([null]), null);
  });
});
