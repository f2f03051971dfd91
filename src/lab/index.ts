/** The lab core's public API, used by the worker, the CLI and the tests. */
import { setAttentionKernel } from './attention';
import { getGruKernel, setGruKernel } from './gru';
import { createWasmAttentionKernelAsync } from './kernels/wasm-attention';
import { createWasmGruKernelAsync } from './kernels/wasm-gru';
import { createWasmLstmKernelAsync } from './kernels/wasm-lstm';
import type { NativeProducts } from './kernels/wasm-module';
import { createWasmGramSchmidtAsync } from './kernels/wasm-orthogonal';
import { setGramSchmidt } from './init';
import { getLstmKernel, setLstmKernel } from './lstm';
import { initTensorFlow } from './tf';

export { runSpec, runSpecCell, traceAny, traceModel, traceRecurrent, traceSpec, type SpecContext } from './run';
export { traceOutputItems, markdownSummary, summarize, type TraceSummary } from './output';
export { exportSeriesNames, traceToCsv, traceToJson, traceToNpy } from './export';
export { parseSpec, type Spec, type ModelSpec } from './spec/model-spec';
export { SpecError } from './spec/validate';
export { CancelledError } from './kernels/lstm-kernel';
export { describeModelFile, type DescribedLayer, type ModelFileDescription } from './import/describe';
export { setLstmKernel, getLstmKernel } from './lstm';

export interface LabOptions {
  /** Folder (or URL) holding TensorFlow.js's `tfjs-backend-wasm*.wasm` files. */
  tfjsWasmDir: string;
  /** Bytes of the fused recurrent kernels (`fglab-kernels-relaxed.wasm` or `fglab-kernels.wasm`, as `readKernelWasm` picks); without them the TypeScript reference kernel runs. */
  kernelWasm?: Uint8Array;
  /** The native product accelerator for those kernels (`loadNativeProducts` in src/worker/kernel-wasm.ts), if any. */
  nativeProducts?: NativeProducts;
}

/** Starts TensorFlow.js on the WASM backend and loads the recurrent kernel. Call before `traceSpec`. */
export async function initLab(options: LabOptions): Promise<{ backend: string; kernel: string }> {
  const native = options.nativeProducts;
  const [backend] = await Promise.all([
    initTensorFlow(options.tfjsWasmDir),
    options.kernelWasm ? createWasmLstmKernelAsync(options.kernelWasm, native).then(setLstmKernel) : undefined,
    options.kernelWasm ? createWasmGruKernelAsync(options.kernelWasm, native).then(setGruKernel) : undefined,
    options.kernelWasm ? createWasmAttentionKernelAsync(options.kernelWasm, native).then(setAttentionKernel) : undefined,
    options.kernelWasm ? createWasmGramSchmidtAsync(options.kernelWasm).then(setGramSchmidt) : undefined,
  ]);
  // One name when both recurrent kernels agree (`wasm-relaxed-simd+avx2`, `wasm-relaxed-simd`, `wasm-simd`), else both.
  const [lstm, gru] = [getLstmKernel().name, getGruKernel().name];
  return { backend, kernel: lstm === gru ? lstm : `lstm ${lstm}, gru ${gru}` };
}
