/**
 * Completion and hover for spec cells, read from the one schema (`SPEC_SCHEMA`) by walking it
 * generically: object, integer, boolean, enum, path and shape nodes with their `doc`,
 * `default`, `valueDocs`, `required` and `exactlyOne`. New keys and models in the schema show
 * up here without a change. No `vscode` import: the providers in `spec-providers.ts` adapt
 * these plain results, and the unit tests call them directly.
 */
import type { ObjectNode, SchemaNode } from '../lab/spec/schema';
import { cursorContext, findKey, stripComment, wordAt, type LineRange } from './spec-cursor';
import { escapeSnippet, MODEL_TEMPLATES, specSnippet } from './templates';

/** One completion, in words VS Code's `CompletionItem` takes. */
export interface SpecCompletion {
  label: string;
  kind: 'key' | 'value' | 'snippet';
  /** Snippet syntax (`$1`, `${1|a,b|}`, `$0`). */
  insertText: string;
  /** One line: type, default. */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Open the suggestions again after inserting (a key whose value has choices). */
  retrigger?: boolean;
  /** Orders the list: required keys first, then the schema's order. */
  sortText: string;
}

/** What to complete at a position: items, and for a path value the folder listing the caller must do. */
export interface SpecCompletions {
  items: SpecCompletion[];
  /** Set when the value is a file path: list files with these extensions, relative to the notebook. */
  path?: { extensions: readonly string[]; prefix: string };
}

/**
 * Any schema node, read loosely: the walk looks at the fields a node has rather than at a
 * closed list of node types, so node types added to the schema later still get their docs,
 * and the kinds it knows (object, integer, number, boolean, string, enum, path, shape, list)
 * get completions.
 */
interface AnyNode {
  type: string;
  doc: string;
  default?: unknown;
  /** Models that use the key (absent: all). */
  models?: readonly string[];
  /** Models that require the key. */
  requiredFor?: readonly string[];
  properties?: Record<string, AnyNode>;
  required?: readonly string[];
  exactlyOne?: readonly string[];
  values?: readonly string[];
  valueDocs?: Readonly<Record<string, string>>;
  extensions?: readonly string[];
  minimum?: number;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  /** Item of a shape. */
  item?: AnyNode;
  /** Items of a list. */
  items?: AnyNode;
  maxLength?: number;
}

const loose = (node: SchemaNode | ObjectNode): AnyNode => node as unknown as AnyNode;

function has(o: Record<string, AnyNode> | undefined, key: string): o is Record<string, AnyNode> {
  return !!o && Object.prototype.hasOwnProperty.call(o, key);
}

/** A list of mappings holds its keys in its items: `variants: [- name: a …]`. */
function container(node: AnyNode | undefined): AnyNode | undefined {
  if (node?.type === 'list' && node.items?.type === 'object') return node.items;
  return node;
}

function walk(schema: ObjectNode, path: readonly string[]): AnyNode | undefined {
  let node: AnyNode | undefined = loose(schema);
  for (const key of path) {
    node = container(node);
    if (!node || !has(node.properties, key)) return undefined;
    node = node.properties[key];
  }
  return node;
}

/** The schema node at a key path (through lists of mappings), or undefined when the path leaves the schema. */
export function nodeAt(schema: ObjectNode, path: readonly string[]): SchemaNode | undefined {
  return walk(schema, path) as unknown as SchemaNode | undefined;
}

function isBounded(max: number | undefined): max is number {
  return max !== undefined && max < Number.MAX_SAFE_INTEGER;
}

function rangeText(kind: string, n: AnyNode): string {
  const upper = n.exclusiveMaximum ? '<' : '≤';
  if (n.minimum !== undefined && isBounded(n.maximum)) {
    return n.exclusiveMaximum ? `${kind} ${n.minimum} ≤ x < ${n.maximum}` : `${kind} ${n.minimum}…${n.maximum}`;
  }
  if (n.minimum !== undefined) return `${kind} ≥ ${n.minimum}`;
  if (isBounded(n.maximum)) return `${kind} ${upper} ${n.maximum}`;
  return kind;
}

function typeOf(n: AnyNode): string {
  switch (n.type) {
    case 'object':
      return 'mapping';
    case 'integer':
    case 'number':
      return rangeText(n.type, n);
    case 'boolean':
      return 'true | false';
    case 'string':
      return n.maxLength !== undefined ? `text (up to ${n.maxLength} characters)` : 'text';
    case 'enum':
      return (n.values ?? []).join(' | ');
    case 'path':
      return `file path (${(n.extensions ?? []).join(', ')}), relative to the notebook`;
    case 'shape': {
      const count = n.minItems === n.maxItems ? `${n.minItems}` : `${n.minItems}–${n.maxItems}`;
      return `list of ${count} integers${n.item?.minimum !== undefined ? ` ≥ ${n.item.minimum}` : ''}`;
    }
    case 'list':
      return `list (up to ${n.maxItems}) of ${n.items ? typeOf(n.items) : 'items'}`;
    default:
      return n.type;
  }
}

