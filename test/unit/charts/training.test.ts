import assert from 'node:assert/strict';
import { trainingCurvesDefinition, trainingRecords } from '../../../src/charts/chart.training';
import { LIGHT_THEME } from '../../../src/charts/theme';
import { DEFAULT_VIEW_OPTIONS } from '../../../src/charts/view';
import { buildView, defaultViews } from '../../../src/charts/views';
import type { Comparison, TrainingRecord } from '../../../src/shared/trace';
import { progressLine } from '../../../src/shared/training';
import { traceOf } from './helpers';

const record: TrainingRecord = {
  task: { name: 'reber', lag: 9.5 },
  epochs: 2,
  stepsPerEpoch: 2,
  loss: [1.9, 1.5, 1.2, 1.0],
  accuracy: [0.2, 0.3, 0.5, 0.6],
  testLoss: [1.4, 0.9],
  testAccuracy: [0.4, 0.7],
  stopped: false,
  metrics: { testAccuracy: 0.7, outerAccuracy: 0.5, legalAccuracy: 0.9 },
  cellMagnitude: [0.1, 0.3, 0.2],
};

function trained(forgetGate: number[][][], r: TrainingRecord) {
  const t = traceOf(forgetGate, { halfLife: [2, 4, null], labels: ['B', 'T', 'B'] });
  t.training = r;
  return t;
}

describe('training views', () => {
  const trace = trained([[[0.5, 0.8, 1], [0.5, 0.8, 1], [0.5, 0.8, 1]]], record);

  it('leads a trained trace with its curves and cell magnitude, and leaves untrained traces alone', () => {
    assert.deepEqual(defaultViews(trace).slice(0, 3), ['training', 'cellMagnitude', 'heatmap']);
    assert.ok(!defaultViews(traceOf([[[0.5]]])).includes('training'));
  });

  it('puts training loss at every step and test figures at each epoch end, with the lag and the half-life beside', () => {
    const def = trainingCurvesDefinition(trainingRecords(trace), LIGHT_THEME);
    const sets = def.config.data.datasets as { label: string; data: { x: number; y: number }[] }[];
    assert.deepEqual(sets.map((s) => s.label), ['training loss', 'test loss', 'test accuracy']);
    assert.deepEqual(sets[0].data, [{ x: 1, y: 1.9 }, { x: 2, y: 1.5 }, { x: 3, y: 1.2 }, { x: 4, y: 1.0 }]);
    assert.deepEqual(sets[1].data, [{ x: 2, y: 1.4 }, { x: 4, y: 0.9 }]);
    assert.deepEqual(sets[2].data, [{ x: 2, y: 0.4 }, { x: 4, y: 0.7 }]);
    const subtitle = (def.config.options!.plugins!.subtitle as { text: string[] }).text;
    assert.deepEqual(subtitle, ['task reber: lag 9.5 steps (what the task needs)', 'median half-life 3 · test accuracy 0.7 · outer T/P 0.5 · legal next symbol 0.9']);
    assert.equal(def.csv(), 'step,loss,test loss,test accuracy\n1,1.9,,\n2,1.5,1.4,0.4\n3,1.2,,\n4,1,0.9,0.7\n');
  });

  it('overlays the cell magnitude of every variant with the step symbols in the table', () => {
    const comparison: Comparison = { kind: 'comparison', variants: [
      { name: 'no forget gate (1997)', trace: trained([[[1, 1, 1], [1, 1, 1], [1, 1, 1]]], { ...record, cellMagnitude: [0.5, 1, 1.5] }) },
      { name: 'forget gate (2000)', trace },
    ] };
    assert.deepEqual(defaultViews(comparison).slice(0, 2), ['training', 'cellMagnitude']);
    const def = buildView('cellMagnitude', { output: comparison, theme: LIGHT_THEME, options: DEFAULT_VIEW_OPTIONS, toImage: () => ({}) as never });
    assert.equal(def.csv(), 'step,symbol,no forget gate (1997),forget gate (2000)\n0,B,0.5,0.1\n1,T,1,0.3\n2,B,1.5,0.2\n');
    assert.deepEqual(def.hover(2, 0), { title: 'step 2 (B)', lines: ['no forget gate (1997): 1.5', 'forget gate (2000): 0.2'] });
  });

  it('says where a training is in one line', () => {
    assert.equal(progressLine({ epoch: 3, epochs: 10, step: 5, stepsPerEpoch: 8, etaMs: 12_400, record }), 'Training epoch 3/10, step 5/8 · loss 1.00 · accuracy 0.60 · about 12 s left');
  });
});

describe('forgetting view', () => {
  const curve = (mitigation: string, accuracyA: number[]) => ({ mitigation, taskA: 'recall', taskB: 'copy', step: [0, 4, 8], lossA: [0.1, 1, 2], accuracyA, lossB: [2, 1, 0.5], accuracyB: [0.1, 0.5, 0.9] });
  const comparison: Comparison = { kind: 'comparison', variants: [
    { name: 'after A', trace: trained([[[0.5, 0.8, 1]]], record) },
    { name: 'none', trace: trained([[[0.5, 0.8, 1]]], { ...record, continual: curve('none', [1, 0.5, 0.25]), metrics: { forgetMeanAfterA: 0.9, forgetMean: 0.8, halfLifeAfterA: 6, halfLife: 3 } }) },
    { name: 'ewc', trace: trained([[[0.5, 0.8, 1]]], { ...record, continual: curve('ewc', [1, 0.9, 0.875]), metrics: {} }) },
  ] };

  it('leads a continual experiment with A\'s and B\'s accuracy over B\'s steps, one colour per mitigation', () => {
    assert.deepEqual(defaultViews(comparison).slice(0, 2), ['forgetting', 'training']);
    const def = buildView('forgetting', { output: comparison, theme: LIGHT_THEME, options: DEFAULT_VIEW_OPTIONS, toImage: () => ({}) as never });
    const sets = def.config.data.datasets as { label: string; data: { x: number; y: number }[]; borderColor: string }[];
    assert.deepEqual(sets.map((s) => s.label), ['none: accuracy on A (recall)', 'none: accuracy on B (copy)', 'ewc: accuracy on A (recall)', 'ewc: accuracy on B (copy)']);
    assert.deepEqual(sets[0].data, [{ x: 0, y: 1 }, { x: 4, y: 0.5 }, { x: 8, y: 0.25 }]);
    assert.equal(sets[0].borderColor, sets[1].borderColor);
    assert.notEqual(sets[0].borderColor, sets[2].borderColor);
    const subtitle = (def.config.options!.plugins!.subtitle as { text: string[] }).text;
    assert.deepEqual(subtitle, ['none: A 1 → 0.25 · B 0.9 · forget gate 0.9 → 0.8 · half-life 6 → 3', 'ewc: A 1 → 0.875 · B 0.9']);
    assert.equal(def.csv().split('\n')[2], '1,4,1,0.5,1,0.5,4,1,0.9,1,0.5');
    assert.deepEqual(def.hover(5, 0), { title: 'step 5 on B', lines: ['none (step 4): A 0.5 · B 0.5', 'ewc (step 4): A 0.9 · B 0.5'] });
  });
});
