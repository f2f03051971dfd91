/** Shared set-up of the core's tests: TensorFlow.js on the WASM backend, the built kernel. */
import { dirname, join } from 'node:path';
import { initLab } from '../../../src/lab';
import { createWasmLstmKernel } from '../../../src/lab/kernels/wasm-lstm';
import { readKernelWasm } from '../../../src/worker/kernel-wasm';

/** Folder of TensorFlow.js's wasm binaries in node_modules. */
export const TFJS_WASM_DIR = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
/** The bundles' folder, with the fused kernels built by `node esbuild.config.mjs` (npm test builds first). */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/**
 * The kernels' build the lab picks on this runtime, as the worker and the CLI pick it
 * (src/worker/kernel-wasm.ts: relaxed SIMD where it runs).
 */
export function labKernelWasm(): Uint8Array {
  const bytes = readKernelWasm(DIST, (m) => {
    throw new Error(m);
  });
  if (!bytes) throw new Error(`no kernels in ${DIST}: run node esbuild.config.mjs first`);
  return bytes;
}

/** The name of that build's kernels (`wasm-relaxed-simd` or `wasm-simd`). */
export function labKernelName(): string {
  return createWasmLstmKernel(labKernelWasm()).name;
}

let ready: Promise<unknown> | undefined;

/** Starts the lab once per test process. */
export function setupLab(): Promise<unknown> {
  ready ??= initLab({ tfjsWasmDir: TFJS_WASM_DIR, kernelWasm: labKernelWasm() });
  return ready;
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
