import assert from 'node:assert/strict';
import { statusText } from '../../../src/extension/status-text';

const MB = 1024 * 1024;
const STATS = { backend: 'wasm', heapUsedBytes: 30 * MB, heapLimitBytes: 2100 * MB, externalBytes: 15 * MB, tensorBytes: 2 * MB, tensorCount: 3 };

describe('kernel status text', () => {
  it('shows an idle kernel with its backend and memory', () => {
    const { text, tooltip } = statusText('a.fglab', 'idle', 'wasm', STATS, 2048);
    assert.equal(text, '$(circle-filled) Lab: idle · wasm · 45 MB');
    assert.match(tooltip, /^Forget Gate Lab kernel of a\.fglab: idle\./);
    assert.match(tooltip, /JavaScript heap 30 MB of 2048 MB \(fglab\.workerMemoryLimitMB\), outside the heap 15 MB, tensors 2 MB/);
    assert.match(tooltip, /Restart Kernel \/ Interrupt/);
  });

  it('shows a busy kernel with a spinning icon', () => {
    assert.equal(statusText('a.fglab', 'busy', 'cpu', STATS).text, '$(sync~spin) Lab: busy · cpu · 45 MB');
  });

  it('shows no memory and the backend from the settings when no kernel runs', () => {
    const { text, tooltip } = statusText('a.fglab', 'stopped', 'wasm', STATS);
    assert.equal(text, '$(circle-outline) Lab: no kernel · wasm');
    assert.match(tooltip, /from the settings; the next run starts the kernel/);
    assert.doesNotMatch(tooltip, /Worker memory/);
  });
});
