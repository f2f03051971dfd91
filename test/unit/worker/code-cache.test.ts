import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { LabKernel } from '../../../src/extension/kernel';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { decodeTrace } from '../../../src/shared/trace';
import { CACHES_KEPT, codeCacheFolder, compileCached } from '../../../src/worker/code-cache';

/** The real worker bundles, built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');
const CLASSIC = 'model: lstm\nunits: 128\ninput: { shape: [1, 10, 64], random: { seed: 7 } }\nweights: { seed: 1 }\n';

/** A small CommonJS bundle whose answer depends on its text and on the names Node gives a module. */
function bundleSource(answer: number): string {
  const body = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i + 1} + ${answer}; }`).join('\n');
  return `${body}\nmodule.exports = { answer: f0(0), sum: [${Array.from({ length: 50 }, (_, i) => `f${i}(1)`).join(', ')}].reduce((a, b) => a + b, 0), dir: __dirname, name: require('node:path').basename(__filename) };\n`;
}

function setup(): { dir: string; file: string; folder: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fglab-code-cache-'));
  const file = join(dir, 'bundle.js');
  writeFileSync(file, bundleSource(7));
  const folder = codeCacheFolder(dir);
  assert.ok(folder, 'a private folder is usable');
  return { dir, file, folder };
}

/** The one cache file in `folder`. */
const cacheFileIn = (folder: string): string => {
  const files = readdirSync(folder).filter((f) => f.endsWith('.v8cache'));
  assert.equal(files.length, 1, `cache files: ${files.join(', ')}`);
  return join(folder, files[0]);
};

/** Compiles and runs `file` through the cache; its status and exports (warnings fail the test). */
function load(file: string, folder: string | undefined): { status: string; exports: unknown; save: () => void } {
  const bundle = compileCached(file, folder, (m) => assert.fail(m));
  return { status: bundle.status, exports: bundle.run(), save: () => bundle.save() };
}

const EXPECTED = { answer: 7, sum: 1625, name: 'bundle.js' };

describe('code cache of the worker bundle', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('compiles without a cache the first time, writes one after the first run and compiles from it next', () => {
    const s = setup();
    dir = s.dir;
    const first = load(s.file, s.folder);
    assert.equal(first.status, 'miss');
    assert.deepEqual(first.exports, { ...EXPECTED, dir: s.dir });
    first.save();
    const second = load(s.file, s.folder);
    assert.equal(second.status, 'hit');
    assert.deepEqual(second.exports, { ...EXPECTED, dir: s.dir });
    assert.deepEqual(readdirSync(s.folder).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  });

  /** A bundle with its cache written: the setup, the cache file and its bytes. */
  const withCache = (): { s: ReturnType<typeof setup>; cacheFile: string; good: Buffer } => {
    const s = setup();
    dir = s.dir;
    load(s.file, s.folder).save();
    const cacheFile = cacheFileIn(s.folder);
    return { s, cacheFile, good: readFileSync(cacheFile) };
  };

  it('ignores a cache whose payload was corrupted (never hands it to V8) and writes a good one', () => {
    const { s, cacheFile, good } = withCache();
    // A flipped bit in V8's data would crash the whole process if V8 deserialised it.
    for (const at of [good.length >> 1, good.length - 3]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x55;
      writeFileSync(cacheFile, bad);
      const run = load(s.file, s.folder);
      assert.equal(run.status, 'corrupt');
      assert.deepEqual(run.exports, { ...EXPECTED, dir: s.dir });
    }
    writeFileSync(cacheFile, good.subarray(0, good.length - 100));
    assert.equal(load(s.file, s.folder).status, 'corrupt', 'cut short');
    writeFileSync(cacheFile, 'not a cache');
    const garbage = load(s.file, s.folder);
    assert.equal(garbage.status, 'corrupt');
    garbage.save();
    assert.equal(load(s.file, s.folder).status, 'hit');
  });

  it('does not use the cache of another bundle of the same length, even under its name: the new code runs', () => {
    const s = setup();
    dir = s.dir;
    load(s.file, s.folder).save();
    const oldCache = cacheFileIn(s.folder);
    writeFileSync(s.file, bundleSource(8)); // same length, other text
    const run = load(s.file, s.folder);
    assert.equal(run.status, 'miss');
    assert.deepEqual(run.exports, { answer: 8, sum: 1675, name: 'bundle.js', dir: s.dir });
    run.save();
    const newCache = readdirSync(s.folder).map((f) => join(s.folder, f)).find((f) => f !== oldCache)!;
    writeFileSync(newCache, readFileSync(oldCache)); // the old bundle's cache where the new one's belongs
    const stale = load(s.file, s.folder);
    assert.equal(stale.status, 'stale');
    assert.deepEqual(stale.exports, { answer: 8, sum: 1675, name: 'bundle.js', dir: s.dir });
    stale.save();
    assert.equal(load(s.file, s.folder).status, 'hit');
  });

  it(`keeps the ${CACHES_KEPT} newest caches of a bundle name`, () => {
    const s = setup();
    dir = s.dir;
    const written: string[] = [];
    for (let answer = 1; answer <= CACHES_KEPT + 2; answer++) {
      writeFileSync(s.file, bundleSource(answer));
      const before = new Set(readdirSync(s.folder));
      load(s.file, s.folder).save();
      written.push(readdirSync(s.folder).find((f) => !before.has(f))!);
      utimesSync(join(s.folder, written.at(-1)!), answer * 1000, answer * 1000); // distinct ages, oldest first
    }
    assert.equal(new Set(written).size, CACHES_KEPT + 2);
    assert.deepEqual(readdirSync(s.folder).sort(), written.slice(-CACHES_KEPT).sort());
  });

  it('runs the bundle when V8 refuses a well-formed cache made for another script', () => {
    const { s, cacheFile, good } = withCache();
    // Same header (key, checksum and length rewritten), V8 data of a different script.
    const other = new Script('(function () { return 1; })').createCachedData();
    const headLength = good.indexOf('\n', good.indexOf('\n') + 1) + 1;
    const sums = Buffer.alloc(8);
    sums.writeUInt32LE((require('node:zlib') as { crc32(b: Uint8Array): number }).crc32(other), 0);
    sums.writeUInt32LE(other.length, 4);
    writeFileSync(cacheFile, Buffer.concat([good.subarray(0, headLength), sums, other]));
    // The same text under another path, so that V8's in-process compilation cache does not answer first.
    const elsewhere = join(s.dir, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'bundle.js'), readFileSync(s.file));
    const run = load(join(elsewhere, 'bundle.js'), s.folder);
    assert.equal(run.status, 'rejected');
    assert.deepEqual(run.exports, { ...EXPECTED, dir: elsewhere });
  });

  it('uses no cache when no folder is given, and refuses a folder others may write to', () => {
    const s = setup();
    dir = s.dir;
    const run = load(s.file, undefined);
    assert.equal(run.status, 'off');
    run.save();
    assert.deepEqual(readdirSync(s.folder), []);
    if (typeof process.getuid !== 'function') return; // Windows: folders are per user
    const open = join(s.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.equal(codeCacheFolder(open), undefined);
    const groupOnly = join(s.dir, 'group');
    mkdirSync(groupOnly);
    chmodSync(groupOnly, 0o775);
    assert.equal(codeCacheFolder(groupOnly), join(groupOnly, 'code-cache'), 'a parent open to the group only is accepted');
    const openCache = join(s.dir, 'open-cache');
    mkdirSync(join(openCache, 'code-cache'), { recursive: true });
    chmodSync(join(openCache, 'code-cache'), 0o777);
    assert.equal(codeCacheFolder(openCache), undefined);
  });

  it("a new process's first worker starts from the cache the previous process wrote (V8's flags are final before the bundle compiles)", () => {
    dir = mkdtempSync(join(tmpdir(), 'fglab-code-cache-'));
    // A process of its own per start: choosing the kernels' build may turn a V8 flag on, and
    // V8 refuses a cache made under other flags; this test process has long had the flag on.
    const probe = `
      const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(join(DIST, 'worker.js'))}, { workerData: { protocol: ${PROTOCOL_VERSION}, cancelFlag: new SharedArrayBuffer(4), wasmDir: ${JSON.stringify(DIST)}, backend: 'wasm', codeCacheDir: ${JSON.stringify(dir)} } });
      let status;
      w.on('message', (m) => {
        if (m.type === 'ready') {
          status = m.codeCache;
          w.postMessage({ type: 'runSpec', requestId: 1, source: ${JSON.stringify(CLASSIC)}, baseDir: '.', cellName: 'probe' });
        } else {
          console.log(JSON.stringify({ status, answer: m.type }));
          void w.terminate();
        }
      });
    `;
    const start = (): unknown => {
      const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    assert.deepEqual(start(), { status: 'miss', answer: 'result' });
    assert.deepEqual(start(), { status: 'hit', answer: 'result' });
  });

  it('a real worker writes its cache after the first trace; the next worker starts from it and traces the same bits, also after the cache is corrupted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fglab-code-cache-'));
    const traceOf = async (expectedStatus: string): Promise<unknown> => {
      const logs: string[] = [];
      const k = new LabKernel('code-cache', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, codeCacheDir: dir, log: (m) => logs.push(m) });
      try {
        const [item] = await k.runSpec(CLASSIC, DIST, 'cell 1', { outputPrecision: 'float32' });
        assert.match(logs.join('\n'), new RegExp(`code cache: ${expectedStatus}\\)`));
        const trace = decodeTrace(JSON.parse(Buffer.from(item.data).toString('utf8')));
        return Object.fromEntries(Object.entries(trace.series).map(([name, s]) => [name, Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('base64')]));
      } finally {
        k.dispose();
      }
    };
    const first = await traceOf('miss');
    assert.deepEqual(await traceOf('hit'), first);
    const cacheFile = cacheFileIn(join(dir, 'code-cache'));
    const bad = readFileSync(cacheFile);
    bad[bad.length >> 1] ^= 0x55;
    writeFileSync(cacheFile, bad);
    assert.deepEqual(await traceOf('corrupt'), first);
    assert.deepEqual(await traceOf('hit'), first);
  });
});
