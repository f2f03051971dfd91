/** The README's spec reference, generated from `SPEC_SCHEMA` so that the two cannot drift. */
import { TRACE_MODELS, type ObjectNode, type SchemaNode } from './schema';

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
    case 'number':
      return node.minimum !== undefined && node.maximum !== undefined ? `number ${node.minimum}…${node.maximum}${node.exclusiveMaximum ? ' (excl.)' : ''}` : 'number';
    case 'string':
      return node.orIndex ? 'string or integer ≥ 0' : 'string';
    case 'list':
      return `list of ${node.items.type === 'enum' ? typeOf(node.items) : node.items.type === 'object' ? 'mappings' : node.items.type}`;
  }
}

function rows(node: ObjectNode, prefix: string, out: string[], seen: Set<string>, inherited?: readonly string[]): void {
  for (const [name, child] of Object.entries(node.properties)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (seen.has(key)) continue;
    seen.add(key);
    const unless = child.suppliedBy ? ` unless \`${child.suppliedBy}\` says` : '';
    const required = node.required?.includes(name)
      ? `required${unless}`
      : child.requiredFor
        ? `required for ${child.requiredFor.join(', ')}${unless}`
        : child.default !== undefined
          ? `\`${JSON.stringify(child.default)}\`${child.suppliedBy ? ` or as \`${child.suppliedBy}\` says` : ''}`
          : node.exactlyOne?.includes(name)
            ? `one of ${node.exactlyOne.map((k) => `\`${k}\``).join(' / ')}`
            : child.requires
              ? `optional, with \`${child.requires}\``
              : 'optional';
    let doc = child.doc;
    if (child.type === 'enum' && child.valueDocs) doc += ' ' + child.values.map((v) => `\`${v}\`: ${child.valueDocs?.[v] ?? ''}`).join(' ');
    if (child.type === 'list' && child.items.type === 'enum' && child.items.valueDocs) doc += ' ' + child.items.values.map((v) => `\`${v}\`: ${child.items.type === 'enum' ? child.items.valueDocs?.[v] ?? '' : ''}`).join(' ');
    const users = child.models ?? inherited ?? (prefix === '' && name !== 'model' ? TRACE_MODELS : undefined);
    const models = users ? users.join(', ') : 'all';
    out.push(`| \`${key}\` | ${typeOf(child)} | ${required} | ${models} | ${doc.replace(/\|/g, '\\|')} |`);
    // Only the first level of `base` and `variants` is listed: their keys are the top-level ones.
    if (child.type === 'object' && name !== 'base') rows(child, key, out, seen, users);
    if (child.type === 'list' && child.items.type === 'object') {
      out.push(`| \`${key}[].name\` | string | required | compare | ${(child.items.properties.name?.doc ?? '').replace(/\|/g, '\\|')} Every other key of a variant is a top-level key above. |`);
    }
  }
}

/** A Markdown table of every key of the schema: type, default or requirement, documentation. */
export function specReferenceMarkdown(schema: ObjectNode): string {
  const out = ['| key | type | default | models | meaning |', '|---|---|---|---|---|'];
  rows(schema, '', out, new Set());
  return `${out.join('\n')}\n`;
}
