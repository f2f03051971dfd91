/**
 * "Show Trace as Table": a trace's numbers as a Markdown document, bounded in size whatever
 * the trace (the first `maxRows` × `maxColumns` of each series, the metrics of the first
 * `maxColumns` units). Works on any series shape: it shows the last two axes of the first
 * batch row (and head). No `vscode` import.
 */
import type { Series, Trace } from '../shared/trace';

export interface TableLimits {
  /** Rows (steps, queries) shown per series. */
  maxRows: number;
  /** Columns (units, keys) shown per series and units in the metrics table. */
  maxColumns: number;
}

/** Enough to read, small enough to open at once: a few tens of kilobytes. */
export const DEFAULT_TABLE_LIMITS: TableLimits = { maxRows: 40, maxColumns: 12 };

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return '·';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => '---:')), ...rows.map(row)];
}

/** The last two axes of a series at index 0 of every leading axis: `[rows, columns, values]`. */
function lastTwoAxes(s: Series): { rows: number; columns: number; value(r: number, c: number): number; fixed: string } {
  const shape = s.shape.length >= 2 ? s.shape : [1, ...s.shape];
  const rows = shape[shape.length - 2];
  const columns = shape[shape.length - 1];
  const leading = shape.slice(0, -2);
  return { rows, columns, value: (r, c) => s.data[r * columns + c], fixed: leading.map(() => '0').join(', ') };
}

function seriesSection(name: string, s: Series, axes: readonly string[] | undefined, limits: TableLimits, labels?: readonly string[]): string[] {
  const view = lastTwoAxes(s);
  const rowAxis = axes?.[axes.length - 2] ?? 'row';
  const columnAxis = axes?.[axes.length - 1] ?? 'column';
  const rows = Math.min(view.rows, limits.maxRows);
  const columns = Math.min(view.columns, limits.maxColumns);
  const cut = view.rows > rows || view.columns > columns ? ` (first ${rows} of ${view.rows} ${rowAxis}s, ${columns} of ${view.columns} ${columnAxis}s)` : '';
  const at = view.fixed ? ` at [${view.fixed}, …]` : '';
  const header = [rowAxis, ...Array.from({ length: columns }, (_, c) => `${columnAxis} ${c}`)];
  const body = Array.from({ length: rows }, (_, r) => [
    labels && rowAxis === 'time' && labels[r] !== undefined ? `${r} ${JSON.stringify(labels[r])}` : String(r),
    ...Array.from({ length: columns }, (_, c) => num(view.value(r, c))),
  ]);
  return [`### \`${name}\` [${s.shape.join(', ')}]${at}${cut}`, '', ...table(header, body), ''];
}

/**
 * The Markdown document of a trace. `axesOf(name)` names the axes of a series (for headers);
 * `title` heads the document.
 */
export function traceTableMarkdown(trace: Trace, title: string, limits: TableLimits = DEFAULT_TABLE_LIMITS, axesOf: (name: string) => readonly string[] | undefined = () => undefined): string {
  const { dims } = trace;
  const out = [`# ${title}`, '', `Model \`${trace.model}\`: ${Object.entries(dims).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`).join(', ')}.`, ''];
  const metrics = trace.metrics ?? {};
  const halfLife = metrics.halfLife;
  const saturation = metrics.saturation;
  if (halfLife || saturation) {
    const n = Math.max(halfLife?.length ?? 0, saturation?.low.length ?? 0);
    const shown = Math.min(n, limits.maxColumns);
    out.push(`## Memory per unit${n > shown ? ` (first ${shown} of ${n})` : ''}`, '');
    out.push(...table(['unit', 'half-life (steps)', 'keep gate < 0.1', 'keep gate > 0.9'], Array.from({ length: shown }, (_, u) => [
      String(u), num(halfLife?.[u]), num(saturation?.low[u]), num(saturation?.high[u]),
    ])), '');
  }
  out.push('## Series', '');
  for (const [name, s] of Object.entries(trace.series)) out.push(...seriesSection(name, s, axesOf(name), limits, trace.labels));
  if (trace.timings) out.push('## Timings', '', ...table(['step', 'ms'], Object.entries(trace.timings).map(([k, v]) => [k, v.toFixed(1)])), '');
  out.push('_Numbers rounded to 4 decimals; export the cell output (Forget Gate Lab: Export Output…) for every value._', '');
  return out.join('\n');
}
