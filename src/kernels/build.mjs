// Compiles the AssemblyScript kernels (src/kernels/assembly) twice with assemblyscript's compiler
// API: <outDir>/fglab-kernels.wasm with 128-bit SIMD, which every supported runtime runs, and
// <outDir>/fglab-kernels-relaxed.wasm with relaxed SIMD as well, where `madd` (math.ts) is one
// fused multiply–add (`f32x4.relaxed_madd`) instead of a multiply and an add; the lab loads the
// second where the runtime validates it (src/worker/kernel-wasm.ts). Called by
// esbuild.config.mjs; also runnable alone:
//   node src/kernels/build.mjs [outDir]
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const sourceDir = join(here, 'assembly');

/** The wasm files' names in the output folder: the SIMD build and the relaxed-SIMD build. */
export const KERNELS_WASM = 'fglab-kernels.wasm';
export const KERNELS_RELAXED_WASM = 'fglab-kernels-relaxed.wasm';

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
 * Compiles the kernels to `<outDir>/fglab-kernels.wasm` and `<outDir>/fglab-kernels-relaxed.wasm`
 * (outDir relative to the project root unless absolute); skips a compile when its file is newer
 * than every input. Returns the two files' paths.
 */
export async function buildKernels(outDir) {
  const builds = [
    [join(resolve(root, outDir), KERNELS_WASM), []],
    [join(resolve(root, outDir), KERNELS_RELAXED_WASM), ['--enable', 'relaxed-simd']],
  ];
  const newest = newestInput();
  for (const [outFile, extra] of builds) {
    mkdirSync(dirname(outFile), { recursive: true });
    let built = 0;
    try {
      built = statSync(outFile).mtimeMs;
    } catch {
      // not built yet
    }
    if (built > newest) continue;
    // Loaded only when needed: importing the compiler alone takes about a second.
    const { default: asc } = await import('assemblyscript/asc');
    const entry = relative(root, join(sourceDir, 'index.ts'));
    const out = relative(root, outFile);
    const { error, stderr } = await asc.main([entry, '--outFile', out, '--baseDir', root, ...FLAGS, ...extra]);
    if (error) throw new Error(`AssemblyScript build of ${out} failed: ${error.message}\n${stderr.toString()}`);
  }
  return builds.map(([outFile]) => outFile);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const outFile of await buildKernels(process.argv[2] ?? 'dist')) console.log(`built ${relative(process.cwd(), outFile)}`);
}
