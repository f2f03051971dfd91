import assert from 'node:assert/strict';
import { traceToCsv, traceToJson, traceToNpy } from '../../../src/lab/export';
import type { Trace } from '../../../src/shared/trace';

const shape = [2, 2, 1];
const trace: Trace = {
  model: 'lstm',
  dims: { batch: 2, time: 2, units: 1, features: 3 },
  series: {
    inputGate: { shape, data: Float32Array.of(0.1, 0.2, 0.3, 0.4) },
    forgetGate: { shape, data: Float32Array.of(0.5, 0.6, 0.7, 0.8) },
  },
  metrics: { halfLife: [1.5], saturation: { low: [0], high: [0.25] } },
};

describe('exports', () => {
  it('JSON holds plain nested arrays [batch][time][units] with shortest float32 decimals', () => {
    const json = JSON.parse(traceToJson(trace));
    assert.deepEqual(Object.keys(json), ['model', 'dims', 'series', 'metrics']);
    assert.deepEqual(json.dims, { batch: 2, time: 2, units: 1, features: 3 });
    assert.deepEqual(json.series.inputGate, [[[0.1], [0.2]], [[0.3], [0.4]]]);
    assert.deepEqual(json.metrics, { halfLife: [1.5], saturation: { low: [0], high: [0.25] } });
  });

  it('CSV has one row per (batch, step, unit) and one column per series', () => {
    assert.equal(traceToCsv(trace), 'batch,step,unit,inputGate,forgetGate\n0,0,0,0.1,0.5\n0,1,0,0.2,0.6\n1,0,0,0.3,0.7\n1,1,0,0.4,0.8\n');
  });

  it('.npy has a valid version 1.0 header and little-endian float32 data', () => {
    const npy = Buffer.from(traceToNpy(trace));
    assert.equal(npy.subarray(0, 8).toString('latin1'), '\x93NUMPY\x01\x00');
    const headerLength = npy.readUInt16LE(8);
    assert.equal((10 + headerLength) % 64, 0);
    const header = npy.subarray(10, 10 + headerLength).toString('latin1');
    assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 2, 2, 1\), \} *\n$/);
    const data = npy.subarray(10 + headerLength);
    assert.equal(data.length, 8 * 4);
    assert.equal(data.readFloatLE(4 * 4), Math.fround(0.5));
  });

  it('.npy of one series has shape [batch, time, units] and refuses unknown names', () => {
    const npy = Buffer.from(traceToNpy(trace, 'forgetGate'));
    assert.match(npy.subarray(10, 10 + npy.readUInt16LE(8)).toString('latin1'), /'shape': \(2, 2, 1\)/);
    assert.throws(() => traceToNpy(trace, 'gate'), /--series: expected one of inputGate, forgetGate, got "gate"/);
  });
});
