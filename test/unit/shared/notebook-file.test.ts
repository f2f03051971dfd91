import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotebookFileError, parseNotebook, serializeNotebook, type Notebook } from '../../../src/shared/notebook-file';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const SAMPLE = join(__dirname, '..', '..', '..', '..', 'media', 'samples', 'classic-lstm.fglab');

function notebookError(text: string): string {
  try {
    parseNotebook(enc(text));
  } catch (e) {
    assert.ok(e instanceof NotebookFileError, String(e));
    return e.message;
  }
  return assert.fail('expected NotebookFileError');
}

describe('.fglab file format', () => {
  it('round-trips the shipped sample byte for byte', () => {
    const bytes = readFileSync(SAMPLE);
    assert.equal(dec(serializeNotebook(parseNotebook(bytes))), bytes.toString('utf8'));
  });

  it('keeps outputs: JSON items as JSON, text as text, other bytes as base64', () => {
    const nb: Notebook = {
      cells: [{
        kind: 'code',
        language: 'fglab',
        source: 'model: lstm\nunits: 2\n',
        outputs: [{ items: [
          { mime: 'application/vnd.fglab.trace+json', data: enc('{"b":1,"a":[1,2]}') },
          { mime: 'text/markdown', data: enc('**x**') },
          { mime: 'image/png', data: Uint8Array.of(137, 80, 78, 71, 0, 255) },
        ] }],
        execution: { order: 3, success: true, startTime: 10, endTime: 20 },
      }],
    };
    const text = dec(serializeNotebook(nb));
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /\n {2}"cells": \[\n/);
    const raw = JSON.parse(text);
    assert.deepEqual(raw.cells[0].source, ['model: lstm', 'units: 2', '']);
    assert.deepEqual(raw.cells[0].outputs[0].items.map((i: { encoding: string }) => i.encoding), ['json', 'text', 'base64']);
    assert.deepEqual(raw.cells[0].outputs[0].items[0].value, { b: 1, a: [1, 2] });
    const back = parseNotebook(enc(text));
    assert.deepEqual(back.cells[0].outputs?.[0].items.map((i) => dec(i.data)), ['{"b":1,"a":[1,2]}', '**x**', dec(Uint8Array.of(137, 80, 78, 71, 0, 255))]);
    assert.deepEqual(back.cells[0].outputs?.[0].items[2].data, Uint8Array.of(137, 80, 78, 71, 0, 255));
    assert.deepEqual(back.cells[0].execution, { order: 3, success: true, startTime: 10, endTime: 20 });
    assert.equal(dec(serializeNotebook(back)), text);
  });

  it('writes keys in a fixed order whatever order the cell had', () => {
    const a = serializeNotebook({ cells: [{ kind: 'code', language: 'fglab', source: 'x', metadata: { k: 1 } }] });
    const b = serializeNotebook({ cells: [{ metadata: { k: 1 }, source: 'x', language: 'fglab', kind: 'code' }] });
    assert.equal(dec(a), dec(b));
    assert.deepEqual(Object.keys(JSON.parse(dec(a)).cells[0]), ['kind', 'language', 'source', 'metadata']);
  });

  it('opens an empty file as an empty notebook', () => {
    assert.deepEqual(parseNotebook(new Uint8Array()), { cells: [] });
  });

  it('refuses a file that is not JSON, naming the line and column', () => {
    assert.match(notebookError('{\n  "fglab": 1,\n  "cells": [\n    {,\n'), /^file is not valid JSON at line 4, column 6/);
  });

  it('refuses a truncated file', () => {
    const text = dec(readFileSync(SAMPLE));
    assert.match(notebookError(text.slice(0, text.length / 2)), /^file is not valid JSON at /);
  });

  it('refuses files with the wrong structure, naming the key', () => {
    assert.equal(notebookError('{"cells": []}'), 'fglab: expected 1 (the format version), got nothing');
    assert.equal(notebookError('{"fglab": 1, "cells": {}}'), 'cells: expected an array, got an object');
    assert.equal(notebookError('{"fglab": 1, "cells": [{"kind": "raw", "language": "x", "source": []}]}'), 'cells[0].kind: expected "code" or "markdown", got "raw"');
    assert.equal(notebookError('{"fglab": 1, "cells": [{"kind": "code", "language": "fglab", "source": [1]}]}'), 'cells[0].source: expected an array of lines, got an array');
    assert.match(notebookError('{"fglab": 1, "cells": [{"kind": "code", "language": "fglab", "source": [], "outputs": [{"items": [{"mime": "x", "encoding": "zip", "value": 1}]}]}]}'), /^cells\[0\]\.outputs\[0\]\.items\[0\]\.encoding: expected "json", "text" or "base64", got "zip"/);
  });

  it('refuses bytes that are not UTF-8', () => {
    assert.throws(() => parseNotebook(Uint8Array.of(0x7b, 0xff, 0xfe)), /expected UTF-8 text/);
  });
});
