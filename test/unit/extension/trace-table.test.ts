import assert from 'node:assert/strict';
import type { Trace } from '../../../src/shared/trace';
import { traceTableMarkdown } from '../../../src/extension/trace-table';
import { exportTrace, readTraceOutput, tracesOf } from '../../../src/extension/trace-export';
import { runSpecCell } from '../../../src/lab';
import { setupLab } from '../lab/setup';

/** A trace with `series[name][b][t][u] = t + u / 1000`. */
function syntheticTrace(batch: number, time: number, units: number): Trace {
  const data = new Float32Array(batch * time * units);
  for (let b = 0; b < batch; b++) for (let t = 0; t < time; t++) for (let u = 0; u < units; u++) data[(b * time + t) * units + u] = t + u / 1000;
  const shape = [batch, time, units];
  return {
    model: 'lstm',
    dims: { batch, time, units, features: 3 },
    series: { forgetGate: { shape, data }, hidden: { shape, data } },
    metrics: { halfLife: Array.from({ length: units }, (_, u) => (u === 0 ? null : u)), saturation: { low: new Array(units).fill(0.25), high: new Array(units).fill(0.5) } },
  } as Trace;
}

describe('trace as a table', () => {
  it('shows the metrics per unit and each series step by step', () => {
    const md = traceTableMarkdown(syntheticTrace(1, 3, 2), 'nb cell 1', { maxRows: 10, maxColumns: 10 }, () => ['batch', 'time', 'unit']);
    assert.match(md, /^# nb cell 1\n\nModel `lstm`: batch 1, time 3, units 2, features 3\./);
    assert.match(md, /\| 0 \| — \| 0\.2500 \| 0\.5000 \|/);
    assert.match(md, /### `forgetGate` \[1, 3, 2\] at \[0, …\]\n\n\| time \| unit 0 \| unit 1 \|/);
    assert.match(md, /\| 2 \| 2\.0000 \| 2\.0010 \|/);
  });

  it('stays small for a large trace and says what it left out', () => {
    const md = traceTableMarkdown(syntheticTrace(2, 5000, 512), 'big', { maxRows: 40, maxColumns: 12 }, () => ['batch', 'time', 'unit']);
    assert.ok(md.length < 40_000, `${md.length} characters`);
    assert.match(md, /first 40 of 5000 times, 12 of 512 units/);
    assert.match(md, /## Memory per unit \(first 12 of 512\)/);
  });
});

describe('trace exports from cell output bytes', () => {
  before(setupLab);

  it('reads a run\'s output item and writes JSON, CSV and .npy', async () => {
    const [item] = await runSpecCell('model: lstm\nunits: 3\ninput: { shape: [4, 2], random: { seed: 1 } }\n', { readFile: () => assert.fail('no files') });
    const traces = tracesOf(readTraceOutput(item.data));
    assert.equal(traces.length, 1);
    const { trace } = traces[0];
    const json = JSON.parse(new TextDecoder().decode(exportTrace(trace, 'json')));
    assert.equal(json.series.forgetGate.length, 1);
    assert.equal(json.series.forgetGate[0].length, 4);
    assert.equal(json.series.forgetGate[0][0].length, 3);
    const csv = new TextDecoder().decode(exportTrace(trace, 'csv')).trim().split('\n');
    assert.match(csv[0], /^batch,step,unit,/);
    assert.equal(csv.length, 1 + 4 * 3);
    const npy = exportTrace(trace, 'npy');
    assert.deepEqual([...npy.subarray(0, 6)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
  });
});
