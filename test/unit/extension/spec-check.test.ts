import assert from 'node:assert/strict';
import { runSpecCell } from '../../../src/lab';
import { checkSpec } from '../../../src/extension/spec-check';
import { setupLab } from '../lab/setup';

/** The message a run of `source` fails with (the worker's path from cell source to outputs). */
async function runMessage(source: string): Promise<string> {
  try {
    await runSpecCell(source, { readFile: () => assert.fail('the run read a file') });
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail('the spec was accepted');
}

const GOOD = 'model: lstm\nunits: 8\ninput:\n  shape: [10, 4]\n  random: { seed: 7 }\n';

describe('spec diagnostics', () => {
  before(setupLab);

  it('reports nothing for a valid spec or an empty cell', () => {
    assert.deepEqual(checkSpec(GOOD), []);
    assert.deepEqual(checkSpec('# just a comment\n\n'), []);
  });

  it('reports exactly the run\'s message, on the key and value of the named line', async () => {
    const source = GOOD.replace('units: 8', 'units: 0');
    const [p] = checkSpec(source);
    assert.equal(p.message, await runMessage(source));
    assert.match(p.message, /^units: .*\(line 2\)$/);
    assert.deepEqual(p.range, { line: 1, start: 0, end: 8 });
  });

  it('places an unknown nested key on the key', async () => {
    const source = GOOD.replace('  random: { seed: 7 }', '  random: { sed: 7 }');
    const [p] = checkSpec(source);
    assert.equal(p.message, await runMessage(source));
    assert.match(p.message, /^input\.random\.sed: unknown key/);
    assert.equal(p.range.line, 4);
    assert.equal(source.split('\n')[4].slice(p.range.start, p.range.start + 3), 'sed');
  });

  it('places a cross-key error (random without shape) on the key it names or its line', async () => {
    const source = 'model: lstm\nunits: 8\ninput:\n  random: { seed: 7 }\n';
    const [p] = checkSpec(source);
    assert.equal(p.message, await runMessage(source));
    assert.equal(p.range.line, 2, 'input.shape is not written, so on input');
  });

  it('places a size error on the shape', async () => {
    const source = GOOD.replace('[10, 4]', '[2000000, 4]');
    const [p] = checkSpec(source);
    assert.equal(p.message, await runMessage(source));
    assert.equal(p.range.line, 3);
    assert.equal(source.split('\n')[3].slice(p.range.start, p.range.end), 'shape: [2000000, 4]');
  });

  it('places a YAML syntax error at its line and column', async () => {
    const source = 'model: lstm\nunits: [8\n';
    const [p] = checkSpec(source);
    assert.equal(p.message, await runMessage(source));
    assert.match(p.message, /^YAML syntax error at line/);
    assert.ok(p.range.line >= 1, `line ${p.range.line}`);
  });
});
