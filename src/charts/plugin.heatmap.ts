/**
 * A chart.js plugin that draws a heatmap image into the chart area, under the chart's own
 * axes, and a colour bar to the right of it. The image is made for the visible window of
 * cells at the chart area's device-pixel size (pooled when the grid is larger, see
 * `gridImage`), cached, and drawn as one scaled bitmap.
 */
import type { Chart, Plugin } from 'chart.js';
import { themeFont } from './chart.common';
import { LUT_SIZE } from './colormap';
import { formatNumber } from './format';
import { gridImage, type Grid, type HeatmapImage, type Pooling } from './heatmap';
import type { ChartTheme } from './theme';

/** Everything the plugin draws for one series. */
export interface HeatmapLayer {
  /** The cells; in data coordinates cell (x, y) spans x ± ½, y ± ½. */
  grid: Grid;
  /** Colour bar: the values at its bottom and top, the colour table, its caption and labelled values. */
  lo: number;
  hi: number;
  table: Uint8Array;
  caption: string;
  ticks: number[];
  /** Pooling of blocks of cells when the grid has more cells than the area has pixels. */
  pooling: Pooling;
  /** Draw the colour bar as one block per tick (0/1 series) rather than a gradient. */
  discrete?: boolean;
}

/**
 * Turns an RGBA image into something `CanvasRenderingContext2D.drawImage` accepts: in the
 * browser a `<canvas>` filled with `putImageData`, in Node a canvas of its canvas library.
 */
export type ImageFactory = (image: HeatmapImage) => Drawable;

/** What the chart's 2D context can draw (`CanvasImageSource` in the browser). */
export type Drawable = Parameters<Chart['ctx']['drawImage']>[0];

/** Width the colour bar and its labels take to the right of the chart area, in CSS pixels. */
export const COLOR_BAR_SPACE = 64;

/** The heatmap plugin of one chart, with its current layer. */
export interface HeatmapPlugin extends Plugin<'line'> {
  readonly id: 'fglabHeatmap';
  /** The layer drawn now. */
  layer: HeatmapLayer;
  /** The image drawn last (its window and pooling blocks), if any. */
  readonly image: HeatmapImage | undefined;
  /** Replaces the layer; the caller then calls `chart.update()`. */
  setLayer(layer: HeatmapLayer): void;
}

/**
 * Creates the plugin for one chart (pass it in the configuration's `plugins` array). Upscaled
 * images are drawn without smoothing, so that each cell stays a crisp rectangle.
 */
