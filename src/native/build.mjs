// Compiles the native product accelerator (src/native/product.c) with the system's C compiler
// into <outDir>/fglab-native-linux-x64.node, against Node-API's headers (the node-api-headers
// package): one binary for every Node and Electron on Linux x64. Built on Linux x64 only, the
// one platform it is for; elsewhere, and where no C compiler is found, it is skipped with a
// line saying so, and the lab runs its WebAssembly kernels alone. Called by esbuild.config.mjs;
// also runnable alone:
//   node src/native/build.mjs [outDir]
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SOURCE = join(here, 'product.c');

/** The binary's name in the output folder (src/worker/kernel-wasm.ts loads it by this name). */
export const NATIVE_PRODUCTS_FILE = 'fglab-native-linux-x64.node';

// -O3 for speed; AVX2 and FMA only inside the functions that need them (the source's target
// attributes), so that loading the binary on an older CPU runs nothing it lacks; no exported
// symbols but Node-API's entry.
const FLAGS = ['-O3', '-shared', '-fPIC', '-fvisibility=hidden', '-std=c11', '-Wall', '-Wextra'];

/**
 * Compiles the accelerator to `<outDir>/fglab-native-linux-x64.node` (outDir relative to the
 * project root unless absolute), unless it is newer than its source and this script. Returns
 * its path, or undefined when skipped (another platform, or no compiler: the reason printed).
 */
export function buildNative(outDir) {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const outFile = join(resolve(root, outDir), NATIVE_PRODUCTS_FILE);
  const newest = Math.max(...[SOURCE, fileURLToPath(import.meta.url)].map((f) => statSync(f).mtimeMs));
  try {
    if (statSync(outFile).mtimeMs > newest) return outFile;
  } catch {
    // not built yet
  }
  const include = createRequire(import.meta.url)('node-api-headers').include_dir;
  const cc = process.env.CC || 'cc';
  mkdirSync(dirname(outFile), { recursive: true });
  const r = spawnSync(cc, [...FLAGS, '-I', include, SOURCE, '-o', outFile], { encoding: 'utf8' });
  if (r.error) {
    console.warn(`native accelerator not built (${cc}: ${r.error.message}); the lab runs its WebAssembly kernels alone`);
    return undefined;
  }
  if (r.status !== 0) throw new Error(`${cc} failed to build ${relative(root, outFile)}:\n${r.stderr}`);
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outFile = buildNative(process.argv[2] ?? 'dist');
  if (outFile) console.log(`built ${relative(process.cwd(), outFile)}`);
}
