/** Reading files named in specs, with messages a user can act on. */
import { readFileSync, statSync } from 'node:fs';

/** Largest input or weights file read, in bytes. */
export const MAX_FILE_BYTES = 512 * 1024 ** 2;

/** Reads an absolute path; errors say what went wrong in words, with the path. */
export function readFileForSpec(path: string): Uint8Array {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    size = stat.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new Error(`${why} (${path})`);
  }
  if (size > MAX_FILE_BYTES) throw new Error(`the file has ${size} bytes, more than the ${MAX_FILE_BYTES} this version reads (${path})`);
  return readFileSync(path);
}
