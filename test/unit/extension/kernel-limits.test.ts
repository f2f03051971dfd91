import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabKernel, type KernelSettings } from '../../../src/extension/kernel';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { kernelFailure } from '../kernel-failure';

/** The real worker bundle, built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');
const SMALL = 'model: lstm\nunits: 4\ninput: { shape: [3, 2], random: { seed: 1 } }\n';

function kernel(settings?: KernelSettings, workerPath = join(DIST, 'worker.js')): LabKernel {
  return new LabKernel('test', { workerPath, wasmDir: DIST, log: () => undefined, settings: settings && (() => settings) });
}


describe('kernel settings, state and memory (real worker thread)', () => {
  it('runs on the cpu backend when the settings ask for it', async () => {
    const k = kernel({ backend: 'cpu' });
    try {
      assert.equal((await k.runSpec(SMALL, DIST, 'cell 1')).length, 2);
      assert.equal(k.backend, 'cpu');
      assert.equal((await k.stats())?.backend, 'cpu');
    } finally {
      k.dispose();
    }
  });

  it('reports memory figures of an idle worker and nothing before one starts', async () => {
    const k = kernel({ backend: 'wasm', memoryLimitMb: 512 });
    try {
      assert.equal(await k.stats(), undefined, 'no worker yet');
      await k.runSpec(SMALL, DIST, 'cell 1');
      const stats = await k.stats();
      assert.ok(stats, 'an idle worker answers');
      assert.ok(stats.heapUsedBytes > 0 && stats.heapUsedBytes < stats.heapLimitBytes, JSON.stringify(stats));
      // resourceLimits.maxOldGenerationSizeMb bounds the old generation; the heap limit adds the young one.
      assert.ok(stats.heapLimitBytes >= 512 * 1024 ** 2 && stats.heapLimitBytes < 1024 * 1024 ** 2, `heap limit ${stats.heapLimitBytes}`);
      assert.ok(stats.externalBytes > 0, 'WebAssembly memory and typed arrays count outside the heap');
      assert.equal(stats.backend, 'wasm');
    } finally {
      k.dispose();
    }
  });

  it('goes from stopped through starting and busy to idle, and back to stopped on restart', async () => {
    const k = kernel();
    const seen: string[] = [];
    k.onDidChangeState(() => {
      if (seen[seen.length - 1] !== k.state) seen.push(k.state);
    });
    try {
      assert.equal(k.state, 'stopped');
      await k.runSpec(SMALL, DIST, 'cell 1');
      assert.equal(k.state, 'idle');
      k.restart();
      assert.equal(k.state, 'stopped');
      assert.deepEqual(seen, ['starting', 'busy', 'idle', 'stopped']);
    } finally {
      k.dispose();
    }
  });

  it('restarts an idle worker at once and a busy one after its run, with the new settings', async () => {
    let settings: KernelSettings = { backend: 'wasm' };
    const k = new LabKernel('test', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => undefined, settings: () => settings });
    try {
      await k.runSpec(SMALL, DIST, 'cell 1');
      settings = { backend: 'cpu' };
      const running = k.runSpec('model: lstm\nunits: 16\ninput: { shape: [2000, 8], random: {} }\n', DIST, 'cell 2');
      k.restartWhenIdle();
      assert.equal((await running).length, 2, 'the running cell finishes');
      assert.equal(k.state, 'stopped', 'then the worker stops');
      await k.runSpec(SMALL, DIST, 'cell 3');
      assert.equal(k.backend, 'cpu');
      assert.deepEqual(k.settings, { backend: 'cpu' });
    } finally {
      k.dispose();
    }
  });

  it('stores the output series at the precision the run asks for', async () => {
    const k = kernel();
    try {
      const spec = 'model: lstm\nunits: 16\ninput: { shape: [50, 4], random: { seed: 1 } }\n';
      const dtypes: Record<string, string[]> = {};
      const sizes: Record<string, number> = {};
      for (const precision of ['float32', '16-bit', '8-bit'] as const) {
        const [trace] = await k.runSpec(spec, DIST, 'cell 1', { outputPrecision: precision });
        const payload = JSON.parse(Buffer.from(trace.data).toString('utf8'));
        dtypes[precision] = [...new Set(Object.values(payload.series as Record<string, { dtype: string }>).map((s) => s.dtype))];
        sizes[precision] = trace.data.byteLength;
      }
      assert.deepEqual(dtypes, { float32: ['float32'], '16-bit': ['uint16'], '8-bit': ['uint8'] });
      assert.ok(sizes.float32 > sizes['16-bit'] && sizes['16-bit'] > sizes['8-bit'], JSON.stringify(sizes));
    } finally {
      k.dispose();
    }
  });

  it('refuses files outside the read roots (Restricted Mode) and reads those inside', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fglab-roots-'));
    mkdirSync(join(root, 'inside'));
    writeFileSync(join(root, 'inside', 'x.json'), JSON.stringify([[1, 2], [3, 4]]));
    writeFileSync(join(root, 'outside.json'), JSON.stringify([[1, 2], [3, 4]]));
    const k = kernel();
    try {
      const roots = [join(root, 'inside')];
      assert.equal((await k.runSpec('model: lstm\nunits: 2\ninput: { file: x.json }\n', join(root, 'inside'), 'cell 1', { readRoots: roots })).length, 2);
      const e = await kernelFailure(k.runSpec('model: lstm\nunits: 2\ninput: { file: ../outside.json }\n', join(root, 'inside'), 'cell 2', { readRoots: roots }));
      assert.equal(e.kind, 'user');
      assert.match(e.message, /^input\.file: cannot read "\.\.\/outside\.json": it is outside the workspace folders, and in Restricted Mode specs read files only inside them \(/);
    } finally {
      k.dispose();
    }
  });

  it('ends the cell with an error naming fglab.workerMemoryLimitMB when the worker runs out of heap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fglab-'));
    const hungry = join(dir, 'hungry.js');
    // A cell that keeps allocating JavaScript objects until the heap limit stops the worker.
    writeFileSync(hungry, `const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ type: 'ready', protocol: ${PROTOCOL_VERSION}, backend: 'fake', kernel: 'fake', startMs: 0 });
parentPort.on('message', () => { const keep = []; for (;;) keep.push({ a: [1, 2, 3], b: 'x'.repeat(64) + keep.length }); });`);
    const k = kernel({ backend: 'wasm', memoryLimitMb: 32 }, hungry);
    try {
      const started = Date.now();
      const e = await kernelFailure(k.runSpec(SMALL, DIST, 'cell 1'));
      assert.equal(e.kind, 'crashed');
      assert.equal(e.message, 'The kernel ran out of memory: its JavaScript heap reached the 32 MB limit set by fglab.workerMemoryLimitMB. Raise the setting or ask for fewer steps, units or batch rows; the kernel was restarted.');
      assert.ok(Date.now() - started < 30_000, 'the host did not wait long');
      assert.equal(k.state, 'stopped');
    } finally {
      k.dispose();
    }
  });
});
