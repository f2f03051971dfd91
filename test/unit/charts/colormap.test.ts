import assert from 'node:assert/strict';
import { colorTable, diverging, LUT_SIZE, rgbToHex, viridis, type Rgb } from '../../../src/charts/colormap';

/** matplotlib's viridis at 0, ¼, ½, ¾, 1 (the well-known five-colour palette). */
const MATPLOTLIB_VIRIDIS: [number, string][] = [[0, '#440154'], [0.25, '#3b528b'], [0.5, '#21918c'], [0.75, '#5ec962'], [1, '#fde725']];

function hexToRgb(hex: string): Rgb {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Relative luminance of sRGB (WCAG 2). */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe('colour maps', () => {
  it('viridis matches matplotlib within 3 levels per channel at 0, ¼, ½, ¾ and 1', () => {
    for (const [v, hex] of MATPLOTLIB_VIRIDIS) {
      const got = viridis(v);
      const want = hexToRgb(hex);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(got[c] - want[c]) <= 3, `viridis(${v}) = ${got}, matplotlib ${want}`);
    }
  });

  it('viridis gets lighter all the way from 0 to 1, so it reads without hue', () => {
    let previous = -1;
    for (let k = 0; k <= 100; k++) {
      const l = luminance(viridis(k / 100));
      assert.ok(l > previous, `luminance rises at ${k / 100}`);
      previous = l;
    }
  });

  it('viridis clamps values outside [0, 1]', () => {
    assert.deepEqual(viridis(-3), viridis(0));
    assert.deepEqual(viridis(7), viridis(1));
  });

  it('diverging is white at 0, dark blue at −1 and dark red at +1 (ColorBrewer RdBu)', () => {
    assert.deepEqual(diverging(0), [247, 247, 247]);
    assert.deepEqual(diverging(-1), [5, 48, 97]);
    assert.deepEqual(diverging(1), [103, 0, 31]);
  });

  it('diverging interpolates linearly between its stops', () => {
    // −0.5 lies halfway between the stops #4393c3 (67, 147, 195) and #92c5de (146, 197, 222).
    assert.deepEqual(diverging(-0.5), [107, 172, 209]);
  });

  it('diverging is bluish below 0 and reddish above, and symmetric in lightness', () => {
    for (const v of [0.2, 0.5, 0.9]) {
      const [r1, , b1] = diverging(-v);
      const [r2, , b2] = diverging(v);
      assert.ok(b1 > r1 && r2 > b2, `hues at ±${v}`);
      assert.ok(Math.abs(luminance(diverging(-v)) - luminance(diverging(v))) < 0.1, `lightness at ±${v}`);
    }
  });

  it('a colour table samples the map at 256 evenly spaced values from lo to hi', () => {
    const table = colorTable(diverging, -2, 2);
    assert.equal(table.length, LUT_SIZE * 3);
    assert.deepEqual([...table.subarray(0, 3)], [...diverging(-2)]);
    assert.deepEqual([...table.subarray(255 * 3, 256 * 3)], [...diverging(1)]);
  });

  it('writes colours as #rrggbb', () => {
    assert.equal(rgbToHex([68, 1, 84]), '#440154');
    assert.equal(rgbToHex([255, 0, 10]), '#ff000a');
  });
});
