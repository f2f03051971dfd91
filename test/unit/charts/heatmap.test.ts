import assert from 'node:assert/strict';
import { colorTable, viridis } from '../../../src/charts/colormap';
import { colorIndex, gridImage, heatmapImage, type Grid } from '../../../src/charts/heatmap';

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

/** The red channel of every pixel, row by row: the colour index with `indexTable`. */
function reds(img: { width: number; height: number; pixels: Uint8ClampedArray }): number[][] {
  return Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => pixel(img, x, y)[0]));
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
    assert.deepEqual([img.width, img.height, img.xBlock, img.yBlock], [2, 3, 1, 1]);
    assert.deepEqual(pixel(img, 0, 0), [68, 1, 84, 255]);
    assert.deepEqual(pixel(img, 0, 2), [253, 231, 37, 255]);
    assert.deepEqual(pixel(img, 1, 0), [253, 231, 37, 255]);
    assert.deepEqual(pixel(img, 1, 1), [0, 0, 0, 0], 'NaN is transparent');
  });

  it('averages blocks of steps when the matrix is wider than the image may be', () => {
    // [time][units] = [[0, 1], [1, 1], [0, 0], [NaN, 0]], at most 2 columns: 2 steps per pixel.
    const values = [0, 1, 1, 1, 0, 0, NaN, 0];
    const img = heatmapImage(values, 4, 2, indexTable(), 0, 1, 2, 10);
    assert.deepEqual([img.width, img.height, img.xBlock, img.yBlock], [2, 2, 2, 1]);
    assert.deepEqual(reds(img), [[128, 0], [255, 0]], 'means of 0 and 1, of 0 and NaN (left out), of 1 and 1, of 0 and 0');
  });

  it('averages blocks of units when the matrix is taller than the image may be', () => {
    // 1 step × 5 units, at most 2 rows: 3 units per pixel, the last block holds 2 units.
    const img = heatmapImage([0, 0.5, 1, 1, 0], 1, 5, indexTable(), 0, 1, 10, 2);
    assert.deepEqual([img.width, img.height, img.yBlock], [1, 2, 3]);
    assert.deepEqual(reds(img), [[128], [128]], 'mean of 0, 0.5, 1 and of 1, 0');
  });

  it('rejects values that do not fill [time][units]', () => {
    assert.throws(() => heatmapImage([1, 2, 3], 2, 2, indexTable(), 0, 1), /expected 4 values \(\[2, 2\]\), got 3/);
  });

  it('reads a query × key matrix row by row: key along x, query along y', () => {
    // [query][key] = [[1, NaN], [0.25, 0.75]]
    const grid: Grid = { values: [1, NaN, 0.25, 0.75], cols: 2, rows: 2, xStride: 1, yStride: 2 };
    const img = gridImage(grid, indexTable(), 0, 1);
    assert.equal(pixel(img, 0, 0)[0], 255);
    assert.equal(pixel(img, 1, 0)[3], 0, 'the masked cell above the diagonal is not drawn');
    assert.deepEqual([pixel(img, 0, 1)[0], pixel(img, 1, 1)[0]], [64, 191]);
  });

  it('keeps the largest value of a block with max pooling, so one sharp weight survives', () => {
    const grid: Grid = { values: [0, 0, 0.9, 0, 0, 0, 0, 0.1], cols: 8, rows: 1, xStride: 1, yStride: 8 };
    assert.deepEqual(reds(gridImage(grid, indexTable(), 0, 1, { maxWidth: 2, pooling: 'max' })), [[230, 26]]);
    assert.deepEqual(reds(gridImage(grid, indexTable(), 0, 1, { maxWidth: 2, pooling: 'mean' })), [[57, 6]]);
  });

  it('keeps the value of largest magnitude, with its sign, with absmax pooling', () => {
    const grid: Grid = { values: [0.2, -0.8, 0.5, 0.1], cols: 4, rows: 1, xStride: 1, yStride: 4 };
    // Scale [−1, 1]: −0.8 → index round(25.4999…) = 25, 0.5 → 191.
    assert.deepEqual(reds(gridImage(grid, indexTable(), -1, 1, { maxWidth: 2, pooling: 'absmax' })), [[25, 191]]);
  });

  it('leaves out infinite cells (masked scores) like NaN', () => {
    const grid: Grid = { values: [-Infinity, 1, Infinity, 0], cols: 4, rows: 1, xStride: 1, yStride: 4 };
    const img = gridImage(grid, indexTable(), 0, 1, { maxWidth: 2 });
    assert.deepEqual(reds(img), [[255, 0]]);
    assert.equal(pixel(gridImage(grid, indexTable(), 0, 1), 0, 0)[3], 0);
  });

  it('draws only the visible window of cells, pooled to the pixels it is given', () => {
    // 1000 steps × 1 unit where value = step / 999; window steps 500..599 at 10 pixels: 10 steps a pixel.
    const values = Float32Array.from({ length: 1000 }, (_, t) => t / 999);
    const grid: Grid = { values, cols: 1000, rows: 1, xStride: 1, yStride: 1000 };
    const img = gridImage(grid, indexTable(), 0, 1, { window: { x0: 500, x1: 600, y0: 0, y1: 1 }, maxWidth: 10 });
    assert.deepEqual([img.width, img.height, img.xBlock, img.window.x0, img.window.x1], [10, 1, 10, 500, 600]);
    assert.equal(reds(img)[0][0], Math.round((504.5 / 999) * 255));
  });

  it('shows the rows in the order given', () => {
    // [time][units] = [[0, 1, 0.5]] with rows in order 1, 2, 0.
    const grid: Grid = { values: [0, 1, 0.5], cols: 1, rows: 3, xStride: 3, yStride: 1, rowOrder: [1, 2, 0] };
    assert.deepEqual(reds(gridImage(grid, indexTable(), 0, 1)), [[255], [128], [0]]);
  });
});
