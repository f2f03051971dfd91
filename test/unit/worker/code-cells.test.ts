import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LabKernel, type CodeOutputSink, type KernelSettings } from '../../../src/extension/kernel';
import type { OutputItemBytes } from '../../../src/shared/protocol';
import { decodeOutput } from '../../../src/shared/trace';
import { kernelFailure } from '../kernel-failure';

/** The real worker bundle (and `code-cells.js` beside it), built by `node esbuild.config.mjs` before the tests. */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/** What a sink received, in order. */
interface Recorded extends CodeOutputSink {
  events: string[];
  shown: OutputItemBytes[][];
}

function recorder(onEvent?: (event: string) => void): Recorded {
  const events: string[] = [];
  const shown: OutputItemBytes[][] = [];
  return {
    events,
    shown,
    stream(stream, text) {
      events.push(`${stream}: ${text}`);
      onEvent?.(`${stream}: ${text}`);
    },
    display(outputs) {
      shown.push(outputs);
      events.push(`display: ${outputs.map((o) => o.mime).join(', ')}`);
    },
  };
}

function text(outputs: OutputItemBytes[]): string {
  assert.equal(outputs.length, 1, `one item, got ${outputs.map((o) => o.mime).join(', ')}`);
  assert.equal(outputs[0].mime, 'text/plain');
  return Buffer.from(outputs[0].data).toString('utf8');
}

const failure = (p: Promise<unknown>) => kernelFailure(p, 'expected the cell to fail');

