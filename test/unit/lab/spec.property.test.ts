/**
 * Property tests of the spec parser and validator: generated specs, valid, near-valid and
 * garbage (deep nesting, huge numbers, NaN and Infinity, wrong types, very long strings),
 * each either runs or is refused with one `SpecError` line naming the key. Nothing else may
 * escape, and no case may hang.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { runSpec } from '../../../src/lab/run';
import { MAX_TRACE_BYTES } from '../../../src/lab/spec/schema';
import { estimateTraceBytes, parseSpec, type ModelSpec, type Spec } from '../../../src/lab/spec/model-spec';
import { SpecError } from '../../../src/lab/spec/validate';
import { assertProperty, cases, report } from '../soak';
import { setupLab } from './setup';

/** Generous bound of one case (a parse takes well under a millisecond; a small run a few): a hang, not a slow machine. */
const CASE_BOUND_MS = 20_000;
/** Longest error line accepted: one clear line, not a dump of the input. */
const MAX_MESSAGE = 600;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const FILES: Record<string, string> = { 'in.json': '[[1, 2], [3, 4], [5, 6]]', 'in.csv': 'a,b\n1,2\n3,4\n', 'broken.json': '[[1, 2], [3' };
const readFile = (path: string): Uint8Array => {
  if (!(path in FILES)) throw new Error(`no such file (${path})`);
  return new TextEncoder().encode(FILES[path]);
};

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const small = (max: number): fc.Arbitrary<number> => fc.integer({ min: 1, max });
const shape = fc.oneof(fc.tuple(small(6), small(4)).map((s) => [...s]), fc.tuple(small(2), small(5), small(3)).map((s) => [...s]));
const input = fc.oneof(
  fc.record({ shape, random: fc.record({ seed }, { requiredKeys: [] }) }),
  fc.record({ text: fc.string({ minLength: 1, maxLength: 12 }), tokens: fc.constantFrom('chars', 'words'), features: small(4), seed }, { requiredKeys: ['text'] }),
  fc.record({ file: fc.constantFrom('in.json', 'in.csv', 'missing.json', 'broken.json') }),
);
const weights = fc.oneof(fc.record({ seed }), fc.constant(undefined));
const show = fc.constantFrom<Json[] | undefined>([], ['influence'], undefined);

function defined(o: Record<string, unknown>): { [k: string]: Json } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [k: string]: Json };
}

const lstm = fc.record({
  model: fc.constant('lstm'), units: small(6), input, weights, show,
  recurrentActivation: fc.constantFrom('sigmoid', 'hardSigmoid', 'kerasHardSigmoid', undefined),
  unitForgetBias: fc.option(fc.boolean(), { nil: undefined }),
  forgetBias: fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: undefined }),
  init: fc.option(fc.record({ chrono: fc.integer({ min: 2, max: 1000 }) }), { nil: undefined }),
}).map(defined);
const gru = fc.record({
  model: fc.constant('gru'), units: small(6), input, weights, show,
  recurrentActivation: fc.constantFrom('sigmoid', 'hardSigmoid', undefined),
  resetAfter: fc.option(fc.boolean(), { nil: undefined }),
}).map(defined);
const prune = fc.option(fc.record({ below: fc.double({ min: 0, max: 0.99, noNaN: true }) }, { requiredKeys: [] }), { nil: undefined });
const attention = fc.record({
  model: fc.constant('attention'), heads: small(3), keyDim: small(4), input, weights, show, prune,
  score: fc.constantFrom('dot', 'scaled-dot', 'additive', undefined), causal: fc.option(fc.boolean(), { nil: undefined }),
}).map(defined);
const forgetting = fc.record({
  model: fc.constant('forgetting-attention'), heads: small(3), keyDim: small(4), input, weights, show, prune,
  forgetBias: fc.option(fc.double({ min: -5, max: 5, noNaN: true }), { nil: undefined }),
}).map(defined);
/** A recurrent model trained in the kernel on a small memory task, then traced on its test split. */
const training = fc.record({
  model: fc.constantFrom('lstm', 'gru'), units: small(4),
  task: fc.record({ name: fc.constantFrom('reber', 'copy', 'adding', 'recall'), length: fc.integer({ min: 2, max: 8 }), trainSize: small(4), testSize: fc.constant(1), testLength: fc.integer({ min: 2, max: 8 }), lag: small(3), symbols: small(3), seed }, { requiredKeys: ['name'] }),
  train: fc.record({ epochs: fc.constant(1), batchSize: small(4), learningRate: fc.double({ min: 1e-4, max: 0.1, noNaN: true }), optimizer: fc.constantFrom('adam', 'sgd', 'rmsprop'), name: fc.string({ minLength: 1, maxLength: 6 }) }, { requiredKeys: ['epochs'] }),
}).map(defined);
const oneModel = fc.oneof(lstm, gru, attention, forgetting, training);
const compare = fc.record({
  base: lstm,
  variants: fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), units: fc.option(small(6), { nil: undefined }), forgetBias: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }) }).map(defined), { minLength: 1, maxLength: 3, selector: (v) => v.name }),
}).map(({ base, variants }) => ({ model: 'compare', base: defined({ ...base, model: undefined }), variants }) as { [k: string]: Json });
const validSpec = fc.oneof({ arbitrary: oneModel, weight: 4 }, { arbitrary: compare, weight: 1 });

