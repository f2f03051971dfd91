import assert from 'node:assert/strict';
import { gateSummaryChart } from '../../../src/charts/chart.gates';
import { binLabel, halfLifeChart } from '../../../src/charts/chart.halflife';
import { heatmapChart } from '../../../src/charts/chart.heatmap';
import { survivalChart } from '../../../src/charts/chart.survival';
import { DARK_THEME, LIGHT_THEME } from '../../../src/charts/theme';
import type { Drawable } from '../../../src/charts/plugin.heatmap';
import { traceOf } from './helpers';

/** Stands in for a canvas: the configuration never draws it here. */
const fakeImage = (tag: object = {}) => tag as unknown as Drawable;

const forget = [[[0.5, 0.9, 0.2], [0.5, 0.9, 1], [0.5, 0.9, 1]]];
const halfLife = [1, Math.log(0.5) / Math.log(0.9), null];
const trace = traceOf(forget, { halfLife });

/** Reads a nested option without fighting chart.js's option types. */
function get(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('chart configurations', () => {
  it('heatmap: a line chart with no datasets, whose axes cover every cell, unit 0 on top', () => {
    const { config, plugin } = heatmapChart(trace, LIGHT_THEME, () => fakeImage());
    assert.equal(config.type, 'line');
    assert.deepEqual(config.data.datasets, []);
    assert.deepEqual([get(config.options, 'scales.x.min'), get(config.options, 'scales.x.max')], [-0.5, 2.5]);
    assert.deepEqual([get(config.options, 'scales.y.min'), get(config.options, 'scales.y.max'), get(config.options, 'scales.y.reverse')], [-0.5, 2.5, true]);
    assert.equal(get(config.options, 'plugins.title.text'), 'Forget gate f — step × unit');
    assert.deepEqual(config.plugins, [plugin]);
    assert.equal(plugin.id, 'fglabHeatmap');
    assert.deepEqual([plugin.layer.image.width, plugin.layer.image.height, plugin.layer.lo, plugin.layer.hi], [3, 3, 0, 1]);
  });

  it('heatmap: labels the x axis with the step labels when the trace has them', () => {
    const labelled = traceOf(forget, { halfLife, labels: ['the', 'cat', 'sat'] });
    const { config } = heatmapChart(labelled, LIGHT_THEME, () => fakeImage());
    const callback = get(config.options, 'scales.x.ticks.callback') as (v: number) => string;
    assert.deepEqual([callback(0), callback(2), callback(0.5)], ['the', 'sat', '']);
    assert.equal(get(config.options, 'scales.x.title.text'), 'step (token)');
  });

  it('heatmap: makes the image only when the chart draws it', () => {
    let made = 0;
    heatmapChart(trace, LIGHT_THEME, () => fakeImage({ made: ++made }));
    assert.equal(made, 0);
  });

  it('gate summary: mean, median, quartile band and range over units, per step', () => {
    const config = gateSummaryChart(trace, DARK_THEME);
    const byLabel: Record<string, (typeof config.data.datasets)[number]> = Object.fromEntries(config.data.datasets.map((d) => [d.label, d]));
    assert.deepEqual(Object.keys(byLabel), ['min, max', 'Q1', 'Q1–Q3', 'max', 'median', 'mean']);
    // Step 0: 0.5, 0.9, 0.2 → mean 0.5333; steps 1 and 2: 0.5, 0.9, 1 → mean 0.8.
    const mean = byLabel.mean.data.map((p) => p.y);
    [1.6 / 3, 0.8, 0.8].forEach((v, t) => assert.ok(Math.abs(mean[t] - v) < 1e-6, `mean at step ${t}`));
    assert.deepEqual(byLabel.mean.data.map((p) => p.x), [0, 1, 2]);
    assert.equal(byLabel['Q1–Q3'].fill, '-1', 'the band fills down to Q1');
    assert.deepEqual([get(config.options, 'scales.y.min'), get(config.options, 'scales.y.max')], [0, 1]);
  });

  it('gate summary: draws with the theme colours', () => {
    const config = gateSummaryChart(trace, DARK_THEME);
    assert.equal(config.data.datasets.find((d) => d.label === 'mean')!.borderColor, DARK_THEME.blue);
    assert.equal(get(config.options, 'plugins.title.color'), DARK_THEME.foreground);
    assert.equal(get(config.options, 'scales.x.grid.color'), DARK_THEME.grid);
    assert.equal(get(config.options, 'scales.y.ticks.font.family'), DARK_THEME.fontFamily);
  });

  it('survival: the ½ line, the slowest, median and fastest unit, and the mean', () => {
    const config = survivalChart(trace, LIGHT_THEME);
    assert.deepEqual(config.data.datasets.map((d) => d.label), [
      'R = ½',
      'slowest: unit 1 (t½ 6.58)',
      'median: unit 2 (no finite t½)',
      'fastest: unit 0 (t½ 1)',
      'mean',
    ]);
    assert.deepEqual(config.data.datasets[3].data.map((p) => p.y), [0.5, 0.25, 0.125]);
    assert.deepEqual([get(config.options, 'scales.y.min'), get(config.options, 'scales.y.max')], [0, 1]);
  });

  it('half-life: one bar per bin, and a note on the units left out', () => {
    const config = halfLifeChart(traceOf([[[0.5, 0.5, 0.5, 0.5, 0.5]]], { halfLife: [1, 2, 3, 4, null] }), LIGHT_THEME);
    assert.equal(config.type, 'bar');
    assert.deepEqual(config.data.labels, ['1–2.5', '2.5–4']);
    assert.deepEqual(config.data.datasets[0].data, [2, 2]);
    assert.deepEqual(get(config.options, 'plugins.subtitle.text'), ['median 2.5 steps over 4 units', 'not shown: 1 unit without a finite t½ (f̄ = 0 or 1)']);
  });

  it('half-life: labels a bin by its edges, or by its value when it has one', () => {
    assert.equal(binLabel({ lo: 0.4812, hi: 0.7123, count: 3 }), '0.48–0.71');
    assert.equal(binLabel({ lo: 3, hi: 3, count: 2 }), '3');
  });
});
