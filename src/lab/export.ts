/**
 * Trace exports for the command line: JSON with plain nested arrays `[batch][time][units]`,
 * CSV in long form, and NumPy `.npy`.
 */
import { LSTM_SERIES_ORDER, type Series, type Trace } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';

function nested(s: Series): number[][][] {
  const [B, T, U] = s.shape;
  const out: number[][][] = [];
  for (let b = 0; b < B; b++) {
    const rows: number[][] = [];
    for (let t = 0; t < T; t++) rows.push(Array.from(s.data.subarray((b * T + t) * U, (b * T + t + 1) * U)));
    out.push(rows);
  }
  return out;
}

function seriesNames(trace: Trace): string[] {
  const known = LSTM_SERIES_ORDER.filter((n) => n in trace.series);
  return [...known, ...Object.keys(trace.series).filter((n) => !known.includes(n as never))];
}

/**
 * `{"model", "dims", "series": {name: [batch][time][units]}, "metrics": {"halfLife", "saturation"}}`,
 * float32 values written with the shortest decimal that reads back to the same float32.
 */
export function traceToJson(trace: Trace): string {
  const series: Record<string, number[][][]> = {};
  for (const name of seriesNames(trace)) series[name] = nested(trace.series[name]);
  const { batch, time, units, features } = trace.dims;
  const body = {
    model: trace.model,
    dims: { batch, time, units, features },
    series,
    metrics: { halfLife: trace.metrics.halfLife, saturation: trace.metrics.saturation },
  };
  return `${JSON.stringify(body, (_k, v) => (typeof v === 'number' ? shortestFloat32(v) : v))}\n`;
}

/** The shortest decimal that parses back to the same float32 (so JSON is not padded with float64 noise). */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || Math.fround(v) !== v) return v;
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

/** Long-form CSV: one row per (batch, step, unit), one column per series. */
export function traceToCsv(trace: Trace): string {
  const names = seriesNames(trace);
  const { batch: B, time: T, units: U } = trace.dims;
  const lines = [['batch', 'step', 'unit', ...names].join(',')];
  const columns = names.map((n) => trace.series[n].data);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let u = 0; u < U; u++) {
        const i = (b * T + t) * U + u;
        lines.push(`${b},${t},${u},${columns.map((c) => shortestFloat32(c[i])).join(',')}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * NumPy `.npy` (format 1.0, little-endian float32, C order). With `seriesName` the array is that
 * series `[batch, time, units]`; without, all series stacked `[series, batch, time, units]` in
 * the order of `LSTM_SERIES_ORDER`.
 */
export function traceToNpy(trace: Trace, seriesName?: string): Uint8Array {
  const names = seriesName ? [seriesName] : seriesNames(trace);
  for (const n of names) if (!(n in trace.series)) throw new Error(`--series: expected one of ${seriesNames(trace).join(', ')}, got "${n}"`);
  const { batch: B, time: T, units: U } = trace.dims;
  const shape = seriesName ? [B, T, U] : [names.length, B, T, U];
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const headerBytes = utf8Encode(header);
  const n = B * T * U;
  const out = new Uint8Array(10 + headerBytes.length + names.length * n * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  const view = new DataView(out.buffer, 10 + headerBytes.length);
  names.forEach((name, k) => {
    const data = trace.series[name].data;
    for (let i = 0; i < n; i++) view.setFloat32((k * n + i) * 4, data[i], true);
  });
  return out;
}
