import assert from 'node:assert/strict';
import type { ObjectNode } from '../../../src/lab/spec/schema';
import { SPEC_SCHEMA } from '../../../src/lab/spec/schema';
import { completeSpec, hoverSpec, keyDocumentation, nodeAt, typeText } from '../../../src/extension/spec-assist';

function complete(marked: string, schema: ObjectNode = SPEC_SCHEMA): ReturnType<typeof completeSpec> {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return completeSpec(schema, text, before.length - 1, before[before.length - 1].length);
}

const labels = (c: ReturnType<typeof completeSpec>): string[] => c.items.map((i) => i.label);

/** A schema that is not the lab's, to show the walk is generic. */
const TOY: ObjectNode = {
  type: 'object',
  doc: 'toy',
  required: ['model'],
  properties: {
    model: { type: 'enum', values: ['a', 'b'], doc: 'Which.', valueDocs: { a: 'The first.', b: 'The second.' } },
    depth: { type: 'integer', minimum: 1, maximum: 9, default: 3, doc: 'How deep.' },
    units: { type: 'integer', minimum: 1, models: ['a'], requiredFor: ['a'], doc: 'Only for a.' } as ObjectNode['properties'][string],
    variants: {
      type: 'list', minItems: 1, maxItems: 4, doc: 'Variants.',
      items: { type: 'object', doc: 'A variant.', properties: { name: { type: 'string', maxLength: 9, doc: 'Its name.' }, depth: { type: 'integer', minimum: 1, doc: 'Its depth.' } } },
    } as unknown as ObjectNode['properties'][string],
    tags: { type: 'list', minItems: 0, maxItems: 2, doc: 'Tags.', items: { type: 'enum', values: ['x', 'y'], doc: 'A tag.' } } as unknown as ObjectNode['properties'][string],
    source: {
      type: 'object',
      doc: 'Where from.',
      exactlyOne: ['url', 'path'],
      properties: { url: { type: 'enum', values: ['x'], doc: 'A URL.' }, path: { type: 'path', extensions: ['.csv'], doc: 'A file.' } },
    },
  },
};

describe('spec completion from the schema', () => {
  it('offers every top-level key of the schema on an empty line, required keys first', () => {
    const c = complete('|');
    const keys = c.items.filter((i) => i.kind === 'key');
    assert.deepEqual(keys.map((i) => i.label), Object.keys(SPEC_SCHEMA.properties));
    const sorted = [...keys].sort((a, b) => a.sortText.localeCompare(b.sortText)).map((i) => i.label);
    assert.deepEqual(sorted.slice(0, SPEC_SCHEMA.required!.length), [...SPEC_SCHEMA.required!]);
  });

  it('leaves out keys the mapping already has', () => {
    assert.ok(!labels(complete('model: lstm\nunits: 3\n|')).includes('units'));
    assert.ok(!labels(complete('model: lstm\n|\nunits: 3')).includes('units'));
  });

  it('offers the keys of a nested mapping at its indentation', () => {
    const input = nodeAt(SPEC_SCHEMA, ['input']);
    assert.equal(input?.type, 'object');
    assert.deepEqual(labels(complete('model: lstm\ninput:\n  |')), Object.keys(input.type === 'object' ? input.properties : {}));
  });

  it('leaves out the other keys of an exactly-one group once one is written', () => {
    assert.deepEqual(labels(complete('source:\n  url: x\n  |', TOY)), []);
    assert.deepEqual(labels(complete('source: { path: a.csv, | }', TOY)), []);
    assert.deepEqual(labels(complete('source: { | }', TOY)), ['url', 'path']);
    const input = nodeAt(SPEC_SCHEMA, ['input']);
    const group = input?.type === 'object' ? input.exactlyOne ?? [] : [];
    assert.ok(group.length > 1, 'input has an exactly-one group');
    const offered = labels(complete(`input:\n  ${group[0]}: x\n  |`));
    assert.ok(group.every((k) => !offered.includes(k)), `offered ${offered.join(', ')}`);
  });

  it('offers enum values with their documentation', () => {
    const node = SPEC_SCHEMA.properties.recurrentActivation;
    assert.equal(node.type, 'enum');
    const c = complete('recurrentActivation: |');
    assert.deepEqual(labels(c), node.type === 'enum' ? [...node.values] : []);
    assert.match(c.items.find((i) => i.label === 'hardSigmoid')?.documentation ?? '', /clip\(0\.2x \+ 0\.5, 0, 1\)/);
    assert.equal(c.items.find((i) => i.label === 'sigmoid')?.detail, 'default');
  });

  it('offers enum values on the line below a key with no value', () => {
    const model = SPEC_SCHEMA.properties.model;
    assert.deepEqual(labels(complete('model:\n  |')), model.type === 'enum' ? [...model.values] : []);
  });

  it('offers only the keys of the model the spec names, and counts keys required for it as required', () => {
    assert.ok(!labels(complete('model: b\n|', TOY)).includes('units'));
    const forA = complete('model: a\n|', TOY).items.find((i) => i.label === 'units');
    assert.equal(forA?.sortText[0], '0');
    assert.match(forA?.detail ?? '', /required for a/);
    assert.ok(labels(complete('|', TOY)).includes('units'), 'with no model yet, every key');
  });

  it('offers the keys of an item in a list of mappings', () => {
    assert.deepEqual(labels(complete('variants:\n  - |', TOY)), ['name', 'depth']);
    assert.deepEqual(labels(complete('variants:\n  - name: a\n    |', TOY)), ['depth']);
    assert.deepEqual(labels(complete('tags: [|]', TOY)), ['x', 'y']);
  });

  it('offers true and false for a boolean', () => {
    assert.deepEqual(labels(complete('unitForgetBias: |')), ['true', 'false']);
  });

  it('asks for a file listing for a path value, with the extensions and what was typed', () => {
    const file = nodeAt(SPEC_SCHEMA, ['input', 'file']);
    assert.equal(file?.type, 'path');
    assert.deepEqual(complete('input:\n  file: data/|').path, { extensions: file?.type === 'path' ? file.extensions : [], prefix: 'data/' });
  });

  it('inserts a key whose value has choices and opens the suggestions again', () => {
    const item = complete('|').items.find((i) => i.label === 'recurrentActivation');
    assert.equal(item?.insertText, 'recurrentActivation: $0');
    assert.equal(item?.retrigger, true);
    const bool = complete('|').items.find((i) => i.label === 'unitForgetBias');
    assert.equal(bool?.insertText, 'unitForgetBias: ${1|true,false|}');
  });

  it('inserts a nested mapping as a block, or in braces inside a flow mapping', () => {
    assert.equal(complete('|').items.find((i) => i.label === 'input')?.insertText, 'input:\n  $0');
    assert.equal(complete('input: { | }').items.find((i) => i.label === 'random')?.insertText, 'random: { $0 }');
  });

  it('offers the model snippets only while the spec has no model', () => {
    const snippets = complete('|').items.filter((i) => i.kind === 'snippet');
    assert.ok(snippets.some((s) => s.label === 'lstm' && s.insertText.includes('model: lstm')));
    assert.equal(complete('model: lstm\n|').items.filter((i) => i.kind === 'snippet').length, 0);
  });

  it('walks any schema of the same node kinds, not only the lab one', () => {
    assert.deepEqual(complete('|', TOY).items.filter((i) => i.kind === 'key').map((i) => i.label), ['model', 'depth', 'units', 'variants', 'tags', 'source']);
    assert.deepEqual(labels(complete('model: |', TOY)), ['a', 'b']);
    assert.deepEqual(labels(complete('source:\n  url: x\n  |', TOY)), []);
    assert.deepEqual(complete('source: { path: | }', TOY).path, { extensions: ['.csv'], prefix: '' });
    assert.deepEqual(labels(complete('depth: |', TOY)), ['3']);
  });
});

