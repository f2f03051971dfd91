/**
 * Softmax attention of one head in WebAssembly SIMD (src/kernels/assembly/attention.ts), for
 * traces: the same numbers as the TensorFlow.js forward in src/lab/attention.ts to float32
 * rounding, with the keys after each query skipped when causal. Influence keeps the tfjs
 * forward, which it differentiates.
 */
import { instantiateKernels, instantiateKernelsAsync, type KernelsWasmMemory } from './wasm-module';

/** The attention exports of `fglab-kernels.wasm`; pointers are byte offsets. */
export interface AttentionWasmExports extends KernelsWasmMemory {
  /** Lays out memory for `time` steps and heads of `keyDim`; 0 if it cannot grow. */
  attnPrepare(time: number, keyDim: number): number;
  /** Where q, k, v `[T][d]` and the bias `[T][TP]` (TP: T rounded up to 8) go before `attnRun`. */
  attnQueryPtr(): number;
  attnKeyPtr(): number;
  attnValuePtr(): number;
  attnBiasPtr(): number;
  /** Scores, weights `[T][TP]` and output `[T][DP]` (DP: d rounded up to 8) after `attnRun`. */
  attnScoresPtr(): number;
  attnWeightsPtr(): number;
  attnOutputPtr(): number;
  /** Each row's entropy −Σ α ln α `[T]` after `attnRun`. */
  attnEntropyPtr(): number;
  /** q divided by `divisor`; `causal`, `withBias` 0 or 1. */
  attnRun(divisor: number, causal: number, withBias: number): void;
}

const ATTENTION_FUNCTIONS = [
  'reserve', 'attnPrepare', 'attnQueryPtr', 'attnKeyPtr', 'attnValuePtr', 'attnBiasPtr',
  'attnScoresPtr', 'attnWeightsPtr', 'attnOutputPtr', 'attnEntropyPtr', 'attnRun',
] as const;

/** One head's inputs: q, k, v `[time][keyDim]`, and an optional bias added to the scores `[time][time]`. */
export interface HeadInput {
  time: number;
  keyDim: number;
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  /** Added to the scores before the softmax (the forgetting attention's decay), `[time][time]`. */
  bias?: Float32Array;
  /** Scores are q·k / divisor (√keyDim for scaled-dot, 1 for dot). */
  divisor: number;
  /** Keys after the query are masked (their weights exactly 0). */
  causal: boolean;
}

/** Where one head's results go: scores and weights `[time][time]`, row entropies `[time]` (nats), output `[time][keyDim]` (with a row stride). */
export interface HeadOutput {
  scores: Float32Array;
  weights: Float32Array;
  entropy: Float32Array;
  /** Row `i` of the output starts at `output[i · outputStride]`. */
  output: Float32Array;
  outputStride: number;
}

export interface AttentionKernel {
  /** Runs one head, writing into `out`. Scores of masked keys are left for the caller to mark. */
  runHead(input: HeadInput, out: HeadOutput): void;
}

/** Builds the kernel over an instantiated module. */
export function wasmAttentionKernelFromExports(ex: AttentionWasmExports): AttentionKernel {
  return {
    runHead(input, out) {
      const { time: T, keyDim: d } = input;
      if (!ex.attnPrepare(T, d)) {
        throw new Error(`wasm attention kernel: cannot grow wasm memory to about ${Math.ceil((4 * (3 * T * d + 4 * T * (T + 8) + 3 * (T + 8) * (d + 8))) / 2 ** 20)} MB for ${T} steps`);
      }
      const TP = Math.ceil(T / 8) * 8;
      const DP = Math.ceil(d / 8) * 8;
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.query, ex.attnQueryPtr() >>> 2);
      heap.set(input.key, ex.attnKeyPtr() >>> 2);
      heap.set(input.value, ex.attnValuePtr() >>> 2);
      const biasAt = ex.attnBiasPtr() >>> 2;
      if (input.bias) {
        if (TP === T) heap.set(input.bias, biasAt);
        else for (let i = 0; i < T; i++) heap.set(input.bias.subarray(i * T, (i + 1) * T), biasAt + i * TP);
      }
      ex.attnRun(input.divisor, input.causal ? 1 : 0, input.bias ? 1 : 0);
      const scoresAt = ex.attnScoresPtr() >>> 2;
      const weightsAt = ex.attnWeightsPtr() >>> 2;
      const outputAt = ex.attnOutputPtr() >>> 2;
      const entropyAt = ex.attnEntropyPtr() >>> 2;
      out.entropy.set(heap.subarray(entropyAt, entropyAt + T));
      for (let i = 0; i < T; i++) {
        out.scores.set(heap.subarray(scoresAt + i * TP, scoresAt + i * TP + T), i * T);
        out.weights.set(heap.subarray(weightsAt + i * TP, weightsAt + i * TP + T), i * T);
        out.output.set(heap.subarray(outputAt + i * DP, outputAt + i * DP + d), i * out.outputStride);
      }
    },
  };
}

/** The kernel from the bytes of `fglab-kernels.wasm`. */
export function createWasmAttentionKernel(wasmBytes: Uint8Array): AttentionKernel {
  return wasmAttentionKernelFromExports(instantiateKernels<AttentionWasmExports>(wasmBytes, ATTENTION_FUNCTIONS));
}

/** The same, compiling the module asynchronously. */
export async function createWasmAttentionKernelAsync(wasmBytes: Uint8Array): Promise<AttentionKernel> {
  return wasmAttentionKernelFromExports(await instantiateKernelsAsync<AttentionWasmExports>(wasmBytes, ATTENTION_FUNCTIONS));
}
