import assert from 'node:assert/strict';
import { halfLifeHistogram } from '../../../src/charts/histogram';

describe('half-life histogram', () => {
  it('bins half-lives evenly between the smallest and the largest', () => {
    const h = halfLifeHistogram([1, 2, 3, 4], { bins: 3 });
    assert.equal(h.scale, 'linear');
    assert.deepEqual(h.bins, [{ lo: 1, hi: 2, count: 1 }, { lo: 2, hi: 3, count: 1 }, { lo: 3, hi: 4, count: 2 }]);
  });

  it('uses √n bins by default', () => {
    const h = halfLifeHistogram([1, 2, 3, 4]);
    assert.deepEqual(h.bins, [{ lo: 1, hi: 2.5, count: 2 }, { lo: 2.5, hi: 4, count: 2 }]);
  });

  it('counts units without a finite half-life apart from the bins', () => {
    const h = halfLifeHistogram([1, null, 3, null, 0, -2]);
    assert.equal(h.counted, 2);
    assert.equal(h.missing, 4);
    assert.equal(h.bins.reduce((n, b) => n + b.count, 0), 2);
  });

  it('spaces bins evenly in log₂ when half-lives span 32 times or more', () => {
    // log₂ 1 = 0 … log₂ 64 = 6 in two bins: edges 1, 8, 64.
    const h = halfLifeHistogram([1, 2, 4, 64]);
    assert.equal(h.scale, 'log');
    assert.deepEqual(h.bins, [{ lo: 1, hi: 8, count: 3 }, { lo: 8, hi: 64, count: 1 }]);
  });

  it('makes one bin when every half-life is the same', () => {
    assert.deepEqual(halfLifeHistogram([3, 3, null]).bins, [{ lo: 3, hi: 3, count: 2 }]);
  });

  it('makes no bins when no unit has a finite half-life', () => {
    const h = halfLifeHistogram([null, null]);
    assert.deepEqual(h.bins, []);
    assert.equal(h.missing, 2);
  });
});
