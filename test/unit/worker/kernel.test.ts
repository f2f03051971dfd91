import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERRUPT_GRACE_MS, LabKernel } from '../../../src/extension/kernel';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { decodeTrace } from '../../../src/shared/trace';
import { kernelFailure } from '../kernel-failure';
import { labKernelName } from '../kernels/helpers';

/** The real worker bundle, built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');
const CLASSIC = 'model: lstm\nunits: 128\ninput: { shape: [10, 64], random: { seed: 7 } }\nweights: { seed: 1 }\n';
const LONG = 'model: lstm\nunits: 32\ninput: { shape: [60000, 8], random: {} }\n';

function kernel(workerPath = join(DIST, 'worker.js')): { kernel: LabKernel; logs: string[] } {
  const logs: string[] = [];
  return { kernel: new LabKernel('test', { workerPath, wasmDir: DIST, log: (m) => logs.push(m) }), logs };
}


describe('kernel worker (real worker thread)', () => {
  it('runs the classic spec and returns the trace and Markdown items', async () => {
    const { kernel: k, logs } = kernel();
    try {
      const outputs = await k.runSpec(CLASSIC, DIST, 'cell 1');
      assert.deepEqual(outputs.map((o) => o.mime), ['application/vnd.fglab.trace+json', 'text/markdown']);
      const trace = decodeTrace(JSON.parse(Buffer.from(outputs[0].data).toString('utf8')));
      assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 128, features: 64 });
      assert.equal(k.backend, 'wasm');
      assert.match(logs.join('\n'), new RegExp(`kernel ready in \\d+ ms \\(TensorFlow\\.js backend: wasm, recurrent kernel: ${labKernelName().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, code cache: (hit|miss|stale|corrupt|rejected|off)\\)`));
    } finally {
      k.dispose();
    }
  });

  it('reports a bad spec as a user error with one line naming the key', async () => {
    const { kernel: k } = kernel();
    try {
      const e = await kernelFailure(k.runSpec('model: lstm\nunits: 0\ninput: { shape: [2, 2], random: {} }\n', DIST, 'cell 1'));
      assert.equal(e.kind, 'user');
      assert.equal(e.message, 'units: expected an integer from 1 to 4096, got 0 (line 2)');
      // and the kernel keeps working
      assert.equal((await k.runSpec(CLASSIC, DIST, 'cell 2')).length, 2);
    } finally {
      k.dispose();
    }
  });

  it('passes the default seed to the seeds a spec leaves out', async () => {
    const { kernel: k } = kernel();
    const hidden = async (source: string, defaultSeed?: number): Promise<Float32Array> => {
      const outputs = await k.runSpec(source, DIST, 'cell 1', { outputPrecision: 'float32', ...(defaultSeed !== undefined ? { defaultSeed } : {}) });
      return decodeTrace(JSON.parse(Buffer.from(outputs[0].data).toString('utf8'))).series.hidden.data;
    };
    try {
      const unseeded = 'model: lstm\nunits: 4\ninput: { shape: [5, 3], random: {} }\n';
      const seeded = await hidden('model: lstm\nunits: 4\ninput: { shape: [5, 3], random: { seed: 11 } }\nweights: { seed: 11 }\n');
      assert.deepEqual(await hidden(unseeded, 11), seeded);
      assert.notDeepEqual(await hidden(unseeded), seeded);
    } finally {
      k.dispose();
    }
  });

  it('describes a trained model file as a spec cell, and refuses a file that is no model', async () => {
    const { kernel: k } = kernel();
    const samples = join(DIST, '..', 'media', 'samples');
    try {
      const source = await k.describeModel(join(samples, 'trained-lstm', 'model.json'), 'trained-lstm/model.json');
      assert.match(source, /^weights: \{ file: trained-lstm\/model\.json \}$/m);
      const outputs = await k.runSpec(source, samples, 'cell 1');
      assert.equal(decodeTrace(JSON.parse(Buffer.from(outputs[0].data).toString('utf8'))).dims.units, 8);
      const notModel = await kernelFailure(k.describeModel(join(samples, 'trained-lstm', 'sequences.json'), 'sequences.json'));
      assert.equal(notModel.kind, 'user');
      assert.match(notModel.message, /^weights\.file: "sequences\.json" is not a model file the lab reads/);
      const missing = await kernelFailure(k.describeModel(join(samples, 'nope.h5'), 'nope.h5'));
      assert.match(missing.message, /^weights\.file: cannot read "nope\.h5": no such file/);
    } finally {
      k.dispose();
    }
  });

  it('reads a Keras .h5 file with h5wasm, which the worker loads from its own bundle on first use', async () => {
    const { kernel: k } = kernel();
    const fixtures = join(DIST, '..', 'test', 'fixtures', 'import');
    try {
      const source = await k.describeModel(join(fixtures, 'keras2-dense-gru.h5'), 'm.h5');
      assert.match(source, /^weights: \{ file: m\.h5 \}$/m);
      const outputs = await k.runSpec(source.replace('m.h5', 'keras2-dense-gru.h5'), fixtures, 'cell 1');
      const trace = decodeTrace(JSON.parse(Buffer.from(outputs[0].data).toString('utf8')));
      assert.equal(trace.model, 'gru');
      assert.equal(trace.dims.units, 4);
    } finally {
      k.dispose();
    }
  });

  it('resolves files relative to the notebook folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fglab-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify([[1, 2], [3, 4]]));
    const { kernel: k } = kernel();
    try {
      const outputs = await k.runSpec('model: lstm\nunits: 3\ninput: { file: x.json }\n', dir, 'cell 1');
      assert.deepEqual(decodeTrace(JSON.parse(Buffer.from(outputs[0].data).toString('utf8'))).dims, { batch: 1, time: 2, units: 3, features: 2 });
      const e = await kernelFailure(k.runSpec('model: lstm\nunits: 3\ninput: { file: nope.json }\n', dir, 'cell 2'));
      assert.equal(e.message, `input.file: cannot read "nope.json": no such file (${join(dir, 'nope.json')})`);
    } finally {
      k.dispose();
    }
  });

  it('interrupts a long run through the shared flag and keeps the worker', async () => {
    const { kernel: k } = kernel();
    try {
      await k.runSpec(CLASSIC, DIST, 'warm-up');
      const run = k.runSpec(LONG, DIST, 'cell 1');
      // The worker is running, so the request is sent in a microtask: the flag is set before the
      // worker's first check, whatever the machine's speed.
      setImmediate(() => k.interrupt());
      const e = await kernelFailure(run);
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.message, 'The run was interrupted');
      assert.equal(k.backend, 'wasm', 'the same worker is still running');
      assert.equal((await k.runSpec(CLASSIC, DIST, 'cell 2')).length, 2);
    } finally {
      k.dispose();
    }
  });

  it('restart fails the running cell and the next run starts a fresh worker', async () => {
    const { kernel: k } = kernel();
    try {
      const run = k.runSpec(LONG, DIST, 'cell 1');
      setTimeout(() => k.restart(), 50);
      assert.equal((await kernelFailure(run)).message, 'The kernel was restarted');
      assert.equal((await k.runSpec(CLASSIC, DIST, 'cell 2')).length, 2);
    } finally {
      k.dispose();
    }
  });

  it('turns a crashed worker into an error on the running cell, then recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fglab-'));
    const crashing = join(dir, 'crash.js');
    // A worker that says ready and then dies when asked to run: stands in for an out-of-memory abort.
    writeFileSync(crashing, `const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ type: 'ready', protocol: ${PROTOCOL_VERSION}, backend: 'fake', kernel: 'fake', startMs: 0 });
parentPort.on('message', () => process.exit(3));`);
    const { kernel: k } = kernel(crashing);
    try {
      const e = await kernelFailure(k.runSpec(CLASSIC, DIST, 'cell 1'));
      assert.equal(e.kind, 'crashed');
      assert.equal(e.message, 'The kernel exited unexpectedly (code 3)');
      assert.equal(k.backend, undefined);
      assert.equal((await kernelFailure(k.runSpec(CLASSIC, DIST, 'cell 2'))).kind, 'crashed', 'a fresh worker was started for the next run');
    } finally {
      k.dispose();
    }
  });

  it('terminates a worker that ignores an interrupt after the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fglab-'));
    const busy = join(dir, 'busy.js');
    // A cell stuck in a loop that never reads the cancellation flag.
    writeFileSync(busy, `const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ type: 'ready', protocol: ${PROTOCOL_VERSION}, backend: 'fake', kernel: 'fake', startMs: 0 });
parentPort.on('message', () => { for (;;) {} });`);
    const { kernel: k, logs } = kernel(busy);
    try {
      const run = k.runSpec(CLASSIC, DIST, 'cell 1');
      while (k.backend === undefined) await new Promise((r) => setTimeout(r, 10)); // started and sent
      k.interrupt();
      const started = Date.now();
      const e = await kernelFailure(run);
      assert.equal(e.kind, 'cancelled');
      assert.match(e.message, /^Interrupted: the cell did not stop, so the kernel was restarted and its state was lost/);
      assert.ok(Date.now() - started >= INTERRUPT_GRACE_MS);
      assert.match(logs.join('\n'), /did not stop within 2000 ms/);
    } finally {
      k.dispose();
    }
  });

  it('cancels a cell interrupted while the worker is still starting', async () => {
    const { kernel: k } = kernel();
    try {
      const run = k.runSpec(CLASSIC, DIST, 'cell 1');
      k.interrupt();
      const e = await kernelFailure(run);
      assert.equal(e.kind, 'cancelled');
      assert.equal(e.message, 'The run was interrupted before it started');
      assert.equal((await k.runSpec(CLASSIC, DIST, 'cell 2')).length, 2);
    } finally {
      k.dispose();
    }
  });

  it('refuses a worker that speaks another protocol version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fglab-'));
    const old = join(dir, 'old.js');
    writeFileSync(old, `require('node:worker_threads').parentPort.postMessage({ type: 'ready', protocol: ${PROTOCOL_VERSION + 1}, backend: 'x', kernel: 'x', startMs: 0 }); setInterval(() => {}, 1000);`);
    const { kernel: k } = kernel(old);
    try {
      assert.match((await kernelFailure(k.runSpec(CLASSIC, DIST, 'cell 1'))).message, new RegExp(`protocol ${PROTOCOL_VERSION + 1}, this extension ${PROTOCOL_VERSION}`));
    } finally {
      k.dispose();
    }
  });
});
