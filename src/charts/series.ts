/**
 * Access to the series of a trace for charts: which series exist and what their axes are
 * (from `SERIES_INFO[model]`, never from hard-coded names), one batch row of a series, the
 * keep gate of a model, and the value domain and colour map a series is drawn with.
 */
import {
  KEEP_GATE,
  SERIES_INFO,
  TraceFormatError,
  isRecurrent,
  type Axis,
  type Comparison,
  type ModelKind,
  type SeriesInfo,
  type Trace,
} from '../shared/trace';
import { binary, diverging, viridis, type ColorMap } from './colormap';

/** Size of `axis` in `trace` (`feature`: the width of attention's output, `dims.units`). */
export function axisSize(trace: Trace, axis: Axis): number {
  const { batch, time, units, features, heads } = trace.dims;
  switch (axis) {
    case 'batch':
      return batch;
    case 'time':
    case 'query':
    case 'key':
      return time;
    case 'unit':
      return units;
    case 'head':
      return heads ?? 0;
    case 'feature':
      return isRecurrent(trace.model) ? features : units;
  }
}

/** The shape `info`'s axes give in `trace`, e.g. `[batch, time, units]`. */
export function expectedShape(trace: Trace, info: SeriesInfo): number[] {
  return info.axes.map((a) => axisSize(trace, a));
}

/** Display information of series `name` of a `model` trace; throws when the model has no such series. */
export function seriesInfo(name: string, model: ModelKind = 'lstm'): SeriesInfo {
  const list = SERIES_INFO[model];
  const info = list.find((s) => s.name === name);
  if (!info) throw new Error(`unknown series "${name}" of a ${model} trace: expected one of ${list.map((s) => s.name).join(', ')}`);
  return info;
}

/** Whether `trace` has series `name` with the shape its axes give (a `feature` axis may have any size). */
export function hasSeries(trace: Trace, name: string): boolean {
  const s = trace.series[name];
  const info = SERIES_INFO[trace.model].find((i) => i.name === name);
  if (!s || !info || s.shape.length !== info.axes.length) return false;
  return info.axes.every((a, k) => (a === 'feature' ? s.shape[k] > 0 : s.shape[k] === axisSize(trace, a)));
}

/** The series of `trace` that charts can show, in display order (`SERIES_INFO[model]`). */
export function availableSeries(trace: Trace): SeriesInfo[] {
  return SERIES_INFO[trace.model].filter((info) => hasSeries(trace, info.name));
}

/** Series drawn as a step × channel heatmap: axes `[batch, time, unit | feature]`. */
export function gridSeries(trace: Trace): SeriesInfo[] {
  return availableSeries(trace).filter((i) => i.axes.length === 3 && i.axes[0] === 'batch' && i.axes[1] === 'time');
}

/** Series drawn as query × key matrices per head: axes `[batch, head, query, key]`. */
export function matrixSeries(trace: Trace): SeriesInfo[] {
  return availableSeries(trace).filter((i) => i.axes.length === 4 && i.axes[1] === 'head' && i.axes[2] === 'query' && i.axes[3] === 'key');
}

/**
 * Values of series `name` for batch row `batchRow`: a view on the trace's data (no copy) of
 * the remaining axes, row-major. Throws when the series is missing or the row is out of range.
 */
export function batchRowOf(trace: Trace, name: string, batchRow: number): Float32Array {
  const s = trace.series[name];
  if (!s) throw new Error(`trace has no series "${name}"`);
  const batch = s.shape[0];
  if (!Number.isInteger(batchRow) || batchRow < 0 || batchRow >= batch) {
    throw new Error(`batch row must be an integer in 0..${batch - 1}, got ${batchRow}`);
  }
  const n = s.shape.slice(1).reduce((a, b) => a * b, 1);
  return s.data.subarray(batchRow * n, (batchRow + 1) * n);
}

/** One query × key matrix `[query][key]` of series `name`, batch row `batchRow`, head `head`. */
export function matrixOf(trace: Trace, name: string, batchRow: number, head: number): Float32Array {
  const row = batchRowOf(trace, name, batchRow);
  const [, heads, q, k] = trace.series[name].shape;
  if (!Number.isInteger(head) || head < 0 || head >= heads) throw new Error(`head must be an integer in 0..${heads - 1}, got ${head}`);
  return row.subarray(head * q * k, (head + 1) * q * k);
}

/**
 * The keep gate of a trace (LSTM forget gate, GRU update gate, forgetting-attention forget
 * gate): the series survival, half-life and saturation come from, and whether its channels
 * are units (`[batch, time, unit]`) or heads (`[batch, head, time]`).
 */
export interface KeepGate {
  info: SeriesInfo;
  channel: 'unit' | 'head';
  channels: number;
}

/** The keep gate of `trace`, or undefined when the model has none or the trace lacks it. */
export function keepGateOf(trace: Trace): KeepGate | undefined {
  const name = KEEP_GATE[trace.model];
  if (name === undefined || !hasSeries(trace, name)) return undefined;
  const info = seriesInfo(name, trace.model);
  const channel = info.axes[1] === 'head' ? 'head' : 'unit';
  return { info, channel, channels: axisSize(trace, channel) };
}

/**
 * The keep gate of batch row `batchRow` as `[time][channels]`: a view for `[batch, time, unit]`
 * gates, a transposed copy for per-head gates `[batch, head, time]`.
 */
