/**
 * Softmax attention of one head in WebAssembly SIMD (src/kernels/assembly/attention.ts), for
 * traces: projections, gates, scores, softmax and output, the same numbers as the TensorFlow.js
 * forward in src/lab/attention.ts to float32 rounding, with the keys after each query skipped
 * when causal (and those the decay gives no weight). Influence keeps the tfjs forward, which it
 * differentiates.
 */
import type { AttentionWeights } from '../attention';
import { instantiateKernels, instantiateKernelsAsync, type KernelsWasmMemory, type NativeProducts } from './wasm-module';

/** The attention exports of `fglab-kernels.wasm`; pointers are byte offsets. */
export interface AttentionWasmExports extends KernelsWasmMemory {
  /** Lays out memory for `time` steps of `features` and `heads` heads of `keyDim`; 0 if it cannot grow. */
  attnPrepare(time: number, keyDim: number, features: number, heads: number): number;
  /** Where the sequence `[T][F]` goes. */
  attnInputPtr(): number;
  /** Where W_Q, W_K, W_V `[F][H·d]` (`which` 0, 1, 2), w_f `[F][H]` (3) and b_f `[H]` (4) go. */
  attnWeightsInPtr(which: number): number;
  /** Head `head`'s projections (and forget gates, `withForget` 1). */
  attnProject(head: number, withForget: number): void;
  /** The forget gates `[T]` after `attnProject`. */
  attnGatePtr(): number;
  /** Where the decay's prefix sums `[T+1]` (float64) go before `attnStart`. */
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
  'reserve', 'attnPrepare', 'attnInputPtr', 'attnWeightsInPtr', 'attnProject', 'attnGatePtr', 'attnPrefixPtr', 'attnScoresPtr',
  'attnWeightsPtr', 'attnDecayPtr', 'attnOutputPtr', 'attnEntropyPtr', 'attnChunkRows', 'attnStart', 'attnRows',
] as const;

/** One head's inputs: a sequence and the weights of every head. */
export interface HeadInput {
  time: number;
  /** `[time][features]`. */
  input: Float32Array;
  weights: AttentionWeights;
  /** Which head of `weights`. */
  head: number;
  /**
   * Forgetting attention: the gates f = σ(x·w_f + b_f) of the head, and the decay
   * D_ij = Σ_{k=j+1..i} ln f_k (j ≤ i) added to the scores (from float64 prefix sums, see `decayPrefix`).
   */
  forgetting: boolean;
  /** Scores are q·k / divisor (√keyDim for scaled-dot, 1 for dot). */
  divisor: number;
  /** Keys after the query are masked (their weights exactly 0, their scores and decay NaN). */
  causal: boolean;
}

/** Where one head's results go: scores, weights (and decay) `[time][time]`, row entropies `[time]` (nats), output `[time][keyDim]` (with a row stride). */
export interface HeadOutput {
  scores: Float32Array;
  weights: Float32Array;
  /** With `forgetting`: D, NaN where masked, and the gates `[time]`. */
  decay?: Float32Array;
  forgetGate?: Float32Array;
  entropy: Float32Array;
  /** Row `i` of the output starts at `output[i · outputStride]`. */
  output: Float32Array;
  outputStride: number;
}

export interface AttentionKernel {
  /** Runs one head, writing into `out`. */
  runHead(input: HeadInput, out: HeadOutput): void;
}

/**
 * The decay's prefix sums `P_t = Σ_{k<t} ln f_k` `[T + 1]` in float64 of one sequence of forget
 * gates (`fv[at … at+T−1]`), into `prefix`: D_ij = P_{i+1} − P_{j+1}. Summed in float64: a
 * float32 prefix-sum difference loses about 2e-5 at a thousand steps. (`decayBias` and the
 * WebAssembly heads both use these sums.)
 */
export function decayPrefix(fv: Float32Array, at: number, T: number, prefix = new Float64Array(T + 1)): Float64Array {
  prefix[0] = 0;
  for (let t = 0; t < T; t++) prefix[t + 1] = prefix[t] + Math.log(fv[at + t]);
  return prefix;
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
      const { time: T, weights: w } = input;
      const { features: F, heads: H, keyDim: d } = w;
      if (!ex.attnPrepare(T, d, F, H)) {
        throw new Error(`wasm attention kernel: cannot grow wasm memory to about ${Math.ceil((4 * (T * F + 3 * F * (H + 1) * (d + 8) + 3 * T * (d + 8) + 10 * T + 3 * 16384 + 3 * (T + 8) * (d + 8))) / 2 ** 20)} MB for ${T} steps`);
      }
      const TP = Math.ceil(T / 8) * 8;
      const DP = Math.ceil(d / 8) * 8;
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.input, ex.attnInputPtr() >>> 2);
      heap.set(w.query, ex.attnWeightsInPtr(0) >>> 2);
      heap.set(w.key, ex.attnWeightsInPtr(1) >>> 2);
      heap.set(w.value, ex.attnWeightsInPtr(2) >>> 2);
      if (input.forgetting) {
        if (!w.forgetKernel || !w.forgetBias || !out.forgetGate) throw new Error('wasm attention kernel: forgetting attention needs forgetKernel, forgetBias and a forgetGate output');
        heap.set(w.forgetKernel, ex.attnWeightsInPtr(3) >>> 2);
        heap.set(w.forgetBias, ex.attnWeightsInPtr(4) >>> 2);
      }
      ex.attnProject(input.head, input.forgetting ? 1 : 0);
      if (out.forgetGate) {
        const gates = ex.attnGatePtr() >>> 2;
        out.forgetGate.set(heap.subarray(gates, gates + T));
        decayPrefix(out.forgetGate, 0, T, new Float64Array(ex.memory.buffer, ex.attnPrefixPtr(), T + 1));
      }
      ex.attnStart(input.divisor, input.causal ? 1 : 0, input.forgetting ? 1 : 0);
      const [scores, weights, decay] = [ex.attnScoresPtr() >>> 2, ex.attnWeightsPtr() >>> 2, ex.attnDecayPtr() >>> 2];
      const chunk = ex.attnChunkRows();
      // Each chunk is copied out while it is still in cache.
      for (let first = 0; first < T; first += chunk) {
        const rows = Math.min(chunk, T - first);
        ex.attnRows(first, rows);
        copyRows(heap, scores, TP, rows, T, out.scores.subarray(first * T), T);
        copyRows(heap, weights, TP, rows, T, out.weights.subarray(first * T), T);
        if (out.decay) copyRows(heap, decay, TP, rows, T, out.decay.subarray(first * T), T);
      }
      const entropyAt = ex.attnEntropyPtr() >>> 2;
      out.entropy.set(heap.subarray(entropyAt, entropyAt + T));
      copyRows(heap, ex.attnOutputPtr() >>> 2, DP, T, d, out.output, out.outputStride);
    },
  };
}

/** The kernel from the bytes of `fglab-kernels.wasm`, its products on the native accelerator when given (see `instantiateKernels`). */
export function createWasmAttentionKernel(wasmBytes: Uint8Array, native?: NativeProducts): AttentionKernel {
  return wasmAttentionKernelFromExports(instantiateKernels<AttentionWasmExports>(wasmBytes, ATTENTION_FUNCTIONS, native));
}

/** The same, compiling the module asynchronously. */
export async function createWasmAttentionKernelAsync(wasmBytes: Uint8Array, native?: NativeProducts): Promise<AttentionKernel> {
  return wasmAttentionKernelFromExports(await instantiateKernelsAsync<AttentionWasmExports>(wasmBytes, ATTENTION_FUNCTIONS, native));
}
