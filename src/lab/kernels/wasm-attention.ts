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
  /** Where q, k, v `[T][d]` and the decay's prefix sums `[T+1]` (float64) go before `attnRun`. */
  attnQueryPtr(): number;
  attnKeyPtr(): number;
  attnValuePtr(): number;
  attnPrefixPtr(): number;
  /** A chunk of rows of the scores, weights and decay `[C][TP]` (TP: T rounded up to 8) after `attnRows`. */
  attnScoresPtr(): number;
  attnWeightsPtr(): number;
  attnDecayPtr(): number;
  /** The output `[T][DP]` (DP: d rounded up to 8) and each row's entropy −Σ α ln α `[T]`, filled by `attnRows`. */
  attnOutputPtr(): number;
  attnEntropyPtr(): number;
  /** C, the rows of one chunk (a multiple of 4). */
  attnChunkRows(): number;
  /** Starts a head: q divided by `divisor`; `causal`, `withDecay` 0 or 1. */
  attnStart(divisor: number, causal: number, withDecay: number): void;
  /** Rows `first` … `first + count − 1` (first a multiple of C, count ≤ C) into the chunk. */
  attnRows(first: number, count: number): void;
}

const ATTENTION_FUNCTIONS = [
  'reserve', 'attnPrepare', 'attnQueryPtr', 'attnKeyPtr', 'attnValuePtr', 'attnPrefixPtr', 'attnScoresPtr',
  'attnWeightsPtr', 'attnDecayPtr', 'attnOutputPtr', 'attnEntropyPtr', 'attnChunkRows', 'attnStart', 'attnRows',
] as const;

/** One head's inputs: q, k, v `[time][keyDim]`, and the prefix sums of a decay. */
export interface HeadInput {
  time: number;
  keyDim: number;
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  /**
   * The forgetting attention's decay D_ij = P_{i+1} − P_{j+1} (j ≤ i) is added to the scores,
   * from the prefix sums `P_t = Σ_{k<t} ln f_k` `[time + 1]`, in float64 (see `decayPrefix`).
   */
  decayPrefix?: Float64Array;
  /** Scores are q·k / divisor (√keyDim for scaled-dot, 1 for dot). */
  divisor: number;
  /** Keys after the query are masked (their weights exactly 0, their scores and decay NaN). */
  causal: boolean;
}

/** Where one head's results go: scores, weights (and decay) `[time][time]`, row entropies `[time]` (nats), output `[time][keyDim]` (with a row stride). */
export interface HeadOutput {
  scores: Float32Array;
  weights: Float32Array;
  /** With `decayPrefix`: D, NaN where masked. */
  decay?: Float32Array;
  entropy: Float32Array;
  /** Row `i` of the output starts at `output[i · outputStride]`. */
  output: Float32Array;
  outputStride: number;
}

export interface AttentionKernel {
  /** Runs one head, writing into `out`. */
  runHead(input: HeadInput, out: HeadOutput): void;
}

/** Copies `rows` rows of `cols` floats, `stride` floats apart in the heap from `from`, to `to` (rows `toStride` apart). */
function copyRows(heap: Float32Array, from: number, stride: number, rows: number, cols: number, to: Float32Array, toStride: number): void {
  if (stride === cols && toStride === cols) {
    to.set(heap.subarray(from, from + rows * cols));
    return;
  }
  for (let i = 0; i < rows; i++) to.set(heap.subarray(from + i * stride, from + i * stride + cols), i * toStride);
}

/** Builds the kernel over an instantiated module. */
export function wasmAttentionKernelFromExports(ex: AttentionWasmExports): AttentionKernel {
  return {
    runHead(input, out) {
      const { time: T, keyDim: d } = input;
      if (!ex.attnPrepare(T, d)) {
        throw new Error(`wasm attention kernel: cannot grow wasm memory to about ${Math.ceil((4 * (3 * T * d + 2 * (T + 4) + 3 * 16384 + 3 * (T + 8) * (d + 8))) / 2 ** 20)} MB for ${T} steps`);
      }
      const TP = Math.ceil(T / 8) * 8;
      const DP = Math.ceil(d / 8) * 8;
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.query, ex.attnQueryPtr() >>> 2);
      heap.set(input.key, ex.attnKeyPtr() >>> 2);
      heap.set(input.value, ex.attnValuePtr() >>> 2);
      if (input.decayPrefix) new Float64Array(ex.memory.buffer, ex.attnPrefixPtr(), T + 1).set(input.decayPrefix);
      ex.attnStart(input.divisor, input.causal ? 1 : 0, input.decayPrefix ? 1 : 0);
      const [scores, weights, decay] = [ex.attnScoresPtr() >>> 2, ex.attnWeightsPtr() >>> 2, ex.attnDecayPtr() >>> 2];
      const chunk = ex.attnChunkRows();
      // Each chunk is copied out while it is still in cache.
      for (let first = 0; first < T; first += chunk) {
        const rows = Math.min(chunk, T - first);
        ex.attnRows(first, rows);
        copyRows(heap, scores, TP, rows, T, out.scores.subarray(first * T), T);
        copyRows(heap, weights, TP, rows, T, out.weights.subarray(first * T), T);
        if (input.decayPrefix && out.decay) copyRows(heap, decay, TP, rows, T, out.decay.subarray(first * T), T);
      }
      const entropyAt = ex.attnEntropyPtr() >>> 2;
      out.entropy.set(heap.subarray(entropyAt, entropyAt + T));
      copyRows(heap, ex.attnOutputPtr() >>> 2, DP, T, d, out.output, out.outputStride);
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
