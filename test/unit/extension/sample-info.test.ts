import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleInfo } from '../../../src/extension/sample-info';
import { parseNotebook } from '../../../src/shared/notebook-file';

const SAMPLES = join(__dirname, '..', '..', '..', '..', 'media', 'samples');

describe('sample titles and descriptions', () => {
  it('takes the title from the first Markdown heading and the description from the first line of prose', () => {
    const info = sampleInfo({ cells: [
      { kind: 'code', language: 'fglab', source: 'model: lstm' },
      { kind: 'markdown', language: 'markdown', source: '# The forget gate, *step* by step\n\nRun the cell: the **charts** show every gate.\n\n- a list' },
    ] }, 'x.fglab');
    assert.deepEqual(info, { title: 'The forget gate, *step* by step', description: 'Run the cell: the charts show every gate.' });
  });

  it('prefers metadata.title and metadata.description', () => {
    const info = sampleInfo({ metadata: { title: 'T', description: 'D' }, cells: [{ kind: 'markdown', language: 'markdown', source: '# H\n\nP' }] }, 'x.fglab');
    assert.deepEqual(info, { title: 'T', description: 'D' });
  });

  it('falls back to the file name and clips long lines', () => {
    const info = sampleInfo({ cells: [{ kind: 'markdown', language: 'markdown', source: 'x'.repeat(300) }] }, 'long-one.fglab');
    assert.equal(info.title, 'long-one');
    assert.equal(info.description.length, 120);
    assert.ok(info.description.endsWith('…'));
  });

  it('gives every shipped sample a title and a description', () => {
    const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.fglab'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const info = sampleInfo(parseNotebook(readFileSync(join(SAMPLES, f))), f);
      assert.ok(info.title.length > 0 && info.title !== f.replace(/\.fglab$/, ''), `${f} has no heading or metadata.title`);
      assert.ok(info.description.length > 0, `${f} has no description`);
    }
  });
});
