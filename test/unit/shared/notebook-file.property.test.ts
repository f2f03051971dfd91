/**
 * Property tests of the `.fglab` file format: generated notebooks round-trip byte for byte;
 * truncated and corrupted files are refused with `NotebookFileError` (never another exception,
 * never an empty notebook), and every file that opens can be saved and opened again.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonErrorOffset, NotebookFileError, parseNotebook, serializeNotebook, type Notebook, type NotebookCell, type NotebookOutput } from '../../../src/shared/notebook-file';
import { assertProperty, cases, report } from '../soak';

const encoder = new TextEncoder();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxKeys: 4 });

const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(fc.constantFrom('model: lstm', 'units: 3', '', '  ', '\r', '\t', '"', '\\', '\u2028', '✓', '😀', '\u0000'), { maxLength: 8 }).map((l) => l.join('\n')));

const item = fc.oneof(
  fc.tuple(fc.constantFrom('application/vnd.fglab.trace+json', 'application/json'), fc.jsonValue({ maxDepth: 3 })).map(([mime, v]) => ({ mime, data: encoder.encode(JSON.stringify(v)) })),
  fc.tuple(fc.constantFrom('text/markdown', 'text/plain', 'application/vnd.code.notebook.stdout', 'application/vnd.code.notebook.error'), text).map(([mime, t]) => ({ mime, data: encoder.encode(t) })),
  fc.tuple(fc.constantFrom('image/png', 'application/octet-stream', 'text/plain', 'application/json'), fc.uint8Array({ maxLength: 64 })).map(([mime, data]) => ({ mime, data })),
);

const output: fc.Arbitrary<NotebookOutput> = fc.record({ items: fc.array(item, { maxLength: 3 }), metadata: jsonObject }, { requiredKeys: ['items'] });

const execution = fc.record({
  order: fc.oneof(fc.nat(), fc.double(), fc.constant(undefined)),
  success: fc.option(fc.boolean(), { nil: undefined }),
  startTime: fc.option(fc.oneof(fc.nat(), fc.double()), { nil: undefined }),
  endTime: fc.option(fc.oneof(fc.nat(), fc.double()), { nil: undefined }),
}, { requiredKeys: [] });

const cell: fc.Arbitrary<NotebookCell> = fc.record({
  kind: fc.constantFrom<'code' | 'markdown'>('code', 'markdown'),
  language: fc.oneof(fc.constantFrom('fglab', 'markdown', 'javascript'), fc.string({ minLength: 1, maxLength: 10 })),
  source: text,
  metadata: jsonObject,
  outputs: fc.array(output, { maxLength: 2 }),
  execution,
}, { requiredKeys: ['kind', 'language', 'source'] });

const notebook: fc.Arbitrary<Notebook> = fc.record({ metadata: jsonObject, cells: fc.array(cell, { maxLength: 5 }) }, { requiredKeys: ['cells'] });

/** Parses `bytes`; anything but a notebook or a one-line `NotebookFileError` fails the test. */
function openOrRefuse(bytes: Uint8Array): Notebook | NotebookFileError {
  try {
    return parseNotebook(bytes);
  } catch (e) {
    if (!(e instanceof NotebookFileError)) throw new Error(`not a NotebookFileError: ${(e as Error).stack}`);
    assert.ok(!e.message.includes('\n') && e.message.length < 600, `one short line: ${e.message.slice(0, 300)}`);
    return e;
  }
}

/** The notebook as it is written: what a reader of the file must get back. */
function written(nb: Notebook): unknown {
  return JSON.parse(new TextDecoder().decode(serializeNotebook(nb)));
}

