/**
 * Trace exports for the command line and the export command: JSON with plain nested arrays
 * (`[batch][time][units]` for recurrent series), CSV in long form, and NumPy `.npy`.
 */
import { isComparison, LSTM_SERIES_ORDER, SERIES_INFO, type Axis, type Comparison, type Series, type Trace } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';

/** Series of a trace in the order exports list them (the skeleton's order for the LSTM). */
export function exportSeriesNames(trace: Trace): string[] {
  const order: readonly string[] = trace.model === 'lstm' ? LSTM_SERIES_ORDER : SERIES_INFO[trace.model].map((s) => s.name);
  const known = order.filter((n) => n in trace.series);
  return [...known, ...Object.keys(trace.series).filter((n) => !known.includes(n))];
}

/** The shortest decimal that parses back to the same float32 (so JSON is not padded with float64 noise); NaN → null. */
function jsonNumber(v: number): number | null {
  if (Number.isNaN(v)) return null;
  if (!Number.isFinite(v) || Math.fround(v) !== v) return v;
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

/** A series as nested arrays of its shape. */
function nested(s: Series): unknown {
  const build = (offset: number, dim: number): unknown => {
    if (dim === s.shape.length - 1) return Array.from(s.data.subarray(offset, offset + s.shape[dim]), jsonNumber);
    const stride = s.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: s.shape[dim] }, (_, i) => build(offset + i * stride, dim + 1));
  };
  return s.shape.length === 0 ? [] : build(0, 0);
}

function traceJson(trace: Trace): Record<string, unknown> {
  const series: Record<string, unknown> = {};
  for (const name of exportSeriesNames(trace)) series[name] = nested(trace.series[name]);
  const body: Record<string, unknown> = { model: trace.model, dims: { ...trace.dims }, series, metrics: trace.metrics };
  if (trace.labels) body.labels = trace.labels;
  if (trace.persistence) body.persistence = { ...trace.persistence, connectivity: nested(trace.persistence.connectivity) };
  return body;
}

/**
 * `{"model", "dims", "series": {name: nested arrays}, "metrics"}` (plus `labels` for text, and
 * `persistence` with its `[time][time]` connectivity matrix when the spec measured it), or
 * `{"variants": [{"name", …}]}` for a comparison. Entries that do not exist (above the
 * diagonal of causal matrices) are `null`.
 */
export function traceToJson(output: Trace | Comparison): string {
  const body = isComparison(output) ? { variants: output.variants.map((v) => ({ name: v.name, ...traceJson(v.trace) })) } : traceJson(output);
  return `${JSON.stringify(body, (_k, v) => (typeof v === 'number' ? jsonNumber(v) : v))}\n`;
}

const AXIS_COLUMNS: Record<Axis, string> = { batch: 'batch', time: 'step', unit: 'unit', head: 'head', query: 'query', key: 'key', feature: 'feature' };

/** The series exported together: those with the shape of `seriesName` (default: the first in export order). */
function sameShape(trace: Trace, seriesName?: string): string[] {
  const names = exportSeriesNames(trace);
  if (seriesName !== undefined && !names.includes(seriesName)) throw new Error(`--series: expected one of ${names.join(', ')}, got "${seriesName}"`);
  const first = trace.series[seriesName ?? names[0]];
  return names.filter((n) => trace.series[n].shape.join() === first.shape.join());
}

function axesOf(trace: Trace, name: string): string[] {
  const info = SERIES_INFO[trace.model].find((s) => s.name === name);
  const rank = trace.series[name].shape.length;
  return info && info.axes.length === rank ? info.axes.map((a) => AXIS_COLUMNS[a]) : Array.from({ length: rank }, (_, i) => `dim${i}`);
}

/**
 * Long-form CSV: one row per element of the series sharing the first series' shape (or the
 * shape of `seriesName`), one column per index and per series. Empty cells where an entry does
 * not exist.
 */
export function traceToCsv(trace: Trace, seriesName?: string): string {
  const names = seriesName ? [seriesName, ...sameShape(trace, seriesName).filter((n) => n !== seriesName)] : sameShape(trace);
  const shape = trace.series[names[0]].shape;
  const lines = [[...axesOf(trace, names[0]), ...names].join(',')];
  const columns = names.map((n) => trace.series[n].data);
  const n = shape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    const values = columns.map((c) => {
      const v = jsonNumber(c[i]);
      return v === null ? '' : String(v);
    });
    lines.push(`${index.join(',')},${values.join(',')}`);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * NumPy `.npy` (format 1.0, little-endian float32, C order). With `seriesName` the array is that
 * series; without, the series sharing the first series' shape, stacked `[series, …shape]` in
 * export order (for the LSTM: inputGate, forgetGate, candidate, outputGate, cell, hidden, survival).
 */
export function traceToNpy(trace: Trace, seriesName?: string): Uint8Array {
  const names = seriesName ? [seriesName] : sameShape(trace);
  if (seriesName) sameShape(trace, seriesName); // checks the name
  const base = trace.series[names[0]].shape;
  const shape = seriesName ? base : [names.length, ...base];
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const headerBytes = utf8Encode(header);
  const n = base.reduce((a, b) => a * b, 1);
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