/** Values a user might put in the wrong place. */
const hugeString = fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n));
const badValue: fc.Arbitrary<Json | number> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 4097, 0, -1, 0.5, 1e-320),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', 'lstm', 'influence', '..', '../../etc/passwd', 'in.json', '.nan', '<script>'),
  hugeString,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(fc.integer({ min: -10, max: 1e9 }), { maxLength: 5 }),
);

/** A key path into a spec object, to mutate. */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function mutate(spec: Json, path: (string | number)[], action: 'set' | 'delete' | 'rename' | 'add', value: Json, key: string): Json {
  if (path.length === 0) return action === 'set' ? value : spec;
  const copy: Json = JSON.parse(JSON.stringify(spec, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
  let parent = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (action === 'set') parent[last] = value;
  else if (action === 'delete' && !Array.isArray(parent)) delete parent[last];
  else if (action === 'rename' && !Array.isArray(parent)) {
    parent[`${String(last).slice(0, -1)}${key}`] = parent[last];
    delete parent[last];
  } else if (action === 'add' && parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Record<string, Json>)[key] = value;
  return copy;
}

const nearValid = validSpec.chain((spec) => fc.tuple(
  fc.constant(spec as Json),
  fc.constantFrom(...paths(spec)),
  fc.constantFrom<'set' | 'delete' | 'rename' | 'add'>('set', 'set', 'delete', 'rename', 'add'),
  badValue,
  fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('unitz', 'shape', 'model', '__proto__', 'constructor')),
)).map(([spec, path, action, value, key]) => mutate(spec, path, action, value as Json, key));

/** YAML as a person writes it (block style), or flow style, or plain JSON (YAML is a superset). */
const toSource = (v: Json): fc.Arbitrary<string> => fc.constantFrom(
  stringify(v),
  stringify(v, { collectionStyle: 'flow' }),
  JSON.stringify(v) ?? '',
);

const deepNesting = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom('[', '{a: ', '- ', 'k:\n')).map(([n, open]) => {
  if (open === '[') return `model: lstm\nunits: ${'['.repeat(n)}1${']'.repeat(n)}\n`;
  if (open === '{a: ') return `model: lstm\ninput: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`;
  if (open === '- ') return `model: lstm\nunits: 2\ninput:\n  shape:\n${Array.from({ length: Math.min(n, 400) }, (_, i) => `${'  '.repeat(i + 2)}- `).join('\n')}1\n`;
  return `model: gru\n${Array.from({ length: Math.min(n, 400) }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`;
});
const hugeNumbers = fc.tuple(fc.constantFrom('units', 'input.shape', 'forgetBias', 'heads', 'init.chrono', 'input.random.seed'), fc.oneof(
  fc.constantFrom('.nan', '.inf', '-.inf', '1e309', '-1e309', '9007199254740993', '0x7fffffff', '0o777', '1_000', '4096.0', '-0', '1e-400'),
  fc.integer({ min: 20, max: 5_000 }).map((n) => '9'.repeat(n)),
)).map(([key, n]) => {
  if (key === 'input.shape') return `model: lstm\nunits: 4\ninput:\n  shape: [${n}, ${n}]\n  random: {}\n`;
  if (key === 'init.chrono') return `model: lstm\nunits: 4\ninit: { chrono: ${n} }\ninput: { shape: [3, 2], random: {} }\n`;
  if (key === 'input.random.seed') return `model: lstm\nunits: 4\ninput: { shape: [3, 2], random: { seed: ${n} } }\n`;
  if (key === 'heads') return `model: attention\nheads: ${n}\nkeyDim: 2\ninput: { shape: [3, 2], random: {} }\n`;
  return `model: lstm\nunits: ${key === 'units' ? n : 3}\n${key === 'forgetBias' ? `forgetBias: ${n}\n` : ''}input: { shape: [3, 2], random: {} }\n`;
});
const longStrings = fc.tuple(fc.integer({ min: 10_000, max: 300_000 }), fc.constantFrom('text', 'key', 'file', 'model', 'comment', 'name')).map(([n, where]) => {
  const s = 'ab'.repeat(n / 2);
  switch (where) {
    case 'text': return `model: lstm\nunits: 2\ninput: { text: "${s}" }\n`;
    case 'key': return `model: lstm\nunits: 2\n${s}: 1\ninput: { shape: [2, 2], random: {} }\n`;
    case 'file': return `model: lstm\nunits: 2\ninput: { file: ${s}.json }\n`;
    case 'model': return `model: ${s}\n`;
    case 'name': return `model: compare\nbase: { model: lstm, units: 2, input: { shape: [2, 2], random: {} } }\nvariants:\n  - name: ${s}\n  - name: ${s}\n`;
    default: return `# ${s}\nmodel: lstm\nunits: 2\ninput: { shape: [2, 2], random: {} }\n`;
  }
});
const garbage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom('model:', 'lstm', 'units:', '\n', '  ', '- ', '[', ']', '{', '}', ',', ':', '&a', '*a', '!!binary', '!!js/function', '%YAML 1.2', '---', '...', '"', "'", '#', '|', '>', '? ', '<<: *a', '\t', '\u0000', '\uFEFF'), { maxLength: 60 }).map((parts) => parts.join('')),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constant(`a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nmodel: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`),
);

