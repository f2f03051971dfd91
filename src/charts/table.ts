/**
 * The numbers behind the charts as tables: the alternative to the canvases for screen readers
 * (formatted, bounded) and the rows a CSV export writes (every row, full precision).
 */
import type { Trace } from '../shared/trace';
import { formatNumber } from './format';
import { gateSummary } from './summary';
import { keepGateOf, keepGateRow } from './series';

/** A table of formatted cells. */
export interface TextTable {
  caption: string;
  columns: string[];
  rows: string[][];
}

/** A cell of a data table: a number (formatted in tables, exact in CSV), text, or missing. */
export type Cell = number | string | null | undefined;

/** Rows computed on demand, so a bounded table of a large view does no work for the rest. */
export interface TableData {
  caption: string;
  columns: string[];
  rowCount: number;
  row(r: number): Cell[];
}

/** The shortest decimal that reads back as the same float32 (CSV without float64 noise). */
export function csvNumber(v: number): string {
  if (Number.isNaN(v)) return '';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Math.fround(v) !== v) return String(v);
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return String(c);
  }
  return String(v);
}

function csvField(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return csvNumber(cell);
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** RFC 4180 CSV of every row of `data`, header first, `\n` line ends. */
export function tableCsv(data: TableData): string {
  const lines = [data.columns.map(csvField).join(',')];
  for (let r = 0; r < data.rowCount; r++) lines.push(data.row(r).map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/** Most columns a table for reading shows (the CSV has them all). */
export const MAX_TABLE_COLUMNS = 40;

/**
 * The first `maxRows` rows and `maxColumns` columns of `data`, numbers formatted to `digits`
 * significant digits, with the unbounded counts.
 */
export function boundedTable(data: TableData, maxRows: number, maxColumns = MAX_TABLE_COLUMNS, digits = 4): TextTable & { totalRows: number; totalColumns: number } {
  const rows: string[][] = [];
  const n = Math.min(data.rowCount, Math.max(0, maxRows));
  const m = Math.min(data.columns.length, maxColumns);
  for (let r = 0; r < n; r++) rows.push(data.row(r).slice(0, m).map((c) => (typeof c === 'number' ? formatNumber(c, digits) : c === null || c === undefined ? '—' : c)));
  return { caption: data.caption, columns: data.columns.slice(0, m), rows, totalRows: data.rowCount, totalColumns: data.columns.length };
}

/** Per step of batch row `batchRow`: the token (if any) and the keep gate's mean and quartiles over channels. */
export function stepTable(trace: Trace, batchRow = 0): TextTable {
  return boundedTable(stepData(trace, batchRow), Infinity);
}

/** The data of `stepTable`. */
export function stepData(trace: Trace, batchRow = 0): TableData {
  const gate = keepGateOf(trace);
  if (!gate) throw new Error(`a ${trace.model} trace has no keep gate`);
  const s = gateSummary(trace, gate.info.name, batchRow);
  const labels = trace.labels;
  const sym = gate.info.symbol;
  return {
    caption: `${gate.info.label[0].toUpperCase()}${gate.info.label.slice(1)} per step, over ${gate.channel}s (batch row ${batchRow})`,
    columns: ['step', ...(labels ? ['token'] : []), `mean ${sym}`, 'Q1', 'median', 'Q3'],
    rowCount: s.mean.length,
    row: (t) => [String(t), ...(labels ? [labels[t] ?? ''] : []), s.mean[t], s.q1[t], s.median[t], s.q3[t]],
  };
}

/**
 * Per unit (or head): mean keep gate over the steps of batch row `batchRow`, half-life in steps
 * (over the whole batch, from the trace's metrics) and saturation (share of steps with the
 * gate < 0.1 and > 0.9, over the whole batch). `order` lists the channels in display order.
 */
export function unitTable(trace: Trace, batchRow = 0, order?: ArrayLike<number>): TextTable {
  return boundedTable(unitData(trace, batchRow, order), Infinity);
}

/** The data of `unitTable`. */
export function unitData(trace: Trace, batchRow = 0, order?: ArrayLike<number>): TableData {
  const gate = keepGateOf(trace);
  if (!gate) throw new Error(`a ${trace.model} trace has no keep gate`);
  const f = keepGateRow(trace, batchRow);
  const { time } = trace.dims;
  const n = gate.channels;
  const { halfLife, saturation } = trace.metrics;
  const sym = gate.info.symbol;
  return {
    caption: `Memory per ${gate.channel} (mean ${sym} of batch row ${batchRow}; half-life and saturation over the batch)`,
    columns: [gate.channel, `mean ${sym}`, 'half-life (steps)', `${sym} < 0.1`, `${sym} > 0.9`],
    rowCount: n,
    row: (r) => {
      const u = order ? order[r] : r;
      let sum = 0;
      for (let t = 0; t < time; t++) sum += f[t * n + u];
      return [String(u), time > 0 ? sum / time : NaN, halfLife?.[u] ?? null, saturation?.low[u], saturation?.high[u]];
    },
  };
}
