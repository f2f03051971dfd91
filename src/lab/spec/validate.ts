/**
 * Parses a spec cell (YAML) and checks it against `SPEC_SCHEMA`. Errors are one line naming
 * the key, what was expected, what was got and the line: `units: expected an integer ≥ 1,
 * got 0 (line 2)`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ObjectNode, SchemaNode } from './schema';

/** A spec the user wrote is wrong. `key` is the dotted path, `line` is 1-based. */
export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    message: string,
    readonly key?: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line})`);
  }
}

/** Plain JSON value of a validated spec, with defaults filled in. */
export type SpecValue = string | number | boolean | SpecValue[] | { [key: string]: SpecValue };

interface Context {
  lines: LineCounter;
}

function lineOf(ctx: Context, node: YamlNode | null | undefined): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : ctx.lines.linePos(offset).line;
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
    return String(v);
  }
  return 'something else';
}

function fail(ctx: Context, key: string, expected: string, node: YamlNode | null | undefined): never {
  throw new SpecError(`${key}: expected ${expected}, got ${describe(node)}`, key, lineOf(ctx, node));
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggestion(word: string, options: readonly string[]): string {
  const best = options.map((o) => [o, distance(word, o)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(best[0].length / 3)) ? `; did you mean "${best[0]}"?` : '';
}

function joinKey(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function orList(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function validateObject(ctx: Context, schema: ObjectNode, node: YamlNode | null | undefined, key: string): { [k: string]: SpecValue } {
  const where = key || 'spec';
  if (!isMap(node)) fail(ctx, where, 'a mapping of keys', node);
  const names = Object.keys(schema.properties);
  const out: { [k: string]: SpecValue } = {};
  const present = new Map<string, YamlNode | null>();
  for (const pair of node.items) {
    const k = pair.key;
    if (!isScalar(k) || typeof k.value !== 'string') fail(ctx, where, 'keys that are names', k as YamlNode);
    const name = k.value;
    if (!(name in schema.properties)) {
      throw new SpecError(`${joinKey(key, name)}: unknown key; expected one of ${names.join(', ')}${suggestion(name, names)}`, joinKey(key, name), lineOf(ctx, k));
    }
    present.set(name, pair.value as YamlNode | null);
  }
  for (const name of schema.required ?? []) {
    if (!present.has(name)) throw new SpecError(`${joinKey(key, name)}: required key is missing`, joinKey(key, name), lineOf(ctx, node));
  }
  if (schema.exactlyOne) {
    const given = schema.exactlyOne.filter((n) => present.has(n));
    if (given.length !== 1 && !(given.length === 0 && schema.default !== undefined)) {
      const got = given.length === 0 ? 'neither' : `both ${given.map((g) => `"${g}"`).join(' and ')}`;
      throw new SpecError(`${where}: expected exactly one of ${orList(schema.exactlyOne)}, got ${got}`, where, lineOf(ctx, node));
    }
  }
  for (const name of names) {
    const child = schema.properties[name];
    if (present.has(name)) out[name] = validateNode(ctx, child, present.get(name), joinKey(key, name));
    else if (child.default !== undefined) out[name] = JSON.parse(JSON.stringify(child.default)) as SpecValue;
  }
  return out;
}

function validateInteger(ctx: Context, schema: { minimum?: number; maximum?: number }, node: YamlNode | null | undefined, key: string): number {
  const range = schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER
    ? ` from ${schema.minimum} to ${schema.maximum}`
    : schema.minimum !== undefined ? ` ≥ ${schema.minimum}` : '';
  const expected = `an integer${range}`;
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) fail(ctx, key, expected, node);
  const v = node.value;
  if ((schema.minimum !== undefined && v < schema.minimum) || (schema.maximum !== undefined && v > schema.maximum)) fail(ctx, key, expected, node);
  return v;
}

function validateNode(ctx: Context, schema: SchemaNode, node: YamlNode | null | undefined, key: string): SpecValue {
  switch (schema.type) {
    case 'object':
      return validateObject(ctx, schema, node, key);
    case 'integer':
      return validateInteger(ctx, schema, node, key);
    case 'boolean':
      if (!isScalar(node) || typeof node.value !== 'boolean') fail(ctx, key, 'true or false', node);
      return node.value;
    case 'enum':
      if (!isScalar(node) || typeof node.value !== 'string' || !schema.values.includes(node.value)) {
        const hint = isScalar(node) && typeof node.value === 'string' ? suggestion(node.value, schema.values) : '';
        throw new SpecError(`${key}: expected ${orList(schema.values)}, got ${describe(node)}${hint}`, key, lineOf(ctx, node));
      }
      return node.value;
    case 'path': {
      if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') fail(ctx, key, 'a file path', node);
      const path = node.value;
      if (!schema.extensions.some((e) => path.toLowerCase().endsWith(e))) fail(ctx, key, `a ${schema.extensions.join(' or ')} file`, node);
      return path;
    }
    case 'shape': {
      const expected = `a list of ${schema.minItems === schema.maxItems ? schema.minItems : `${schema.minItems} or ${schema.maxItems}`} integers ≥ ${schema.item.minimum ?? 0}`;
      if (!isSeq(node) || node.items.length < schema.minItems || node.items.length > schema.maxItems) fail(ctx, key, expected, node);
      return node.items.map((item, i) => validateInteger(ctx, schema.item, item as YamlNode, `${key}[${i}]`));
    }
  }
}

/**
 * Parses YAML source and validates it against `schema`. Returns the plain value with defaults
 * filled in; throws `SpecError` for the first problem found.
 */
export function parseSpecSource(source: string, schema: ObjectNode): { [k: string]: SpecValue } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const pos = lines.linePos(problem.pos[0]);
    const message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
    throw new SpecError(`YAML syntax error at line ${pos.line}, column ${pos.col}: ${message}`, undefined, undefined);
  }
  const ctx: Context = { lines };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new SpecError('spec: expected a YAML mapping starting with `model:`, got an empty cell', 'spec');
  }
  return validateObject(ctx, schema, doc.contents as YamlNode, '');
}
