/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly, shipped inside the npm
 * package: no download, no network). Loaded on first use only, so that specs without HDF5
 * files never pay for it. The file's bytes go into h5wasm's in-memory file system, are read,
 * and are removed again before this returns.
 */
import { fileError, sizeOf, type Tensor } from './model-file';

/** The part of h5wasm the lab uses (its own types need the DOM's). */
interface H5Entity {
  readonly attrs: Record<string, { json_value: unknown }>;
}
interface H5Group extends H5Entity {
  keys(): string[];
  get(path: string): H5Group | H5Dataset | null;
}
interface H5Dataset extends H5Entity {
  readonly shape: number[] | null;
  readonly metadata: { type: number; size: number };
  readonly value: unknown;
}
interface H5File extends H5Group {
  readonly file_id: bigint;
  close(): number;
}
interface H5Lib {
  ready: Promise<{ H5T_class_t: Record<string, { value: number }>; activate_throwing_error_handler(): number }>;
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } | null;
  File: new (path: string, mode: 'r') => H5File;
}

let lib: Promise<{ h5: H5Lib; floatClass: number }> | undefined;

function load(): Promise<{ h5: H5Lib; floatClass: number }> {
  lib ??= (async () => {
    const h5 = (await import('h5wasm')) as unknown as H5Lib & { default?: H5Lib };
    const module = await h5.ready;
    // HDF5 errors become exceptions instead of diagnostics printed to stderr.
    module.activate_throwing_error_handler();
    return { h5, floatClass: module.H5T_class_t.H5T_FLOAT.value };
  })();
  return lib;
}

/** Read access to an open HDF5 file. Paths are absolute (`/model_weights/lstm`). */
export interface Hdf5Reader {
  /** An attribute's value (strings as strings, arrays as arrays), or undefined. */
  attr(path: string, name: string): unknown;
  /** Names of a group's members, or undefined when `path` is not a group. */
  keys(path: string): string[] | undefined;
  /** Whether `path` is a dataset. */
  isDataset(path: string): boolean;
  /** A float32 or float64 dataset as float32; other types are refused with their name. */
  floats(path: string): Tensor;
}

/** The HDF5 signature, at the start of a file (the lab does not look for a user block). */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

let counter = 0;

/** Opens HDF5 bytes, runs `use` on them, and closes and removes them again. */
export async function withHdf5<T>(bytes: Uint8Array, path: string, use: (h5: Hdf5Reader) => T): Promise<T> {
  const { h5, floatClass } = await load();
  const fs = h5.FS;
  if (!fs) throw new Error('h5wasm: its file system did not start');
  const name = `/fglab-${++counter}.h5`;
  fs.writeFile(name, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new h5.File(name, 'r');
      if (file.file_id < 0n) throw new Error('H5Fopen failed');
    } catch (e) {
      file = undefined;
      throw fileError(path, `is not an HDF5 file h5wasm can open: ${(e as Error).message}`);
    }
    const root = file;
    const get = (p: string): H5Group | H5Dataset | null => (p === '/' || p === '' ? root : root.get(p));
    const isGroup = (e: unknown): e is H5Group => typeof (e as H5Group | null)?.keys === 'function';
    const reader: Hdf5Reader = {
      attr(p, attrName) {
        const e = get(p);
        if (!e || !(attrName in e.attrs)) return undefined;
        return e.attrs[attrName].json_value;
      },
      keys(p) {
        const e = get(p);
        return isGroup(e) ? e.keys() : undefined;
      },
      isDataset(p) {
        const e = get(p);
        return e !== null && !isGroup(e);
      },
      floats(p) {
        const e = get(p);
        if (!e || isGroup(e)) throw fileError(path, `has no dataset "${p}"`);
        const { type, size } = e.metadata;
        if (type !== floatClass || (size !== 4 && size !== 8)) {
          throw fileError(path, `dataset "${p}" holds ${type === floatClass ? `float${size * 8}` : 'non-float'} values; expected float32 or float64`);
        }
        const shape = e.shape ?? [];
        const value = e.value as Float32Array | Float64Array;
        if (value.length !== sizeOf(shape)) throw fileError(path, `dataset "${p}" has ${value.length} values for shape [${shape.join(', ')}]`);
        return { shape, data: value instanceof Float32Array ? value : Float32Array.from(value) };
      },
    };
    return use(reader);
  } finally {
    try {
      file?.close();
    } finally {
      fs.unlink(name);
    }
  }
}
