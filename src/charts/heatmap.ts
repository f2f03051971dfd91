/**
 * Heatmap pixels: a `[time][units]` matrix turned into an RGBA image with step along x and
 * unit along y (row `u` of the image is unit `u`). Large matrices are averaged down to a
 * bounded image first, so that drawing stays cheap for thousands of steps × hundreds of units.
 */
import { LUT_SIZE } from './colormap';

/** An RGBA image, row-major, 4 bytes per pixel: what `ImageData` holds. */
export interface HeatmapImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
  /** Steps per image column and units per image row (1 unless the matrix was averaged down). */
  stepsPerPixel: number;
  unitsPerPixel: number;
}

/** Largest image drawn: wider or taller matrices are averaged over blocks of cells. */
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

/**
 * Colours matrix `values` (`[time][units]`, row-major) with `table` (packed RGB from
 * `colorTable`, sampled over [lo, hi]). When `time > maxWidth` or `units > maxHeight`, each
 * pixel shows the mean of a block of `ceil(time / maxWidth)` steps × `ceil(units / maxHeight)`
 * units (NaN cells left out; a block of only NaN is transparent).
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
  const stepsPerPixel = Math.max(1, Math.ceil(time / maxWidth));
  const unitsPerPixel = Math.max(1, Math.ceil(units / maxHeight));
  const width = Math.ceil(time / stepsPerPixel);
  const height = Math.ceil(units / unitsPerPixel);
  const pixels = new Uint8ClampedArray(width * height * 4);
  const paint = (x: number, y: number, v: number) => {
    const k = colorIndex(v, lo, hi);
    if (k < 0) return;
    const p = (y * width + x) * 4;
    pixels[p] = table[k * 3];
    pixels[p + 1] = table[k * 3 + 1];
    pixels[p + 2] = table[k * 3 + 2];
    pixels[p + 3] = 255;
  };
  if (stepsPerPixel === 1 && unitsPerPixel === 1) {
    for (let t = 0; t < time; t++) for (let u = 0; u < units; u++) paint(t, u, values[t * units + u]);
  } else {
    const sums = new Float64Array(width * height);
    const counts = new Uint32Array(width * height);
    for (let t = 0; t < time; t++) {
      const row = Math.floor(t / stepsPerPixel);
      for (let u = 0; u < units; u++) {
        const v = values[t * units + u];
        if (Number.isNaN(v)) continue;
        const cell = Math.floor(u / unitsPerPixel) * width + row;
        sums[cell] += v;
        counts[cell]++;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const cell = y * width + x;
        paint(x, y, counts[cell] > 0 ? sums[cell] / counts[cell] : NaN);
      }
    }
  }
  return { width, height, pixels, stepsPerPixel, unitsPerPixel };
}
