import assert from 'node:assert/strict';
import { hardSigmoid, sigmoid } from '../../../src/lab/kernels/activations';
import { halfLife, median, memoryMetrics, meanPerUnit, predictedHalfLife, saturation, survival } from '../../../src/lab/metrics';

describe('memory metrics', () => {
  // batch 1, 3 steps, 2 units: unit 0 keeps half each step, unit 1 is fully open then closes.
  const forget = Float32Array.of(0.5, 1, 0.5, 0.95, 0.5, 0.05);

  it('survival is the running product of the forget gate per unit', () => {
    assert.deepEqual(Array.from(survival(forget, 1, 3, 2)), [0.5, 1, 0.25, 0.949999988079071, 0.125, 0.047499999403953545].map(Math.fround));
  });

  it('survival restarts for each batch row', () => {
    const two = Float32Array.of(0.5, 0.5, 0.5, 0.5);
    assert.deepEqual(Array.from(survival(two, 2, 2, 1)), [0.5, 0.25, 0.5, 0.25]);
  });

  it('half-life is ln 0.5 / ln f̄: one step at 0.5, two steps at 1/√2, null at 0 and 1', () => {
    const hl = halfLife([0.5, Math.SQRT1_2, 0, 1, 0.99]);
    assert.equal(hl[0], 1);
    assert.ok(Math.abs((hl[1] as number) - 2) < 1e-12);
    assert.equal(hl[2], null);
    assert.equal(hl[3], null);
    assert.ok(Math.abs((hl[4] as number) - 68.967563) < 1e-5);
  });

  it('predicts the half-life from the forget-gate bias: σ(0) = 1/2 gives 1 step, σ(ln 3) = 3/4 gives 2.41, σ(ln 9) = 9/10 gives 6.58', () => {
    // Keras layout, 3 units, gate order i, f, c, o: only the f block [3, 6) counts.
    const bias = Float32Array.of(7, 7, 7, 0, Math.log(3), Math.log(9), 7, 7, 7, 7, 7, 7);
    const [a, b, c] = predictedHalfLife(bias, 3, sigmoid) as number[];
    assert.ok(Math.abs(a - 1) < 1e-6);
    assert.ok(Math.abs(b - 2.4094208396532095) < 1e-6, String(b)); // ln 0.5 / ln 0.75
    assert.ok(Math.abs(c - 6.578813478960585) < 1e-5, String(c)); // ln 0.5 / ln 0.9
    // A hard sigmoid saturates: b = 2.5 gives f = 1 exactly, no half-life (never forgets).
    assert.deepEqual(predictedHalfLife(Float32Array.of(0, 2.5, 0, 0), 1, hardSigmoid), [null]);
  });

  it('mean per unit averages over batch rows and steps', () => {
    const m = meanPerUnit(forget, 1, 3, 2);
    assert.ok(Math.abs(m[0] - 0.5) < 1e-7);
    assert.ok(Math.abs(m[1] - (1 + 0.95 + 0.05) / 3) < 1e-7);
  });

  it('saturation counts steps below 0.1 and above 0.9 per unit', () => {
    assert.deepEqual(saturation(forget, 1, 3, 2), { low: [0, 1 / 3], high: [0, 2 / 3] });
  });

  it('memoryMetrics bundles half-life and saturation', () => {
    const m = memoryMetrics(forget, 1, 3, 2);
    assert.equal(m.halfLife[0], 1);
    assert.ok(Math.abs((m.halfLife[1] as number) - Math.log(0.5) / Math.log(2 / 3)) < 1e-6);
    assert.deepEqual(m.saturation.low, [0, 1 / 3]);
  });

  it('median ignores nulls and is null when nothing is finite', () => {
    assert.equal(median([3, null, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([null, null]), null);
  });
});
