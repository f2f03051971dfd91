import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specReferenceMarkdown } from '../../../src/lab/spec/docs';
import { SPEC_SCHEMA } from '../../../src/lab/spec/schema';

const README = join(__dirname, '..', '..', '..', '..', 'README.md');

describe('README', () => {
  it('holds the spec reference generated from the schema (regenerate with npm run docs)', () => {
    const text = readFileSync(README, 'utf8');
    const section = /<!-- spec-reference:start -->\n([\s\S]*?)<!-- spec-reference:end -->/.exec(text);
    assert.ok(section, 'README has the spec-reference markers');
    assert.equal(section[1], specReferenceMarkdown(SPEC_SCHEMA));
  });

  it('documents every key the schema accepts', () => {
    const text = readFileSync(README, 'utf8');
    for (const key of ['model', 'units', 'input.shape', 'input.random.seed', 'input.file', 'weights.seed', 'weights.file', 'recurrentActivation', 'unitForgetBias']) {
      assert.ok(text.includes(`\`${key}\``), key);
    }
  });
});
