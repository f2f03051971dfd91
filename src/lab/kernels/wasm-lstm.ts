/**
 * The LSTM kernel in WebAssembly SIMD: the JS side of `fglab-kernels.wasm`, which is compiled
 * from AssemblyScript (src/kernels/assembly) at build time and shipped beside the bundles.
 *
 * Same semantics and layouts as `jsLstmKernel`; the arithmetic is f32 throughout (like
 * TensorFlow.js), so results agree with the reference to about 1e-6 for the bounded series.
 * The module owns its whole linear memory: R and one chunk of projected inputs are copied in,
 * `STEPS_PER_CHECK` steps run per call, and each chunk's outputs are copied out into fresh
 * arrays, so nothing returned is a view of wasm memory and memory stays bounded by the chunk.
 */
import { activationCode } from './activations';
import {
  allocateOutput,
  CancelledError,
  checkKernelInput,
  checkLstmBackward,
  checkLstmTrace,
  LSTM_OUTPUT_SERIES,
  LSTM_TRACE_SERIES,
  STEPS_PER_CHECK,
  type LstmKernel,
  type LstmKernelInput,
  type LstmKernelOutput,
  type LstmTraceOutput,
} from './lstm-kernel';
import { copyInputChunk } from './raw-inputs';
import { KEEP_TOTALS } from '../metrics';
import { instantiateKernels, instantiateKernelsAsync, readKeepTotals, type KernelsWasmMemory, type NativeProducts, wasmKernelName } from './wasm-module';

/** The exports of `fglab-kernels.wasm` (src/kernels/assembly/index.ts); pointers are byte offsets. */
export interface LstmWasmExports extends KernelsWasmMemory {
  /** Lays out memory for `batch` rows, `units` units, chunks of `chunkSteps` (and the projection of `features` inputs when > 0); 0 if it cannot grow. */
  prepare(batch: number, units: number, chunkSteps: number, features: number): number;
  /** Where R `[U][4U]` goes before `packRecurrent`. */
  recurrentPtr(): number;
  /** Where a chunk's projected inputs `[steps][B][4U]` go before `runSteps`. */
  inputPtr(): number;
  /** Batch row `b`'s totals of the keep gate since the reset, `units` float64 of one kind (0 sum, 1 count < 0.1, 2 count > 0.9). */
  keepTotalsPtr(kind: number, b: number): number;
  /** A chunk's rows `[steps][U]` of one series (0–6: i f g o c h, survival) and batch row, after `compactOutputs`. */
  outputPtr(series: number, batchRow: number): number;
  packRecurrent(): void;
  /** Where K `[F][4U]` and b `[4U]` go before `packInputWeights`, and a chunk's inputs `[steps][B][F]` before `runProjectedSteps`. */
  inputKernelPtr(): number;
  inputBiasPtr(): number;
  rawInputPtr(): number;
  packInputWeights(): void;
  /** Sets h = c = 0. */
  resetState(): void;
  /** Runs `steps` steps (≤ chunkSteps); `activation` is the code of i, f, o's (see `activationCode`); `forgetGate` 0 sets f ≡ 1. */
  runSteps(steps: number, activation: number, forgetGate: number): void;
  /** The same from the raw inputs at `rawInputPtr`, projecting them first. */
  runProjectedSteps(steps: number, activation: number, forgetGate: number): void;
  compactOutputs(steps: number): void;
  /** In place on `n` floats at `ptr` (n a multiple of 4): 0 exp, 1 sigmoid, 2 hard sigmoid, 3 tanh, 4 Keras 3 hard sigmoid. */
  applyActivation(kind: number, ptr: number, n: number): void;
  /** Lays out memory for a backward pass; 0 if it cannot grow. */
  lstmBackPrepare(batch: number, units: number, chunkSteps: number): number;
  /** Where R `[U][4U]` goes before `lstmBackStart`. */
  lstmBackRecurrentPtr(): number;
  /** Where the chunk's `chunkSteps + 1` rows `[U]` of one input series (0–7: i f g o c h ∂L/∂h ∂L/∂c) and batch row go; row 0 is the step before the chunk. */
  lstmBackInputPtr(series: number, batchRow: number): number;
  /** ∂L/∂projected `[steps][B][4U]` of the chunk just run. */
  lstmBackProjectedPtr(): number;
  /** ∂L/∂R `[U][4U]` after `lstmBackFinish`. */
  lstmBackRecurrentGradPtr(): number;
  /** Packs Rᵀ and zeroes the carried gradients and ∂L/∂R. */
  lstmBackStart(): void;
  /** Runs the chunk backward; `withCell`, `weights` 0 or 1. */
  lstmBackRunSteps(steps: number, activation: number, withCell: number, weights: number): void;
  lstmBackFinish(): void;
}

