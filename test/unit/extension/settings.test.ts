import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputSizeError } from '../../../src/extension/output-limit';
import { OUTPUT_PRECISIONS } from '../../../src/shared/trace';
import { DEFAULT_SETTINGS, readLabSettings, SETTING, SETTING_BOUNDS, COLOR_MAPS, settingId } from '../../../src/extension/settings';

const MANIFEST = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const PROPERTIES = MANIFEST.contributes.configuration.properties as Record<string, { default: unknown; enum?: string[]; minimum?: number; maximum?: number; markdownDescription?: string }>;

describe('settings', () => {
  it('reads every setting with the defaults when nothing is set', () => {
    assert.deepEqual(readLabSettings(() => undefined), DEFAULT_SETTINGS);
  });

  it('reads values that fit and falls back to the default for values that do not', () => {
    const values: Record<string, unknown> = { computeBackend: 'cpu', outputSizeLimitMB: 5, outputPrecision: '8-bit', workerMemoryLimitMB: 99999999, colorMap: 'rainbow', defaultSeed: 7 };
    assert.deepEqual(readLabSettings((n) => values[n]), { computeBackend: 'cpu', outputSizeLimitMB: 5, outputPrecision: '8-bit', workerMemoryLimitMB: DEFAULT_SETTINGS.workerMemoryLimitMB, colorMap: DEFAULT_SETTINGS.colorMap, defaultSeed: 7 });
    for (const bad of [-1, 1.5, '3', Number.MAX_SAFE_INTEGER + 2]) assert.equal(readLabSettings((n) => (n === SETTING.defaultSeed ? bad : undefined)).defaultSeed, 0, `defaultSeed ${bad}`);
    assert.equal(readLabSettings(() => 'wasm?').computeBackend, 'wasm');
    assert.equal(readLabSettings((n) => (n === SETTING.outputSizeLimitMB ? '5' : undefined)).outputSizeLimitMB, DEFAULT_SETTINGS.outputSizeLimitMB);
  });

  it('declares in package.json exactly the settings the code reads, with the same defaults and bounds', () => {
    assert.deepEqual(Object.keys(PROPERTIES).sort(), Object.values(SETTING).map((s) => `fglab.${s}`).sort());
    for (const [name, value] of Object.entries(DEFAULT_SETTINGS)) {
      const declared = PROPERTIES[settingId(name as keyof typeof DEFAULT_SETTINGS)];
      assert.deepEqual(declared.default, value, `default of ${name}`);
      assert.ok(declared.markdownDescription && declared.markdownDescription.length > 40, `${name} is documented`);
    }
    for (const [name, bounds] of Object.entries(SETTING_BOUNDS)) {
      const declared = PROPERTIES[`fglab.${name}`];
      assert.deepEqual({ minimum: declared.minimum, maximum: declared.maximum }, bounds, `bounds of ${name}`);
    }
    assert.deepEqual(PROPERTIES['fglab.computeBackend'].enum, ['wasm', 'cpu']);
    assert.deepEqual(PROPERTIES['fglab.colorMap'].enum, [...COLOR_MAPS]);
    assert.deepEqual([...(PROPERTIES['fglab.outputPrecision'].enum ?? [])].sort(), [...OUTPUT_PRECISIONS].sort());
  });
});

describe('output size limit', () => {
  const item = (bytes: number) => ({ mime: 'application/octet-stream', data: new Uint8Array(bytes) });

  it('accepts outputs up to the limit', () => {
    assert.equal(outputSizeError([item(512 * 1024), item(512 * 1024)], 1), undefined);
  });

  it('refuses outputs over the limit with a message naming the setting and the sizes', () => {
    assert.equal(
      outputSizeError([item(3 * 1024 * 1024), item(200 * 1024)], 2),
      'The output is 3.2 MB, over the 2 MB limit set by fglab.outputSizeLimitMB: ask for fewer steps, units or batch rows, or raise the setting',
    );
  });
});