/** A node's type in words: `integer 1…4096`, `sigmoid | hardSigmoid`, `file path (.json), …`. */
export function typeText(node: SchemaNode): string {
  return typeOf(loose(node));
}

/** Whether the key is required, has a default, or is one of an exactly-one group, in words. */
function presenceText(parent: AnyNode | undefined, name: string, node: AnyNode): string {
  if (parent?.required?.includes(name)) return 'required';
  if (parent?.exactlyOne?.includes(name)) return `exactly one of ${parent.exactlyOne.map((k) => `\`${k}\``).join(', ')}`;
  const parts: string[] = [];
  if (node.requiredFor?.length) parts.push(`required for ${node.requiredFor.join(', ')}`);
  if (node.default !== undefined) parts.push(`default \`${JSON.stringify(node.default)}\``);
  return parts.length ? parts.join('; ') : 'optional';
}

/** Markdown documentation of the key at `path`: name, type, default or requirement, meaning, values. */
export function keyDocumentation(schema: ObjectNode, path: readonly string[]): string | undefined {
  const node = walk(schema, path);
  if (!node) return undefined;
  const name = path[path.length - 1] ?? 'spec';
  const parent = container(walk(schema, path.slice(0, -1)));
  const lines = [`**\`${path.join('.') || name}\`** — ${typeOf(node)} · ${presenceText(parent, name, node)}`, '', node.doc];
  if (node.models?.length) lines.push('', `Used by: ${node.models.map((m) => `\`${m}\``).join(', ')}.`);
  const choices = node.type === 'list' && node.items?.type === 'enum' ? node.items : node;
  if (choices.type === 'enum') {
    lines.push('');
    for (const v of choices.values ?? []) lines.push(`- \`${v}\`${choices.valueDocs?.[v] ? `: ${choices.valueDocs[v]}` : ''}`);
  }
  const keys = container(node);
  if (keys?.type === 'object' && keys.properties) lines.push('', `Keys: ${Object.keys(keys.properties).map((k) => `\`${k}\``).join(', ')}.`);
  return lines.join('\n');
}

function placeholders(count: number, start: number): string {
  return Array.from({ length: count }, (_, i) => `\${${i + 1}:${start}}`).join(', ');
}

function keyInsertText(name: string, node: AnyNode, flow: boolean): { text: string; retrigger: boolean } {
  switch (node.type) {
    case 'object':
      return { text: flow ? `${name}: { $0 }` : `${name}:\n  $0`, retrigger: flow };
    case 'boolean': {
      const first = node.default === false ? ['false', 'true'] : ['true', 'false'];
      return { text: `${name}: \${1|${first.join(',')}|}`, retrigger: false };
    }
    case 'integer':
    case 'number': {
      const start = typeof node.default === 'number' ? node.default : (node.minimum ?? 0);
      return { text: `${name}: \${1:${start}}`, retrigger: false };
    }
    case 'shape':
      return { text: `${name}: [${placeholders(node.minItems ?? 1, node.item?.minimum ?? 1)}]`, retrigger: false };
    case 'list':
      if (node.items?.type === 'object') return { text: flow ? `${name}: [{ $0 }]` : `${name}:\n  - $0`, retrigger: true };
      return { text: `${name}: [$0]`, retrigger: node.items?.type === 'enum' };
    case 'string':
      return { text: `${name}: "$1"`, retrigger: false };
    case 'enum':
    case 'path':
      return { text: `${name}: $0`, retrigger: true };
    default:
      return { text: `${name}: $0`, retrigger: false };
  }
}

/** The value written for `model:` in the mapping at `path`, in `base`, or at the top. */
function modelOf(text: string, path: readonly string[]): string | undefined {
  const lines = text.split(/\r?\n/);
  for (const where of [path, ['base'], []]) {
    const found = findKey(text, [...where, 'model']);
    if (!found) continue;
    const after = stripComment(lines[found.line]).slice(found.end).replace(/^\s*:/, '');
    const value = /^\s*["']?([\w-]+)/.exec(after)?.[1];
    // `compare` names no model of its own: inside base or variants, the keys of every model apply.
    if (value && !(value === 'compare' && path.length > 0)) return value;
  }
  return undefined;
}

function keyCompletions(schema: ObjectNode, text: string, path: string[], siblings: readonly string[], flow: boolean): SpecCompletion[] {
  const node = container(walk(schema, path));
  if (node?.type !== 'object' || !node.properties) return [];
  const model = modelOf(text, path);
  const taken = new Set(siblings);
  const chosen = node.exactlyOne?.find((k) => taken.has(k));
  const required = (name: string, child: AnyNode): boolean => !!node.required?.includes(name) || (!!model && !!child.requiredFor?.includes(model));
  return Object.entries(node.properties)
    .filter(([name, child]) => !taken.has(name) && !(chosen && node.exactlyOne?.includes(name)) && !(model && child.models && !child.models.includes(model)))
    .map(([name, child], i) => {
      const { text: insertText, retrigger } = keyInsertText(name, child, flow);
      return {
        label: name,
        kind: 'key' as const,
        insertText,
        detail: `${typeOf(child)} · ${presenceText(node, name, child)}`,
        documentation: keyDocumentation(schema, [...path, name]),
        retrigger,
        sortText: `${required(name, child) ? 0 : 1}${String(i).padStart(3, '0')}`,
      };
    });
}

function valueCompletions(schema: ObjectNode, path: string[], inList: boolean): SpecCompletions {
  let node = walk(schema, path);
  if (node?.type === 'list' && node.items) node = node.items;
  if (!node) return { items: [] };
  const value = (label: string, i: number, documentation?: string, detail?: string): SpecCompletion => ({
    label, kind: 'value', insertText: escapeSnippet(label), documentation, detail, sortText: String(i).padStart(3, '0'),
  });
  switch (node.type) {
    case 'enum':
      return { items: (node.values ?? []).map((v, i) => value(v, i, node?.valueDocs?.[v], v === node?.default ? 'default' : undefined)) };
    case 'boolean':
      return { items: [true, false].map((v, i) => value(String(v), i, undefined, v === node?.default ? 'default' : undefined)) };
    case 'integer':
    case 'number':
      return { items: typeof node.default === 'number' ? [value(String(node.default), 0, node.doc, 'default')] : [] };
    case 'path':
      return { items: [], path: { extensions: node.extensions ?? [], prefix: '' } };
    case 'shape':
      if (inList) return { items: [] };
      return {
        items: [{
          label: `[${Array.from({ length: node.minItems ?? 1 }, () => 'n').join(', ')}]`,
          kind: 'value',
          insertText: `[${placeholders(node.minItems ?? 1, node.item?.minimum ?? 1)}]`,
          documentation: node.doc,
          detail: typeOf(node),
          sortText: '000',
        }],
      };
    default:
      return { items: [] };
  }
}

/** Model snippets offered on a new spec's first key (one per template in `MODEL_TEMPLATES`). */
function snippetCompletions(): SpecCompletion[] {
  return MODEL_TEMPLATES.map((t, i) => ({
    label: t.snippetPrefix,
    kind: 'snippet' as const,
    insertText: specSnippet(t),
    detail: t.label,
    documentation: t.description,
    sortText: `9${String(i).padStart(3, '0')}`,
  }));
}

/** Completions at (`line`, `character`), 0-based, of a spec cell's text. */
export function completeSpec(schema: ObjectNode, text: string, line: number, character: number): SpecCompletions {
  const ctx = cursorContext(text, line, character);
  if (ctx.kind === 'none') return { items: [] };
  if (ctx.kind === 'key') {
    const node = container(walk(schema, ctx.path));
    // A key with no value on its line, then a deeper line: the value of a scalar key.
    if (node && node.type !== 'object') return withPrefix(valueCompletions(schema, ctx.path, false), ctx.prefix);
    const items = keyCompletions(schema, text, ctx.path, ctx.siblings, ctx.flow);
    if (ctx.path.length === 0 && !ctx.siblings.includes('model')) items.push(...snippetCompletions());
    return { items };
  }
  // `- ` in a list of mappings starts an item: its keys.
  if (ctx.inList && container(walk(schema, ctx.path))?.type === 'object') return { items: keyCompletions(schema, text, ctx.path, [], false) };
  return withPrefix(valueCompletions(schema, ctx.path, ctx.inList), ctx.prefix);
}

function withPrefix(c: SpecCompletions, prefix: string): SpecCompletions {
  return c.path ? { ...c, path: { ...c.path, prefix } } : c;
}

/** Hover documentation for the word at (`line`, `character`): a key's docs, or a value's docs under its key's. */
export function hoverSpec(schema: ObjectNode, text: string, line: number, character: number): { markdown: string; range: LineRange } | undefined {
  const word = wordAt(text, line, character);
  if (!word) return undefined;
  const current = text.split(/\r?\n/)[line];
  const isKey = /^\s*:/.test(current.slice(word.end));
  const ctx = cursorContext(text, line, word.end);
  const range = { line: word.line, start: word.start, end: word.end };
  if (isKey && ctx.kind === 'key' && ctx.prefix === word.word) {
    const markdown = keyDocumentation(schema, [...ctx.path, word.word]);
    return markdown ? { markdown, range } : undefined;
  }
  if (ctx.kind !== 'value') return undefined;
  let node = walk(schema, ctx.path);
  const doc = keyDocumentation(schema, ctx.path);
  if (!node || !doc) return undefined;
  if (node.type === 'list' && node.items) node = node.items;
  const valueDoc = node.type === 'enum' ? node.valueDocs?.[word.word] : undefined;
  if (valueDoc) return { markdown: `**\`${word.word}\`**: ${valueDoc}\n\n---\n\n${doc}`, range };
  return { markdown: doc, range };
}
