import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The real worker bundle, built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/** Node's built-in modules a thread loads while it requires `file` (names as in `process.moduleLoadList`). */
function builtinsLoadedBy(file: string): Promise<string[]> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const before = new Set(process.moduleLoadList);
    require(${JSON.stringify(file)});
    parentPort.postMessage(process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { protocol: 0, cancelFlag: new SharedArrayBuffer(4), wasmDir: DIST, backend: 'wasm' } });
    worker.once('message', (names: string[]) => {
      void worker.terminate();
      resolve(names);
    });
    worker.once('error', reject);
  });
}

describe('kernel worker start', () => {
  it('loads neither crypto, v8 nor perf_hooks (and the built-ins behind them) while its bundle loads', async () => {
    const loaded = await builtinsLoadedBy(join(DIST, 'worker-main.js'));
    assert.ok(loaded.length > 0, 'the probe sees the built-ins a bundle loads');
    for (const name of ['crypto', 'v8', 'perf_hooks']) assert.ok(!loaded.includes(name), `${name} loaded: ${loaded.join(', ')}`);
  });
});
