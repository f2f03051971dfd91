/**
 * Parses a spec cell (YAML) and checks it against `SPEC_SCHEMA`. Errors are one line naming
 * the key, what was expected, what was got and the line: `units: expected an integer from 1
 * to 4096, got 0 (line 2)`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { LIMITS, RECURRENT_MODELS, SPEC_SCHEMA, TRACE_MODELS, type ObjectNode, type SchemaNode, type SpecModel } from './schema';

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
export type SpecObject = { [key: string]: SpecValue };

/** Finds the line of a key path (`input.shape[1]`), or undefined. */
export type LineOf = (path: string) => number | undefined;

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  return String(v);
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

/** `; did you mean "x"?` when one of `options` is close to `word`. */
export function suggestion(word: string, options: readonly string[]): string {
  if (word.length > MAX_KEY_SHOWN) return ''; // no option is close, and the distance would cost length² time
  const best = options.map((o) => [o, distance(word, o)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(best[0].length / 3)) ? `; did you mean "${best[0]}"?` : '';
}

/** Longest key path quoted whole in an error; longer ones (a pasted line used as a key) are cut, so the error stays one readable line. */
const MAX_KEY_SHOWN = 80;

/** `key`, or its start and its length when it is longer than `MAX_KEY_SHOWN`. */
export function shortKey(key: string): string {
  return key.length <= MAX_KEY_SHOWN ? key : `${key.slice(0, MAX_KEY_SHOWN)}… (a key of ${key.length} characters)`;
}

function joinKey(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function orList(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function isObject(v: unknown): v is SpecObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `node` (a property) applies to `model`. */
export function appliesTo(node: SchemaNode, model: SpecModel | undefined): boolean {
  return model === undefined || !node.models || node.models.includes(model);
}

/** Whether the dotted key path `path` (`weights.file`) is given in `value`. */
export function isGiven(value: unknown, path: string): boolean {
  let v = value;
  for (const part of path.split('.')) {
    if (!isObject(v)) return false;
    v = v[part];
  }
  return v !== undefined;
}

/**
 * How the top level of a spec is validated: `model` (undefined while a model file is still to
 * say it, then `candidates` are the models it may say), and the spec as written, for keys
 * whose value another key can supply (`suppliedBy`).
 */
interface TopLevel {
  model: SpecModel | undefined;
  candidates: readonly SpecModel[];
  written: SpecObject;
}

class Validator {
  constructor(
    private readonly lineOf: LineOf,
    /** Prefix of error messages, for example `variants[1] "chrono": `. */
    private readonly prefix = '',
    /** Value of every absent seed whose node says `seedDefault`. */
    readonly defaultSeed = 0,
  ) {}

  /** The value of an absent key: its default, with the run's default seed for seeds. */
  defaultOf(node: SchemaNode): SpecValue {
    if (node.seedDefault) return this.defaultSeed;
    const value = JSON.parse(JSON.stringify(node.default)) as SpecValue;
    if (node.type === 'object' && isObject(value)) {
      for (const [name, child] of Object.entries(node.properties)) if (child.seedDefault && value[name] !== undefined) value[name] = this.defaultSeed;
    }
    return value;
  }

  fail(key: string, message: string, linePath = key): never {
    throw new SpecError(`${this.prefix}${shortKey(key)}: ${message}`, key, this.lineOf(linePath));
  }

  expected(key: string, expected: string, got: unknown): never {
    return this.fail(key, `expected ${expected}, got ${describe(got)}`);
  }

  /**
   * Validates an object. `model` decides which keys apply (top level and `base`/variants);
   * nested objects pass `undefined` (their keys always apply).
   */
  object(schema: ObjectNode, value: unknown, key: string, model: SpecModel | undefined, allowed?: readonly string[], top?: TopLevel): SpecObject {
    const where = key || 'spec';
    if (!isObject(value)) this.expected(where, 'a mapping of keys', value);
    const names = allowed ?? Object.keys(schema.properties);
    // A key another key supplies (`units` from `weights.file`) is neither required nor defaulted.
    const supplied = (child: SchemaNode): boolean => top !== undefined && child.suppliedBy !== undefined && isGiven(top.written, child.suppliedBy);
    for (const name of Object.keys(value)) {
      const child = schema.properties[name];
      if (!child || !names.includes(name)) {
        if (child && model) {
          const users = child.models ?? TRACE_MODELS;
          this.fail(joinKey(key, name), `not used by model ${model}; it applies to ${users.join(', ')}`);
        }
        this.fail(joinKey(key, name), `unknown key; expected one of ${names.join(', ')}${suggestion(name, names)}`);
      }
      if (model && !appliesTo(child, model)) this.fail(joinKey(key, name), `not used by model ${model}; it applies to ${child.models?.join(', ')}`);
      if (child.requires !== undefined && value[child.requires] === undefined) this.fail(joinKey(key, name), `only used with ${joinKey(key, child.requires)}`);
    }
    for (const name of names) {
      const child = schema.properties[name];
      const requiredForModel = model !== undefined ? child.requiredFor?.includes(model) : top !== undefined && top.candidates.every((m) => child.requiredFor?.includes(m));
      const required = schema.required?.includes(name) || requiredForModel;
      if (required && value[name] === undefined && !supplied(child)) this.fail(joinKey(key, name), model && child.requiredFor ? `required for model ${model}` : 'required key is missing', key);
    }
    if (schema.exactlyOne) {
      const given = schema.exactlyOne.filter((n) => value[n] !== undefined);
      if (given.length !== 1) {
        const got = given.length === 0 ? 'neither' : `both ${given.map((g) => `"${g}"`).join(' and ')}`;
        this.fail(where, `expected exactly one of ${orList(schema.exactlyOne)}, got ${got}`, key);
      }
    }
    const out: SpecObject = {};
    // While the model is still to be read from a file, only defaults every candidate shares.
    const defaulted = (child: SchemaNode): boolean =>
      child.default !== undefined && !supplied(child) && (child.requires === undefined || value[child.requires] !== undefined) &&
      (model !== undefined || top === undefined || top.candidates.every((m) => appliesTo(child, m)));
    for (const name of names) {
      const child = schema.properties[name];
      if (model && !appliesTo(child, model)) continue;
      if (value[name] !== undefined) out[name] = this.node(child, value[name], joinKey(key, name));
      else if (defaulted(child)) out[name] = this.defaultOf(child);
    }
    return out;
  }

  integer(schema: { minimum?: number; maximum?: number }, value: unknown, key: string): number {
    const bounded = schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER;
    const range = bounded ? ` from ${schema.minimum} to ${schema.maximum}` : schema.minimum !== undefined ? ` ≥ ${schema.minimum}` : '';
    const expected = `an integer${range}`;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.expected(key, expected, value);
    if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) this.expected(key, expected, value);
    return value;
  }

  node(schema: SchemaNode, value: unknown, key: string): SpecValue {
    switch (schema.type) {
      case 'object':
        return this.object(schema, value, key, undefined);
      case 'integer':
        return this.integer(schema, value, key);
      case 'number': {
        const upper = schema.maximum === undefined ? '' : `${schema.exclusiveMaximum ? '<' : '≤'} ${schema.maximum}`;
        const expected = schema.minimum !== undefined && upper ? `a number ≥ ${schema.minimum} and ${upper}` : 'a finite number';
        if (typeof value !== 'number' || !Number.isFinite(value)) this.expected(key, expected, value);
        const tooHigh = schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum);
        if ((schema.minimum !== undefined && value < schema.minimum) || tooHigh) this.expected(key, expected, value);
        return value;
      }
      case 'boolean':
        if (typeof value !== 'boolean') this.expected(key, 'true or false', value);
        return value;
      case 'string':
        if (schema.orIndex && typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
        if (typeof value !== 'string') this.expected(key, schema.orIndex ? 'a string or an index ≥ 0' : 'a string', value);
        if (value.length > schema.maxLength) this.expected(key, `at most ${schema.maxLength} characters`, value);
        return value;
      case 'enum':
        if (typeof value !== 'string' || !schema.values.includes(value)) {
          const hint = typeof value === 'string' ? suggestion(value, schema.values) : '';
          this.fail(key, `expected ${orList(schema.values)}, got ${describe(value)}${hint}`);
        }
        return value;
      case 'path': {
        if (typeof value !== 'string' || value.trim() === '') this.expected(key, 'a file path', value);
        if (value.length > LIMITS.pathLength) this.expected(key, `a file path of at most ${LIMITS.pathLength} characters`, value);
        if (!schema.extensions.some((e) => value.toLowerCase().endsWith(e))) this.expected(key, `a ${schema.extensions.join(', ')} file`, value);
        return value;
      }
      case 'shape': {
        const expected = `a list of ${schema.minItems === schema.maxItems ? schema.minItems : `${schema.minItems} or ${schema.maxItems}`} integers ≥ ${schema.item.minimum ?? 0}`;
        if (!Array.isArray(value) || value.length < schema.minItems || value.length > schema.maxItems) this.expected(key, expected, value);
        return value.map((item, i) => this.integer(schema.item, item, `${key}[${i}]`));
      }
      case 'list': {
        const expected = `a list of ${schema.minItems} to ${schema.maxItems} entries`;
        if (!Array.isArray(value) || value.length < schema.minItems || value.length > schema.maxItems) this.expected(key, expected, value);
        return value.map((item, i) => this.node(schema.items, item, `${key}[${i}]`));
      }
    }
  }
}

/** Top-level keys a model may use. */
function keysFor(model: SpecModel): string[] {
  const own = ['base', 'variants'];
  return Object.entries(SPEC_SCHEMA.properties)
    .filter(([name, node]) => (model === 'compare' ? name === 'model' || own.includes(name) : !own.includes(name) && appliesTo(node, model)))
    .map(([name]) => name);
}

/**
 * Reads `model:` first: which keys apply depends on it. Undefined when it is left out for a
 * model file to say (`suppliedBy`).
 */
function readModel(v: Validator, value: unknown, key: string): SpecModel | undefined {
  if (!isObject(value)) v.expected(key || 'spec', 'a mapping of keys', value);
  const node = SPEC_SCHEMA.properties.model;
  if (value.model === undefined) {
    if (node.suppliedBy !== undefined && isGiven(value, node.suppliedBy)) return undefined;
    v.fail(joinKey(key, 'model'), 'required key is missing', key);
  }
  return v.node(node, value.model, joinKey(key, 'model')) as SpecModel;
}

/**
 * Merges a variant into the base: mappings merge key by key; a key of an `exactlyOne` group
 * replaces the group's other keys (a variant with `input.file` drops the base's `random`).
 */
function mergeVariant(base: SpecObject, variant: SpecObject, schema: ObjectNode): SpecObject {
  const out: SpecObject = { ...base };
  if (schema.exactlyOne && schema.exactlyOne.some((k) => variant[k] !== undefined)) {
    for (const k of schema.exactlyOne) delete out[k];
    // Keys used with a replaced key go with it (`weights.layer` with `weights.file`).
    for (const [k, child] of Object.entries(schema.properties)) if (child.requires !== undefined && schema.exactlyOne.includes(child.requires)) delete out[k];
  }
  for (const [k, v] of Object.entries(variant)) {
    const child = schema.properties[k];
    out[k] = child?.type === 'object' && isObject(v) && isObject(out[k]) ? mergeVariant(out[k] as SpecObject, v, child) : v;
  }
  return out;
}

/**
 * A validated spec of one traced model. `model` (and the keys a model file supplies) may be
 * absent when `weights.file` is given: `completeSpec` fills them in from the file.
 */
export type ModelSpecValue = SpecObject & { model: Exclude<SpecModel, 'compare'> };

/**
 * What a spec with `weights.file` needs to be completed once the file is read: the spec as
 * written (variants merged), and where its keys are, for errors with lines.
 */
export interface WrittenSpec {
  value: SpecObject;
  lineOf: LineOf;
  /** Prefix of error messages (a variant's name). */
  prefix: string;
  /** The run's default seed. */
  defaultSeed: number;
}

/** A validated `compare` spec: the merged spec of every variant. */
export interface CompareSpecValue {
  model: 'compare';
  variants: { name: string; spec: ModelSpecValue }[];
}

function validateModelSpec(v: Validator, value: unknown, key: string): ModelSpecValue {
  const model = readModel(v, value, key);
  if (model === 'compare') v.fail(joinKey(key, 'model'), 'expected a model to trace (compare cannot be nested)');
  const written = value as SpecObject;
  // Without `model`, a model file will say lstm or gru: the keys of either are accepted now
  // and checked again against the one it says.
  const candidates = model ? [model] : RECURRENT_MODELS;
  const allowed = [...new Set(candidates.flatMap(keysFor))];
  return v.object(SPEC_SCHEMA, value, key, model, allowed, { model, candidates, written }) as ModelSpecValue;
}

/** Attaches what `completeSpec` needs to a spec that reads its weights from a file. */
function withWritten(spec: ModelSpecValue, value: unknown, v: Validator, lineOf: LineOf, prefix: string): ModelSpecValue {
  if (isGiven(value, 'weights.file')) Object.defineProperty(spec, WRITTEN, { value: { value: value as SpecObject, lineOf, prefix, defaultSeed: v.defaultSeed } satisfies WrittenSpec, enumerable: false });
  return spec;
}

/** How a spec is read where it runs. */
export interface SpecOptions {
  /** Seed of every seeded key the spec leaves out (`fglab.defaultSeed`); default 0. */
  defaultSeed?: number;
}

/** Hidden property of a validated spec that holds its `WrittenSpec` (not part of its JSON). */
const WRITTEN = Symbol('written');

/** The spec as written, for a spec with `weights.file` (see `completeSpec`). */
export function writtenSpec(spec: object): WrittenSpec | undefined {
  return (spec as { [WRITTEN]?: WrittenSpec })[WRITTEN];
}

/**
 * Validates a spec again once its model file has said what the spec left out: `supplied`
 * holds the file's values (`model`, `units`, …), used where the spec is silent. The result
 * has every default filled in, as if the spec had said it all.
 */
export function completeSpec(written: WrittenSpec, supplied: SpecObject): ModelSpecValue {
  const value: SpecObject = { ...written.value };
  for (const [k, v] of Object.entries(supplied)) if (value[k] === undefined) value[k] = v;
  const v = new Validator(written.lineOf, written.prefix, written.defaultSeed);
  const model = readModel(v, value, '') as Exclude<SpecModel, 'compare'>;
  return v.object(SPEC_SCHEMA, value, '', model, keysFor(model)) as ModelSpecValue;
}

/**
 * Parses YAML source and validates it against the schema. Returns the plain value with
 * defaults filled in; throws `SpecError` for the first problem found.
 */
export function parseSpecSource(source: string, options: SpecOptions = {}): ModelSpecValue | CompareSpecValue {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const pos = lines.linePos(problem.pos[0]);
    const message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
    throw new SpecError(`YAML syntax error at line ${pos.line}, column ${pos.col}: ${message}`);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new SpecError('spec: expected a YAML mapping starting with `model:`, got an empty cell', 'spec');
  }
  const lineMap = keyLines(doc.contents as YamlNode, lines);
  const lineOf: LineOf = (path) => lineMap.get(path);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw new SpecError(`YAML: ${(e as Error).message}`);
  }
  const defaultSeed = options.defaultSeed ?? 0;
  const v = new Validator(lineOf, '', defaultSeed);
  const model = readModel(v, value, '');
  if (model !== 'compare') return withWritten(validateModelSpec(v, value, ''), value, v, lineOf, '');

  const top = v.object(SPEC_SCHEMA, value, '', 'compare', keysFor('compare'));
  const raw = value as { base: SpecObject; variants: SpecObject[] };
  validateModelSpec(v, raw.base, 'base');
  const names = new Set<string>();
  const variants = (top.variants as SpecObject[]).map((_, i) => {
    const given = raw.variants[i];
    const name = given.name as string;
    if (names.has(name)) v.fail(`variants[${i}].name`, `expected a name not used by another variant, got ${JSON.stringify(name)}`);
    names.add(name);
    const { name: _name, ...changes } = given;
    const merged = mergeVariant(raw.base, changes, SPEC_SCHEMA);
    // Lines: the variant's own key if it sets it, else the base's.
    const variantLines: LineOf = (path) => lineOf(`variants[${i}].${path}`) ?? lineOf(`base.${path}`) ?? lineOf(`variants[${i}]`);
    const prefix = `variants[${i}] ${JSON.stringify(name)}: `;
    const variant = new Validator(variantLines, prefix, defaultSeed);
    return { name, spec: withWritten(validateModelSpec(variant, merged, ''), merged, variant, variantLines, prefix) };
  });
  return { model: 'compare', variants };
}

/** Line of every key path in the document: `model`, `input.shape`, `input.shape[1]`, `variants[0].name`. */
function keyLines(root: YamlNode, lines: LineCounter): Map<string, number> {
  const map = new Map<string, number>();
  const lineAt = (n: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    n?.range ? lines.linePos(n.range[0]).line : undefined;
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const here = lineAt(node);
      if (here !== undefined && !map.has(path)) map.set(path, here);
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = joinKey(path, String(pair.key.value));
        const line = lineAt(pair.key as YamlNode);
        if (line !== undefined) map.set(key, line);
        walk(pair.value, key);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const key = `${path}[${i}]`;
        const line = lineAt(item as YamlNode);
        if (line !== undefined) map.set(key, line);
        walk(item, key);
      });
    }
  };
  walk(root, '');
  return map;
}
