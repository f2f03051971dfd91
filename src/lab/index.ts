/** The lab core's public API, used by the worker, the CLI and the tests. */
import { initTensorFlow } from './tf';

export { traceSpec, type SpecContext } from './run';
export { traceOutputItems, markdownSummary, summarize, type TraceSummary } from './output';
export { traceToCsv, traceToJson, traceToNpy } from './export';
export { SpecError } from './spec/validate';
export { CancelledError } from './kernels/lstm-kernel';
export { setLstmKernel, getLstmKernel } from './lstm';

export interface LabOptions {
  /** Folder (or URL) holding TensorFlow.js's `tfjs-backend-wasm*.wasm` files. */
  tfjsWasmDir: string;
}

/** Starts TensorFlow.js on the WASM backend. Call once before `traceSpec`. */
export async function initLab(options: LabOptions): Promise<{ backend: string }> {
  return { backend: await initTensorFlow(options.tfjsWasmDir) };
}
