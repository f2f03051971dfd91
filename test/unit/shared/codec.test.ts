import assert from 'node:assert/strict';
import { decodeBase64, encodeBase64 } from '../../../src/shared/base64';
import { decodeTrace, encodeOutputBytes, encodeTrace, encodeTraceBytes, TraceFormatError, type Trace } from '../../../src/shared/trace';

function smallTrace(): Trace {
  const shape = [1, 2, 3];
  const values = Float32Array.of(0.1, 0.2, 0.3, -1e-8, 3.4028234663852886e38, Number.MIN_VALUE);
  return {
    model: 'lstm',
    dims: { batch: 1, time: 2, units: 3, features: 5 },
    series: { forgetGate: { shape, data: values }, hidden: { shape, data: values.map((v) => -v) } },
    metrics: { halfLife: [1, null, 2.5], saturation: { low: [0, 0.5, 1], high: [1, 0, 0] } },
    labels: ['a', 'b'],
    spec: { model: 'lstm' },
  };
}

describe('base64', () => {
  it('matches Node’s encoder for every length up to 70 bytes and decodes back', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const text = encodeBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(decodeBase64(text), bytes);
    }
  });

  it('rejects characters outside the alphabet and bad lengths', () => {
    assert.throws(() => decodeBase64('ab$d'), /unexpected character at 2/);
    assert.throws(() => decodeBase64('abc'), /length divisible by 4, got 3/);
  });
});

describe('trace codec', () => {
  it('round-trips float32 values exactly, with metrics, labels and spec', () => {
    const trace = smallTrace();
    const decoded = decodeTrace(JSON.parse(JSON.stringify(encodeTrace(trace))));
    assert.deepEqual(decoded, trace);
  });

  it('writes the same bytes as JSON.stringify of the payload, without building the strings', () => {
    const trace = smallTrace();
    trace.spec = { note: '\u0000fglab-x-0\u0000 "quoted" ✓' };
    assert.equal(Buffer.from(encodeTraceBytes(trace)).toString('utf8'), JSON.stringify(encodeTrace(trace)));
  });

  it('stores 16-bit codes within half a step of each value, NaN kept, and rebuilds survival and hidden', () => {
    const n = 3 * 5 * 4;
    const rnd = (k: number) => Math.abs(Math.sin(k * 12.9898) * 43758.5453) % 1;
    const gate = Float32Array.from({ length: n }, (_, k) => rnd(k));
    const cell = Float32Array.from({ length: n }, (_, k) => 4 * (rnd(k + 7) - 0.5));
    const out = Float32Array.from({ length: n }, (_, k) => rnd(k + 3));
    const shape = [3, 5, 4];
    const survival = new Float32Array(n);
    for (let b = 0; b < 3; b++) for (let u = 0; u < 4; u++) { let r = 1; for (let t = 0; t < 5; t++) { const i = (b * 5 + t) * 4 + u; r *= gate[i]; survival[i] = r; } }
    const trace: Trace = {
      model: 'lstm',
      dims: { batch: 3, time: 5, units: 4, features: 2 },
      series: {
        forgetGate: { shape, data: gate },
        outputGate: { shape, data: out },
        cell: { shape, data: cell },
        hidden: { shape, data: out.map((o, i) => o * Math.tanh(cell[i])) },
        survival: { shape, data: survival },
        decayLike: { shape, data: gate.map((v, i) => (i % 7 === 0 ? NaN : -v)) },
      },
      metrics: {},
    };
    for (const [precision, bits] of [['16-bit', 16], ['8-bit', 8]] as const) {
      const payload = JSON.parse(Buffer.from(encodeOutputBytes(trace, { precision })).toString('utf8'));
      assert.deepEqual(payload.derived, ['survival', 'hidden']);
      assert.equal(payload.series.survival, undefined);
      assert.equal(payload.series.forgetGate.dtype, bits === 16 ? 'uint16' : 'uint8');
      const back = decodeTrace(payload);
      for (const name of ['forgetGate', 'outputGate', 'cell', 'decayLike']) {
        const s = trace.series[name].data;
        const range = Math.max(...s.filter(Number.isFinite)) - Math.min(...s.filter(Number.isFinite));
        const step = range / (2 ** bits - 2);
        back.series[name].data.forEach((v, i) => {
          if (Number.isNaN(s[i])) assert.ok(Number.isNaN(v), `${name}[${i}] NaN`);
          else assert.ok(Math.abs(v - s[i]) <= step / 2 + 1e-6, `${name}[${i}]: ${v} vs ${s[i]} (${precision})`);
        });
      }
      // rebuilt from the decoded gates, so within the gates' error
      back.series.survival.data.forEach((v, i) => assert.ok(Math.abs(v - survival[i]) <= 5 * (1 / (2 ** bits - 2)), `survival[${i}]`));
      back.series.hidden.data.forEach((v, i) => assert.ok(Math.abs(v - trace.series.hidden.data[i]) <= 3 * (4 / (2 ** bits - 2)), `hidden[${i}]`));
    }
  });

  it('keeps float32 exact and every series when asked to', () => {
    const trace = smallTrace();
    const payload = JSON.parse(Buffer.from(encodeOutputBytes(trace, { precision: 'float32' })).toString('utf8'));
    assert.equal(payload.derived, undefined);
    assert.deepEqual(decodeTrace(payload), trace);
  });

  it('stores little-endian float32', () => {
    const payload = encodeTrace(smallTrace());
    const bytes = Buffer.from(payload.series.forgetGate.data, 'base64');
    assert.equal(bytes.readFloatLE(0), Math.fround(0.1));
  });

  it('names the key when a payload is not a trace', () => {
    const bad = (mutate: (p: Record<string, unknown>) => void): string => {
      const p = JSON.parse(JSON.stringify(encodeTrace(smallTrace())));
      mutate(p);
      try {
        decodeTrace(p);
      } catch (e) {
        assert.ok(e instanceof TraceFormatError);
        return e.message;
      }
      return assert.fail('expected TraceFormatError');
    };
    assert.equal(bad((p) => (p.format = 'nope')), 'trace format: expected "fglab.trace", got "nope"');
    assert.match(bad((p) => (p.version = 99)), /^trace version: expected 1/);
    assert.match(bad((p) => ((p.series as any).hidden.data = 'AAAA')), /^trace series\.hidden\.data: expected 24 bytes for shape \[1, 2, 3\] of float32, got 3 bytes/);
    assert.match(bad((p) => ((p.series as any).hidden.dtype = 'int8')), /^trace series\.hidden\.dtype: expected "float32", "uint16" or "uint8", got "int8"/);
    assert.match(bad((p) => ((p as any).derived = ['cell'])), /^trace derived: expected a series this version can rebuild/);
    assert.match(bad((p) => ((p.series as any).hidden.data = '@@@@')), /^trace series\.hidden\.data: expected base64/);
    assert.match(bad((p) => ((p.metrics as any).halfLife = [1])), /^trace metrics\.halfLife: expected 3 entries, got 1/);
    assert.match(bad((p) => ((p.dims as any).units = -1)), /^trace dims\.units: expected a non-negative integer, got number -1/);
  });

  it('refuses something that is not an object', () => {
    assert.throws(() => decodeTrace(null), /trace payload: expected a JSON object, got null/);
    assert.throws(() => decodeTrace([1]), /got an array/);
  });
});