describe('JavaScript and TypeScript cells (real worker thread)', () => {
  let k: LabKernel;
  let cellNumber = 0;
  const js = (source: string, sink: CodeOutputSink = recorder(), language: 'javascript' | 'typescript' = 'javascript') => k.runCode(source, language, DIST, `cell ${++cellNumber}`, sink);
  const ts = (source: string, sink: CodeOutputSink = recorder()) => js(source, sink, 'typescript');
  const start = (settings?: KernelSettings): void => {
    k = new LabKernel('test', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => undefined, settings: settings && (() => settings) });
  };
  beforeEach(() => start());
  afterEach(() => k.dispose());

  it('keeps let, const, destructured, function and class declarations from cell to cell', async () => {
    assert.deepEqual(await js('let a = 1\nconst { b, c: [d] } = { b: 2, c: [3] }\nvar e\nfunction f(x) { return x + a }\nclass K { m() { return 5 } }'), []);
    assert.equal(text(await js('a = 10\nf(b + d) + new K().m() + String(e)')), "'20undefined'");
    // A cell runs again: its const is assigned anew.
    assert.equal(text(await js('const a = 7\na * 2')), '14');
    assert.equal(text(await js('f(0)')), '7');
  });

  it('awaits at top level and shows the value of the last expression', async () => {
    assert.equal(text(await js('const v = await new Promise((r) => setTimeout(() => r(41), 20))\nv + 1')), '42');
    assert.equal(text(await js('({ answer: v + 1, list: [1, 2] })')), '{ answer: 42, list: [ 1, 2 ] }');
    assert.deepEqual(await js('let nothing = v;'), [], 'a declaration shows nothing');
    assert.equal(text(await js('tf.tensor2d([[1, 2], [3, 4]])')), 'Tensor float32 [2, 2]\n    [[1, 2],\n     [3, 4]]');
  });

  it('streams console output while the cell runs, in order, stdout and stderr apart', async () => {
    const sink = recorder();
    const outputs = await js('console.log("one", { n: 1 })\nconsole.error("two")\nawait new Promise((r) => setTimeout(r, 5))\nconsole.warn("three")\nconsole.info(tf.scalar(2))\n"done"', sink);
    assert.deepEqual(sink.events, ['stdout: one { n: 1 }\n', 'stderr: two\n', 'stderr: three\n', 'stdout: Tensor float32 []\n    2\n']);
    assert.equal(text(outputs), "'done'");
  });

  it('delivers console output of a cell that is still busy, then interrupts its endless loop by restarting the worker', async () => {
    let printed!: () => void;
    const firstLine = new Promise<void>((resolve) => {
      printed = resolve;
    });
    await js('globalThis.keptBefore = 1');
    const run = js('console.log("before the loop")\nwhile (true) {}', recorder(() => printed()));
    // The line arrives although the worker never returns to its event loop.
    await firstLine;
    assert.equal(k.state, 'busy');
    k.interrupt();
    const e = await failure(run);
    assert.equal(e.kind, 'cancelled');
    assert.match(e.message, /kernel was restarted and its state was lost/);
    // The next cell runs, in a fresh kernel.
    assert.equal(text(await js('typeof keptBefore')), "'undefined'");
  });

  it('names the cell and its own lines in the stack of an error, through functions of earlier cells', async () => {
    await js('// helpers\nfunction check(x) {\n  if (x < 0) throw new RangeError(`negative: ${x}`)\n  return x\n}');
    const e = await failure(js('const ok = check(1)\n\n  check(-2)'));
    assert.equal(e.kind, 'user');
    assert.equal(e.errorName, 'RangeError');
    assert.equal(e.message, 'negative: -2');
    assert.equal(e.detail, `RangeError: negative: -2\n    at check (cell ${cellNumber - 1}:3:20)\n    at cell ${cellNumber}:3:3`);
    const missing = await failure(js('let y = 1\ny + notDefined'));
    assert.equal(missing.detail, `ReferenceError: notDefined is not defined\n    at cell ${cellNumber}:2:5`);
  });

  it('maps TypeScript errors back to the TypeScript lines, types and interfaces stripped', async () => {
    const e = await failure(ts('interface Point {\n  x: number\n}\nconst p: Point = { x: 3 }\nfunction fail(n: number): never {\n  throw new TypeError("bad " + n)\n}\nfail(p.x)'));
    assert.equal(e.errorName, 'TypeError');
    assert.equal(e.detail, `TypeError: bad 3\n    at fail (cell ${cellNumber}:6:9)\n    at cell ${cellNumber}:8:1`);
    assert.equal(text(await ts('const q: number = p.x * 2\nq')), '6');
  });

  it('points at the line and column of a syntax error', async () => {
    let e = await failure(js('let a = 1\nlet b = (a +\n'));
    assert.equal(e.errorName, 'SyntaxError');
    assert.equal(e.message, `cell ${cellNumber}, line 2:13: Expression expected.`);
    e = await failure(js('const ok = 1\nclass A { x: number }'));
    assert.equal(e.message, `cell ${cellNumber}, line 2:11: Unexpected identifier 'x'`);
    e = await failure(ts('const x: number = 1\n  x +  = 3'));
    assert.equal(e.message, `cell ${cellNumber}, line 2:8: Expression expected.`);
    e = await failure(js('import fs from "node:fs"'));
    assert.match(e.message, /^cell \d+, line 1:1: cells are scripts, not modules: use require\(\.\.\.\) instead of import/);
  });

  it('gives cells tf and lab: traces shown with the charts, files shared with spec cells, traces of spec cells by name', async () => {
    const sink = recorder();
    const dims = await js('const t = await lab.trace({ model: "lstm", units: 4, input: { shape: [5, 3], random: { seed: 1 } } })\nlab.show(t)\nt.dims', sink);
    assert.equal(text(dims), '{ batch: 1, time: 5, units: 4, features: 3 }');
    assert.deepEqual(sink.events, ['display: application/vnd.fglab.trace+json, text/markdown']);
    const shown = decodeOutput(JSON.parse(Buffer.from(sink.shown[0][0].data).toString('utf8')));
    assert.ok(!('variants' in shown) && shown.model === 'lstm');

    // A tensor made in JavaScript, traced by a spec cell.
    await js('lab.share("steps.json", tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]))');
    const spec = await k.runSpec('model: gru\nunits: 2\ninput: { file: steps.json }\n', DIST, 'cell 20');
    const specTrace = decodeOutput(JSON.parse(Buffer.from(spec[0].data).toString('utf8')));
    assert.ok(!('variants' in specTrace));
    assert.deepEqual(specTrace.dims, { batch: 1, time: 3, units: 2, features: 2 });
    // And the spec cell's trace read back in JavaScript, its metrics through lab.metrics.
    const survival = await js('const g = lab.traceOf("cell 20")\nconst s = lab.metrics.survival(g.series.updateGate.data, 1, 3, 2);\n[g.model, s.length]');
    assert.equal(text(survival), "[ 'gru', 6 ]");
    const unknown = await failure(js('lab.traceOf("cell 99")'));
    assert.match(unknown.message, /^lab\.traceOf: no trace of "cell 99" in this kernel; cells with one: "cell \d+", "cell 20"$/);
    // A trace as the last value renders like a spec cell's.
    const last = await js('t');
    assert.deepEqual(last.map((o) => o.mime), ['application/vnd.fglab.trace+json', 'text/markdown']);
  });

  it('forgets everything on Restart Kernel', async () => {
    await js('const kept = 3');
    assert.equal(text(await js('kept')), '3');
    k.restart();
    const e = await failure(js('kept'));
    assert.equal(e.detail, `ReferenceError: kept is not defined\n    at cell ${cellNumber}:1:1`);
  });

  it('ends a cell that allocates without bound with the out-of-memory error, and the next cell runs in a new worker', async () => {
    k.dispose();
    start({ backend: 'wasm', memoryLimitMb: 96 });
    await js('const before = 1');
    const e = await failure(js('const keep = []\nwhile (true) keep.push({ a: [1, 2, 3], b: "x".repeat(64) + keep.length })'));
    assert.equal(e.kind, 'crashed');
    assert.match(e.message, /^The kernel ran out of memory: its JavaScript heap reached the 96 MB limit set by fglab\.workerMemoryLimitMB/);
    assert.equal(text(await js('typeof before')), "'undefined'");
  });
});
