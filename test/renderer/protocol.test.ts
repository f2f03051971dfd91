/** The renderer ↔ host message checks (Node only: no browser needed). */
import assert from 'node:assert/strict';
import { RENDERER_PROTOCOL_VERSION, isHostReply, isReadyMessage, isSettingsMessage, parseRendererRequest } from '../../src/shared/renderer-protocol';

const save = { type: 'saveView', protocol: RENDERER_PROTOCOL_VERSION, requestId: 'r1', format: 'csv', suggestedName: 'lstm-gates.csv', data: 'step\n0\n' };

describe('renderer protocol', () => {
  it('accepts a save request and an export request of this version', () => {
    assert.deepEqual(parseRendererRequest(save), save);
    const exportJson = { type: 'exportOutput', protocol: RENDERER_PROTOCOL_VERSION, requestId: 'r2', format: 'json', suggestedName: 'lstm-trace.json', payload: '{}' };
    assert.deepEqual(parseRendererRequest(exportJson), exportJson);
  });

  it('refuses another protocol version, naming the key and both versions', () => {
    assert.throws(() => parseRendererRequest({ ...save, protocol: 2 }), /renderer message protocol: expected 1 \(this version of Forget Gate Lab\), got number 2/);
  });

  it('refuses a file name with folders in it', () => {
    assert.throws(() => parseRendererRequest({ ...save, suggestedName: '../../.bashrc' }), /renderer message suggestedName: expected a file name without folders, got "\.\.\/\.\.\/\.bashrc"/);
  });

  it('refuses a format that does not go with the request', () => {
    assert.throws(() => parseRendererRequest({ ...save, format: 'npy' }), /renderer message format: expected "png" or "csv", got "npy"/);
    assert.throws(() => parseRendererRequest('save'), /renderer message: expected an object, got "save"/);
  });

  it('tells replies, settings and the ready message apart', () => {
    assert.ok(isHostReply({ type: 'saved', requestId: 'r1', path: '/x.csv' }));
    assert.ok(!isHostReply({ type: 'settings', protocol: 1, colorMap: 'gray' }));
    assert.ok(isSettingsMessage({ type: 'settings', protocol: 1, colorMap: 'gray' }));
    assert.ok(!isSettingsMessage({ type: 'settings', protocol: 1, colorMap: 'jet' }), 'only the maps the setting offers');
    assert.ok(isReadyMessage({ type: 'ready', protocol: 1 }));
  });
});
