/** Reading files named in specs, with messages a user can act on. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** Largest input or weights file read, in bytes. */
export const MAX_FILE_BYTES = 512 * 1024 ** 2;

/** Whether `path` (resolved through symbolic links) lies inside one of `roots`. */
export function isInside(path: string, roots: readonly string[]): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    real = path;
  }
  return roots.some((root) => {
    let r: string;
    try {
      r = realpathSync(root);
    } catch {
      r = root;
    }
    const rel = relative(r, real);
    // `..data.json` is a name inside the root; only `..` itself or `../…` climbs out.
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  });
}

/**
 * Reads an absolute path; errors say what went wrong in words, with the path. With `roots`
 * (Restricted Mode) a path outside every root is refused before anything is read.
 */
export function readFileForSpec(path: string, roots?: readonly string[]): Uint8Array {
  if (roots && !isInside(path, roots)) {
    throw new Error(`it is outside the workspace folders, and in Restricted Mode specs read files only inside them (${path})`);
  }
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
