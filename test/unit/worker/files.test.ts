/**
 * Files named in specs, through the real worker: they resolve against the notebook's folder;
 * in Restricted Mode (`readRoots`, the workspace folders) every way out of the workspace is
 * refused before anything is read: `..`, absolute paths, symbolic links to files or folders
 * outside, a sibling folder whose name starts like the workspace's, and weight shards that a
 * model.json names outside. In a trusted workspace the same files are read.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabKernel } from '../../../src/extension/kernel';
import { isInside } from '../../../src/worker/files';
import { kernelFailure } from '../kernel-failure';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DIST = join(ROOT, 'dist');
const DATA = JSON.stringify([[1, 2], [3, 4], [5, 6]]);
const spec = (file: string): string => `model: lstm\nunits: 3\ninput: { file: ${JSON.stringify(file)} }\n`;

/**
 *   <tmp>/ws/            the workspace folder
 *     notebooks/         the notebook's folder
 *       inside.json
 *       ..data.json      a name that starts with two dots, inside
 *       link-out.json -> <tmp>/outside/secret.json
 *       dir-out/      -> <tmp>/outside/
 *       link-in.json  -> <tmp>/ws/shared.json
 *       model/model.json  (weight shard path "../../../outside/weights.bin")
 *     shared.json
 *   <tmp>/ws-evil/secret.json
 *   <tmp>/outside/secret.json, weights.bin
 */
function layout(): { ws: string; notebooks: string; outside: string; evil: string } {
  const base = mkdtempSync(join(tmpdir(), 'fglab-files-'));
  const ws = join(base, 'ws');
  const notebooks = join(ws, 'notebooks');
  const outside = join(base, 'outside');
  const evil = join(base, 'ws-evil');
  for (const d of [notebooks, outside, evil, join(notebooks, 'model')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(notebooks, 'inside.json'), DATA);
  writeFileSync(join(notebooks, '..data.json'), DATA);
  writeFileSync(join(ws, 'shared.json'), DATA);
  writeFileSync(join(outside, 'secret.json'), DATA);
  writeFileSync(join(evil, 'secret.json'), DATA);
  symlinkSync(join(outside, 'secret.json'), join(notebooks, 'link-out.json'));
  symlinkSync(outside, join(notebooks, 'dir-out'));
  symlinkSync(join(ws, 'shared.json'), join(notebooks, 'link-in.json'));
  const model = JSON.parse(readFileSync(join(ROOT, 'media', 'samples', 'trained-lstm', 'model.json'), 'utf8'));
  model.weightsManifest[0].paths = ['../../../outside/weights.bin'];
  writeFileSync(join(notebooks, 'model', 'model.json'), JSON.stringify(model));
  copyFileSync(join(ROOT, 'media', 'samples', 'trained-lstm', 'weights.bin'), join(outside, 'weights.bin'));
  copyFileSync(join(ROOT, 'media', 'samples', 'trained-lstm', 'sequences.json'), join(notebooks, 'sequences.json'));
  return { ws, notebooks, outside, evil };
}

const failure = (p: Promise<unknown>) => kernelFailure(p, 'expected the run to be refused');

describe('files named in specs (real worker thread)', function () {
  this.timeout(120_000);
  const dirs = layout();
  const k = new LabKernel('files', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => undefined });
  after(() => k.dispose());

  const restricted = { readRoots: [dirs.ws] };
  const escapes: [string, string][] = [
    ['a parent folder outside the workspace', '../../outside/secret.json'],
    ['a path that climbs out and back in by name', 'sub/../../../ws-evil/secret.json'],
    ['an absolute path outside', join(dirs.outside, 'secret.json')],
    ['a sibling folder whose name starts with the workspace\'s', join(dirs.evil, 'secret.json')],
    ['a symbolic link to a file outside', 'link-out.json'],
    ['a file in a symbolically linked folder outside', 'dir-out/secret.json'],
  ];

  for (const [what, file] of escapes) {
    it(`refuses ${what} in Restricted Mode, and reads it when trusted`, async () => {
      const e = await failure(k.runSpec(spec(file), dirs.notebooks, 'cell 1', restricted));
      assert.equal(e.kind, 'user');
      assert.match(e.message, /^input\.file: cannot read ".*": it is outside the workspace folders, and in Restricted Mode specs read files only inside them \(/);
      assert.equal((await k.runSpec(spec(file), dirs.notebooks, 'cell 1')).length, 2, 'a trusted workspace reads it');
    });
  }

  it('refuses weight shards that a model.json names outside the workspace', async () => {
    const source = 'weights: { file: model/model.json }\ninput: { file: sequences.json }\n';
    const e = await failure(k.runSpec(source, dirs.notebooks, 'cell 1', restricted));
    assert.match(e.message, /outside the workspace folders, and in Restricted Mode/);
    assert.match(e.message, /outside[/\\]weights\.bin/);
  });

  it('resolves paths against the notebook\'s folder and reads files inside the workspace in Restricted Mode', async () => {
    for (const file of ['inside.json', './inside.json', '..data.json', '../shared.json', 'link-in.json', join(dirs.notebooks, 'inside.json')]) {
      const outputs = await k.runSpec(spec(file), dirs.notebooks, 'cell 1', restricted);
      assert.equal(outputs.length, 2, file);
    }
    const e = await failure(k.runSpec(spec('shared.json'), dirs.notebooks, 'cell 1', restricted));
    assert.equal(e.message, `input.file: cannot read "shared.json": no such file (${join(dirs.notebooks, 'shared.json')})`, 'relative to the notebook, not to the workspace');
  });

  it('refuses everything when Restricted Mode has no workspace folder', async () => {
    const e = await failure(k.runSpec(spec('inside.json'), dirs.notebooks, 'cell 1', { readRoots: [] }));
    assert.match(e.message, /outside the workspace folders/);
  });

  it('tells inside from outside by the real path', () => {
    assert.ok(isInside(join(dirs.notebooks, '..data.json'), [dirs.ws]));
    assert.ok(isInside(dirs.ws, [dirs.ws]));
    assert.ok(!isInside(join(dirs.ws, '..'), [dirs.ws]));
    assert.ok(!isInside(join(dirs.evil, 'secret.json'), [dirs.ws]));
    assert.ok(!isInside(join(dirs.notebooks, 'dir-out', 'secret.json'), [dirs.ws]));
    assert.ok(isInside(join(dirs.notebooks, 'dir-out', 'secret.json'), [dirs.ws, dirs.outside]), 'a second workspace folder');
  });
});
