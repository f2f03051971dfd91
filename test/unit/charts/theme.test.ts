import assert from 'node:assert/strict';
import { withAlpha } from '../../../src/charts/theme';

describe('theme colours with opacity', () => {
  it('turns #rrggbb and #rgb into rgba()', () => {
    assert.equal(withAlpha('#3794ff', 0.5), 'rgba(55, 148, 255, 0.5)');
    assert.equal(withAlpha('#fff', 0.25), 'rgba(255, 255, 255, 0.25)');
  });

  it('multiplies an alpha the colour already has', () => {
    // 0x80 / 255 · 0.5 = 0.25098…
    assert.equal(withAlpha('#ff000080', 0.5), 'rgba(255, 0, 0, 0.251)');
    assert.equal(withAlpha('rgba(1, 2, 3, 0.5)', 0.5), 'rgba(1, 2, 3, 0.25)');
    assert.equal(withAlpha('rgb(1 2 3 / 50%)', 0.5), 'rgba(1, 2, 3, 0.25)');
  });

  it('returns colours it cannot parse unchanged', () => {
    assert.equal(withAlpha('red', 0.5), 'red');
    assert.equal(withAlpha('hsl(0 100% 50%)', 0.5), 'hsl(0 100% 50%)');
  });
});