export function createHeatmapPlugin(layer: HeatmapLayer, toImage: ImageFactory, theme: ChartTheme): HeatmapPlugin {
  let cacheKey = '';
  let cachedLayer: HeatmapLayer | null = null;
  let drawable: Drawable | null = null;
  let image: HeatmapImage | undefined;
  const plugin: HeatmapPlugin = {
    id: 'fglabHeatmap',
    layer,
    get image() {
      return image;
    },
    setLayer(next) {
      plugin.layer = next;
    },
    beforeDatasetsDraw(chart: Chart<'line'>) {
      const { ctx, chartArea, scales } = chart;
      const l = plugin.layer;
      const { cols, rows } = l.grid;
      const ratio = chart.currentDevicePixelRatio || 1;
      const areaWidth = Math.max(1, Math.round((chartArea.right - chartArea.left) * ratio));
      const areaHeight = Math.max(1, Math.round((chartArea.bottom - chartArea.top) * ratio));
      const window = {
        x0: Math.floor(Math.min(scales.x.min, scales.x.max) + 0.5),
        x1: Math.ceil(Math.max(scales.x.min, scales.x.max) + 0.5),
        y0: Math.floor(Math.min(scales.y.min, scales.y.max) + 0.5),
        y1: Math.ceil(Math.max(scales.y.min, scales.y.max) + 0.5),
      };
      const key = `${window.x0},${window.x1},${window.y0},${window.y1},${areaWidth},${areaHeight},${l.pooling},${cols},${rows}`;
      if (cachedLayer !== l || cacheKey !== key || !drawable) {
        image = gridImage(l.grid, l.table, l.lo, l.hi, { window, maxWidth: areaWidth, maxHeight: areaHeight, pooling: l.pooling });
        drawable = image.width > 0 && image.height > 0 ? toImage(image) : null;
        cachedLayer = l;
        cacheKey = key;
      }
      if (!image || !drawable) return;
      const w = image.window;
      const xa = scales.x.getPixelForValue(w.x0 - 0.5);
      const xb = scales.x.getPixelForValue(Math.min(cols, w.x0 + image.width * image.xBlock) - 0.5);
      const ya = scales.y.getPixelForValue(w.y0 - 0.5);
      const yb = scales.y.getPixelForValue(Math.min(rows, w.y0 + image.height * image.yBlock) - 0.5);
      const width = Math.abs(xb - xa);
      const height = Math.abs(yb - ya);
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
      ctx.clip();
      ctx.imageSmoothingEnabled = image.width > width * ratio + 0.5 || image.height > height * ratio + 0.5;
      ctx.drawImage(drawable, Math.min(xa, xb), Math.min(ya, yb), width, height);
      ctx.restore();
    },
    afterDraw(chart: Chart<'line'>) {
      drawColorBar(chart, plugin.layer, theme);
    },
  };
  return plugin;
}

/** The colour bar: a vertical gradient (or blocks) from `lo` (bottom) to `hi` (top) with labels. */
function drawColorBar(chart: Chart<'line'>, l: HeatmapLayer, theme: ChartTheme): void {
  const { ctx, chartArea } = chart;
  const left = chartArea.right + 14;
  const barWidth = 12;
  const top = chartArea.top;
  const height = chartArea.bottom - chartArea.top;
  if (height <= 0) return;
  const span = l.hi - l.lo || 1;
  const yOf = (v: number) => top + height - ((v - l.lo) / span) * height;
  const colorAt = (v: number) => {
    const k = Math.round(Math.min(1, Math.max(0, (v - l.lo) / span)) * (LUT_SIZE - 1)) * 3;
    return `rgb(${l.table[k]}, ${l.table[k + 1]}, ${l.table[k + 2]})`;
  };
  ctx.save();
  if (l.discrete) {
    const n = l.ticks.length;
    l.ticks.forEach((v, i) => {
      ctx.fillStyle = colorAt(v);
      ctx.fillRect(left, top + ((n - 1 - i) * height) / n, barWidth, height / n + 0.5);
    });
  } else {
    const strips = Math.max(1, Math.min(LUT_SIZE, Math.round(height)));
    for (let s = 0; s < strips; s++) {
      const k = Math.round(((strips - 1 - s) / Math.max(1, strips - 1)) * (LUT_SIZE - 1));
      ctx.fillStyle = `rgb(${l.table[k * 3]}, ${l.table[k * 3 + 1]}, ${l.table[k * 3 + 2]})`;
      ctx.fillRect(left, top + (s * height) / strips, barWidth, height / strips + 0.5);
    }
  }
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, barWidth - 1, height - 1);
  const font = themeFont(theme, 0.9);
  ctx.font = `${font.size}px ${theme.fontFamily}`;
  ctx.fillStyle = theme.foreground;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const labelX = left + barWidth + 4;
  const n = l.ticks.length;
  l.ticks.forEach((v, i) => {
    const y = l.discrete ? top + ((n - 1 - i + 0.5) * height) / n : Math.min(top + height - 6, Math.max(top + 6, yOf(v)));
    ctx.fillText(formatNumber(v, 2), labelX, y);
  });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillStyle = theme.muted;
  ctx.fillText(l.caption, left + barWidth / 2, top - 4);
  ctx.restore();
}