/** Kinds of generated spec sources, with their share of the cases. */
const KINDS: [string, fc.Arbitrary<string>, number][] = [
  ['valid', validSpec.chain(toSource), 3],
  ['near-valid', nearValid.chain(toSource), 4],
  ['garbage', garbage, 2],
  ['deep nesting', deepNesting, 1],
  ['huge numbers, NaN, Infinity', hugeNumbers, 1],
  ['very long strings', longStrings, 1],
];

/** Whether a parsed spec is small enough to run in a unit test (its sizes come from the generators, or a mutation made them large). */
function smallEnough(spec: Spec): boolean {
  const specs: ModelSpec[] = spec.model === 'compare' ? spec.variants.map((v) => v.spec as ModelSpec) : [spec as ModelSpec];
  return specs.every((s) => {
    if ((s.model as string) === 'import') return true;
    const task = (s as { task?: { length?: number; testLength?: number; trainSize?: number } }).task;
    if (task) return (task.length ?? 100) <= 8 && (task.testLength ?? 100) <= 8 && (task.trainSize ?? 100) <= 4 && (s as { units?: number }).units! <= 8;
    if (!s.input) return false;
    const steps = s.input.shape ? s.input.shape.reduce((a, b) => a * b, 1) : s.input.text?.length ?? 20;
    const width = s.model === 'lstm' || s.model === 'gru' ? s.units : s.heads * s.keyDim;
    return steps <= 400 && width <= 64 && (s.input.features ?? 1) <= 64 && estimateTraceBytes(s, 1, steps) < 1024 ** 2;
  });
}

