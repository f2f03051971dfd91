import assert from 'node:assert/strict';
import { parseCsv, parseNpy, readArrayFile } from '../../../src/lab/files';
import { traceToNpy } from '../../../src/lab/export';
import { encodeTokens, tokenize, vocabulary } from '../../../src/lab/text';
import type { Trace } from '../../../src/shared/trace';

/** A .npy file built byte by byte as NumPy writes it (format 1.0). */
function npy(descr: string, shape: number[], values: number[], fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const size = descr.endsWith('8') ? 8 : 4;
  const out = Buffer.alloc(10 + header.length + values.length * size);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(out);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  values.forEach((v, i) => {
    const at = 10 + header.length + i * size;
    if (size === 8) descr.startsWith('>') ? out.writeDoubleBE(v, at) : out.writeDoubleLE(v, at);
    else descr.startsWith('>') ? out.writeFloatBE(v, at) : out.writeFloatLE(v, at);
  });
  return new Uint8Array(out);
}

describe('input files', () => {
  it('reads .npy float32 and float64, little- and big-endian', () => {
    assert.deepEqual(parseNpy(npy('<f4', [2, 3], [1, 2, 3, 4, 5, 6]), 'input.file'), { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    assert.deepEqual(parseNpy(npy('<f8', [3, 1], [0.5, -1, 2]), 'k').data, Float32Array.of(0.5, -1, 2));
    assert.deepEqual(parseNpy(npy('>f8', [1, 2], [7, 8]), 'k').data, Float32Array.of(7, 8));
  });

  it('reads back the .npy the exporter writes', () => {
    const trace = { model: 'lstm', dims: { batch: 1, time: 2, units: 1, features: 1 }, series: { hidden: { shape: [1, 2, 1], data: Float32Array.of(0.25, -0.75) } }, metrics: {} } as Trace;
    assert.deepEqual(parseNpy(traceToNpy(trace, 'hidden'), 'k'), { shape: [1, 2, 1], data: Float32Array.of(0.25, -0.75) });
  });

  it('refuses other dtypes, Fortran order, truncated data and NaN with the reason', () => {
    assert.throws(() => parseNpy(npy('<i4', [2], [1, 2]), 'input.file'), /input\.file: expected float32 or float64 values, got dtype "<i4"/);
    assert.throws(() => parseNpy(npy('<f4', [2, 2], [1, 2, 3, 4], true), 'input.file'), /expected C order, got fortran_order True/);
    const whole = npy('<f4', [2, 2], [1, 2, 3, 4]);
    assert.throws(() => parseNpy(whole.subarray(0, whole.length - 4), 'input.file'), /the \.npy data is truncated: expected 16 bytes for shape \(2, 2\), got 12/);
    assert.throws(() => parseNpy(npy('<f4', [2], [1, NaN]), 'input.file'), /expected finite numbers, got NaN at flat index 1/);
    assert.throws(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'input.file'), /expected a NumPy \.npy file/);
  });

  it('reads a CSV with or without a header row', () => {
    assert.deepEqual(parseCsv('a,b\n1,2\n3,4.5\n', 'k'), { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4.5) });
    assert.deepEqual(parseCsv('1,2\r\n3,4\r\n', 'k').shape, [2, 2]);
    assert.throws(() => parseCsv('1,2\n3\n', 'input.file'), /expected 2 columns on every row, got 1 on data row 2/);
    assert.throws(() => parseCsv('1,2\n3,x\n', 'input.file'), /expected a number on data row 2, column 2, got "x"/);
  });

  it('chooses the parser by extension', () => {
    const files: Record<string, Uint8Array> = { 'a.csv': new TextEncoder().encode('1,2\n'), 'a.npy': npy('<f4', [1, 2], [1, 2]), 'a.json': new TextEncoder().encode('[[1,2]]') };
    for (const name of Object.keys(files)) assert.deepEqual(readArrayFile((p) => files[p], name, 'input.file'), { shape: [1, 2], data: Float32Array.of(1, 2) });
  });
});

describe('text input', () => {
  it('splits characters and words, punctuation as its own token', () => {
    assert.deepEqual(tokenize('ab c', 'chars'), ['a', 'b', ' ', 'c']);
    assert.deepEqual(tokenize("Don't panic, it's 42!", 'words'), ["Don't", 'panic', ',', "it's", '42', '!']);
    assert.deepEqual(vocabulary(['b', 'a', 'b']), ['b', 'a']);
  });

  it('one-hot encodes over the vocabulary in order of first appearance', () => {
    const e = encodeTokens(['x', 'y', 'x'], undefined, 0);
    assert.equal(e.features, 2);
    assert.deepEqual(Array.from(e.data), [1, 0, 0, 1, 1, 0]);
  });

  it('embeds with a seeded table: the same token gets the same row', () => {
    const e = encodeTokens(['x', 'y', 'x'], 5, 3);
    assert.equal(e.features, 5);
    assert.deepEqual(e.data.subarray(0, 5), e.data.subarray(10, 15));
    assert.notDeepEqual(e.data.subarray(0, 5), e.data.subarray(5, 10));
    assert.deepEqual(encodeTokens(['x'], 5, 3).data, e.data.subarray(0, 5));
  });
});
