import assert from 'node:assert/strict';
import { SPEC_SCHEMA } from '../../../src/lab/spec/schema';
import { CELL_TEMPLATES, findTemplate, MODEL_TEMPLATES, specSnippet } from '../../../src/extension/templates';

describe('cell templates', () => {
  it('has one model template per model it names, each naming a model of the schema', () => {
    const models = SPEC_SCHEMA.properties.model;
    assert.equal(models.type, 'enum');
    for (const t of MODEL_TEMPLATES) {
      assert.ok(models.type === 'enum' && models.values.includes(t.model), `${t.id}: model ${t.model} is not in the schema`);
      assert.match(t.cells[0].source, new RegExp(`^model: ${t.model}$`, 'm'));
    }
    assert.equal(new Set(MODEL_TEMPLATES.map((t) => t.snippetPrefix)).size, MODEL_TEMPLATES.length, 'snippet prefixes are unique');
  });

  it('has unique ids that findTemplate finds', () => {
    assert.equal(new Set(CELL_TEMPLATES.map((t) => t.id)).size, CELL_TEMPLATES.length);
    for (const t of CELL_TEMPLATES) assert.equal(findTemplate(t.id), t);
    assert.equal(findTemplate('nope'), undefined);
  });

  it('turns a model template into a snippet that ends with the cursor', () => {
    const snippet = specSnippet(MODEL_TEMPLATES[0]);
    assert.ok(snippet.endsWith('\n$0'));
    assert.ok(snippet.startsWith('# LSTMCell(units=128)'));
  });
});
