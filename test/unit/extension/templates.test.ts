import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNotebook } from '../../../src/shared/notebook-file';
import { validateSpecSource } from '../../../src/extension/spec-check';
import { SPEC_SCHEMA } from '../../../src/lab/spec/schema';
import { CELL_TEMPLATES, findTemplate, MODEL_TEMPLATES, specSnippet } from '../../../src/extension/templates';

describe('cell templates', () => {
  it('has specs that pass the run\'s validation', () => {
    for (const t of CELL_TEMPLATES) {
      for (const cell of t.cells.filter((c) => c.kind === 'spec')) {
        assert.doesNotThrow(() => validateSpecSource(cell.source), `${t.id}: ${cell.source}`);
      }
    }
  });

  it('has one model template per model it names, each naming a model of the schema', () => {
    const models = SPEC_SCHEMA.properties.model;
    assert.equal(models.type, 'enum');
    for (const t of MODEL_TEMPLATES) {
      assert.ok(models.type === 'enum' && models.values.includes(t.model), `${t.id}: model ${t.model} is not in the schema`);
      assert.match(t.cells[0].source, new RegExp(`^model: ${t.model}$`, 'm'));
    }
    assert.equal(new Set(MODEL_TEMPLATES.map((t) => t.snippetPrefix)).size, MODEL_TEMPLATES.length, 'snippet prefixes are unique');
  });

  it('has a model template (and snippet) for every model of the schema', () => {
    const models = SPEC_SCHEMA.properties.model;
    for (const model of models.type === 'enum' ? models.values : []) {
      assert.ok(MODEL_TEMPLATES.some((t) => t.model === model), `no template for model "${model}": add an entry to MODEL_TEMPLATES in src/extension/templates.ts`);
    }
  });

  it('has unique ids that findTemplate finds', () => {
    assert.equal(new Set(CELL_TEMPLATES.map((t) => t.id)).size, CELL_TEMPLATES.length);
    for (const t of CELL_TEMPLATES) assert.equal(findTemplate(t.id), t);
    assert.equal(findTemplate('nope'), undefined);
  });

  it('has the specs of the attention-forgets sample in its experiment template (the sample test checks what they learn)', () => {
    const sample = parseNotebook(readFileSync(join(__dirname, '..', '..', '..', '..', 'media', 'samples', 'attention-forgets.fglab')));
    const specs = (cells: readonly { kind: string; source: string }[]) => cells.filter((c) => c.kind === 'spec' || c.kind === 'code').map((c) => c.source);
    assert.deepEqual(specs(findTemplate('experiment.attentionLearnsSpan')!.cells), specs(sample.cells));
  });

  it('turns a model template into a snippet that ends with the cursor', () => {
    const snippet = specSnippet(MODEL_TEMPLATES[0]);
    assert.ok(snippet.endsWith('\n$0'));
    assert.ok(snippet.startsWith('# LSTMCell(units=128)'));
  });
});
