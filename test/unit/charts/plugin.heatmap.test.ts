import assert from 'node:assert/strict';
import type { Chart } from 'chart.js';
import { colorTable, viridis } from '../../../src/charts/colormap';
import { createHeatmapPlugin, type Drawable, type HeatmapLayer } from '../../../src/charts/plugin.heatmap';
import { LIGHT_THEME } from '../../../src/charts/theme';

/** Stands in for a canvas: the recording context only compares it. */
const fakeImage = (tag: object = {}) => tag as unknown as Drawable;

/** A 2D context that records what is drawn. */
function recordingContext() {
  const calls: { name: string; args: unknown[]; smoothing?: boolean }[] = [];
  const ctx: Record<string, unknown> = { imageSmoothingEnabled: true };
  for (const name of ['save', 'restore', 'beginPath', 'rect', 'clip', 'fillRect', 'strokeRect', 'fillText']) {
    ctx[name] = (...args: unknown[]) => calls.push({ name, args });
  }
  ctx.drawImage = (...args: unknown[]) => calls.push({ name: 'drawImage', args, smoothing: ctx.imageSmoothingEnabled as boolean });
  return { ctx, calls };
}

/** A chart whose area is 100..500 × 50..250 px and whose linear axes map −½..time−½ and −½..units−½ onto it, y reversed. */
function fakeChart(ctx: unknown, time: number, units: number): Chart<'line'> {
  const area = { left: 100, right: 500, top: 50, bottom: 250 };
  const x = (v: number) => area.left + ((v + 0.5) / time) * (area.right - area.left);
  const y = (v: number) => area.top + ((v + 0.5) / units) * (area.bottom - area.top);
  return { ctx, chartArea: area, scales: { x: { getPixelForValue: x }, y: { getPixelForValue: y } } } as unknown as Chart<'line'>;
}

function layer(width: number, height: number): HeatmapLayer {
  return {
    image: { width, height, pixels: new Uint8ClampedArray(width * height * 4), stepsPerPixel: 1, unitsPerPixel: 1 },
    time: width,
    units: height,
    lo: 0,
    hi: 1,
    table: colorTable(viridis, 0, 1),
    caption: 'f',
  };
}

describe('heatmap plugin', () => {
  it('draws the image over the whole chart area, without smoothing when it is enlarged', () => {
    const made: object[] = [];
    const plugin = createHeatmapPlugin(layer(10, 4), (img) => { const d = { img }; made.push(d); return fakeImage(d); }, LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.beforeDatasetsDraw!(fakeChart(ctx, 10, 4), { cancelable: true } as never, {});
    const draw = calls.find((c) => c.name === 'drawImage')!;
    assert.deepEqual(draw.args, [made[0], 100, 50, 400, 200]);
    assert.equal(draw.smoothing, false);
    assert.deepEqual(calls.find((c) => c.name === 'rect')!.args, [100, 50, 400, 200], 'clipped to the chart area');
  });

  it('smooths an image with more columns than the area has pixels', () => {
    const plugin = createHeatmapPlugin(layer(800, 4), () => fakeImage(), LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.beforeDatasetsDraw!(fakeChart(ctx, 800, 4), { cancelable: true } as never, {});
    assert.equal(calls.find((c) => c.name === 'drawImage')!.smoothing, true);
  });

  it('makes the bitmap once per layer, and again after setLayer', () => {
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

  it('draws a colour bar right of the area labelled with the scale ends, the middle and the caption', () => {
    const plugin = createHeatmapPlugin(layer(10, 4), () => fakeImage(), LIGHT_THEME);
    const { ctx, calls } = recordingContext();
    plugin.afterDraw!(fakeChart(ctx, 10, 4), { cancelable: true } as never, {});
    const strips = calls.filter((c) => c.name === 'fillRect');
    assert.ok(strips.length > 100, `${strips.length} strips`);
    assert.ok(strips.every((c) => (c.args[0] as number) > 500), 'right of the chart area');
    assert.deepEqual(calls.filter((c) => c.name === 'fillText').map((c) => c.args[0]), ['1', '0.5', '0', 'f']);
  });
});
