import assert from 'node:assert/strict';
import type { Chart } from 'chart.js';
import { colorTable, viridis } from '../../../src/charts/colormap';
import type { HeatmapImage } from '../../../src/charts/heatmap';
import { createHeatmapPlugin, type Drawable, type HeatmapLayer } from '../../../src/charts/plugin.heatmap';
import { LIGHT_THEME } from '../../../src/charts/theme';

/** Stands in for a canvas: the recording context only compares it. */
const fakeImage = (tag: object = {}) => tag as unknown as Drawable;

/** A 2D context that records what is drawn. */
function recordingContext() {
  const calls: { name: string; args: unknown[]; smoothing?: boolean; fill?: string }[] = [];
  const ctx: Record<string, unknown> = { imageSmoothingEnabled: true, fillStyle: '' };
  for (const name of ['save', 'restore', 'beginPath', 'rect', 'clip', 'strokeRect', 'fillText']) {
    ctx[name] = (...args: unknown[]) => calls.push({ name, args });
  }
  ctx.fillRect = (...args: unknown[]) => calls.push({ name: 'fillRect', args, fill: ctx.fillStyle as string });
  ctx.drawImage = (...args: unknown[]) => calls.push({ name: 'drawImage', args, smoothing: ctx.imageSmoothingEnabled as boolean });
  return { ctx, calls };
}

/**
 * A chart whose area is 100..500 × 50..250 px (400 × 200) and whose linear axes map
 * `xmin..xmax` and −½..units−½ onto it, y reversed.
 */
function fakeChart(ctx: unknown, time: number, units: number, xmin = -0.5, xmax = time - 0.5): Chart<'line'> {
  const area = { left: 100, right: 500, top: 50, bottom: 250 };
  const x = (v: number) => area.left + ((v - xmin) / (xmax - xmin)) * (area.right - area.left);
  const y = (v: number) => area.top + ((v + 0.5) / units) * (area.bottom - area.top);
  return {
    ctx,
    chartArea: area,
    currentDevicePixelRatio: 1,
    scales: { x: { getPixelForValue: x, min: xmin, max: xmax }, y: { getPixelForValue: y, min: -0.5, max: units - 0.5 } },
  } as unknown as Chart<'line'>;
}

function layer(time: number, units: number, options: Partial<HeatmapLayer> = {}): HeatmapLayer {
  return {
    grid: { values: new Float32Array(time * units).fill(0.5), cols: time, rows: units, xStride: units, yStride: 1 },
    lo: 0,
    hi: 1,
    table: colorTable(viridis, 0, 1),
    caption: 'f',
    ticks: [0, 0.5, 1],
    pooling: 'mean',
    ...options,
  };
}

describe('heatmap plugin', () => {
  it('draws one pixel per cell over the whole chart area, without smoothing when enlarged', () => {
    const made: HeatmapImage[] = [];
    const plugin = createHeatmapPlugin(layer(10, 4), (img) => { made.push(img); return fakeImage({ img }); }, LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.beforeDatasetsDraw!(fakeChart(ctx, 10, 4), { cancelable: true } as never, {});
    const draw = calls.find((c) => c.name === 'drawImage')!;
    assert.deepEqual([made[0].width, made[0].height], [10, 4]);
    assert.deepEqual(draw.args.slice(1), [100, 50, 400, 200]);
    assert.equal(draw.smoothing, false);
    assert.deepEqual(calls.find((c) => c.name === 'rect')!.args, [100, 50, 400, 200], 'clipped to the chart area');
  });

  it('pools a grid with more columns than the area has pixels down to the area, and smooths it', () => {
    const made: HeatmapImage[] = [];
    const plugin = createHeatmapPlugin(layer(8192, 4), (img) => { made.push(img); return fakeImage(); }, LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.beforeDatasetsDraw!(fakeChart(ctx, 8192, 4), { cancelable: true } as never, {});
    assert.equal(made[0].xBlock, Math.ceil(8192 / 400));
    assert.ok(made[0].width <= 400, `${made[0].width} columns`);
    assert.equal(plugin.image, made[0]);
    assert.equal(calls.find((c) => c.name === 'drawImage')!.smoothing, false, 'pooled to the area: no further smoothing needed');
  });

  it('makes the image of the visible steps only when the chart is zoomed', () => {
    const made: HeatmapImage[] = [];
    const plugin = createHeatmapPlugin(layer(8192, 4), (img) => { made.push(img); return fakeImage(); }, LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.beforeDatasetsDraw!(fakeChart(ctx, 8192, 4, 999.5, 1099.5), { cancelable: true } as never, {});
    assert.deepEqual([made[0].window.x0, made[0].window.x1, made[0].xBlock, made[0].width], [1000, 1100, 1, 100]);
    assert.deepEqual(calls.find((c) => c.name === 'drawImage')!.args.slice(1), [100, 50, 400, 200]);
  });

  it('makes the bitmap once per layer and view, and again after setLayer', () => {
    let made = 0;
    const plugin = createHeatmapPlugin(layer(10, 4), () => fakeImage({ made: ++made }), LIGHT_THEME);
    const { ctx } = recordingContext();
    const chart = fakeChart(ctx, 10, 4);
    plugin.beforeDatasetsDraw!(chart, { cancelable: true } as never, {});
    plugin.beforeDatasetsDraw!(chart, { cancelable: true } as never, {});
    assert.equal(made, 1);
    plugin.setLayer(layer(10, 4));
    plugin.beforeDatasetsDraw!(chart, { cancelable: true } as never, {});
    assert.equal(made, 2);
  });

  it('draws a colour bar right of the area labelled with its ticks and the caption', () => {
    const plugin = createHeatmapPlugin(layer(10, 4), () => fakeImage(), LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.afterDraw!(fakeChart(ctx, 10, 4), { cancelable: true } as never, {});
    const strips = calls.filter((c) => c.name === 'fillRect');
    assert.ok(strips.length > 100, `${strips.length} strips`);
    assert.ok(strips.every((c) => (c.args[0] as number) > 500), 'right of the chart area');
    assert.deepEqual(calls.filter((c) => c.name === 'fillText').map((c) => c.args[0]), ['0', '0.5', '1', 'f']);
  });

  it('draws the colour bar of a 0/1 series as two blocks labelled 0 and 1', () => {
    const binary = layer(10, 4, { ticks: [0, 1], discrete: true, caption: 'm' });
    const plugin = createHeatmapPlugin(binary, () => fakeImage(), LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.afterDraw!(fakeChart(ctx, 10, 4), { cancelable: true } as never, {});
    const blocks = calls.filter((c) => c.name === 'fillRect');
    assert.deepEqual(blocks.map((c) => c.fill), ['rgb(68, 1, 84)', 'rgb(253, 231, 37)']);
    assert.deepEqual(calls.filter((c) => c.name === 'fillText').map((c) => c.args[0]), ['0', '1', 'm']);
  });
});
