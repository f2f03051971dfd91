/** The README's spec reference, generated from `SPEC_SCHEMA` so that the two cannot drift. */
import type { ObjectNode, SchemaNode } from './schema';

function typeOf(node: SchemaNode): string {
  switch (node.type) {
    case 'object':
      return 'mapping';
    case 'integer':
      return node.minimum !== undefined && node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER
        ? `integer ${node.minimum}…${node.maximum}`
        : node.minimum !== undefined ? `integer ≥ ${node.minimum}` : 'integer';
    case 'boolean':
      return 'true / false';
    case 'enum':
      return node.values.map((v) => `\`${v}\``).join(' / ');
    case 'path':
      return `path (${node.extensions.join(', ')})`;
    case 'shape':
      return `list of ${node.minItems}–${node.maxItems} integers`;
  }
}

function rows(node: ObjectNode, prefix: string, out: string[]): void {
  for (const [name, child] of Object.entries(node.properties)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const required = node.required?.includes(name) ? 'required' : child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : node.exactlyOne?.includes(name) ? `one of ${node.exactlyOne.map((k) => `\`${k}\``).join(' / ')}` : 'optional';
    let doc = child.doc;
    if (child.type === 'enum' && child.valueDocs) doc += ' ' + child.values.map((v) => `\`${v}\`: ${child.valueDocs?.[v] ?? ''}`).join(' ');
    out.push(`| \`${key}\` | ${typeOf(child)} | ${required} | ${doc.replace(/\|/g, '\\|')} |`);
    if (child.type === 'object') rows(child, key, out);
  }
}

/** A Markdown table of every key of the schema: type, default or requirement, documentation. */
export function specReferenceMarkdown(schema: ObjectNode): string {
  const out = ['| key | type | default | meaning |', '|---|---|---|---|'];
  rows(schema, '', out);
  return `${out.join('\n')}\n`;
}
