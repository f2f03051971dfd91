import assert from 'node:assert/strict';
import { exactQuartiles, gateSummary } from '../../../src/charts/summary';
import { near, traceOf } from './helpers';

// Step 0: units 0.1, 0.2, 0.3, 0.4; step 1: 1, 0, 0.5, 0.5. Batch row 1 is row 0 plus 0.5 at step 0.
const trace = traceOf([
  [[0.1, 0.2, 0.3, 0.4], [1, 0, 0.5, 0.5]],
  [[0.6, 0.7, 0.8, 0.9], [1, 0, 0.5, 0.5]],
]);

function assertNear(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, k) => assert.ok(near(a, expected[k]), `${what}[${k}] = ${a}, expected ${expected[k]}`));
}

describe('gate summary per step', () => {
  it('gives mean, min and max over units at each step', () => {
    const s = gateSummary(trace, 'forgetGate');
    assertNear(s.mean, [0.25, 0.5], 'mean');
    assertNear(s.min, [0.1, 0], 'min');
    assertNear(s.max, [0.4, 1], 'max');
  });

  it('gives quartiles as NumPy does (linear interpolation, type 7)', () => {
    // np.percentile([.1, .2, .3, .4], [25, 50, 75]) = [.175, .25, .325]; of [0, .5, .5, 1]: [.375, .5, .625].
    const s = gateSummary(trace, 'forgetGate');
    assertNear(s.q1, [0.175, 0.375], 'q1');
    assertNear(s.median, [0.25, 0.5], 'median');
    assertNear(s.q3, [0.325, 0.625], 'q3');
  });

  it('gives the population standard deviation over units', () => {
    // sqrt(((.15² + .05²) · 2) / 4) = sqrt(.0125); sqrt((.5² · 2) / 4) = sqrt(.125).
    assertNear(gateSummary(trace, 'forgetGate').std, [Math.sqrt(0.0125), Math.sqrt(0.125)], 'std');
  });

  it('summarises the batch row it is given', () => {
    const s = gateSummary(trace, 'forgetGate', 1);
    assertNear(s.mean, [0.75, 0.5], 'mean of row 1');
    assert.equal(s.batchRow, 1);
  });

  it('rejects a batch row outside the batch', () => {
    assert.throws(() => gateSummary(trace, 'forgetGate', 2), /batch row must be an integer in 0\.\.1, got 2/);
  });
});

describe('gate summary of many units', () => {
  // 3 steps × 300 units of a deterministic spread over [0, 1].
  const units = 300;
  const rows = [0, 1, 2].map((t) => Array.from({ length: units }, (_, u) => ((u * 7919 + t * 104729) % 1000) / 999));
  const wide = traceOf([rows]);

  it('draws quartiles from a histogram within 1/1024 of the exact ones when asked for speed', () => {
    const fast = gateSummary(wide, 'forgetGate', 0, false);
    const exact = gateSummary(wide, 'forgetGate', 0, true);
    for (const key of ['q1', 'median', 'q3'] as const) {
      fast[key].forEach((v, t) => assert.ok(Math.abs(v - exact[key][t]) <= 1 / 1024, `${key} at step ${t}: ${v} vs ${exact[key][t]}`));
    }
    assert.deepEqual([fast.mean, fast.min, fast.max], [exact.mean, exact.min, exact.max], 'mean, min and max stay exact');
  });

  it('gives the exact quartiles of one step on request', () => {
    const exact = gateSummary(wide, 'forgetGate', 0, true);
    const q = exactQuartiles(wide.series.forgetGate.data, units, 2);
    assert.deepEqual([q.q1, q.median, q.q3], [exact.q1[2], exact.median[2], exact.q3[2]]);
  });
});
