import assert from 'node:assert/strict';
import { survivalCurves, survivalOf } from '../../../src/charts/survival';
import { near, traceOf } from './helpers';

// Three steps; unit 0 keeps half each step, unit 1 keeps 0.9, unit 2 keeps 0.2 then everything.
const forget = [[[0.5, 0.9, 0.2], [0.5, 0.9, 1], [0.5, 0.9, 1]]];
const halfLife = [1, Math.log(0.5) / Math.log(0.9), null];

describe('memory survival curves', () => {
  it('multiplies the forget gate over steps when the trace has no survival series', () => {
    const r = survivalOf(traceOf(forget));
    const expected = [0.5, 0.9, 0.2, 0.25, 0.81, 0.2, 0.125, 0.729, 0.2];
    expected.forEach((v, k) => assert.ok(near(r[k], v), `R[${k}] = ${r[k]}, expected ${v}`));
  });

  it('uses the survival series of the trace when it has one', () => {
    const trace = traceOf(forget, { series: { survival: [[[0.3, 0.3, 0.3], [0.3, 0.3, 0.3], [0.3, 0.3, 0.3]]] } });
    assert.ok(survivalOf(trace).every((v) => near(v, 0.3)));
  });

  it('averages R over units at each step', () => {
    const { mean } = survivalCurves(traceOf(forget, { halfLife }));
    const expected = [(0.5 + 0.9 + 0.2) / 3, (0.25 + 0.81 + 0.2) / 3, (0.125 + 0.729 + 0.2) / 3];
    expected.forEach((v, t) => assert.ok(near(mean[t], v), `mean R at step ${t}`));
  });

  it('picks the slowest, median and fastest unit by mean forget gate', () => {
    // Mean forget gates: unit 0 0.5, unit 1 0.9, unit 2 0.733.
    const { units } = survivalCurves(traceOf(forget, { halfLife }));
    assert.deepEqual(units.map((u) => [u.role, u.unit]), [['slowest', 1], ['median', 2], ['fastest', 0]]);
    assert.ok(near(units[1].meanForget, 2.2 / 3));
    assert.equal(units[1].halfLife, null);
    assert.ok(near(units[0].halfLife!, 6.578813, 1e-5));
    assert.deepEqual(units[2].values, [0.5, 0.25, 0.125]);
  });

  it('picks the lower unit among units that forget alike', () => {
    const { units } = survivalCurves(traceOf([[[0.5, 0.5, 0.5, 0.5]]]));
    assert.deepEqual(units.map((u) => u.unit), [0, 1, 3]);
  });

  it('shows fewer units when there are fewer than three', () => {
    assert.deepEqual(survivalCurves(traceOf([[[0.5, 0.9]]])).units.map((u) => u.role), ['slowest', 'fastest']);
    assert.deepEqual(survivalCurves(traceOf([[[0.5]]])).units.map((u) => u.role), ['slowest']);
  });
});
