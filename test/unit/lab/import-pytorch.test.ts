import assert from 'node:assert/strict';
import { traceSpec } from '../../../src/lab';
import { pytorchModelFile, readJsonStateDict } from '../../../src/lab/import/pytorch';
import { setupLab } from './setup';

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('PyTorch layout', () => {
  before(setupLab);

  it('turns nn.LSTM weights into the Keras layout: kernels transposed, the two biases added, gates i, f, g, o kept', async () => {
    // features 1, hidden 1: rows are the gates i, f, g, o.
    const dict = readJsonStateDict({ weight_ih_l0: [[1], [2], [3], [4]], weight_hh_l0: [[5], [6], [7], [8]], bias_ih_l0: [0.1, 0.2, 0.3, 0.4], bias_hh_l0: [1, 1, 1, 1] }, 's.json');
    const [kernel, recurrent, bias] = await pytorchModelFile(dict, 's.json').layers[0].weights();
    assert.deepEqual([kernel.shape, Array.from(kernel.data)], [[1, 4], [1, 2, 3, 4]]);
    assert.deepEqual([recurrent.shape, Array.from(recurrent.data)], [[1, 4], [5, 6, 7, 8]]);
    assert.deepEqual(Array.from(bias.data).map((v) => +v.toFixed(6)), [1.1, 1.2, 1.3, 1.4]);
  });

  it('reorders nn.GRU gates r, z, n to z, r, h and keeps the two biases as the rows of reset_after', async () => {
    // features 2, hidden 1: weight_ih rows r, z, n.
    const dict = readJsonStateDict({ weight_ih_l0: [[1, 2], [3, 4], [5, 6]], weight_hh_l0: [[7], [8], [9]], bias_ih_l0: [10, 11, 12], bias_hh_l0: [13, 14, 15] }, 'g.json');
    const file = pytorchModelFile(dict, 'g.json');
    assert.equal(file.layers[0].className, 'GRU');
    assert.equal(file.layers[0].config.reset_after, true);
    const [kernel, recurrent, bias] = await file.layers[0].weights();
    // Keras kernel [features, 3·units], columns z, r, h.
    assert.deepEqual([kernel.shape, Array.from(kernel.data)], [[2, 3], [3, 1, 5, 4, 2, 6]]);
    assert.deepEqual(Array.from(recurrent.data), [8, 7, 9]);
    assert.deepEqual([bias.shape, Array.from(bias.data)], [[2, 3], [11, 10, 12, 14, 13, 15]]);
  });

  it('computes a one-unit nn.LSTM step by hand', async () => {
    // i = σ(1·x + 0.5), f = σ(0), g = tanh(2x), o = σ(x − 0.5 + 0.5); x = 1, zero state.
    const files: Record<string, Uint8Array> = {
      'w.json': json({ weight_ih_l0: [[1], [0], [2], [1]], weight_hh_l0: [[0], [0], [0], [0]], bias_ih_l0: [0.5, 0, 0, -0.5], bias_hh_l0: [0, 0, 0, 0.5] }),
      'x.json': json([[1], [0]]),
    };
    const trace = await traceSpec('weights: { file: w.json }\ninput: { file: x.json }\n', { readFile: (p) => files[p] });
    const i = sigmoid(1.5);
    const g = Math.tanh(2);
    const c1 = 0.5 * 0 + i * g;
    const h1 = sigmoid(1) * Math.tanh(c1);
    assert.ok(Math.abs(trace.series.inputGate.data[0] - i) < 1e-6);
    assert.ok(Math.abs(trace.series.forgetGate.data[0] - 0.5) < 1e-6);
    assert.ok(Math.abs(trace.series.cell.data[0] - c1) < 1e-6);
    assert.ok(Math.abs(trace.series.hidden.data[0] - h1) < 1e-6);
    // Step 2, x = 0, recurrent weights 0: i = σ(0.5), f = 0.5, g = 0, o = σ(0).
    const c2 = 0.5 * c1;
    assert.ok(Math.abs(trace.series.cell.data[1] - c2) < 1e-6);
    assert.ok(Math.abs(trace.series.hidden.data[1] - 0.5 * Math.tanh(c2)) < 1e-6);
    assert.equal(trace.model, 'lstm');
    assert.equal((trace.spec as { recurrentActivation: string }).recurrentActivation, 'sigmoid');
  });
});
