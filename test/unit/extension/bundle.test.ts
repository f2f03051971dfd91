import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The extension-host bundle as built by `node esbuild.config.mjs` (not minified: it names its sources). */
const BUNDLE = join(__dirname, '..', '..', '..', '..', 'dist', 'extension.js');

describe('extension-host bundle', () => {
  it('holds no TensorFlow.js: the extension host does no numeric work', () => {
    const source = readFileSync(BUNDLE, 'utf8');
    assert.doesNotMatch(source, /node_modules\/@tensorflow\//, 'a TensorFlow.js module is bundled into dist/extension.js');
    assert.doesNotMatch(source, /src\/lab\/(tf|lstm|gru|attention|run|index)\.ts/, 'a numeric module of the core is bundled into dist/extension.js');
  });

  it('stays small enough to activate fast', () => {
    const bytes = readFileSync(BUNDLE).length;
    assert.ok(bytes < 1_500_000, `dist/extension.js has ${bytes} bytes`);
  });
});
