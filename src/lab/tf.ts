/**
 * TensorFlow.js set-up for the lab: the WebAssembly backend (the `cpu` backend is 20–120×
 * slower on these workloads), its `.wasm` files loaded from a local folder, never a network.
 */
import * as tf from '@tensorflow/tfjs-core';
// Gradients of the core ops, for influence and training (tfjs-core alone registers none).
// The bundles resolve tfjs-core to its ES module build, so this shares their one copy.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

let ready: Promise<string> | undefined;

/**
 * Selects the WASM backend, loading `tfjs-backend-wasm*.wasm` from `wasmDir` (a folder path
 * or URL ending in `/`). Idempotent; resolves to the backend name.
 */
export function initTensorFlow(wasmDir: string): Promise<string> {
  ready ??= (async () => {
    setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
    tf.enableProdMode();
    if (!(await tf.setBackend('wasm'))) throw new Error(`TensorFlow.js: the wasm backend did not start (wasm files expected in ${wasmDir})`);
    await tf.ready();
    return tf.getBackend();
  })();
  return ready;
}

/** Milliseconds from a monotonic clock (performance.now or process.hrtime, whichever exists). */
export function now(): number {
  return tf.util.now();
}
