/**
 * Property tests of the trace codec: generated traces round-trip exactly in float32 and within
 * the stated quantisation error in 16 and 8 bits; random, truncated and corrupted payloads
 * decode to a trace or fail with a clean error (`TraceFormatError`, or `SyntaxError` for text
 * that is not JSON), never another exception.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkChartable } from '../../../src/charts/series';
import {
  decodeOutput,
  encodeComparison,
  encodeOutputBytes,
  encodeTrace,
  MODEL_KINDS,
  SERIES_INFO,
  TraceFormatError,
  type Axis,
  type Comparison,
  type ModelKind,
  type OutputPrecision,
  type Trace,
} from '../../../src/shared/trace';
import { assertProperty, cases, report } from '../soak';

const decoder = new TextDecoder();

/** Float32 values of every kind: ordinary, tiny, huge, subnormal, −0, NaN and ±Infinity. */
const float32 = fc.oneof(
  { arbitrary: fc.float({ noDefaultInfinity: true, noNaN: true }), weight: 6 },
  { arbitrary: fc.float({ min: -1, max: 1, noNaN: true }), weight: 6 },
  { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45), weight: 1 },
);

const dimsArb = fc.record({ batch: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 6 }), units: fc.integer({ min: 1, max: 5 }), features: fc.integer({ min: 1, max: 4 }), heads: fc.integer({ min: 1, max: 3 }), keyDim: fc.integer({ min: 1, max: 3 }) });

interface GenDims { batch: number; time: number; units: number; features: number; heads: number; keyDim: number }

function axisSize(d: GenDims, a: Axis): number {
  switch (a) {
    case 'batch': return d.batch;
    case 'time': case 'query': case 'key': return d.time;
    case 'unit': return d.units;
    case 'head': return d.heads;
    case 'feature': return d.heads * d.keyDim;
  }
}

/** A trace of any model with every series of its kind filled with generated float32 values. */
const traceArb: fc.Arbitrary<Trace> = fc.tuple(fc.constantFrom(...MODEL_KINDS), dimsArb, fc.option(fc.array(fc.string({ maxLength: 6 }), { minLength: 6, maxLength: 6 }), { nil: undefined }), fc.infiniteStream(float32)).map(([model, d, labels, values]) => {
  const recurrent = model === 'lstm' || model === 'gru';
  const dims = recurrent ? { batch: d.batch, time: d.time, units: d.units, features: d.features } : { batch: d.batch, time: d.time, units: d.heads * d.keyDim, features: d.features, heads: d.heads, keyDim: d.keyDim };
  const it = values[Symbol.iterator]();
  const series: Trace['series'] = {};
  for (const info of SERIES_INFO[model as ModelKind]) {
    const shape = info.axes.map((a) => axisSize(d, a));
    const data = Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => it.next().value as number);
    series[info.name] = { shape, data };
  }
  // Series a compact output rebuilds are what the kernels compute: R = ∏ keep gate, h = o⊙tanh(c).
  // Keep gates are sigmoids: in [0, 1] (or NaN).
  const keep = series[model === 'lstm' ? 'forgetGate' : 'updateGate'];
  if (recurrent) {
    keep.data = keep.data.map((v) => (Number.isNaN(v) ? v : Number.isFinite(v) ? Math.abs(Math.sin(v)) : 1));
    series.survival.data = survivalOf(keep.data, d.batch, d.time, d.units);
  }
  if (model === 'lstm') series.hidden.data = series.cell.data.map((c, i) => series.outputGate.data[i] * Math.tanh(c));
  const trace: Trace = { model, dims, series, metrics: {} };
  if (labels) trace.labels = labels.slice(0, d.time);
  return trace;
});

/** `R[b][t][u] = ∏_{k≤t} g[b][k][u]` in float32. */
function survivalOf(gate: Float32Array, B: number, T: number, U: number): Float32Array {
  const out = new Float32Array(gate.length);
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < U; u++) {
      let r = 1;
      for (let t = 0; t < T; t++) {
        const i = (b * T + t) * U + u;
        r = Math.fround(r * gate[i]);
        out[i] = r;
      }
    }
  }
  return out;
}

