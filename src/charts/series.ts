/**
 * Access to the series of a trace for charts: which series exist, one batch row of a series,
 * and the value domain and colour map a series is drawn with.
 */
import { LSTM_SERIES, TraceFormatError, type SeriesInfo, type Trace } from '../shared/trace';
import { diverging, viridis, type ColorMap } from './colormap';

/** Whether `trace` has series `name` with the shape of its dims, `[batch, time, units]`. */
export function hasSeries(trace: Trace, name: string): boolean {
  const s = trace.series[name];
  const { batch, time, units } = trace.dims;
  return s !== undefined && s.shape.length === 3 && s.shape[0] === batch && s.shape[1] === time && s.shape[2] === units;
}

/** The series of `trace` that charts can show, in display order (`LSTM_SERIES`). */
export function availableSeries(trace: Trace): SeriesInfo[] {
  return LSTM_SERIES.filter((info) => hasSeries(trace, info.name));
}

/** Display information of a series by name; throws when the trace model has no such series. */
export function seriesInfo(name: string): SeriesInfo {
  const info = LSTM_SERIES.find((s) => s.name === name);
  if (!info) throw new Error(`unknown series "${name}": expected one of ${LSTM_SERIES.map((s) => s.name).join(', ')}`);
  return info;
}

/**
 * Values of series `name` for batch row `batchRow`: a view `[time][units]`, row-major, on the
 * trace's data (no copy). Throws when the series is missing or the row is out of range.
 */
export function batchRowOf(trace: Trace, name: string, batchRow: number): Float32Array {
  const s = trace.series[name];
  if (!s) throw new Error(`trace has no series "${name}"`);
  const [batch, time, units] = s.shape;
  if (!Number.isInteger(batchRow) || batchRow < 0 || batchRow >= batch) {
    throw new Error(`batch row must be an integer in 0..${batch - 1}, got ${batchRow}`);
  }
  const n = time * units;
  return s.data.subarray(batchRow * n, (batchRow + 1) * n);
}

/** What a heatmap of a series maps its values with. */
export interface ValueScale {
  /** Value drawn with the first colour. */
  lo: number;
  /** Value drawn with the last colour. */
  hi: number;
  map: ColorMap;
  /** Name of the map, for legends and tests. */
  mapName: 'viridis' | 'diverging';
}

/**
 * The colour scale of a series: gates and survival (`unit`) use viridis over [0, 1], tanh
 * outputs (`symmetric`) the diverging map over [−1, 1]; the unbounded cell state uses the
 * diverging map over the data's range made symmetric, `[−m, m]` with `m = max |c|` (1 when
 * all values are 0 or not finite), so that 0 stays white.
 */
export function valueScale(info: SeriesInfo, values: ArrayLike<number>): ValueScale {
  if (info.range === 'unit') return { lo: 0, hi: 1, map: viridis, mapName: 'viridis' };
  if (info.range === 'symmetric') return { lo: -1, hi: 1, map: diverging, mapName: 'diverging' };
  let m = 0;
  for (let k = 0; k < values.length; k++) {
    const a = Math.abs(values[k]);
    if (a > m && Number.isFinite(a)) m = a;
  }
  if (m === 0) m = 1;
  return { lo: -m, hi: m, map: (v) => diverging(v / m), mapName: 'diverging' };
}

/**
 * Checks that a decoded trace has something to chart: at least one step, unit and batch row,
 * and a forget gate series of shape `[batch, time, units]`. Throws `TraceFormatError` naming
 * the key, what was expected and what was got.
 */
export function checkChartable(trace: Trace): void {
  const { batch, time, units } = trace.dims;
  for (const [key, v] of [['batch', batch], ['time', time], ['units', units]] as const) {
    if (v < 1) throw new TraceFormatError(`trace dims.${key}: expected at least 1 to chart, got ${v}`);
  }
  const f = trace.series.forgetGate;
  const expected = `[${batch}, ${time}, ${units}]`;
  if (!f) throw new TraceFormatError(`trace series.forgetGate: expected a series of shape ${expected} ([batch, time, units]), got none`);
  if (f.shape.join() !== [batch, time, units].join()) {
    throw new TraceFormatError(`trace series.forgetGate.shape: expected ${expected} ([batch, time, units]), got [${f.shape.join(', ')}]`);
  }
}
