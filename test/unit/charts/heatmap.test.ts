import assert from 'node:assert/strict';
import { colorTable, viridis } from '../../../src/charts/colormap';
import { colorIndex, heatmapImage } from '../../../src/charts/heatmap';

/** A table whose entry k is (k, 255 − k, 7): the red channel reads back the index. */
function indexTable(): Uint8Array {
  const t = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) t.set([k, 255 - k, 7], k * 3);
  return t;
}

function pixel(img: { width: number; pixels: Uint8ClampedArray }, x: number, y: number): number[] {
  const p = (y * img.width + x) * 4;
  return [...img.pixels.subarray(p, p + 4)];
}

describe('heatmap pixels', () => {
  it('maps lo to colour 0, hi to colour 255 and the middle to 128', () => {
    assert.equal(colorIndex(0, 0, 1), 0);
    assert.equal(colorIndex(1, 0, 1), 255);
    assert.equal(colorIndex(0.5, 0, 1), 128);
    assert.equal(colorIndex(0, -1, 1), 128);
  });

  it('clamps values outside the scale and marks NaN with −1', () => {
    assert.equal(colorIndex(2, 0, 1), 255);
    assert.equal(colorIndex(-1, 0, 1), 0);
    assert.equal(colorIndex(NaN, 0, 1), -1);
  });

  it('puts step t in column t and unit u in row u', () => {
    // [time][units] = [[0, 0.5, 1], [1, NaN, 0]]
    const values = [0, 0.5, 1, 1, NaN, 0];
    const img = heatmapImage(values, 2, 3, colorTable(viridis, 0, 1), 0, 1);
    assert.deepEqual([img.width, img.height, img.stepsPerPixel, img.unitsPerPixel], [2, 3, 1, 1]);
    assert.deepEqual(pixel(img, 0, 0), [68, 1, 84, 255]);
    assert.deepEqual(pixel(img, 0, 2), [253, 231, 37, 255]);
    assert.deepEqual(pixel(img, 1, 0), [253, 231, 37, 255]);
    assert.deepEqual(pixel(img, 1, 1), [0, 0, 0, 0], 'NaN is transparent');
  });

  it('averages blocks of steps when the matrix is wider than the image may be', () => {
    // [time][units] = [[0, 1], [1, 1], [0, 0], [NaN, 0]], at most 2 columns: 2 steps per pixel.
    const values = [0, 1, 1, 1, 0, 0, NaN, 0];
    const img = heatmapImage(values, 4, 2, indexTable(), 0, 1, 2, 10);
    assert.deepEqual([img.width, img.height, img.stepsPerPixel, img.unitsPerPixel], [2, 2, 2, 1]);
    assert.equal(pixel(img, 0, 0)[0], 128, 'mean of 0 and 1');
    assert.equal(pixel(img, 1, 0)[0], 0, 'mean of 0, NaN left out');
    assert.equal(pixel(img, 0, 1)[0], 255);
    assert.equal(pixel(img, 1, 1)[0], 0);
  });

  it('averages blocks of units when the matrix is taller than the image may be', () => {
    // 1 step × 5 units, at most 2 rows: 3 units per pixel, the last block holds 2 units.
    const img = heatmapImage([0, 0.5, 1, 1, 0], 1, 5, indexTable(), 0, 1, 10, 2);
    assert.deepEqual([img.width, img.height, img.unitsPerPixel], [1, 2, 3]);
    assert.equal(pixel(img, 0, 0)[0], 128, 'mean of 0, 0.5, 1');
    assert.equal(pixel(img, 0, 1)[0], 128, 'mean of 1, 0');
  });

  it('rejects values that do not fill [time][units]', () => {
    assert.throws(() => heatmapImage([1, 2, 3], 2, 2, indexTable(), 0, 1), /expected 4 values \(\[2, 2\]\), got 3/);
  });
});
