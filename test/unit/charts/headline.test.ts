import assert from 'node:assert/strict';
import { formatNumber, plural } from '../../../src/charts/format';
import { traceHeadline } from '../../../src/charts/headline';
import { traceOf } from './helpers';

describe('trace headline', () => {
  it('names the model, the dims, the mean forget gate and the median half-life', () => {
    // Mean of 0.1, 0.2, 0.3, 0.4, 1, 0, 0.5, 0.5 = 3 / 8; median of 1, 3, 2 = 2.
    const trace = traceOf([[[0.1, 0.2, 0.3, 0.4], [1, 0, 0.5, 0.5]]], { halfLife: [1, 3, null, 2], features: 3 });
    const h = traceHeadline(trace);
    assert.equal(h.text, 'LSTM · 1 × 2 steps × 4 units, 3 features · mean forget gate 0.375 · median half-life 2 steps');
  });

  it('uses the singular for one step, unit and feature, and a dash without half-lives', () => {
    const h = traceHeadline(traceOf([[[0.5]]], { halfLife: [null], features: 1 }));
    assert.equal(h.text, 'LSTM · 1 × 1 step × 1 unit, 1 feature · mean forget gate 0.5 · median half-life —');
    assert.ok(Number.isNaN(h.medianHalfLife));
  });
});

describe('number formatting', () => {
  it('keeps three significant digits', () => {
    assert.equal(formatNumber(0.72345), '0.723');
    assert.equal(formatNumber(12.345), '12.3');
    assert.equal(formatNumber(2), '2');
  });

  it('uses an exponent for very large and very small numbers', () => {
    assert.equal(formatNumber(1234567), '1.23e+6');
    assert.equal(formatNumber(0.00001234), '1.23e−5');
  });

  it('writes minus signs, infinities and missing values readably', () => {
    assert.equal(formatNumber(-0.5), '−0.5');
    assert.equal(formatNumber(Infinity), '∞');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatNumber(NaN), '—');
  });

  it('makes plurals', () => {
    assert.equal(plural(1, 'unit'), '1 unit');
    assert.equal(plural(0, 'unit'), '0 units');
  });
});
