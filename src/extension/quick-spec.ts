/**
 * "Trace a Model…": which models can be traced from a few numbers, what to ask for, checks of
 * the answers against the schema, and the spec they make. Reads the schema generically: a
 * model qualifies when every key it requires (besides `model` and `input`) is an integer.
 * No `vscode` import.
 */
import type { ObjectNode } from '../lab/spec/schema';

/** An integer key to ask for, with its bounds and meaning. */
export interface AskedKey {
  name: string;
  doc: string;
  minimum?: number;
  maximum?: number;
  /** Suggested answer. */
  value: number;
}

interface LooseNode {
  type: string;
  doc: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  requiredFor?: readonly string[];
  models?: readonly string[];
  values?: readonly string[];
  valueDocs?: Readonly<Record<string, string>>;
  minItems?: number;
  maxItems?: number;
  item?: LooseNode;
  properties?: Record<string, LooseNode>;
}

const props = (schema: ObjectNode): Record<string, LooseNode> => schema.properties as unknown as Record<string, LooseNode>;

/** Suggested sizes, in the spirit of the classic example (`units=128`, input `(10, 64)`). */
const SUGGESTED: Readonly<Record<string, number>> = { units: 128, keyDim: 16, heads: 1 };
const SUGGESTED_SHAPE = [10, 64];

function requiredKeys(schema: ObjectNode, model: string): string[] {
  return Object.entries(props(schema))
    .filter(([name, node]) => name !== 'model' && name !== 'input' && (schema.required?.includes(name) || node.requiredFor?.includes(model)))
    .map(([name]) => name);
}

/** Models that can be traced from integers and a shape, with their docs. */
export function traceableModels(schema: ObjectNode): { model: string; doc: string }[] {
  const model = props(schema).model;
  if (model?.type !== 'enum' || !model.values) return [];
  return model.values
    .filter((m) => requiredKeys(schema, m).every((k) => props(schema)[k].type === 'integer'))
    .map((m) => ({ model: m, doc: model.valueDocs?.[m] ?? '' }));
}

/** The integer keys to ask for when tracing `model`, in schema order. */
export function askedKeys(schema: ObjectNode, model: string): AskedKey[] {
  return requiredKeys(schema, model).map((name) => {
    const node = props(schema)[name];
    const value = SUGGESTED[name] ?? (typeof node.default === 'number' ? node.default : node.minimum ?? 1);
    return { name, doc: node.doc, minimum: node.minimum, maximum: node.maximum, value };
  });
}

/** Checks a typed integer against a key's bounds: undefined when fine, else what is wrong. */
export function integerProblem(key: AskedKey, text: string): string | undefined {
  const t = text.trim();
  const v = Number(t);
  const range = key.maximum !== undefined && key.maximum < Number.MAX_SAFE_INTEGER ? ` from ${key.minimum ?? 0} to ${key.maximum}` : key.minimum !== undefined ? ` ≥ ${key.minimum}` : '';
  if (!/^-?\d+$/.test(t) || (key.minimum !== undefined && v < key.minimum) || (key.maximum !== undefined && v > key.maximum)) {
    return `${key.name}: expected an integer${range}, got ${t === '' ? 'nothing' : JSON.stringify(t)}`;
  }
  return undefined;
}

/** The input shape node (`input.shape`): its item count bounds. */
function shapeNode(schema: ObjectNode): LooseNode | undefined {
  return props(schema).input?.properties?.shape;
}

/** Suggested shape text, `10, 64`. */
export const SHAPE_SUGGESTION = SUGGESTED_SHAPE.join(', ');

/** Reads `10, 64` or `[2, 10, 64]` as a shape; a string says what is wrong. */
export function parseShape(schema: ObjectNode, text: string): number[] | string {
  const node = shapeNode(schema);
  const min = node?.minItems ?? 2;
  const max = node?.maxItems ?? 3;
  const parts = text.trim().replace(/^\[|\]$/g, '').split(/[\s,×x]+/).filter((p) => p !== '');
  const dims = parts.map(Number);
  const expected = `input.shape: expected ${min === max ? min : `${min} or ${max}`} integers ≥ 1 ([time, features]${max > 2 ? ' or [batch, time, features]' : ''})`;
  if (parts.length < min || parts.length > max || !dims.every((d) => Number.isInteger(d) && d >= 1)) return `${expected}, got ${JSON.stringify(text.trim())}`;
  return dims;
}

/** The spec of a quick trace: the model, the asked keys, a seeded random input of `shape`, seeded weights. */
export function quickSpec(model: string, values: Readonly<Record<string, number>>, shape: readonly number[]): string {
  return [
    `# ${model}, traced with "Forget Gate Lab: Trace a Model…"`,
    `model: ${model}`,
    ...Object.entries(values).map(([k, v]) => `${k}: ${v}`),
    'input:',
    `  shape: [${shape.join(', ')}]`,
    '  random: { seed: 0 }',
    'weights: { seed: 0 }',
  ].join('\n');
}
