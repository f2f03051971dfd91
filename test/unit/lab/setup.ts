/** Shared set-up of the core's tests: TensorFlow.js on the WASM backend, the built kernel. */
import { dirname } from 'node:path';
import { initLab } from '../../../src/lab';
import { labKernelWasm, labNativeProducts } from '../kernels/helpers';

export { labKernelName, labKernels, labKernelWasm } from '../kernels/helpers';

/** Folder of TensorFlow.js's wasm binaries in node_modules. */
export const TFJS_WASM_DIR = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;

let ready: Promise<unknown> | undefined;

/** Starts the lab once per test process, with the kernels the worker starts with. */
export function setupLab(): Promise<unknown> {
  ready ??= initLab({ tfjsWasmDir: TFJS_WASM_DIR, kernelWasm: labKernelWasm(), nativeProducts: labNativeProducts() });
  return ready;
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