const EXPORTED_FUNCTIONS = [
  'reserve', 'prepare', 'recurrentPtr', 'inputPtr', 'outputPtr', 'keepTotalsPtr', 'packRecurrent',
  'inputKernelPtr', 'inputBiasPtr', 'rawInputPtr', 'packInputWeights',
  'resetState', 'runSteps', 'runProjectedSteps', 'compactOutputs', 'applyActivation',
  'lstmBackPrepare', 'lstmBackRecurrentPtr', 'lstmBackInputPtr', 'lstmBackProjectedPtr',
  'lstmBackRecurrentGradPtr', 'lstmBackStart', 'lstmBackRunSteps', 'lstmBackFinish',
] as const;

/** Instantiates `fglab-kernels.wasm` synchronously (fine in a worker; the module is small). */
export function instantiateLstmWasm(wasmBytes: Uint8Array, native?: NativeProducts): LstmWasmExports {
  return instantiateKernels<LstmWasmExports>(wasmBytes, EXPORTED_FUNCTIONS, native);
}

/** Instantiates `fglab-kernels.wasm` without blocking (for a thread where sync compile is refused). */
export async function instantiateLstmWasmAsync(wasmBytes: Uint8Array, native?: NativeProducts): Promise<LstmWasmExports> {
  return instantiateKernelsAsync<LstmWasmExports>(wasmBytes, EXPORTED_FUNCTIONS, native);
}

