import assert from 'node:assert/strict';
import { markdownSummary, SpecError, traceOutputItems, traceSpec } from '../../../src/lab';
import { CancelledError } from '../../../src/lab/kernels/lstm-kernel';
import { decodeTrace } from '../../../src/shared/trace';
import { setupLab } from './setup';

const files: Record<string, string> = {
  'x.json': JSON.stringify([[1, 0], [0, 1], [0.5, -0.5]]),
  'xb.json': JSON.stringify([[[1, 0]], [[0, 1]]]),
  'ragged.json': JSON.stringify([[1, 0], [1]]),
  'nan.json': '[[1, "a"]]',
  'w.json': JSON.stringify({
    kernel: [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]],
    recurrentKernel: [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]],
    bias: [0, 0, 0, 0, 0, 0, 0, 0],
  }),
  'w-bad.json': JSON.stringify({ kernel: [[1, 2]], recurrentKernel: [], bias: [] }),
  'broken.json': '{"kernel": [',
};

const readFile = (path: string): Uint8Array => {
  if (!(path in files)) throw new Error(`no such file (${path})`);
  return new TextEncoder().encode(files[path]);
};

async function traceError(source: string): Promise<Error> {
  try {
    await traceSpec(source, { readFile });
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the run to fail');
}

describe('running a spec', () => {
  before(setupLab);

  it('traces the classic example with every series [1, 10, 128] and per-unit metrics', async () => {
    const trace = await traceSpec('model: lstm\nunits: 128\ninput: { shape: [10, 64], random: { seed: 7 } }\nweights: { seed: 1 }\n', { readFile });
    assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 128, features: 64 });
    assert.deepEqual(Object.keys(trace.series), ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden', 'survival']);
    for (const s of Object.values(trace.series)) assert.deepEqual(s.shape, [1, 10, 128]);
    assert.equal(trace.metrics.halfLife?.length, 128);
    assert.equal(trace.metrics.saturation?.low.length, 128);
    assert.ok(trace.timings && trace.timings.totalMs > 0);
  });

  it('reads input and weights from JSON files relative to the notebook', async () => {
    const trace = await traceSpec('model: lstm\nunits: 2\ninput: { file: x.json }\nweights: { file: w.json }\n', { readFile });
    assert.deepEqual(trace.dims, { batch: 1, time: 3, units: 2, features: 2 });
    // Zero recurrent kernel and bias: i_0 = σ(x_0) = σ(1) for unit 0 at step 0.
    assert.ok(Math.abs(trace.series.inputGate.data[0] - 1 / (1 + Math.exp(-1))) < 1e-6);
    assert.ok(Math.abs(trace.series.inputGate.data[1] - 0.5) < 1e-6);
  });

  it('reads a batched [batch][time][features] input', async () => {
    const trace = await traceSpec('model: lstm\nunits: 3\ninput: { file: xb.json }\n', { readFile });
    assert.deepEqual(trace.dims, { batch: 2, time: 1, units: 3, features: 2 });
  });

  it('says which file is missing', async () => {
    const e = await traceError('model: lstm\nunits: 2\ninput: { file: missing.json }\n');
    assert.ok(e instanceof SpecError);
    assert.equal(e.message, 'input.file: cannot read "missing.json": no such file (missing.json)');
  });

  it('rejects ragged, non-numeric and broken JSON inputs with the position', async () => {
    assert.match((await traceError('model: lstm\nunits: 2\ninput: { file: ragged.json }\n')).message, /^input\.file\[1\]: expected a list of 2 \(the lists must be rectangular\), got a list of 1/);
    assert.match((await traceError('model: lstm\nunits: 2\ninput: { file: nan.json }\n')).message, /^input\.file\[0\]\[1\]: expected a finite number, got "a"/);
    assert.match((await traceError('model: lstm\nunits: 2\ninput: { file: x.json }\nweights: { file: broken.json }\n')).message, /^weights\.file: "broken\.json" is not valid JSON/);
  });

  it('rejects a shape that contradicts the input file', async () => {
    assert.match((await traceError('model: lstm\nunits: 2\ninput: { file: x.json, shape: [4, 2] }\n')).message, /^input\.shape: expected the shape of "x\.json", \[1, 3, 2\], got \[4, 2\]/);
  });

  it('rejects mismatched weight shapes, naming the array and both shapes', async () => {
    const e = await traceError('model: lstm\nunits: 2\ninput: { file: x.json }\nweights: { file: w-bad.json }\n');
    assert.equal(e.message, 'weights.file kernel: expected shape [2, 8] (features 2, units 2), got [1, 2]');
  });

  it('stops when asked to, with CancelledError', async () => {
    await assert.rejects(
      traceSpec('model: lstm\nunits: 8\ninput: { shape: [500, 4], random: {} }\n', { readFile, shouldStop: () => true }),
      (e: unknown) => e instanceof CancelledError,
    );
  });

  it('makes a 16-bit trace output that decodes back within its step, and a Markdown summary', async () => {
    const trace = await traceSpec('model: lstm\nunits: 4\ninput: { shape: [6, 3], random: {} }\n', { readFile });
    const [json, md] = traceOutputItems(trace);
    assert.equal(json.mime, 'application/vnd.fglab.trace+json');
    assert.equal(md.mime, 'text/markdown');
    const decoded = decodeTrace(JSON.parse(new TextDecoder().decode(json.data)));
    decoded.series.forgetGate.data.forEach((v, i) => assert.ok(Math.abs(v - trace.series.forgetGate.data[i]) < 1e-5));
    assert.deepEqual(decoded.metrics, trace.metrics);
    const exact = decodeTrace(JSON.parse(new TextDecoder().decode(traceOutputItems(trace, 'float32')[0].data)));
    assert.deepEqual(exact.series.forgetGate.data, trace.series.forgetGate.data);
    const summary = markdownSummary(trace);
    assert.match(summary, /batch 1 × 6 steps × 4 units, 3 input features/);
    assert.match(summary, /mean forget gate f \| 0\.\d{3}/);
  });

  it('keeps a 2048-step × 128-unit LSTM output under 4 MB by default', async () => {
    const trace = await traceSpec('model: lstm\nunits: 128\ninput: { shape: [2048, 64], random: {} }\n', { readFile });
    const bytes = traceOutputItems(trace).reduce((n, o) => n + o.data.length, 0);
    assert.ok(bytes < 4 * 1024 ** 2, `${(bytes / 1024 ** 2).toFixed(2)} MB`);
  });

});
