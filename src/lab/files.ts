/**
 * Reading numeric arrays from files named in specs: JSON nested lists, NumPy `.npy`, CSV.
 * Every problem is a `SpecError` naming the key and the position.
 */
import { SpecError } from './spec/validate';
import { utf8Decode } from '../shared/utf8';

/** Reads a file named in a spec; relative paths resolve against the notebook's folder. */
export type ReadFile = (path: string) => Uint8Array;

/** A rectangular array of finite numbers, flattened row-major. */
export interface NumericArray {
  shape: number[];
  data: Float32Array;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v);
  return typeof v === 'object' ? 'an object' : String(v);
}

/** Flattens a nested list of depth `minDepth..maxDepth`, checking that it is rectangular and finite. */
export function readNested(value: unknown, key: string, minDepth: number, maxDepth: number, expected: string): NumericArray {
  const shape: number[] = [];
  for (let v: unknown = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  if (shape.length < minDepth || shape.length > maxDepth || shape.includes(0)) {
    throw new SpecError(`${key}: expected ${expected}, got ${shape.length === 0 ? describe(value) : `a nested list of shape [${shape.join(', ')}]`}`, key);
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let n = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(`${key}${path}: expected a finite number, got ${describe(v)}`, key);
      data[n++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new SpecError(`${key}${path}: expected a list of ${shape[depth]} (the lists must be rectangular), got ${describe(v)}`, key);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, '');
  return { shape, data };
}

export function readBytes(readFile: ReadFile, path: string, key: string): Uint8Array {
  try {
    return readFile(path);
  } catch (e) {
    throw new SpecError(`${key}: cannot read "${path}": ${(e as Error).message}`, key);
  }
}

export function readJson(readFile: ReadFile, path: string, key: string): unknown {
  const bytes = readBytes(readFile, path, key);
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (e) {
    throw new SpecError(`${key}: "${path}" is not valid JSON: ${(e as Error).message}`, key);
  }
}

/**
 * Parses NumPy's `.npy` format (versions 1–3): little- or big-endian float32 or float64 in
 * C order. Fortran order and other dtypes are refused with the reason.
 */
export function parseNpy(bytes: Uint8Array, key: string): NumericArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new SpecError(`${key}: expected a NumPy .npy file (magic \\x93NUMPY), got other bytes`, key);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > bytes.length) throw new SpecError(`${key}: the .npy header is truncated`, key);
  const header = utf8Decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([<>|=]?)([a-z])(\d+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeText) throw new SpecError(`${key}: cannot read the .npy header ${JSON.stringify(header.trim().slice(0, 80))}`, key);
  const kind = `${descr[2]}${descr[3]}`;
  if (kind !== 'f4' && kind !== 'f8') throw new SpecError(`${key}: expected float32 or float64 values, got dtype "${descr[1]}${kind}"`, key);
  if (fortran[1] === 'True') throw new SpecError(`${key}: expected C order, got fortran_order True (save with np.ascontiguousarray)`, key);
  const shape = shapeText[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const size = kind === 'f4' ? 4 : 8;
  const dataStart = start + headerLength;
  if (bytes.length - dataStart < n * size) throw new SpecError(`${key}: the .npy data is truncated: expected ${n * size} bytes for shape (${shape.join(', ')}), got ${bytes.length - dataStart}`, key);
  const little = descr[1] !== '>';
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = size === 4 ? view.getFloat32(dataStart + i * 4, little) : view.getFloat64(dataStart + i * 8, little);
    if (!Number.isFinite(v)) throw new SpecError(`${key}: expected finite numbers, got ${v} at flat index ${i}`, key);
    data[i] = v;
  }
  return { shape, data };
}

/** Parses a CSV of numbers: one row per step, one column per feature; a header row of names is skipped. */
export function parseCsv(text: string, key: string): NumericArray {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (rows.length > 0 && rows[0].split(',').some((c) => c.trim() !== '' && Number.isNaN(Number(c)))) rows.shift();
  if (rows.length === 0) throw new SpecError(`${key}: expected rows of numbers, got an empty file`, key);
  const width = rows[0].split(',').length;
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    const cells = row.split(',');
    if (cells.length !== width) throw new SpecError(`${key}: expected ${width} columns on every row, got ${cells.length} on data row ${r + 1}`, key);
    cells.forEach((c, j) => {
      const v = Number(c.trim());
      if (c.trim() === '' || !Number.isFinite(v)) throw new SpecError(`${key}: expected a number on data row ${r + 1}, column ${j + 1}, got ${JSON.stringify(c.trim())}`, key);
      data[r * width + j] = v;
    });
  });
  return { shape: [rows.length, width], data };
}

/** Reads an input array from .json, .npy or .csv by extension. */
export function readArrayFile(readFile: ReadFile, path: string, key: string): NumericArray {
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return parseNpy(readBytes(readFile, path, key), key);
  if (lower.endsWith('.csv')) {
    const bytes = readBytes(readFile, path, key);
    let text: string;
    try {
      text = utf8Decode(bytes);
    } catch {
      throw new SpecError(`${key}: "${path}" is not UTF-8 text`, key);
    }
    return parseCsv(text, key);
  }
  return readNested(readJson(readFile, path, key), key, 2, 3, 'a nested list [time][features] or [batch][time][features] of numbers');
}
