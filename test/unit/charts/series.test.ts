import assert from 'node:assert/strict';
import { availableSeries, batchRowOf, checkChartable, gridSeries, keepGateOf, keepGateRow, matrixSeries, valueScale } from '../../../src/charts/series';
import { diverging, viridis } from '../../../src/charts/colormap';
import { ATTENTION_SERIES, FORGETTING_ATTENTION_SERIES, LSTM_SERIES, TraceFormatError } from '../../../src/shared/trace';
import { attentionOf, traceOf } from './helpers';

const weights = [[[[1, 0], [0.5, 0.5]], [[1, 0], [0.1, 0.9]]]];

const info = (name: string) => LSTM_SERIES.find((s) => s.name === name)!;

describe('series of a trace', () => {
  it('lists the series present in display order', () => {
    const trace = traceOf([[[0.5, 0.5]]], { series: { survival: [[[0.5, 0.5]]], hidden: [[[0, 0]]] } });
    assert.deepEqual(availableSeries(trace).map((s) => s.name), ['forgetGate', 'hidden', 'survival']);
  });

  it('leaves out a series whose shape does not match the dims', () => {
    const trace = traceOf([[[0.5, 0.5]]]);
    trace.series.cell = { shape: [1, 1, 3], data: new Float32Array(3) };
    assert.deepEqual(availableSeries(trace).map((s) => s.name), ['forgetGate']);
  });

  it('gives one batch row as [time][units]', () => {
    const trace = traceOf([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    assert.deepEqual([...batchRowOf(trace, 'forgetGate', 1)], [5, 6, 7, 8]);
  });

  it('scales gates on [0, 1] with viridis and tanh outputs on [−1, 1] with the diverging map', () => {
    assert.deepEqual([valueScale(info('forgetGate'), []).lo, valueScale(info('forgetGate'), []).hi, valueScale(info('forgetGate'), []).mapName], [0, 1, 'viridis']);
    const h = valueScale(info('hidden'), []);
    assert.deepEqual([h.lo, h.hi, h.mapName], [-1, 1, 'diverging']);
  });

  it('scales the cell state over ±max |c|, white at 0', () => {
    const s = valueScale(info('cell'), [-3, 2, NaN, Infinity]);
    assert.deepEqual([s.lo, s.hi], [-3, 3]);
    assert.deepEqual(s.map(0), [247, 247, 247]);
    assert.deepEqual(s.map(3), diverging(1));
    assert.deepEqual(s.map(-1.5), diverging(-0.5));
  });

  it('scales a cell state of zeros over ±1', () => {
    const s = valueScale(info('cell'), [0, 0]);
    assert.deepEqual([s.lo, s.hi], [-1, 1]);
  });
});

describe('chartable traces', () => {
  it('accepts a trace with steps, units and a forget gate', () => {
    assert.doesNotThrow(() => checkChartable(traceOf([[[0.5]]])));
  });

  it('rejects a trace without steps, naming dims.time', () => {
    const trace = traceOf([[[0.5]]]);
    trace.dims.time = 0;
    assert.throws(() => checkChartable(trace), (e: Error) => e instanceof TraceFormatError && /trace dims\.time: expected at least 1 to chart, got 0/.test(e.message));
  });

  it('rejects a trace without a forget gate, naming series.forgetGate', () => {
    const trace = traceOf([[[0.5]]]);
    delete trace.series.forgetGate;
    assert.throws(() => checkChartable(trace), /trace series\.forgetGate: expected a series of shape \[1, 1, 1\] \(\[batch, time, unit\]\), got none/);
  });

  it('rejects a forget gate of another shape than the dims', () => {
    const trace = traceOf([[[0.5, 0.5]]]);
    trace.dims.units = 3;
    assert.throws(() => checkChartable(trace), /trace series\.forgetGate\.shape: expected \[1, 1, 3\] \(\[batch, time, unit\]\), got \[1, 1, 2\]/);
  });
});

describe('series of attention traces', () => {
  it('finds the query × key matrices and the output from SERIES_INFO axes', () => {
    const t = attentionOf(weights);
    assert.deepEqual(matrixSeries(t).map((s) => s.name), ['weights', 'scores']);
    assert.deepEqual(gridSeries(t).map((s) => s.name), ['output']);
    assert.equal(keepGateOf(t), undefined);
  });

  it('takes the per-head forget gate as the keep gate of forgetting attention, transposed to [time][heads]', () => {
    const t = attentionOf(weights, { forget: [[[0.9, 0.8], [0.5, 0.4]]] });
    assert.deepEqual(keepGateOf(t), { info: FORGETTING_ATTENTION_SERIES[0], channel: 'head', channels: 2 });
    assert.deepEqual(Array.from(keepGateRow(t)), [0.9, 0.5, 0.8, 0.4].map(Math.fround));
    assert.deepEqual(availableSeries(t).map((s) => s.name), ['forgetGate', 'decay', 'weights', 'scores', 'output']);
  });

  it('draws kept/pruned weights with two colours labelled 0 and 1', () => {
    const s = valueScale(ATTENTION_SERIES.find((i) => i.name === 'kept')!, [0, 1]);
    assert.deepEqual([s.mapName, s.ticks, s.map(0), s.map(1)], ['binary', [0, 1], viridis(0), viridis(1)]);
  });

  it('draws the log-decay from its most negative value (dark) to 0 (light)', () => {
    const s = valueScale(FORGETTING_ATTENTION_SERIES.find((i) => i.name === 'decay')!, [0, -2, NaN, -0.5]);
    assert.deepEqual([s.lo, s.hi, s.ticks], [-2, 0, [-2, -1, 0]]);
    assert.deepEqual([s.map(-2), s.map(0)], [viridis(0), viridis(1)]);
  });

  it('rejects an attention trace without weights, naming series.weights and its axes', () => {
    const t = attentionOf(weights);
    delete t.series.weights;
    assert.throws(() => checkChartable(t), /trace series\.weights: expected a series of shape \[1, 2, 2, 2\] \(\[batch, head, query, key\]\), got none/);
  });

  it('rejects a comparison whose variant cannot be charted, naming the variant', () => {
    const t = traceOf([[[0.5]]]);
    t.dims.time = 0;
    assert.throws(() => checkChartable({ kind: 'comparison', variants: [{ name: 'a', trace: traceOf([[[0.5]]]) }, { name: 'b', trace: t }] }), /trace variants\[1\]\.dims\.time: expected at least 1 to chart, got 0/);
  });
});