/** Whether two float32 values are the same number (NaN equals NaN, −0 differs from 0). */
const same = (a: number, b: number): boolean => Object.is(a, b);

/** One unit in the last place of a float32 value: the rounding of the decoded value to float32. */
function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

function roundTrip(output: Trace | Comparison, precision: OutputPrecision): Trace | Comparison {
  return decodeOutput(JSON.parse(decoder.decode(encodeOutputBytes(output, { precision }))));
}

/** Checks every series of `back` against `trace` at `precision`; returns the largest error relative to the stated bound. */
function compareSeries(trace: Trace, back: Trace, precision: OutputPrecision): number {
  let worst = 0;
  const encoded = encodeTrace(trace, { precision });
  for (const [name, s] of Object.entries(trace.series)) {
    const b = back.series[name];
    assert.ok(b, `series ${name} came back`);
    assert.deepEqual(b.shape, s.shape);
    const stored = encoded.series[name];
    for (let i = 0; i < s.data.length; i++) {
      const v = s.data[i];
      const w = b.data[i];
      if (stored && (precision === 'float32' || !Number.isFinite(v) || stored.dtype === 'float32')) {
        // Exact: float32 outputs, NaN and ±Infinity in any precision, and series stored as float32.
        assert.ok(same(v, w), `${name}[${i}] at ${precision}: ${v} came back as ${w}`);
        continue;
      }
      if (!stored) {
        // Rebuilt by the decoder from the decoded series, exactly as the kernels derive it.
        const [B, T, U] = s.shape;
        const rebuilt = name === 'survival'
          ? survivalOf(back.series[trace.model === 'lstm' ? 'forgetGate' : 'updateGate'].data, B, T, U)[i]
          : Math.fround(back.series.outputGate.data[i] * Math.tanh(back.series.cell.data[i]));
        // float32 products in a different order: a few units in the last place per step.
        const close = same(rebuilt, w) || Math.abs(rebuilt - w) <= 4 * T * Math.max(ulp32(rebuilt), ulp32(w));
        assert.ok(close, `${name}[${i}] rebuilt as ${w}, expected ${rebuilt} from the decoded series`);
        continue;
      }
      const bound = (stored.scale as number) / 2 + ulp32(v) + ulp32(stored.offset as number);
      const error = Math.abs(v - w);
      assert.ok(error <= bound, `${name}[${i}] at ${precision}: ${v} came back as ${w}, error ${error} over scale/2 = ${(stored.scale as number) / 2}`);
      if (bound > 0) worst = Math.max(worst, error / ((stored.scale as number) / 2 || 1));
    }
  }
  return worst;
}

/** Decodes `text`; anything but a trace, a comparison, `TraceFormatError` or `SyntaxError` fails. */
function decodeOrCleanError(text: string): 'decoded' | 'refused' {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    assert.ok(e instanceof SyntaxError, String(e));
    return 'refused';
  }
  try {
    const output = decodeOutput(json);
    checkChartable(output);
    return 'decoded';
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw new Error(`not a clean error: ${(e as Error).stack}`);
    assert.ok(!e.message.includes('\n') && e.message.length < 600, `one short line: ${e.message.slice(0, 300)}`);
    assert.match(e.message, /^trace .+?: expected /, 'names the key and what was expected');
    return 'refused';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** A JSON value put where a payload has something else. */
const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(-1, 0, 1.5, 1e308, 2 ** 53, 4_000_000_000, '', 'AAAA', '====', 'A'.repeat(10_001), '<img src=x onerror=alert(1)>', [], {}, null, [1e9, 1e9, 1e9], [-1, 2, 3], ['a'], '__proto__'),
  fc.base64String({ maxLength: 64 }),
);

