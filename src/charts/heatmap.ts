/**
 * Heatmap pixels: a grid of values (step × unit, or key × query) turned into an RGBA image,
 * one pixel per cell. A grid larger than the pixels it is drawn on is pooled first, by mean or
 * max over blocks of cells, so drawing costs the same for 10 × 128 cells as for 8192 × 512,
 * and thin features (one sharp attention weight, one saturated step) survive downsampling
 * with max pooling. Only the visible window of cells is pooled, so zooming in shows detail.
 */
import { LUT_SIZE } from './colormap';

/**
 * A matrix to draw: cell `(x, y)` (column x, row y) is `values[x·xStride + y·yStride]`.
 * Step × unit series `[time][units]` have `xStride = units, yStride = 1`; query × key
 * matrices `[query][key]` have `xStride = 1, yStride = keys`.
 */
export interface Grid {
  values: ArrayLike<number>;
  cols: number;
  rows: number;
  xStride: number;
  yStride: number;
  /** The grid row shown at display row k (a permutation of 0..rows−1); identity when absent. */
  rowOrder?: ArrayLike<number>;
}

/** Cells `x0 ≤ x < x1`, `y0 ≤ y < y1` (display rows). */
export interface CellWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * How a block of cells becomes one pixel: `mean`, `max` (the largest value) or `absmax` (the
 * value of largest magnitude, keeping its sign: the max of a diverging scale). Cells that are
 * not finite (NaN above a causal diagonal, −∞ scores of masked keys) are not drawn and are
 * left out of pooling; a block of only such cells is transparent.
 */
export type Pooling = 'mean' | 'max' | 'absmax';

/** An RGBA image, row-major, 4 bytes per pixel: what `ImageData` holds. */
export interface HeatmapImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
  /** The cells the image covers. */
  window: CellWindow;
  /** Columns per pixel and rows per pixel (1 unless the grid was pooled). */
  xBlock: number;
  yBlock: number;
}

/** Largest image made when the caller gives no size: wider or taller grids are pooled. */
export const MAX_HEATMAP_WIDTH = 2048;
export const MAX_HEATMAP_HEIGHT = 1024;

/**
 * Index into a colour table of `LUT_SIZE` entries for value `v` on the scale [lo, hi]:
 * `round((v − lo) / (hi − lo) · (LUT_SIZE − 1))`, clamped; −1 for NaN (drawn transparent).
 */
export function colorIndex(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return -1;
  const x = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return Math.round(Math.min(1, Math.max(0, x)) * (LUT_SIZE - 1));
}

export interface GridImageOptions {
  /** Cells to draw; default the whole grid. */
  window?: CellWindow;
  /** Largest image; pooled over blocks of `ceil(cells / max)` cells beyond it. */
  maxWidth?: number;
  maxHeight?: number;
  /** Default `mean`. */
  pooling?: Pooling;
}

/** The whole grid as a window. */
export function fullWindow(grid: Pick<Grid, 'cols' | 'rows'>): CellWindow {
  return { x0: 0, x1: grid.cols, y0: 0, y1: grid.rows };
}

/**
 * Colours `grid` with `table` (packed RGB from `colorTable`, sampled over [lo, hi]). Column x
 * of the image is grid column `x0 + x` (or a block of `xBlock` columns from there), row y is
 * display row `y0 + y` (grid row `rowOrder[y0 + y]`).
 */
