import assert from 'node:assert/strict';
import { binLabel, halfLifeChart, halfLifeSpectrum } from '../../../src/charts/chart.halflife';
import { heatmapChart } from '../../../src/charts/chart.heatmap';
import { survivalChart } from '../../../src/charts/chart.survival';
import type { Drawable } from '../../../src/charts/plugin.heatmap';
import { DARK_THEME, LIGHT_THEME, seriesPalette } from '../../../src/charts/theme';
import { DEFAULT_VIEW_OPTIONS, type ViewKind, type ViewOptions } from '../../../src/charts/view';
import { buildView, defaultViews } from '../../../src/charts/views';
import type { Comparison, Trace } from '../../../src/shared/trace';
import { attentionOf, traceOf } from './helpers';

/** Stands in for a canvas: the configuration never draws it here. */
const fakeImage = (tag: object = {}) => tag as unknown as Drawable;

const forget = [[[0.5, 0.9, 0.2], [0.5, 0.9, 1], [0.5, 0.9, 1]]];
const halfLife = [1, Math.log(0.5) / Math.log(0.9), null];
const trace = traceOf(forget, { halfLife });

/** Reads a nested option without fighting chart.js's option types. */
function get(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

function view(kind: ViewKind, output: Trace | Comparison, options: Partial<ViewOptions> = {}, theme = LIGHT_THEME) {
  return buildView(kind, { output, theme, options: { ...DEFAULT_VIEW_OPTIONS, ...options }, toImage: () => fakeImage() });
}

/** A GRU trace: the update gate z is its keep gate. */
function gruOf(update: number[][][]): Trace {
  const t = traceOf(update, { series: { resetGate: update, hidden: update } });
  t.model = 'gru';
  t.series.updateGate = t.series.forgetGate;
  delete t.series.forgetGate;
  return t;
}

// Two heads over three tokens, causal: rows sum to 1, zero above the diagonal.
const weights = [[
  [[1, 0, 0], [0.25, 0.75, 0], [0.2, 0.3, 0.5]],
  [[1, 0, 0], [0.5, 0.5, 0], [0.6, 0.2, 0.2]],
]];
const tokens = ['the', 'cat', 'sat'];

describe('views chosen from the trace', () => {
  it('gives an LSTM trace the heatmap, gates, survival, half-life and saturation', () => {
    const t = traceOf([[[0.5, 0.9, 0.2, 0.7]]], { halfLife: [1, 6.6, 0.4, 1.9] });
    t.metrics.saturation = { low: [0, 0, 0, 0], high: [0, 1, 0, 0] };
    assert.deepEqual(defaultViews(t), ['heatmap', 'gates', 'survival', 'halflife', 'saturation']);
  });

  it('adds the half-life spectrum past 16 units and influence over lag when the metric is there', () => {
    const units = 20;
    const t = traceOf([[Array.from({ length: units }, () => 0.5)]], { halfLife: Array.from({ length: units }, () => 1) });
    t.metrics.influence = [[1]];
    assert.deepEqual(defaultViews(t), ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation', 'influence']);
  });

  it('gives a GRU the recurrent views, keyed on its update gate', () => {
    const t = gruOf(forget);
    assert.deepEqual(defaultViews(t), ['heatmap', 'gates', 'survival', 'halflife', 'saturation']);
    assert.equal(get(view('heatmap', t).config.options, 'plugins.title.text'), 'Update gate z — step × unit');
  });

  it('gives attention the matrix and the row entropy', () => {
    assert.deepEqual(defaultViews(attentionOf(weights)), ['matrix', 'entropy']);
  });

  it('gives forgetting attention the matrix, the forget gate per head, survival and half-life per head', () => {
    const t = attentionOf(weights, { forget: [[[0.9, 0.9, 0.9], [0.5, 0.5, 0.5]]], halfLife: [6.58, 1] });
    assert.deepEqual(defaultViews(t), ['matrix', 'headGates', 'survival', 'halflife', 'entropy']);
  });

  it('gives a comparison the overlaid survival, keep gate and half-life', () => {
    const c: Comparison = { kind: 'comparison', variants: [{ name: 'a', trace }, { name: 'b', trace: gruOf(forget) }] };
    assert.deepEqual(defaultViews(c), ['compareSurvival', 'compareGates', 'compareHalfLife']);
  });
});

describe('heatmap view', () => {
  it('is a line chart with no datasets whose axes cover every cell, unit 0 on top', () => {
    const { config, plugin } = heatmapChart(trace, LIGHT_THEME, () => fakeImage());
    assert.equal(config.type, 'line');
    assert.deepEqual(config.data.datasets, []);
    assert.deepEqual([get(config.options, 'scales.x.min'), get(config.options, 'scales.x.max')], [-0.5, 2.5]);
    assert.deepEqual([get(config.options, 'scales.y.min'), get(config.options, 'scales.y.max'), get(config.options, 'scales.y.reverse')], [-0.5, 2.5, true]);
    assert.equal(get(config.options, 'plugins.title.text'), 'Forget gate f — step × unit');
    assert.deepEqual(config.plugins, [plugin]);
    assert.deepEqual([plugin.layer.grid.cols, plugin.layer.grid.rows, plugin.layer.lo, plugin.layer.hi], [3, 3, 0, 1]);
  });

  it('labels the x axis with the step labels when the trace has them', () => {
    const labelled = traceOf(forget, { halfLife, labels: tokens });
    const { config } = heatmapChart(labelled, LIGHT_THEME, () => fakeImage());
    const callback = get(config.options, 'scales.x.ticks.callback') as (v: number) => string;
    assert.deepEqual([callback(0), callback(2), callback(0.5)], ['the', 'sat', '']);
    assert.equal(get(config.options, 'scales.x.title.text'), 'step (token)');
  });

  it('makes the image only when the chart draws it', () => {
    let made = 0;
    heatmapChart(trace, LIGHT_THEME, () => fakeImage({ made: ++made }));
    assert.equal(made, 0);
  });

  it('tells the exact value, step, token and unit under the pointer', () => {
    const v = view('heatmap', traceOf(forget, { halfLife, labels: tokens }));
    assert.deepEqual(v.hover(1.2, 0.9), { title: 'step 1 ("cat")', lines: ['unit 1', 'f = 0.9'] });
    assert.equal(v.hover(3, 0), null, 'outside the steps');
    assert.equal(v.channelAt!(0, 2.2), 2);
  });

  it('orders units by half-life and maps rows back to units', () => {
    // Mean forget gates: unit 0 0.5, unit 1 0.9, unit 2 0.733 → longest memory first: 1, 2, 0.
    const v = view('heatmap', trace, { sort: 'halfLife' });
    assert.deepEqual(Array.from(v.heatmap!.layer.grid.rowOrder!), [1, 2, 0]);
    assert.equal(v.channelAt!(0, 0), 1);
    assert.equal(v.rowOf!(0), 2);
    const ticks = get(v.config.options, 'scales.y.ticks.callback') as (v: number) => string;
    assert.deepEqual([0, 1, 2].map(ticks), ['1', '2', '0']);
    assert.match(String(get(v.config.options, 'plugins.subtitle.text')), /units sorted by half-life/);
  });

  it('orders units by saturation, integrators first', () => {
    const t = traceOf(forget, { halfLife });
    t.metrics.saturation = { low: [0, 0, 0.34], high: [0, 1, 0.67] };
    assert.deepEqual(Array.from(view('heatmap', t, { sort: 'saturation' }).heatmap!.layer.grid.rowOrder!), [1, 2, 0]);
  });

  it('writes the matrix step × unit as CSV, and a bounded table', () => {
    const v = view('heatmap', traceOf(forget, { halfLife, labels: tokens }));
    assert.equal(v.csv(), 'step,token,unit 0,unit 1,unit 2\n0,the,0.5,0.9,0.2\n1,cat,0.5,0.9,1\n2,sat,0.5,0.9,1\n');
    const table = v.table(2);
    assert.deepEqual([table.rows.length, table.totalRows, table.rows[0]], [2, 3, ['0', 'the', '0.5', '0.9', '0.2']]);
  });
});

describe('attention matrix view', () => {
  const t = attentionOf(weights, { labels: tokens });

  it('draws one head query × key with token labels on both axes', () => {
    const v = view('matrix', t, { head: 1 });
    assert.equal(get(v.config.options, 'plugins.title.text'), 'Attention weights α — query × key');
    for (const axis of ['x', 'y']) {
      const callback = get(v.config.options, `scales.${axis}.ticks.callback`) as (v: number) => string;
      assert.deepEqual([0, 1, 2].map(callback), tokens, `${axis} ticks`);
    }
    assert.deepEqual(Array.from(v.heatmap!.layer.grid.values as Float32Array), [1, 0, 0, 0.5, 0.5, 0, 0.6, 0.2, 0.2].map(Math.fround));
    assert.match(v.label, /head 1: 3 queries × 3 keys/);
  });

  it('tells the query, key, head and weight under the pointer', () => {
    assert.deepEqual(view('matrix', t).hover(0, 1), { title: 'query 1 ("cat") → key 0 ("the")', lines: ['head 0', 'α = 0.25'] });
  });

  it('scales the weights up to their largest value, so small weights do not all look dark', () => {
    const soft = attentionOf([[[[0.5, 0.5, 0], [0.2, 0.3, 0.5], [0.3, 0.3, 0.4]]]]);
    const layer = view('matrix', soft).heatmap!.layer;
    assert.deepEqual([layer.lo, layer.hi], [0, 0.5]);
  });

  it('draws the decay bias of forgetting attention on [min D, 0] and has nothing above the diagonal', () => {
    const f = attentionOf(weights, { forget: [[[0.5, 0.5, 0.5], [0.9, 0.9, 0.9]]] });
    const v = view('matrix', f, { matrixSeries: 'decay' });
    const layer = v.heatmap!.layer;
    assert.ok(Math.abs(layer.lo - 2 * Math.log(0.5)) < 1e-6, `lo ${layer.lo}`);
    assert.equal(layer.hi, 0);
    assert.deepEqual(v.hover(2, 0)!.lines, ['head 0', 'D: none (j > i)']);
    assert.equal(v.hover(0, 2)!.lines[1], 'D = −1.38629');
  });

  it('gives the row entropy per head against the entropy of uniform causal attention', () => {
    const v = view('entropy', t);
    const uniform = v.config.data.datasets[0];
    assert.match(uniform.label, /ln\(i\+1\)/);
    assert.deepEqual(uniform.data.map((p: { y: number }) => p.y), [0, Math.log(2), Math.log(3)]);
    assert.deepEqual(v.config.data.datasets.slice(1).map((d: { label: string }) => d.label), ['head 0', 'head 1']);
    assert.equal(v.hover(1, 0)!.lines[1], `head 1: H = ${Math.log(2).toPrecision(4)} nats`);
  });
});

describe('gate views', () => {
  it('puts every gate on one chart, mean and quartile band, keep gate first and the legend toggling a gate at once', () => {
    const t = traceOf(forget, { halfLife, series: { inputGate: forget, outputGate: forget, cell: forget } });
    const v = view('gates', t, {}, DARK_THEME);
    const labels = v.config.data.datasets.map((d: { label: string }) => d.label);
    assert.deepEqual(labels, ['f Q1', 'f Q1–Q3', 'f forget gate', 'i Q1', 'i Q1–Q3', 'i input gate', 'o Q1', 'o Q1–Q3', 'o output gate']);
    const mean = v.config.data.datasets[2];
    assert.equal(mean.borderColor, DARK_THEME.blue);
    [1.6 / 3, 0.8, 0.8].forEach((m, t) => assert.ok(Math.abs(mean.data[t].y - m) < 1e-6, `mean at step ${t}`));
    assert.equal(v.config.data.datasets[1].fill, '-1', 'the band fills down to Q1');
    const filter = get(v.config.options, 'plugins.legend.labels.filter') as (item: { datasetIndex: number }, data: unknown) => boolean;
    assert.deepEqual(labels.map((_: string, k: number) => filter({ datasetIndex: k }, v.config.data)), [false, false, true, false, false, true, false, false, true]);
    const hidden: number[] = [];
    const onClick = get(v.config.options, 'plugins.legend.onClick') as (e: unknown, item: { datasetIndex: number }, legend: unknown) => void;
    onClick(null, { datasetIndex: 5 }, { chart: { data: v.config.data, isDatasetVisible: () => true, setDatasetVisibility: (i: number) => hidden.push(i), update: () => {} } });
    assert.deepEqual(hidden, [3, 4, 5]);
  });

  it('adds a pinned unit’s keep gate and tells its value under the pointer', () => {
    const v = view('gates', trace, { pinned: [2] });
    assert.equal(v.config.data.datasets.at(-1).label, 'unit 2: f');
    assert.deepEqual(v.hover(0, 0)!.lines.at(-1), 'unit 2: f = 0.2');
  });

  it('draws the forget gate of each head of forgetting attention', () => {
    const f = attentionOf(weights, { forget: [[[0.9, 0.8, 0.7], [0.5, 0.4, 0.3]]], labels: tokens });
    const v = view('headGates', f);
    assert.deepEqual(v.config.data.datasets.map((d: { label: string }) => d.label), ['head 0', 'head 1']);
    assert.deepEqual(v.config.data.datasets[1].data.map((p: { y: number }) => p.y), [0.5, 0.4, 0.3].map(Math.fround));
    assert.deepEqual(v.hover(2, 0), { title: 'step 2 ("sat")', lines: [`head 0: f = 0.7`, `head 1: f = 0.3`] });
  });
});

describe('memory views', () => {
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

  it('survival of forgetting attention multiplies each head’s forget gate', () => {
    const f = attentionOf(weights, { forget: [[[0.5, 0.5, 0.5], [1, 0.5, 0.5]]], halfLife: [1, null] });
    const v = view('survival', f, { pinned: [1] });
    const pinned = v.config.data.datasets.find((d: { label: string }) => d.label.startsWith('pinned'));
    assert.equal(pinned.label, 'pinned: head 1 (no finite t½)');
    assert.deepEqual(pinned.data.map((p: { y: number }) => p.y), [1, 0.5, 0.25]);
  });

  it('half-life: one bar per bin, and a note on the units left out', () => {
    const t = traceOf([Array.from({ length: 3 }, () => Array.from({ length: 17 }, () => 0.5))], { halfLife: [1, 2, 3, 4, ...Array.from({ length: 12 }, () => 2), null] });
    const config = halfLifeChart(t, LIGHT_THEME);
    assert.equal(config.type, 'bar');
    assert.deepEqual(config.data.labels, ['1–1.8', '1.8–2.5', '2.5–3.3', '3.3–4']);
    assert.deepEqual(config.data.datasets[0].data, [1, 13, 1, 1]);
    assert.deepEqual(get(config.options, 'plugins.subtitle.text'), ['median 2 steps over 16 units', 'not shown: 1 unit without a finite t½ (f̄ = 0 or 1)']);
  });

  it('half-life: one bar per head on a log scale when they span decades', () => {
    const f = attentionOf(weights, { forget: [[[0.5, 0.5, 0.5], [0.99, 0.99, 0.99]]], halfLife: [1, 69] });
    const v = view('halflife', f);
    assert.deepEqual(v.config.data.labels, ['head 0', 'head 1']);
    assert.equal(get(v.config.options, 'scales.y.type'), 'logarithmic');
    assert.deepEqual(v.hover(1, 0), { title: 'head 1', lines: ['t½ = 69 steps'] });
  });

  it('half-life: labels a bin by its edges, or by its value when it has one', () => {
    assert.equal(binLabel({ lo: 0.4812, hi: 0.7123, count: 3 }), '0.48–0.71');
    assert.equal(binLabel({ lo: 3, hi: 3, count: 2 }), '3');
  });

  it('spectrum: units sorted by half-life, longest first, without the ones that have none', () => {
    assert.deepEqual(halfLifeSpectrum([2, null, 8, 2, 0.5]), [{ unit: 2, halfLife: 8 }, { unit: 0, halfLife: 2 }, { unit: 3, halfLife: 2 }, { unit: 4, halfLife: 0.5 }]);
  });

  it('saturation: one point per unit, low against high, and the nearest unit under the pointer', () => {
    const t = traceOf(forget, { halfLife });
    t.metrics.saturation = { low: [0, 0, 0.34], high: [0, 1, 0.67] };
    const v = view('saturation', t, { pinned: [1] });
    assert.deepEqual(v.config.data.datasets[1].data, [{ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 0.34, y: 0.67 }]);
    assert.equal(v.config.data.datasets[1].pointBackgroundColor[1], LIGHT_THEME.red, 'the pinned unit stands out');
    assert.equal(v.channelAt!(0.33, 0.68), 2);
    assert.equal(v.channelAt!(0.5, 0.2), null);
    assert.equal(v.hover(0.01, 0.99)!.title, 'unit 1');
  });

  it('influence: plotted against the lag T−1−t, the last input at lag 0', () => {
    const t = traceOf(forget, { halfLife, labels: tokens });
    t.metrics.influence = [[0.01, 0.1, 1]];
    const v = view('influence', t);
    assert.deepEqual(v.config.data.datasets[0].data, [{ x: 0, y: 1 }, { x: 1, y: 0.1 }, { x: 2, y: 0.01 }]);
    assert.deepEqual(v.hover(2, 0), { title: 'lag 2: step 0 ("the")', lines: ['influence = 0.01'] });
    assert.equal(v.link, 'lag');
    assert.equal(v.csv(), 'lag,step,token,influence\n0,2,sat,1\n1,1,cat,0.1\n2,0,the,0.01\n');
  });
});

describe('comparison views', () => {
  const attention = attentionOf(weights);
  const comparison: Comparison = { kind: 'comparison', variants: [{ name: 'lstm', trace }, { name: 'attention', trace: attention }, { name: 'gru', trace: gruOf(forget) }] };

  it('draws one colour per variant, the same in every chart, and names the variants left out', () => {
    const palette = seriesPalette(LIGHT_THEME);
    for (const kind of ['compareSurvival', 'compareGates'] as const) {
      const v = view(kind, comparison);
      const lines = v.config.data.datasets.filter((d: { label: string }) => d.label !== 'R = ½');
      assert.deepEqual(lines.map((d: { label: string; borderColor: string }) => [d.label, d.borderColor]), [['lstm (f)', palette[0]], ['gru (z)', palette[2]]], kind);
      assert.match(String(get(v.config.options, 'plugins.subtitle.text')), /not shown \(no keep gate\): attention/);
    }
  });

  it('overlays the mean survival of each variant on shared step axes', () => {
    const v = view('compareSurvival', comparison);
    const lstm = v.config.data.datasets[1];
    assert.deepEqual(lstm.data.map((p: { y: number }) => Number(p.y.toFixed(4))), [0.5333, 0.42, 0.3513]);
    assert.deepEqual(v.hover(0, 0)!.lines, ['lstm: R = 0.5333', 'gru: R = 0.5333']);
  });

  it('bins the half-lives of all variants on shared bins, as shares of each variant', () => {
    const v = view('compareHalfLife', comparison);
    assert.deepEqual(v.config.data.datasets.map((d: { label: string }) => d.label), ['lstm (3.79)', 'gru (—)']);
    const shares = v.config.data.datasets[0].data as number[];
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 2 / 3) < 1e-9, 'two of three units have a finite half-life');
  });
});