/** Builds the kernel over an instantiated module; runs are synchronous and use one instance. */
export function wasmLstmKernelFromExports(ex: LstmWasmExports): LstmKernel {
  /**
   * The forward pass shared by `run` and `trace`: lays out memory (with the projection of
   * `features` inputs when > 0), copies R in, then per chunk `load`s the chunk's inputs into
   * the heap, runs it and copies the series `names` (the module's first ones) out into `out`.
   */
  function runForward<T extends LstmKernelOutput>(
    input: Omit<LstmKernelInput, 'projected'>,
    features: number,
    names: readonly (keyof T & string)[],
    out: T,
    load: (heap: Float32Array, t0: number, steps: number) => void,
  ): T {
    const { batch: B, time: T, units: U } = input;
    const G = 4 * U;
    // One call into wasm per STEPS_PER_CHECK steps: the same cancellation points as the reference.
    const chunk = Math.min(STEPS_PER_CHECK, T);
    if (!ex.prepare(B, U, chunk, features)) {
      const mb = Math.ceil((4 * (2 * U * G + chunk * B * 2 * G + 10 * B * U + 7 * B * chunk * U + features * (2 * G + chunk * B))) / 2 ** 20);
      throw new Error(`wasm lstm kernel: cannot grow wasm memory to about ${mb} MB for batch ${B}, units ${U}`);
    }
    // Memory only grows in prepare, so this view stays valid for the whole run.
    const heap = new Float32Array(ex.memory.buffer);
    heap.set(input.recurrentKernel, ex.recurrentPtr() >>> 2);
    ex.packRecurrent();
    ex.resetState();
    const targets = names.map((key) => out[key] as Float32Array);
    const sources: number[] = [];
    for (let s = 0; s < names.length; s++) for (let b = 0; b < B; b++) sources.push(ex.outputPtr(s, b) >>> 2);
    const activation = activationCode(input.recurrentActivation);
    const forgetGate = input.forgetGate === false ? 0 : 1;
    for (let t0 = 0; t0 < T; t0 += chunk) {
      if (input.shouldStop?.()) throw new CancelledError();
      const steps = Math.min(chunk, T - t0);
      load(heap, t0, steps);
      if (features > 0) ex.runProjectedSteps(steps, activation, forgetGate);
      else ex.runSteps(steps, activation, forgetGate);
      ex.compactOutputs(steps);
      for (let s = 0; s < names.length; s++) {
        for (let b = 0; b < B; b++) {
          const from = sources[s * B + b];
          targets[s].set(heap.subarray(from, from + steps * U), (b * T + t0) * U);
        }
      }
    }
    return out;
  }

  return {
    name: wasmKernelName(ex),
    run(input) {
      checkKernelInput(input);
      const { batch: B, time: T, units: U } = input;
      const G = 4 * U;
      return runForward(input, 0, LSTM_OUTPUT_SERIES, allocateOutput(B, T, U), (heap, t0, steps) => {
        heap.set(input.projected.subarray(t0 * B * G, (t0 + steps) * B * G), ex.inputPtr() >>> 2);
      });
    },
    trace(input, into) {
      checkLstmTrace(input, into);
      const { batch: B, time: T, units: U, inputs } = input;
      const F = inputs.features;
      const out: LstmTraceOutput = into ?? { ...allocateOutput(B, T, U), survival: new Float32Array(B * T * U), keepTotals: new Float64Array(B * KEEP_TOTALS * U) };
      runForward(input, F, LSTM_TRACE_SERIES, out, (heap, t0, steps) => {
        if (t0 === 0) {
          heap.set(inputs.kernel, ex.inputKernelPtr() >>> 2);
          heap.set(inputs.bias, ex.inputBiasPtr() >>> 2);
          ex.packInputWeights();
        }
        copyInputChunk(heap, ex.rawInputPtr() >>> 2, inputs.data, B, T, F, t0, steps);
      });
      readKeepTotals(ex, ex.keepTotalsPtr, B, U, out.keepTotals);
      return out;
    },
    backward(input, forward, upstream, options) {
      checkLstmBackward(input, forward, upstream);
      const { batch: B, time: T, units: U } = input;
      const G = 4 * U;
      const chunk = Math.min(STEPS_PER_CHECK, T);
      if (!ex.lstmBackPrepare(B, U, chunk)) {
        const up = Math.ceil(U / 8) * 8;
        const mb = Math.ceil((4 * (U * G + 4 * up * up + 16 * B * (chunk + 1) * up + 2 * chunk * B * 4 * up + U * chunk * B + U * 4 * up)) / 2 ** 20);
        throw new Error(`wasm lstm kernel: cannot grow wasm memory to about ${mb} MB for the backward pass of batch ${B}, units ${U}`);
      }
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.recurrentKernel, ex.lstmBackRecurrentPtr() >>> 2);
      ex.lstmBackStart();
      const withCell = upstream.cell !== undefined;
      // Input series in the module's order; c and h also need the step before the chunk.
      const series = [forward.inputGate, forward.forgetGate, forward.candidate, forward.outputGate, forward.cell, forward.hidden, upstream.hidden, upstream.cell];
      const withPrevious = [false, false, false, false, true, true, false, false];
      const targets: number[] = [];
      for (let s = 0; s < series.length; s++) for (let b = 0; b < B; b++) targets.push(ex.lstmBackInputPtr(s, b) >>> 2);
      const activation = activationCode(input.recurrentActivation);
      const weights = options?.weights ?? true;
      const dProjected = new Float32Array(T * B * G);
      for (let tEnd = T; tEnd > 0; tEnd -= chunk) {
        if (input.shouldStop?.()) throw new CancelledError();
        const t0 = Math.max(0, tEnd - chunk);
        for (let s = 0; s < series.length; s++) {
          const values = series[s];
          if (!values) continue;
          for (let b = 0; b < B; b++) {
            const row0 = targets[s * B + b];
            if (withPrevious[s] && t0 > 0) {
              heap.set(values.subarray((b * T + t0 - 1) * U, (b * T + tEnd) * U), row0);
            } else {
              if (withPrevious[s]) heap.fill(0, row0, row0 + U); // h₋₁ = c₋₁ = 0
              heap.set(values.subarray((b * T + t0) * U, (b * T + tEnd) * U), row0 + U);
            }
          }
        }
        ex.lstmBackRunSteps(tEnd - t0, activation, withCell ? 1 : 0, weights ? 1 : 0);
        const from = ex.lstmBackProjectedPtr() >>> 2;
        dProjected.set(heap.subarray(from, from + (tEnd - t0) * B * G), t0 * B * G);
      }
      ex.lstmBackFinish();
      const dR = ex.lstmBackRecurrentGradPtr() >>> 2;
      return { projected: dProjected, recurrentKernel: heap.slice(dR, dR + U * G) };
    },
  };
}

/**
 * The WebAssembly SIMD kernel from the bytes of `fglab-kernels.wasm`, its traces' products on
 * the native accelerator when given (see `instantiateKernels`).
 */
export function createWasmLstmKernel(wasmBytes: Uint8Array, native?: NativeProducts): LstmKernel {
  return wasmLstmKernelFromExports(instantiateLstmWasm(wasmBytes, native));
}

/** The same, compiling the module asynchronously. */
export async function createWasmLstmKernelAsync(wasmBytes: Uint8Array, native?: NativeProducts): Promise<LstmKernel> {
  return wasmLstmKernelFromExports(await instantiateLstmWasmAsync(wasmBytes, native));
}
