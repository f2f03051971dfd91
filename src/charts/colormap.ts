/**
 * Colour maps for heatmaps, as pure functions from a value to sRGB. Both are safe for the
 * common forms of colour blindness: viridis (van der Walt & Smith, matplotlib 2015) for values
 * in [0, 1], and ColorBrewer's RdBu (Brewer 2003), blue for negative and red for positive, for
 * values in [−1, 1].
 */

/** An sRGB colour, each channel an integer in 0..255. */
export type Rgb = readonly [number, number, number];

/** Maps a value in the map's domain to a colour; values outside are clamped. */
export type ColorMap = (v: number) => Rgb;

/** `matplotlib.cm.viridis(np.linspace(0, 1, 10))`, rounded to 8 bits. */
const VIRIDIS_STOPS: readonly Rgb[] = [
  [68, 1, 84], [72, 40, 120], [62, 73, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];

/** ColorBrewer RdBu with 11 classes, reversed so that −1 is dark blue and +1 dark red. */
const DIVERGING_STOPS: readonly Rgb[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240],
  [247, 247, 247], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/**
 * Cividis (Nuñez, Anderton & Renslow 2018): viridis re-tuned so that viewers with red–green
 * colour blindness see the same map; sampled at 11 points from d3-scale-chromatic's fit.
 */
const CIVIDIS_STOPS: readonly Rgb[] = [
  [0, 32, 81], [10, 50, 106], [43, 68, 110], [77, 86, 109], [105, 105, 112], [127, 124, 117],
  [148, 143, 120], [173, 164, 118], [202, 186, 106], [234, 209, 86], [253, 234, 69],
];

/** Piecewise-linear interpolation between equally spaced stops over [0, 1]. */
function interpolate(stops: readonly Rgb[], v: number): Rgb {
  const x = Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x));
  const w = x - k;
  const a = stops[k];
  const b = stops[k + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * w),
    Math.round(a[1] + (b[1] - a[1]) * w),
    Math.round(a[2] + (b[2] - a[2]) * w),
  ];
}

/** Viridis over [0, 1]: dark purple at 0, green at ½, yellow at 1. NaN maps like 0. */
export function viridis(v: number): Rgb {
  return interpolate(VIRIDIS_STOPS, v);
}

/** Cividis over [0, 1]: dark blue at 0, grey at ½, yellow at 1. NaN maps like 0. */
export function cividis(v: number): Rgb {
  return interpolate(CIVIDIS_STOPS, v);
}

/** Grey over [0, 1], near-black to near-white (for print). NaN maps like 0. */
export function gray(v: number): Rgb {
  const g = Math.round(16 + 224 * (Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v))));
  return [g, g, g];
}

/** Names of the sequential maps (the `fglab.colorMap` setting). */
export type SequentialMapName = 'viridis' | 'cividis' | 'gray';

/** The sequential maps by name: used for gates, weights, survival, decay and 0/1 masks. */
export const SEQUENTIAL_MAPS: Readonly<Record<SequentialMapName, ColorMap>> = { viridis, cividis, gray };

/** Diverging blue–white–red over [−1, 1]: white at 0. NaN maps like −1. */
export function diverging(v: number): Rgb {
  return interpolate(DIVERGING_STOPS, Number.isNaN(v) ? 0 : (v + 1) / 2);
}

/**
 * Two colours for 0/1 series (kept or pruned attention weights): the ends of a sequential map
 * (default viridis), which differ in lightness as well as hue. Values below ½ (and NaN) take
 * the first.
 */
export function binary(v: number, map: ColorMap = viridis): Rgb {
  return v >= 0.5 ? map(1) : map(0);
}

/** Number of entries of a colour lookup table. */
export const LUT_SIZE = 256;

/**
 * Samples a colour map at `LUT_SIZE` evenly spaced points of [lo, hi] into packed RGB
 * (`[r0, g0, b0, r1, …]`), so that drawing a large heatmap is one table look-up per cell.
 */
export function colorTable(map: ColorMap, lo: number, hi: number): Uint8Array {
  const table = new Uint8Array(LUT_SIZE * 3);
  for (let k = 0; k < LUT_SIZE; k++) {
    const rgb = map(lo + ((hi - lo) * k) / (LUT_SIZE - 1));
    table.set(rgb, k * 3);
  }
  return table;
}

/** `#rrggbb` of a colour. */
export function rgbToHex(rgb: Rgb): string {
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}
