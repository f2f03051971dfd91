/**
 * A V8 code cache for a CommonJS bundle: the worker's bundle is compiled from the cache that an
 * earlier worker wrote after its first run, so a new worker skips parsing the bundle and
 * compiling the functions that run first (a third of a cold start). The cache is only ever a
 * shortcut: a missing, stale, corrupt or rejected one costs a compile, never a failure.
 *
 * Cache file: `FGLAB-V8-CODE-CACHE\n`, a JSON key line, the payload's CRC-32 and length (u32 LE),
 * then V8's data. V8 checks its own version, flags and the source's length, but not the
 * payload's checksum in release builds (a flipped bit crashes the process), so the key names
 * the bundle's size and CRC-32, and the payload's CRC-32 is checked before V8 sees a byte.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';

/**
 * `off`: no cache (no usable folder, or no `zlib.crc32`, Node < 20.15); `miss`: none yet;
 * `stale`: written for another bundle or V8; `corrupt`: failed its checksum or was cut short;
 * `rejected`: V8 refused it; `hit`: compiled from it.
 */
export type CodeCacheStatus = 'off' | 'miss' | 'stale' | 'corrupt' | 'rejected' | 'hit';

const MAGIC = 'FGLAB-V8-CODE-CACHE\n';

/** Folder name under the OS temporary folder when no folder is given (one per user). */
function defaultFolderName(): string {
  return `forget-gate-lab-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`;
}

/**
 * The folder code caches go in: `<dir>/code-cache`, or `<tmp>/forget-gate-lab-<uid>/code-cache`
 * when `dir` is undefined; created if needed (for this user only). Undefined when it cannot be
 * created, or when another user owns it or its parent, or may write to them: a planted cache
 * would run as code in the worker. (A parent open to the user's own group is accepted: many
 * systems give each user a group of their own.)
 */
export function codeCacheFolder(dir?: string): string | undefined {
  const parent = dir ?? join(tmpdir(), defaultFolderName());
  const folder = join(parent, 'code-cache');
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return isOwn(parent, 0o002) && isOwn(folder, 0o022) ? folder : undefined;
  } catch {
    return undefined;
  }
}

/** Owned by this user, with none of the `writableBy` permission bits (POSIX; Windows' folders are per user). */
function isOwn(path: string, writableBy: number): boolean {
  if (typeof process.getuid !== 'function') return true;
  const st = statSync(path);
  return st.uid === process.getuid() && (st.mode & writableBy) === 0;
}

/** A bundle compiled through the cache, not yet run. */
export interface CachedBundle {
  readonly status: CodeCacheStatus;
  /** Runs the bundle as a CommonJS module (its `require`, `__dirname` are its own); its exports. */
  run(): unknown;
  /**
   * Writes the cache, with the functions compiled so far, when it was not a hit; once.
   * Call it after the bundle's first real work. Failures go to `warn`, never throw.
   */
  save(): void;
}

/** Node's CommonJS wrapper, so the bundle sees the same five names as under `require`. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n});';

/** Caches kept per bundle name (builds in use side by side, such as two installed versions). */
export const CACHES_KEPT = 4;

/**
 * Compiles the CommonJS bundle `file` with the code cache kept in `folder` (undefined: no cache).
 * The cache file is `<folder>/<file's name>-<its CRC-32>.v8cache`, replaced whole (written
 * beside, then renamed), so readers see an old or a new cache, never half of one; writing one
 * removes all but the `CACHES_KEPT` newest of that name.
 */
export function compileCached(file: string, folder: string | undefined, warn: (message: string) => void): CachedBundle {
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const crc32 = folder ? crc32Function() : undefined;
  const sourceCrc = crc32 ? crc32(bytes) : 0;
  const cacheFile = folder && crc32 ? join(folder, `${basename(file)}-${sourceCrc.toString(16).padStart(8, '0')}.v8cache`) : undefined;
  const key = JSON.stringify([bytes.length, sourceCrc, process.versions.v8, process.arch]);
  let status: CodeCacheStatus = cacheFile ? 'miss' : 'off';
  let cachedData: Buffer | undefined;
  if (cacheFile && crc32) {
    const read = readCache(cacheFile, key, crc32);
    if (typeof read === 'string') status = read;
    else cachedData = read;
  }
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cachedData) status = script.cachedDataRejected ? 'rejected' : 'hit';
  let saved = status === 'hit' || status === 'off';
  return {
    status,
    run() {
      const module = { exports: {} as unknown };
      const wrapped = script.runInThisContext() as (...args: unknown[]) => void;
      wrapped.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
      return module.exports;
    },
    save() {
      if (saved || !cacheFile || !crc32) return;
      saved = true;
      try {
        writeCache(cacheFile, key, script.createCachedData(), crc32);
        pruneCaches(dirname(cacheFile), basename(file));
      } catch (e) {
        warn(`Forget Gate Lab: the code cache ${cacheFile} was not written (${(e as Error).message})`);
      }
    },
  };
}

type Crc32 = (data: Uint8Array) => number;

/** `zlib.crc32` (Node ≥ 20.15 and 22.2), or undefined. Loaded only when a cache is used. */
function crc32Function(): Crc32 | undefined {
  const zlib = require('node:zlib') as { crc32?: Crc32 };
  return typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
}

/** The cache's V8 data, or why there is none to use. */
function readCache(cacheFile: string, key: string, crc32: Crc32): Buffer | 'miss' | 'stale' | 'corrupt' {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return 'miss';
  }
  const head = Buffer.from(MAGIC + key + '\n');
  if (bytes.length < MAGIC.length || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return 'corrupt';
  if (bytes.length < head.length + 8 || !bytes.subarray(0, head.length).equals(head)) return 'stale';
  const checksum = bytes.readUInt32LE(head.length);
  const length = bytes.readUInt32LE(head.length + 4);
  const payload = bytes.subarray(head.length + 8);
  return payload.length === length && crc32(payload) === checksum ? payload : 'corrupt';
}

function writeCache(cacheFile: string, key: string, payload: Buffer, crc32: Crc32): void {
  const head = Buffer.from(MAGIC + key + '\n');
  const sums = Buffer.alloc(8);
  sums.writeUInt32LE(crc32(payload), 0);
  sums.writeUInt32LE(payload.length, 4);
  const temporary = `${cacheFile}-${process.pid}-${threadId}.tmp`;
  writeFileSync(temporary, Buffer.concat([head, sums, payload]), { mode: 0o600 });
  renameSync(temporary, cacheFile);
}

/**
 * Removes all but the `CACHES_KEPT` newest caches of the bundle `name` in `folder`, and
 * temporary files a worker stopped while writing left over a minute ago.
 */
function pruneCaches(folder: string, name: string): void {
  const files = readdirSync(folder)
    .filter((f) => f.startsWith(`${name}-`))
    .map((f) => ({ name: f, path: join(folder, f), mtime: statSync(join(folder, f)).mtimeMs }));
  const caches = files.filter((f) => f.name.endsWith('.v8cache')).sort((a, b) => b.mtime - a.mtime);
  const leftovers = files.filter((f) => f.name.endsWith('.tmp') && f.mtime < Date.now() - 60_000);
  for (const old of [...caches.slice(CACHES_KEPT), ...leftovers]) rmSync(old.path, { force: true });
}