describe('spec hover from the schema', () => {
  const text = 'model: lstm\nunits: 128\ninput:\n  shape: [10, 64]\n  random: { seed: 7 }\nrecurrentActivation: hardSigmoid\n';

  it('documents a top-level key with its type, requirement and meaning', () => {
    const h = hoverSpec(SPEC_SCHEMA, text, 1, 2);
    assert.ok(h);
    assert.match(h.markdown, /^\*\*`units`\*\* — integer 1…4096 · required/);
    assert.match(hoverSpec(TOY, 'units: 3', 0, 1)?.markdown ?? '', /^\*\*`units`\*\* — integer ≥ 1 · required for a\n\nOnly for a\.\n\nUsed by: `a`\./);
    assert.ok(h.markdown.includes(SPEC_SCHEMA.properties.units.doc));
    assert.deepEqual(h.range, { line: 1, start: 0, end: 5 });
  });

  it('documents a key inside a flow mapping with its default', () => {
    const h = hoverSpec(SPEC_SCHEMA, text, 4, 14);
    assert.match(h?.markdown ?? '', /^\*\*`input\.random\.seed`\*\* — integer ≥ 0 · default `0`/);
  });

  it('documents an enum value, then its key', () => {
    const h = hoverSpec(SPEC_SCHEMA, text, 5, 25);
    assert.match(h?.markdown ?? '', /^\*\*`hardSigmoid`\*\*: clip\(0\.2x \+ 0\.5, 0, 1\)/);
    assert.match(h?.markdown ?? '', /\*\*`recurrentActivation`\*\*/);
  });

  it('has documentation for every key of the schema', () => {
    const walk = (node: ObjectNode, path: string[]): void => {
      for (const [name, child] of Object.entries(node.properties)) {
        const doc = keyDocumentation(SPEC_SCHEMA, [...path, name]) ?? '';
        assert.ok(doc.includes(child.doc), `no documentation for ${[...path, name].join('.')}`);
        assert.ok(doc.includes(typeText(child)), `no type for ${[...path, name].join('.')}`);
        if (child.type === 'object') walk(child, [...path, name]);
        // Lists of mappings (the variants of a comparison) hold keys in their items.
        const items = (child as { items?: ObjectNode }).items;
        if (items?.type === 'object') walk(items, [...path, name]);
      }
    };
    walk(SPEC_SCHEMA, []);
  });

  it('gives nothing for a key the schema does not have', () => {
    assert.equal(hoverSpec(SPEC_SCHEMA, 'colour: red', 0, 2), undefined);
    assert.equal(nodeAt(SPEC_SCHEMA, ['input', 'colour']), undefined);
  });
});