describe('.fglab file format, property-based', function () {
  this.timeout(0);

  it('round-trips generated notebooks byte for byte, outputs and all', async () => {
    const n = cases(300, 5000);
    await assertProperty(fc.property(notebook, (nb) => {
      const bytes = serializeNotebook(nb);
      const back = parseNotebook(bytes);
      assert.deepEqual(Buffer.from(serializeNotebook(back)), Buffer.from(bytes), 'saving the opened file writes the same bytes');
      assert.equal(back.cells.length, nb.cells.length);
      back.cells.forEach((c, i) => {
        const want = nb.cells[i];
        assert.equal(c.source, new TextDecoder().decode(encoder.encode(want.source)), `cell ${i} source`);
        assert.equal(c.kind, want.kind);
        assert.equal(c.language, want.language);
        // JSON items are stored as their value (readable diffs), so they come back as canonical
        // JSON (`JSON.stringify` of the value); every other item byte for byte.
        const canonical = (it: { mime: string; data: Uint8Array }): string => {
          if (it.mime.endsWith('json')) {
            try {
              return Buffer.from(JSON.stringify(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(it.data)))).toString('hex');
            } catch {
              // not JSON: kept as bytes
            }
          }
          return Buffer.from(it.data).toString('hex');
        };
        const items = (want.outputs ?? []).flatMap((o) => o.items);
        assert.deepEqual((c.outputs ?? []).flatMap((o) => o.items).map((it) => [it.mime, Buffer.from(it.data).toString('hex')]), items.map((it) => [it.mime, canonical(it)]), `cell ${i} output bytes`);
      });
    }), { numRuns: n });
    report(`${n} generated notebooks saved, opened and saved again: identical bytes`);
  });

  it('refuses every truncation of a saved notebook with NotebookFileError', async () => {
    const n = cases(300, 5000);
    let refused = 0;
    await assertProperty(fc.property(notebook.filter((nb) => nb.cells.length > 0), fc.double({ min: 0, max: 1, noNaN: true }), (nb, at) => {
      const bytes = serializeNotebook(nb);
      // Past the last "}" only the trailing newline is left, which is still the whole file.
      const cut = 1 + Math.floor(at * (bytes.length - 3));
      const result = openOrRefuse(bytes.subarray(0, cut));
      assert.ok(result instanceof NotebookFileError, `a file cut at ${cut} of ${bytes.length} bytes opened`);
      refused++;
    }), { numRuns: n });
    report(`${n} truncated files: ${refused} refused with NotebookFileError, none opened`);
  });

  it('opens or refuses corrupted files, and what opens saves and reopens', async () => {
    const n = cases(600, 10_000);
    const tally = { opened: 0, refused: 0 };
    const corrupt = fc.tuple(notebook, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), { minLength: 1, maxLength: 4 }), fc.oneof(fc.constant(undefined), fc.tuple(fc.constantFrom('kind', 'language', 'source', 'outputs', 'items', 'mime', 'encoding', 'value', 'execution', 'order', 'metadata', 'fglab', 'cells'), fc.jsonValue({ maxDepth: 1 }))))
      .map(([nb, edits, replace]) => {
        let textOf = new TextDecoder().decode(serializeNotebook(nb));
        if (replace) {
          // A structural edit: the first value of a key replaced by another JSON value.
          const [key, value] = replace;
          textOf = textOf.replace(new RegExp(`"${key}": ("(?:[^"\\\\]|\\\\.)*"|-?\\d[\\d.eE+-]*|true|false|null|\\[\\]|\\{\\})`), `"${key}": ${JSON.stringify(value)}`);
        }
        const bytes = Array.from(encoder.encode(textOf));
        for (const [pos, byte, action] of edits) {
          const i = bytes.length ? pos % bytes.length : 0;
          if (action === 'flip') bytes[i] = byte;
          else if (action === 'insert') bytes.splice(i, 0, byte);
          else bytes.splice(i, 1);
        }
        return Uint8Array.from(bytes);
      });
    await assertProperty(fc.property(corrupt, (bytes) => {
      const result = openOrRefuse(bytes);
      if (result instanceof NotebookFileError) {
        tally.refused++;
        return;
      }
      tally.opened++;
      const again = serializeNotebook(result);
      assert.deepEqual(written(parseNotebook(again)), written(result), 'a file that opened saves and reopens unchanged');
    }), { numRuns: n, endOnFailure: true });
    report(`${n} corrupted files: ${tally.opened} opened (and saved and reopened), ${tally.refused} refused with NotebookFileError`);
  });
  it('finds where a file stops being JSON as V8 does where it names the position, and on deep nesting', async () => {
    const broken = fc.tuple(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 1)), fc.nat(), fc.constantFrom(',', '}', ']', '"', ':', 'x', '\n', '\u0000', '[', '{', '-', '1', '\\')).map(([t, at, c]) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + c + t.slice(i);
    });
    let compared = 0;
    await assertProperty(fc.property(broken, (t) => {
      let message = '';
      try {
        JSON.parse(t);
        return;
      } catch (e) {
        message = (e as Error).message;
      }
      const pos = /position (\d+)/.exec(message);
      if (pos) {
        compared++;
        assert.equal(jsonErrorOffset(t), Number(pos[1]), message);
      } else {
        assert.ok(jsonErrorOffset(t) <= t.length);
      }
    }), { numRuns: cases(500, 5000) });
    assert.ok(compared > 0);
    assert.equal(jsonErrorOffset('['.repeat(1_000_000)), 1_000_000);
    assert.match((openOrRefuse(encoder.encode('\u0000{}')) as Error).message, /^file is not valid JSON at line 1, column 1: Unexpected token '\\u0000'$/);
  });
});
