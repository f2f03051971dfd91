import assert from 'node:assert/strict';
import { colorIndex } from '../../../src/charts/heatmap';
import { colorTable, viridis } from '../../../src/charts/colormap';
import { DARK_THEME, LIGHT_THEME } from '../../../src/charts/theme';
import { PngUnavailableError, drawPng, renderPng } from '../../../src/lab/png';
import { syntheticAttention, syntheticComparison, syntheticGru, syntheticTrace } from '../../renderer/fixtures';
import { traceOf } from '../charts/helpers';

/** Decodes PNG bytes with @napi-rs/canvas into RGBA pixels. */
async function decode(png: Uint8Array): Promise<{ width: number; height: number; at(x: number, y: number): number[]; data: Uint8ClampedArray }> {
  const { createCanvas, loadImage } = require('@napi-rs/canvas') as typeof import('@napi-rs/canvas');
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  return {
    width: image.width,
    height: image.height,
    data,
    at: (x, y) => Array.from(data.subarray((Math.round(y) * image.width + Math.round(x)) * 4, (Math.round(y) * image.width + Math.round(x)) * 4 + 4)),
  };
}

const hex = (css: string) => [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16));

describe('PNG pictures in Node from the chart definitions', () => {
  it('writes a PNG of the main view, 960 pixels wide, with the size in its header', () => {
    const drawing = drawPng(syntheticTrace({ time: 40, units: 16 }));
    const png = drawing.encode();
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(String.fromCharCode(...png.subarray(12, 16)), 'IHDR');
    assert.deepEqual([view.getUint32(16), view.getUint32(20)], [960, drawing.height]);
    assert.deepEqual(drawing.panels.map((p) => p.kind), ['heatmap']);
  });

  it('paints the charts: most of the picture differs from the background', async () => {
    const image = await decode(renderPng(syntheticTrace({ time: 40, units: 16 })));
    const bg = hex(LIGHT_THEME.background);
    let painted = 0;
    for (let k = 0; k < image.data.length; k += 4) if (Math.abs(image.data[k] - bg[0]) + Math.abs(image.data[k + 1] - bg[1]) + Math.abs(image.data[k + 2] - bg[2]) > 30) painted++;
    assert.ok(painted / (image.width * image.height) > 0.3, `${painted} of ${image.width * image.height} pixels painted`);
  });

  it('colours heatmap cells exactly as the renderer’s colour map does', async () => {
    // 4 steps × 3 units: f values spread over [0, 1].
    const f = [[[0, 0.5, 1], [0.25, 0.75, 0.1], [0.9, 0.3, 0.6], [0.05, 0.95, 0.45]]];
    const drawing = drawPng(traceOf(f, { halfLife: [1, 2, 3] }), { views: ['heatmap'], width: 600, height: 400 });
    const image = await decode(drawing.encode());
    const table = colorTable(viridis, 0, 1);
    const heatmap = drawing.panels[0];
    for (let t = 0; t < 4; t++) {
      for (let u = 0; u < 3; u++) {
        const p = heatmap.pixelOf(t, u);
        const k = colorIndex(Math.fround(f[0][t][u]), 0, 1) * 3;
        assert.deepEqual(image.at(p.x, p.y), [table[k], table[k + 1], table[k + 2], 255], `cell step ${t}, unit ${u}`);
      }
    }
  });

  it('draws on the dark theme’s background when asked', async () => {
    const image = await decode(renderPng(syntheticTrace({ time: 10, units: 8 }), { theme: 'dark', width: 400 }));
    assert.deepEqual(image.at(2, 2), [...hex(DARK_THEME.background), 255]);
  });

  it('draws every default view of each trace kind, main views full width and the rest up to three to a row', async () => {
    const outputs = {
      gru: syntheticGru({ time: 30, units: 20, influence: true }),
      attention: syntheticAttention({ time: 12, heads: 2, keyDim: 2, causal: true }),
      forgetting: syntheticAttention({ time: 12, heads: 3, keyDim: 2, forgetting: true }),
      comparison: syntheticComparison(20),
    };
    const expected = {
      gru: ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation', 'influence'],
      attention: ['matrix', 'entropy'],
      forgetting: ['matrix', 'headGates', 'survival', 'halflife', 'saturation', 'entropy'],
      comparison: ['compareSurvival', 'compareGates', 'compareHalfLife'],
    };
    for (const [name, output] of Object.entries(outputs)) {
      const drawing = drawPng(output, { views: 'all' });
      assert.deepEqual(drawing.panels.map((p) => p.kind), expected[name as keyof typeof expected], name);
      const main = drawing.panels[0];
      assert.ok(main.width > 900, `${name}: the main view is full width`);
      const rest = drawing.panels.slice(1);
      const perRow = new Map<number, number>();
      for (const p of rest) perRow.set(p.y, (perRow.get(p.y) ?? 0) + 1);
      assert.ok([...perRow.values()].every((n) => n <= 3), `${name}: at most three to a row`);
      assert.ok(rest.every((p) => p.width === Math.floor((960 - 8 * (perRow.get(p.y)! + 1)) / perRow.get(p.y)!)), `${name}: each row's width shared`);
      const image = await decode(drawing.encode());
      assert.equal(image.height, drawing.height, name);
    }
  });

  it('fits the views into the height asked for', () => {
    const drawing = drawPng(syntheticTrace({ time: 20, units: 20 }), { views: 'all', height: 700 });
    assert.equal(drawing.height, 700);
    const last = drawing.panels.at(-1)!;
    assert.ok(last.y + last.height <= 700, `the last view ends at ${last.y + last.height}`);
  });

  it('throws a PngUnavailableError naming the package where the native canvas is missing', () => {
    const missing = (id: string) => {
      throw new Error(`Cannot find module '${id}'`);
    };
    assert.throws(() => renderPng(syntheticTrace({ time: 5, units: 4 }), { load: missing }), (e: Error) => e instanceof PngUnavailableError && /PNG pictures need the native package @napi-rs\/canvas for linux-x64, which could not be loaded: Cannot find module '@napi-rs\/canvas'/.test(e.message));
  });
});