export function keepGateRow(trace: Trace, batchRow = 0): Float32Array {
  const gate = keepGateOf(trace);
  if (!gate) throw new Error(`a ${trace.model} trace has no keep gate to chart`);
  const row = batchRowOf(trace, gate.info.name, batchRow);
  if (gate.channel === 'unit') return row;
  const time = trace.dims.time;
  const heads = gate.channels;
  const out = new Float32Array(time * heads);
  for (let h = 0; h < heads; h++) for (let t = 0; t < time; t++) out[t * heads + h] = row[h * time + t];
  return out;
}

/** What a heatmap of a series maps its values with. */
export interface ValueScale {
  /** Value drawn with the first colour. */
  lo: number;
  /** Value drawn with the last colour. */
  hi: number;
  map: ColorMap;
  /** Kind of map, for legends and tests: `viridis` stands for any sequential map. */
  mapName: 'viridis' | 'diverging' | 'binary';
  /** Values labelled on the colour bar, bottom to top. */
  ticks: number[];
}

/** Largest finite value of `values`, or −Infinity. */
function finiteMax(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let k = 0; k < values.length; k++) if (values[k] > m && Number.isFinite(values[k])) m = values[k];
  return m;
}

/** `v` rounded up to two significant digits (a readable colour-bar end). */
function niceCeil(v: number): number {
  if (!(v > 0)) return v;
  const p = 10 ** (Math.floor(Math.log10(v)) - 1);
  return Math.ceil(v / p - 1e-9) * p;
}

/**
 * The colour scale of a series, from its `range`:
 * - `unit` (gates, survival): the sequential map (default viridis) over [0, 1]; attention weights (a `key` axis) over
 *   [0, max α], since a row of `n` keys averages `1/n` and would be drawn all dark on [0, 1];
 * - `symmetric` (tanh outputs): the diverging map over [−1, 1];
 * - `free` (cell state, scores, outputs): the diverging map over `[−m, m]`, `m = max |v|` (1 when
 *   all values are 0 or not finite), so that 0 stays white;
 * - `binary` (kept / pruned): two viridis ends, 0 dark and 1 light;
 * - `negative` (log-decay `D ≤ 0`): viridis over [min D, 0], so no decay is light and strong
 *   decay dark.
 */
export function valueScale(info: SeriesInfo, values: ArrayLike<number>, sequential: ColorMap = viridis): ValueScale {
  switch (info.range) {
    case 'unit': {
      const hi = info.axes.includes('key') ? Math.min(1, niceCeil(Math.max(1e-6, finiteMax(values)))) : 1;
      return { lo: 0, hi, map: (v) => sequential(v / hi), mapName: 'viridis', ticks: [0, hi / 2, hi] };
    }
    case 'symmetric':
      return { lo: -1, hi: 1, map: diverging, mapName: 'diverging', ticks: [-1, 0, 1] };
    case 'binary':
      return { lo: 0, hi: 1, map: (v) => binary(v, sequential), mapName: 'binary', ticks: [0, 1] };
    case 'negative': {
      let m = 0;
      for (let k = 0; k < values.length; k++) if (values[k] < m && Number.isFinite(values[k])) m = values[k];
      const lo = m === 0 ? -1 : m;
      return { lo, hi: 0, map: (v) => sequential(1 - v / lo), mapName: 'viridis', ticks: [lo, lo / 2, 0] };
    }
    case 'free': {
      let m = 0;
      for (let k = 0; k < values.length; k++) {
        const a = Math.abs(values[k]);
        if (a > m && Number.isFinite(a)) m = a;
      }
      if (m === 0) m = 1;
      return { lo: -m, hi: m, map: (v) => diverging(v / m), mapName: 'diverging', ticks: [-m, 0, m] };
    }
  }
}

function requireSeries(trace: Trace, name: string, prefix: string): void {
  const info = seriesInfo(name, trace.model);
  const shape = expectedShape(trace, info);
  const expected = `[${shape.join(', ')}]`;
  const axes = `[${info.axes.join(', ')}]`;
  const s = trace.series[name];
  if (!s) throw new TraceFormatError(`trace ${prefix}series.${name}: expected a series of shape ${expected} (${axes}), got none`);
  if (!hasSeries(trace, name)) throw new TraceFormatError(`trace ${prefix}series.${name}.shape: expected ${expected} (${axes}), got [${s.shape.join(', ')}]`);
}

/**
 * Checks that a decoded trace has something to chart: at least one step and batch row, and
 * the series its main view needs: the keep gate of a recurrent model (`[batch, time, units]`,
 * at least one unit), the attention weights of an attention model, and also the per-head
 * forget gate of forgetting attention. Each variant of a comparison likewise. Throws
 * `TraceFormatError` naming the key, what was expected and what was got.
 */
export function checkChartable(output: Trace | Comparison): void {
  if ((output as Comparison).kind === 'comparison') {
    (output as Comparison).variants.forEach((v, i) => checkTrace(v.trace, `variants[${i}].`));
  } else {
    checkTrace(output as Trace, '');
  }
}

function checkTrace(trace: Trace, prefix: string): void {
  const { batch, time, units, heads } = trace.dims;
  const counts: [string, number | undefined][] = [['batch', batch], ['time', time]];
  if (isRecurrent(trace.model)) counts.push(['units', units]);
  else counts.push(['heads', heads]);
  for (const [key, v] of counts) {
    if (v === undefined || v < 1) throw new TraceFormatError(`trace ${prefix}dims.${key}: expected at least 1 to chart, got ${v ?? 'none'}`);
  }
  const keep = KEEP_GATE[trace.model];
  if (keep !== undefined) requireSeries(trace, keep, prefix);
  if (!isRecurrent(trace.model)) requireSeries(trace, 'weights', prefix);
}