describe('trace codec, property-based', function () {
  this.timeout(0);

  for (const precision of ['float32', '16-bit', '8-bit'] as const) {
    it(`round-trips generated traces at ${precision}${precision === 'float32' ? ' exactly' : ' within half a quantisation step'}`, async () => {
      let worst = 0;
      const n = cases(150, 2000);
      await assertProperty(fc.property(traceArb, (trace) => {
        const back = roundTrip(trace, precision) as Trace;
        worst = Math.max(worst, compareSeries(trace, back, precision));
        assert.deepEqual(back.dims, trace.dims);
        assert.deepEqual(back.labels, trace.labels);
        // The JSON object encoder and the byte encoder write the same payload.
        assert.equal(decoder.decode(encodeOutputBytes(trace, { precision })), JSON.stringify(encodeTrace(trace, { precision })));
      }), { numRuns: n });
      report(`${n} traces at ${precision}; largest error ${precision === 'float32' ? 'none (bit for bit)' : `${worst.toFixed(3)} of scale/2`}`);
    });
  }

  it('round-trips comparisons of generated traces', async () => {
    await assertProperty(fc.property(fc.array(traceArb, { minLength: 1, maxLength: 3 }), fc.constantFrom<OutputPrecision>('float32', '16-bit', '8-bit'), (traces, precision) => {
      const comparison: Comparison = { kind: 'comparison', variants: traces.map((trace, i) => ({ name: `v${i}`, trace })) };
      const back = roundTrip(comparison, precision) as Comparison;
      assert.equal(back.variants.length, traces.length);
      back.variants.forEach((v, i) => compareSeries(traces[i], v.trace, precision));
      assert.equal(decoder.decode(encodeOutputBytes(comparison, { precision })), JSON.stringify(encodeComparison(comparison, { precision })));
    }), { numRuns: cases(50, 500) });
  });

  it('decodes truncated payloads to a trace or a clean error', async () => {
    const tally = { decoded: 0, refused: 0 };
    const n = cases(300, 5000);
    await assertProperty(fc.property(traceArb, fc.constantFrom<OutputPrecision>('float32', '16-bit', '8-bit'), fc.double({ min: 0, max: 1, noNaN: true }), (trace, precision, cut) => {
      const text = decoder.decode(encodeOutputBytes(trace, { precision }));
      tally[decodeOrCleanError(text.slice(0, Math.floor(text.length * cut)))]++;
    }), { numRuns: n });
    report(`${n} truncated payloads: ${tally.decoded} decoded, ${tally.refused} refused cleanly`);
  });

  it('decodes corrupted payloads to a trace or a clean error', async () => {
    const tally = { decoded: 0, refused: 0 };
    const n = cases(600, 10_000);
    const corrupted = fc.tuple(traceArb, fc.constantFrom<OutputPrecision>('float32', '16-bit', '8-bit')).chain(([trace, precision]) => {
      const payload = JSON.parse(decoder.decode(encodeOutputBytes(trace, { precision }))) as Json;
      return fc.tuple(fc.constant(payload), fc.array(fc.tuple(fc.constantFrom(...paths(payload)), fc.constantFrom('set', 'delete', 'add'), hostile, fc.constantFrom('__proto__', 'constructor', 'derived', 'survival', 'x')), { minLength: 1, maxLength: 4 }));
    }).map(([payload, edits]) => {
      let out: Json = payload;
      for (const [path, action, shared, key] of edits) {
        // A copy: constant values are shared between cases, and inserting one into itself would make a cycle.
        const value = JSON.parse(JSON.stringify(shared)) as Json;
        if (path.length === 0) {
          if (action === 'set') out = value;
          continue;
        }
        let parent = out as Record<string | number, Json>;
        for (const p of path.slice(0, -1)) parent = parent?.[p] as Record<string | number, Json>;
        if (!parent || typeof parent !== 'object') continue;
        const last = path[path.length - 1];
        if (action === 'set') parent[last] = value;
        else if (action === 'delete') delete parent[last];
        else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) Object.defineProperty(parent[last], key, { value, enumerable: true, configurable: true, writable: true });
      }
      return JSON.stringify(out);
    });
    await assertProperty(fc.property(corrupted, (text) => {
      tally[decodeOrCleanError(text)]++;
    }), { numRuns: n, endOnFailure: true });
    report(`${n} corrupted payloads: ${tally.decoded} decoded, ${tally.refused} refused cleanly`);
  });

  it('decodes arbitrary JSON and text to a clean error', async () => {
    await assertProperty(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.jsonValue().map((v) => JSON.stringify({ format: 'fglab.trace', version: 1, kind: 'comparison', variants: [v] }))), (text) => {
      decodeOrCleanError(text);
    }), { numRuns: cases(300, 5000) });
  });
});
