import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labKernelName } from '../kernels/helpers';

/** The built command line (`npm test` builds before testing). */
const CLI = join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
const SAMPLES = join(__dirname, '..', '..', '..', '..', 'media', 'samples');

function fglab(args: string[], cwd: string): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, maxBuffer: 256 * 1024 ** 2 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

describe('fglab command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fglab-cli-'));
  writeFileSync(join(dir, 'classic.yaml'), 'model: lstm\nunits: 128\ninput:\n  shape: [10, 64]\n  random: { seed: 7 }\nweights:\n  seed: 1\n');
  writeFileSync(join(dir, 'small.yaml'), 'model: gru\nunits: 3\ninput: { file: x.json }\n');
  writeFileSync(join(dir, 'x.json'), JSON.stringify([[1, 0], [0, 1]]));

  it('prints the trace as JSON with every series as [batch][time][units] nested arrays', () => {
    const r = fglab(['trace', 'classic.yaml'], dir);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout.toString('utf8'));
    assert.deepEqual(Object.keys(json), ['model', 'dims', 'series', 'metrics']);
    assert.deepEqual(json.dims, { batch: 1, time: 10, units: 128, features: 64 });
    assert.deepEqual(Object.keys(json.series), ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden', 'survival']);
    for (const s of Object.values(json.series) as number[][][][]) {
      assert.equal(s.length, 1);
      assert.equal(s[0].length, 10);
      assert.equal(s[0][0].length, 128);
    }
    assert.equal(json.metrics.halfLife.length, 128);
    assert.deepEqual(Object.keys(json.metrics.saturation), ['low', 'high']);
    assert.equal(r.stderr, '', 'nothing on stderr');
  });

  it('writes CSV, .npy and PNG files with --out', () => {
    assert.equal(fglab(['trace', 'small.yaml', '--format', 'csv', '--out', 'a.csv'], dir).code, 0);
    const csv = readFileSync(join(dir, 'a.csv'), 'utf8').split('\n');
    assert.equal(csv[0], 'batch,step,unit,updateGate,resetGate,candidate,hidden,survival');
    assert.equal(csv.length, 1 + 2 * 3 + 1);
    assert.equal(fglab(['trace', 'small.yaml', '--format', 'npy', '--series', 'hidden', '--out', 'h.npy'], dir).code, 0);
    const npy = readFileSync(join(dir, 'h.npy'));
    assert.match(npy.subarray(10, 10 + npy.readUInt16LE(8)).toString('latin1'), /'shape': \(1, 2, 3\)/);
    assert.equal(fglab(['trace', 'small.yaml', '--format', 'png', '--out', 'a.png'], dir).code, 0);
    assert.deepEqual([...readFileSync(join(dir, 'a.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('takes --seed as the seed of the seeded keys a spec leaves out', () => {
    writeFileSync(join(dir, 'unseeded.yaml'), 'model: lstm\nunits: 3\ninput: { shape: [4, 2], random: {} }\n');
    writeFileSync(join(dir, 'seeded.yaml'), 'model: lstm\nunits: 3\ninput: { shape: [4, 2], random: { seed: 5 } }\nweights: { seed: 5 }\n');
    const hidden = (args: string[]): unknown => {
      const r = fglab(['trace', ...args], dir);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout.toString('utf8')).series.hidden;
    };
    assert.deepEqual(hidden(['unseeded.yaml', '--seed', '5']), hidden(['seeded.yaml']));
    assert.deepEqual(hidden(['unseeded.yaml']), hidden(['unseeded.yaml', '--seed', '0']));
    assert.notDeepEqual(hidden(['unseeded.yaml']), hidden(['unseeded.yaml', '--seed', '5']));
    const bad = fglab(['trace', 'unseeded.yaml', '--seed', '-1'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--seed: expected an integer ≥ 0, got "-1"/);
  });

  it('fails with one line naming the key, and exit code 1, on a bad spec', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'model: lstm\nunits: 0\ninput: { shape: [2, 2], random: {} }\n');
    const r = fglab(['trace', 'bad.yaml'], dir);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'fglab: units: expected an integer from 1 to 4096, got 0 (line 2)\n');
    const missing = fglab(['trace', 'nope.yaml'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^fglab: spec: cannot read ".*nope\.yaml": no such file\n$/);
  });

  it('fails with exit code 2 on a usage error', () => {
    const r = fglab(['trace', 'classic.yaml', '--format', 'xml'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'fglab: --format: expected json, csv, npy or png, got "xml"\n');
    assert.equal(fglab(['frobnicate'], dir).code, 2);
  });

  it('runs a notebook and writes its outputs: trace, summary and picture', () => {
    const nb = join(dir, 'gru.fglab');
    writeFileSync(nb, readFileSync(join(SAMPLES, 'gru-update-gate.fglab')));
    const r = fglab(['run', 'gru.fglab', '--out', 'gru-out.fglab'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(nb), readFileSync(join(SAMPLES, 'gru-update-gate.fglab')), 'the input stays as it was with --out');
    const out = JSON.parse(readFileSync(join(dir, 'gru-out.fglab'), 'utf8'));
    const cell = out.cells.find((c: { kind: string }) => c.kind === 'code');
    assert.deepEqual(cell.outputs[0].items.map((i: { mime: string }) => i.mime), ['application/vnd.fglab.trace+json', 'text/markdown', 'image/png']);
    assert.equal(cell.execution.success, true);
    assert.equal(cell.execution.order, 1);
  });

  it('stops at a failing cell, writes its error output and exits 1', () => {
    const nb = { fglab: 1, cells: [
      { kind: 'code', language: 'fglab', source: ['model: lstm', 'units: 2', 'input: { shape: [2, 2], random: {} }'] },
      { kind: 'code', language: 'fglab', source: ['model: lstm', 'unit: 2'] },
      { kind: 'code', language: 'fglab', source: ['model: lstm', 'units: 2', 'input: { shape: [2, 2], random: {} }'] },
    ] };
    writeFileSync(join(dir, 'fail.fglab'), JSON.stringify(nb));
    const r = fglab(['run', 'fail.fglab'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fglab: cell 2: unit: unknown key; .* \(line 2\)\n$/);
    const out = JSON.parse(readFileSync(join(dir, 'fail.fglab'), 'utf8'));
    assert.equal(out.cells[0].execution.success, true);
    assert.equal(out.cells[1].execution.success, false);
    assert.equal(out.cells[1].outputs[0].items[0].mime, 'application/vnd.code.notebook.error');
    assert.equal(out.cells[2].outputs, undefined, 'the cell after the failure did not run');
  });

  it('runs JavaScript and TypeScript cells in one kernel with the spec cells, as VS Code does', () => {
    const nb = { fglab: 1, cells: [
      { kind: 'code', language: 'javascript', source: ['const x = tf.ones([1, 6, 2])', 'lab.share("x.json", x)', 'console.log("shared", x.shape)', 'console.log("twice")', 'x.shape'] },
      { kind: 'code', language: 'fglab', source: ['model: lstm', 'units: 3', 'input: { file: x.json }'] },
      { kind: 'code', language: 'typescript', source: ['const t = lab.traceOf("cell 2") as { dims: { time: number } }', 'const steps: number = t.dims.time', 'console.warn("steps", steps)', 'lab.show(t)', 'steps'] },
      { kind: 'code', language: 'javascript', source: ['function boom() {', '  throw new Error("no " + steps)', '}', 'boom()'] },
      { kind: 'code', language: 'javascript', source: ['"not run"'] },
    ] };
    writeFileSync(join(dir, 'code.fglab'), JSON.stringify(nb));
    const r = fglab(['run', 'code.fglab'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fglab: cell 4: Error: no 6\n    at boom \(cell 4:2:9\)\n    at cell 4:4:1\n$/);
    const out = JSON.parse(readFileSync(join(dir, 'code.fglab'), 'utf8'));
    const items = (cell: number) => out.cells[cell].outputs.map((o: { items: { mime: string; value: unknown }[] }) => o.items.map((i) => [i.mime, typeof i.value === 'string' ? i.value : '…']));
    assert.deepEqual(items(0), [[['application/vnd.code.notebook.stdout', 'shared [ 1, 6, 2 ]\ntwice\n']], [['text/plain', '[ 1, 6, 2 ]']]]);
    assert.equal(out.cells[1].outputs[0].items[0].value.dims.time, 6);
    assert.deepEqual(items(2).map((o: string[][]) => o.map(([mime]) => mime)), [['application/vnd.code.notebook.stderr'], ['application/vnd.fglab.trace+json', 'text/markdown'], ['text/plain']]);
    assert.equal(items(2)[0][0][1], 'steps 6\n');
    assert.deepEqual(JSON.parse(out.cells[3].outputs[0].items[0].value), { name: 'Error', message: 'no 6', stack: 'Error: no 6\n    at boom (cell 4:2:9)\n    at cell 4:4:1' });
    assert.equal(out.cells[4].outputs, undefined, 'the cell after the failure did not run');
  });

  it('refuses a broken notebook without touching it', () => {
    writeFileSync(join(dir, 'broken.fglab'), '{"fglab": 1, "cells": [');
    const r = fglab(['run', 'broken.fglab'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^fglab: file is not valid JSON at line 1, column \d+/);
    assert.equal(readFileSync(join(dir, 'broken.fglab'), 'utf8'), '{"fglab": 1, "cells": [');
  });

  it('times a spec with bench and prints one JSON line: median, runs, warm-up, spread, sizes, engine', () => {
    const r = fglab(['bench', 'classic.yaml', '--runs', '3', '--warmup', '1'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.toString('utf8').split('\n');
    assert.deepEqual(lines.slice(1), [''], 'one line');
    const json = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(json), ['medianMs', 'runs', 'warmup', 'minMs', 'maxMs', 'traceMB', 'peakRssMB', 'baseRssMB', 'kernel', 'backend']);
    assert.equal(json.runs, 3);
    assert.equal(json.warmup, 1);
    assert.ok(json.minMs > 0 && json.minMs <= json.medianMs && json.medianMs <= json.maxMs, JSON.stringify(json));
    // 7 series of [1, 10, 128] float32 (the 16-bit outputs are not what is timed).
    assert.equal(json.traceMB, Math.round((7 * 10 * 128 * 4 / 2 ** 20) * 1000) / 1000);
    assert.ok(json.peakRssMB > json.traceMB && json.peakRssMB >= json.baseRssMB * 0.9, JSON.stringify(json));
    assert.deepEqual([json.kernel, json.backend], [labKernelName(), 'wasm']);
    // Files named by the spec are read before the timed runs; defaults apply without options.
    const small = fglab(['bench', 'small.yaml', '--runs', '1', '--warmup', '0'], dir);
    assert.equal(small.code, 0, small.stderr);
    assert.deepEqual(Object.entries(JSON.parse(small.stdout.toString('utf8'))).filter(([k]) => k === 'runs' || k === 'warmup'), [['runs', 1], ['warmup', 0]]);
  });

  it('rejects bench arguments it cannot use with exit code 2 and one line', () => {
    const cases: [string[], string][] = [
      [['bench'], 'fglab: bench: expected one spec file, got 0\n'],
      [['bench', 'classic.yaml', '--runs', '2.5'], 'fglab: --runs: expected a whole number from 1, got "2.5"\n'],
      [['bench', 'classic.yaml', '--warmup', '-1'], 'fglab: --warmup: expected a whole number from 0, got "-1"\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = fglab(args, dir);
      assert.deepEqual([r.code, r.stderr, r.stdout.length], [2, stderr, 0], args.join(' '));
    }
    const missing = fglab(['bench', 'nope.yaml'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^fglab: spec: cannot read ".*nope\.yaml": no such file\n$/);
  });
});
