// Compiles the AssemblyScript kernels (src/kernels/assembly) to <outDir>/fglab-kernels.wasm
// with assemblyscript's compiler API. Called by esbuild.config.mjs; also runnable alone:
//   node src/kernels/build.mjs [outDir]
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const sourceDir = join(here, 'assembly');

/** The wasm file's name in the output folder. */
export const KERNELS_WASM = 'fglab-kernels.wasm';

// Why these flags: -O3 with --noAssert for speed (the JS side validates every size); the stub
// runtime because the kernels never allocate (they lay out the memory themselves); SIMD named
// explicitly because the kernels need it (Node ≥ 16.4 and every VS Code build support it).
const FLAGS = ['--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub', '--enable', 'simd'];

/** Newest modification time of the inputs: the sources, this script and the compiler version. */
function newestInput() {
  const require = createRequire(import.meta.url);
  const inputs = [
    fileURLToPath(import.meta.url),
    require.resolve('assemblyscript/package.json'),
    ...readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).map((f) => join(sourceDir, f)),
  ];
  return Math.max(...inputs.map((f) => statSync(f).mtimeMs));
}

/**
 * Compiles the kernels to `<outDir>/fglab-kernels.wasm` (outDir relative to the project root
 * unless absolute); skips the compile when the file is newer than every input.
 */
export async function buildKernels(outDir) {
  const outFile = join(resolve(root, outDir), KERNELS_WASM);
  mkdirSync(dirname(outFile), { recursive: true });
  let built = 0;
  try {
    built = statSync(outFile).mtimeMs;
  } catch {
    // not built yet
  }
  if (built > newestInput()) return outFile;
  // Loaded only when needed: importing the compiler alone takes about a second.
  const { default: asc } = await import('assemblyscript/asc');
  const entry = relative(root, join(sourceDir, 'index.ts'));
  const out = relative(root, outFile);
  const { error, stderr } = await asc.main([entry, '--outFile', out, '--baseDir', root, ...FLAGS]);
  if (error) throw new Error(`AssemblyScript build of ${entry} failed: ${error.message}\n${stderr.toString()}`);
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outFile = await buildKernels(process.argv[2] ?? 'dist');
  console.log(`built ${relative(process.cwd(), outFile)}`);
}
