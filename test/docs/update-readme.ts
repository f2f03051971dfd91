// `npm run docs`: rewrites the README's spec reference from the schema the validator uses.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specReferenceMarkdown } from '../../src/lab/spec/docs';
import { SPEC_SCHEMA } from '../../src/lab/spec/schema';

const README = join(__dirname, '..', '..', '..', 'README.md');
const text = readFileSync(README, 'utf8');
const updated = text.replace(/(<!-- spec-reference:start -->\n)[\s\S]*?(<!-- spec-reference:end -->)/, `$1${specReferenceMarkdown(SPEC_SCHEMA)}$2`);
if (updated === text) console.log('README spec reference is up to date');
else {
  writeFileSync(README, updated);
  console.log('README spec reference updated');
}