export function gridImage(grid: Grid, table: Uint8Array, lo: number, hi: number, options: GridImageOptions = {}): HeatmapImage {
  const { cols, rows, xStride, yStride, values, rowOrder } = grid;
  const w = options.window ?? fullWindow(grid);
  const x0 = Math.max(0, Math.min(cols, Math.floor(w.x0)));
  const x1 = Math.max(x0, Math.min(cols, Math.ceil(w.x1)));
  const y0 = Math.max(0, Math.min(rows, Math.floor(w.y0)));
  const y1 = Math.max(y0, Math.min(rows, Math.ceil(w.y1)));
  const maxWidth = Math.max(1, Math.floor(options.maxWidth ?? MAX_HEATMAP_WIDTH));
  const maxHeight = Math.max(1, Math.floor(options.maxHeight ?? MAX_HEATMAP_HEIGHT));
  const xBlock = Math.max(1, Math.ceil((x1 - x0) / maxWidth));
  const yBlock = Math.max(1, Math.ceil((y1 - y0) / maxHeight));
  const width = Math.ceil((x1 - x0) / xBlock);
  const height = Math.ceil((y1 - y0) / yBlock);
  const pixels = new Uint8ClampedArray(width * height * 4);
  const scale = hi > lo ? (LUT_SIZE - 1) / (hi - lo) : 0;
  const paint = (p: number, v: number) => {
    if (!Number.isFinite(v)) return;
    const x = scale === 0 ? (LUT_SIZE - 1) / 2 : (v - lo) * scale;
    const k = Math.round(x < 0 ? 0 : x > LUT_SIZE - 1 ? LUT_SIZE - 1 : x) * 3;
    const o = p * 4;
    pixels[o] = table[k];
    pixels[o + 1] = table[k + 1];
    pixels[o + 2] = table[k + 2];
    pixels[o + 3] = 255;
  };
  const gridRow = (y: number) => (rowOrder ? rowOrder[y] : y);
  if (xBlock === 1 && yBlock === 1) {
    for (let y = y0; y < y1; y++) {
      const base = gridRow(y) * yStride;
      const line = (y - y0) * width - x0;
      for (let x = x0; x < x1; x++) paint(line + x, values[base + x * xStride]);
    }
    return { width, height, pixels, window: { x0, x1, y0, y1 }, xBlock, yBlock };
  }
  const pooling = options.pooling ?? 'mean';
  const acc = new Float64Array(width * height).fill(pooling === 'mean' ? 0 : NaN);
  const counts = pooling === 'mean' ? new Uint32Array(width * height) : undefined;
  // Precomputed pixel column of each grid column, so the inner loop only adds.
  const column = new Int32Array(x1 - x0);
  for (let x = x0; x < x1; x++) column[x - x0] = Math.floor((x - x0) / xBlock);
  for (let y = y0; y < y1; y++) {
    const base = gridRow(y) * yStride;
    const line = Math.floor((y - y0) / yBlock) * width;
    for (let x = x0; x < x1; x++) {
      const v = values[base + x * xStride];
      if (!Number.isFinite(v)) continue;
      const cell = line + column[x - x0];
      if (counts) {
        acc[cell] += v;
        counts[cell]++;
      } else {
        const old = acc[cell];
        if (Number.isNaN(old) || (pooling === 'max' ? v > old : Math.abs(v) > Math.abs(old))) acc[cell] = v;
      }
    }
  }
  for (let p = 0; p < width * height; p++) paint(p, counts ? (counts[p] > 0 ? acc[p] / counts[p] : NaN) : acc[p]);
  return { width, height, pixels, window: { x0, x1, y0, y1 }, xBlock, yBlock };
}

/**
 * Colours matrix `values` (`[time][units]`, row-major) with step t in column t and unit u in
 * row u; pooled by mean over blocks of `ceil(time / maxWidth)` steps × `ceil(units / maxHeight)`
 * units beyond `maxWidth` × `maxHeight`.
 */
export function heatmapImage(
  values: ArrayLike<number>,
  time: number,
  units: number,
  table: Uint8Array,
  lo: number,
  hi: number,
  maxWidth = MAX_HEATMAP_WIDTH,
  maxHeight = MAX_HEATMAP_HEIGHT,
): HeatmapImage {
  if (values.length !== time * units) throw new Error(`heatmap: expected ${time * units} values ([${time}, ${units}]), got ${values.length}`);
  return gridImage({ values, cols: time, rows: units, xStride: units, yStride: 1 }, table, lo, hi, { maxWidth, maxHeight });
}
