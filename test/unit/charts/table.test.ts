import assert from 'node:assert/strict';
import { boundedTable, csvNumber, stepTable, tableCsv, unitTable } from '../../../src/charts/table';
import { traceOf } from './helpers';

const trace = traceOf([[[0.1, 0.2, 0.3, 0.4], [1, 0, 0.5, 0.5]]], { halfLife: [1, 3, null, 2], labels: ['the', 'cat'] });
trace.metrics.saturation = { low: [0, 0.5, 0, 0], high: [0.5, 0, 0, 0] };

describe('data tables', () => {
  it('lists each step with its token and the forget gate mean and quartiles over units', () => {
    const table = stepTable(trace);
    assert.deepEqual(table.columns, ['step', 'token', 'mean f', 'Q1', 'median', 'Q3']);
    assert.deepEqual(table.rows, [
      ['0', 'the', '0.25', '0.175', '0.25', '0.325'],
      ['1', 'cat', '0.5', '0.375', '0.5', '0.625'],
    ]);
  });

  it('lists each unit with its mean forget gate, half-life and saturation', () => {
    // Unit means over the two steps: (0.1 + 1) / 2, (0.2 + 0) / 2, (0.3 + 0.5) / 2, (0.4 + 0.5) / 2.
    assert.deepEqual(unitTable(trace).rows, [
      ['0', '0.55', '1', '0', '0.5'],
      ['1', '0.1', '3', '0.5', '0'],
      ['2', '0.4', '—', '0', '0'],
      ['3', '0.45', '2', '0', '0'],
    ]);
  });
});

describe('CSV and bounded tables', () => {
  it('writes float32 values with the shortest decimals that read back the same', () => {
    assert.equal(csvNumber(Math.fround(0.1)), '0.1');
    assert.equal(csvNumber(Math.fround(1 / 3)), '0.33333334');
    assert.equal(csvNumber(NaN), '');
    assert.equal(csvNumber(-Infinity), '-Infinity');
  });

  it('quotes text that holds commas, quotes or line breaks', () => {
    const csv = tableCsv({ caption: 'c', columns: ['token', 'v'], rowCount: 2, row: (r) => [r === 0 ? 'a,"b"' : 'x', r] });
    assert.equal(csv, 'token,v\n"a,""b""",0\nx,1\n');
  });

  it('shows at most the rows and columns asked for and counts the rest', () => {
    let built = 0;
    const t = boundedTable({ caption: 'c', columns: ['a', 'b', 'c'], rowCount: 1000, row: (r) => { built++; return [r, r / 3, null]; } }, 2, 2);
    assert.deepEqual([t.rows, t.columns, t.totalRows, t.totalColumns, built], [[['0', '0'], ['1', '0.3333']], ['a', 'b'], 1000, 3, 2]);
  });
});
