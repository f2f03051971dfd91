import assert from 'node:assert/strict';
import { rendererSaveBytes } from '../../../src/extension/renderer-save';
import { runSpecCell } from '../../../src/lab';
import { RENDERER_PROTOCOL_VERSION } from '../../../src/shared/renderer-protocol';
import { setupLab } from '../lab/setup';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const base = { protocol: RENDERER_PROTOCOL_VERSION, requestId: 'r1', suggestedName: 'x' };

describe('saving what the renderer sends', () => {
  before(setupLab);

  it('writes a view\'s PNG from base64, with or without its data-URL head', () => {
    for (const data of [PNG_1X1, `data:image/png;base64,${PNG_1X1}`]) {
      const { bytes, extension } = rendererSaveBytes({ ...base, type: 'saveView', format: 'png', data });
      assert.equal(extension, 'png');
      assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('refuses PNG data that is not a PNG', () => {
    assert.throws(() => rendererSaveBytes({ ...base, type: 'saveView', format: 'png', data: 'aGVsbG8=' }), /^Error: data: expected a PNG image, got 5 bytes/);
  });

  it('writes a view\'s CSV text as sent', () => {
    assert.equal(new TextDecoder().decode(rendererSaveBytes({ ...base, type: 'saveView', format: 'csv', data: 'a,b\n1,2\n' }).bytes), 'a,b\n1,2\n');
  });

  it('exports a whole output as JSON and .npy with the core\'s exporters', async () => {
    const [item] = await runSpecCell('model: lstm\nunits: 2\ninput: { shape: [3, 2], random: {} }\n', { readFile: () => assert.fail('no files') });
    const payload = new TextDecoder().decode(item.data);
    const json = JSON.parse(new TextDecoder().decode(rendererSaveBytes({ ...base, type: 'exportOutput', format: 'json', payload }).bytes));
    assert.deepEqual([json.series.forgetGate.length, json.series.forgetGate[0].length, json.series.forgetGate[0][0].length], [1, 3, 2]);
    const npy = rendererSaveBytes({ ...base, type: 'exportOutput', format: 'npy', payload });
    assert.equal(npy.extension, 'npy');
    assert.equal(Buffer.from(npy.bytes.subarray(1, 6)).toString('latin1'), 'NUMPY');
  });
});