interface Tally { ran: number; refused: number; validated: number; slowestMs: number }

/** Runs or refuses one source; anything but a result or a one-line `SpecError` naming the key fails the test. */
async function check(source: string, tally: Tally): Promise<void> {
  const started = performance.now();
  let spec: Spec | undefined;
  try {
    spec = parseSpec(source);
    if (smallEnough(spec)) {
      await runSpec(source, { readFile });
      tally.ran++;
    } else tally.validated++;
  } catch (e) {
    if (!(e instanceof SpecError)) throw new Error(`an exception other than SpecError escaped: ${(e as Error).stack}\nsource: ${JSON.stringify(source.slice(0, 300))}`);
    assert.ok(!e.message.includes('\n'), `one line: ${JSON.stringify(e.message.slice(0, 300))}`);
    assert.ok(e.message.length <= MAX_MESSAGE, `a short line, got ${e.message.length} characters: ${JSON.stringify(e.message.slice(0, 300))}`);
    if (!e.message.startsWith('YAML')) {
      // The message names the key or a key under it (`task.lag` for key `task`).
      assert.ok(e.key !== undefined && e.message.includes(e.key.slice(0, 80)), `the message names its key (${e.key}): ${e.message}`);
    }
    tally.refused++;
  }
  const ms = performance.now() - started;
  tally.slowestMs = Math.max(tally.slowestMs, ms);
  assert.ok(ms < CASE_BOUND_MS, `a case took ${ms.toFixed(0)} ms: ${JSON.stringify(source.slice(0, 200))}`);
}

describe('spec parser and validator, property-based', function () {
  this.timeout(0);
  before(() => setupLab());

  const total = cases(400, 10_000);
  it(`runs or refuses with one line naming the key: ${total} generated specs`, async () => {
    const tally: Tally = { ran: 0, refused: 0, validated: 0, slowestMs: 0 };
    const weightSum = KINDS.reduce((n, k) => n + k[2], 0);
    let left = total;
    for (const [k, [name, arbitrary, weight]] of KINDS.entries()) {
      const n = k === KINDS.length - 1 ? left : Math.round((total * weight) / weightSum);
      left -= n;
      const before = { ...tally };
      await assertProperty(fc.asyncProperty(arbitrary, (source) => check(source, tally)), { numRuns: n, endOnFailure: true });
      report(`${name}: ${n} specs, ${tally.ran - before.ran} ran, ${tally.refused - before.refused} refused, ${tally.validated - before.validated} valid but too large to run here`);
    }
    report(`total ${tally.ran + tally.refused + tally.validated} specs; slowest case ${tally.slowestMs.toFixed(0)} ms`);
    assert.ok(tally.ran > total / 10, `valid specs ran (${tally.ran})`);
    assert.ok(tally.refused > total / 3, `bad specs were refused (${tally.refused})`);
  });

  it('refuses a trace over the size limit before allocating, with the estimated size', async () => {
    await assertProperty(fc.property(
      fc.constantFrom('lstm', 'gru'),
      fc.integer({ min: 1, max: 4096 }),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 1, max: 4096 }),
      (model, units, time, batch) => {
        const source = `model: ${model}\nunits: ${units}\ninput: { shape: [${batch}, ${time}, 3], random: {} }\n`;
        const bytes = estimateTraceBytes({ model, units } as ModelSpec, batch, time);
        try {
          parseSpec(source);
          assert.ok(bytes <= MAX_TRACE_BYTES, `accepted an estimated ${bytes} bytes`);
        } catch (e) {
          assert.ok(e instanceof SpecError, String(e));
          if (bytes > MAX_TRACE_BYTES) assert.match(e.message, /^input\.shape: expected a trace under 1\.0 GB, got an estimated \d+\.\d [GM]B \(batch \d+ × \d+ steps, model (lstm|gru)\)/);
          else assert.fail(`refused an estimated ${bytes} bytes: ${e.message}`);
        }
      },
    ), { numRuns: cases(300, 3000) });
  });
});
