/**
 * A chart.js plugin that draws a heatmap image into the chart area, under the chart's own
 * axes, and a colour bar to the right of it. The image is drawn once per render as one
 * scaled bitmap, so it costs the same for 10 × 128 cells as for 2000 × 256.
 */
import type { Chart, Plugin } from 'chart.js';
import { LUT_SIZE } from './colormap';
import { formatNumber } from './format';
import type { HeatmapImage } from './heatmap';
import type { ChartTheme } from './theme';
import { themeFont } from './chart.common';

/** Everything the plugin draws for one series. */
export interface HeatmapLayer {
  image: HeatmapImage;
  /** Steps and units the image covers (its extent in data coordinates is −½..time−½ × −½..units−½). */
  time: number;
  units: number;
  /** Colour bar: the values at its bottom and top, the colour table, its caption. */
  lo: number;
  hi: number;
  table: Uint8Array;
  caption: string;
}

/**
 * Turns an RGBA image into something `CanvasRenderingContext2D.drawImage` accepts: in the
 * browser an `OffscreenCanvas`/`<canvas>` filled with `putImageData`, in the CLI a canvas of
 * its canvas library. Called once per layer.
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
  /** Replaces the layer; the caller then calls `chart.update()`. */
  setLayer(layer: HeatmapLayer): void;
}

/**
 * Creates the plugin for one chart (pass it in the configuration's `plugins` array). Upscaled
 * images are drawn without smoothing, so that each cell stays a crisp rectangle; downscaled
 * ones with smoothing, so that thin features average rather than alias.
 */
export function createHeatmapPlugin(layer: HeatmapLayer, toImage: ImageFactory, theme: ChartTheme): HeatmapPlugin {
  let drawable: Drawable | null = null;
  let drawableOf: HeatmapImage | null = null;
  const imageFor = (image: HeatmapImage) => {
    if (drawableOf !== image) {
      drawable = toImage(image);
      drawableOf = image;
    }
    return drawable as Drawable;
  };
  const plugin: HeatmapPlugin = {
    id: 'fglabHeatmap',
    layer,
    setLayer(next) {
      plugin.layer = next;
    },
    beforeDatasetsDraw(chart: Chart<'line'>) {
      const { ctx, chartArea, scales } = chart;
      const l = plugin.layer;
      const x0 = scales.x.getPixelForValue(-0.5);
      const x1 = scales.x.getPixelForValue(l.time - 0.5);
      const y0 = scales.y.getPixelForValue(-0.5);
      const y1 = scales.y.getPixelForValue(l.units - 0.5);
      const width = Math.abs(x1 - x0);
      const height = Math.abs(y1 - y0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
      ctx.clip();
      ctx.imageSmoothingEnabled = l.image.width > width || l.image.height > height;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(imageFor(l.image), Math.min(x0, x1), Math.min(y0, y1), width, height);
      ctx.restore();
    },
    afterDraw(chart: Chart<'line'>) {
      drawColorBar(chart, plugin.layer, theme);
    },
  };
  return plugin;
}

/** The colour bar: a vertical gradient from `lo` (bottom) to `hi` (top) with three labels. */
function drawColorBar(chart: Chart<'line'>, l: HeatmapLayer, theme: ChartTheme): void {
  const { ctx, chartArea } = chart;
  const left = chartArea.right + 14;
  const barWidth = 12;
  const top = chartArea.top;
  const height = chartArea.bottom - chartArea.top;
  if (height <= 0) return;
  ctx.save();
  const strips = Math.max(1, Math.min(LUT_SIZE, Math.round(height)));
  for (let s = 0; s < strips; s++) {
    const k = Math.round(((strips - 1 - s) / Math.max(1, strips - 1)) * (LUT_SIZE - 1));
    ctx.fillStyle = `rgb(${l.table[k * 3]}, ${l.table[k * 3 + 1]}, ${l.table[k * 3 + 2]})`;
    ctx.fillRect(left, top + (s * height) / strips, barWidth, height / strips + 0.5);
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
  ctx.fillText(formatNumber(l.hi, 2), labelX, top + 6);
  ctx.fillText(formatNumber((l.lo + l.hi) / 2, 2), labelX, top + height / 2);
  ctx.fillText(formatNumber(l.lo, 2), labelX, top + height - 6);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillStyle = theme.muted;
  ctx.fillText(l.caption, left + barWidth / 2, top - 4);
  ctx.restore();
}
