import assert from 'node:assert/strict';
import { cursorContext, findKey, keyPath, wordAt } from '../../../src/extension/spec-cursor';

/** Splits `text` at the `|` marking the cursor and returns the context there. */
function at(marked: string): ReturnType<typeof cursorContext> {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'no | in the text');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return cursorContext(text, before.length - 1, before[before.length - 1].length);
}

describe('spec cursor context', () => {
  it('reads a partial top-level key with the keys already written', () => {
    assert.deepEqual(at('model: lstm\nun|\ninput:\n  shape: [2, 3]'), { kind: 'key', path: [], prefix: 'un', siblings: ['model', 'input'], flow: false });
  });

  it('reads a key inside a block mapping by its indentation', () => {
    assert.deepEqual(at('model: lstm\ninput:\n  shape: [2, 3]\n  |'), { kind: 'key', path: ['input'], prefix: '', siblings: ['shape'], flow: false });
  });

  it('goes back to the root when the line is not indented', () => {
    const ctx = at('input:\n  shape: [2, 3]\n|');
    assert.equal(ctx.kind, 'key');
    assert.deepEqual(ctx.kind === 'key' && ctx.path, []);
  });

  it('reads two levels of block mappings', () => {
    assert.deepEqual(at('input:\n  random:\n    s|'), { kind: 'key', path: ['input', 'random'], prefix: 's', siblings: [], flow: false });
  });

  it('reads a value after a key and a space', () => {
    assert.deepEqual(at('model: ls|'), { kind: 'value', path: ['model'], prefix: 'ls', inList: false });
    assert.deepEqual(at('input:\n  file: data/|'), { kind: 'value', path: ['input', 'file'], prefix: 'data/', inList: false });
  });

  it('reads a key inside a flow mapping with the keys written after the cursor', () => {
    assert.deepEqual(at('input:\n  random: { |, other: 1 }'), { kind: 'key', path: ['input', 'random'], prefix: '', siblings: ['other'], flow: true });
  });

  it('reads a value inside a nested flow mapping', () => {
    assert.deepEqual(at('input: { random: { seed: 4| } }'), { kind: 'value', path: ['input', 'random', 'seed'], prefix: '4', inList: false });
  });

  it('reads an item of a flow list', () => {
    assert.deepEqual(at('input:\n  shape: [10, |'), { kind: 'value', path: ['input', 'shape'], prefix: '', inList: true });
  });

  it('reads an item of a block list', () => {
    assert.deepEqual(at('input:\n  shape:\n    - 10\n    - |'), { kind: 'value', path: ['input', 'shape'], prefix: '', inList: true });
  });

  it('says nothing inside a comment', () => {
    assert.deepEqual(at('model: lstm # the mo|'), { kind: 'none' });
  });

  it('ignores comments and blank lines when finding the parent key', () => {
    assert.deepEqual(at('input:   # the input\n\n  # a comment\n  ra|'), { kind: 'key', path: ['input'], prefix: 'ra', siblings: [], flow: false });
  });
});

describe('finding a key in spec text', () => {
  const text = 'model: lstm\ninput:\n  shape: [2, 3]\n  random: { seed: 1 }\nweights:\n  seed: 2\n';

  it('finds a nested block key by its path', () => {
    assert.deepEqual(findKey(text, ['weights', 'seed']), { line: 5, start: 2, end: 6 });
  });

  it('finds a key inside a flow mapping and tells it from a key of the same name elsewhere', () => {
    assert.deepEqual(findKey(text, ['input', 'random', 'seed']), { line: 3, start: 12, end: 16 });
  });

  it('returns undefined for a key that is not written', () => {
    assert.equal(findKey(text, ['units']), undefined);
  });

  it('turns an error key with an index into a path', () => {
    assert.deepEqual(keyPath('input.shape[1]'), ['input', 'shape']);
  });

  it('finds the word under the cursor', () => {
    assert.deepEqual(wordAt('  file: data/x.json', 0, 10), { line: 0, start: 8, end: 19, word: 'data/x.json' });
  });
});
