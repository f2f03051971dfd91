/**
 * The GRU kernel in WebAssembly SIMD: the JS side of the `gru*` exports of
 * `fglab-kernels.wasm` (src/kernels/assembly/gru.ts).
 *
 * Same semantics and layouts as `jsGruKernel`, f32 arithmetic throughout (like TensorFlow.js),
 * so results agree with the reference to about 1e-6. As for the LSTM, R and b_h are copied in
 * once, then one chunk of `STEPS_PER_CHECK` steps at a time, whose outputs are copied out
 * into fresh arrays: nothing returned is a view of wasm memory.
 */
import { activationCode } from './activations';
import {
  allocateGruOutput,
  checkGruBackward,
  checkGruInput,
  checkGruTrace,
  GRU_OUTPUT_SERIES,
  GRU_TRACE_SERIES,
  type GruKernel,
  type GruKernelInput,
  type GruTraceOutput,
} from './gru-kernel';
import { copyInputChunk } from './raw-inputs';
import { CancelledError, STEPS_PER_CHECK } from './lstm-kernel';
import { KEEP_TOTALS } from '../metrics';
import { instantiateKernels, instantiateKernelsAsync, readKeepTotals, type KernelsWasmMemory, type NativeProducts, wasmKernelName } from './wasm-module';

/** The GRU exports of `fglab-kernels.wasm`; pointers are byte offsets. */
export interface GruWasmExports extends KernelsWasmMemory {
  /** Lays out memory for `batch` rows, `units` units, chunks of `chunkSteps`; 0 if it cannot grow. */
  gruPrepare(batch: number, units: number, chunkSteps: number, features: number): number;
  /** Where R `[U][3U]` goes before `gruPackWeights`. */
  gruRecurrentPtr(): number;
  /** Where b_h `[3U]` goes before `gruPackWeights`. */
  gruBiasPtr(): number;
  /** Where a chunk's projected inputs `[steps][B][3U]` go before `gruRunSteps`. */
  gruInputPtr(): number;
  /** Batch row `b`'s totals of the keep gate since the reset, `units` float64 of one kind (0 sum, 1 count < 0.1, 2 count > 0.9). */
  gruKeepTotalsPtr(kind: number, b: number): number;
  /** A chunk's rows `[steps][U]` of one series (0–5: z r h̃ h rec_h, survival) and batch row, after `gruCompactOutputs`. */
  gruOutputPtr(series: number, batchRow: number): number;
  gruPackWeights(): void;
  /** Where K `[F][3U]` and b_x `[3U]` go before `packInputWeights`, and a chunk's inputs `[steps][B][F]` before `gruRunProjectedSteps`. */
  inputKernelPtr(): number;
  inputBiasPtr(): number;
  rawInputPtr(): number;
  packInputWeights(): void;
  /** Sets h = 0. */
  gruResetState(): void;
  /** Runs `steps` steps (≤ chunkSteps); `activation` is the code of z and r's (see `activationCode`), `resetAfter` 0 or 1. */
  gruRunSteps(steps: number, activation: number, resetAfter: number): void;
  /** The same from the raw inputs at `rawInputPtr`, projecting them first. */
  gruRunProjectedSteps(steps: number, activation: number, resetAfter: number): void;
  gruCompactOutputs(steps: number): void;
  /** Lays out memory for a backward pass; 0 if it cannot grow. */
  gruBackPrepare(batch: number, units: number, chunkSteps: number): number;
  /** Where R `[U][3U]` goes before `gruBackStart`. */
  gruBackRecurrentPtr(): number;
  /** Where the chunk's `chunkSteps + 1` rows `[U]` of one input series (0–5: z r h̃ h rec_h ∂L/∂h) and batch row go; row 0 is the step before the chunk. */
  gruBackInputPtr(series: number, batchRow: number): number;
  /** ∂L/∂projected `[steps][B][3U]` of the chunk just run. */
  gruBackProjectedPtr(): number;
  /** ∂L/∂R `[U][3U]` after `gruBackFinish`. */
  gruBackRecurrentGradPtr(): number;
  /** ∂L/∂b_h `[3U]` after `gruBackFinish`. */
  gruBackBiasGradPtr(): number;
  /** Packs Rᵀ and zeroes the carried gradient and the weight gradients. */
  gruBackStart(): void;
  /** Runs the chunk backward; `resetAfter`, `weights` 0 or 1. */
  gruBackRunSteps(steps: number, activation: number, resetAfter: number, weights: number): void;
  gruBackFinish(): void;
}

const GRU_FUNCTIONS = [
  'reserve', 'gruPrepare', 'gruRecurrentPtr', 'gruBiasPtr', 'gruInputPtr', 'gruOutputPtr', 'gruKeepTotalsPtr',
  'gruPackWeights', 'gruResetState', 'gruRunSteps', 'gruRunProjectedSteps', 'gruCompactOutputs',
  'inputKernelPtr', 'inputBiasPtr', 'rawInputPtr', 'packInputWeights',
  'gruBackPrepare', 'gruBackRecurrentPtr', 'gruBackInputPtr', 'gruBackProjectedPtr', 'gruBackRecurrentGradPtr',
  'gruBackBiasGradPtr', 'gruBackStart', 'gruBackRunSteps', 'gruBackFinish',
] as const;

/** Instantiates `fglab-kernels.wasm` for the GRU kernel, synchronously. */
export function instantiateGruWasm(wasmBytes: Uint8Array, native?: NativeProducts): GruWasmExports {
  return instantiateKernels<GruWasmExports>(wasmBytes, GRU_FUNCTIONS, native);
}

/** The same without blocking. */
export function instantiateGruWasmAsync(wasmBytes: Uint8Array, native?: NativeProducts): Promise<GruWasmExports> {
  return instantiateKernelsAsync<GruWasmExports>(wasmBytes, GRU_FUNCTIONS, native);
}

/** The series of the module's output region, in its order (src/kernels/assembly/gru.ts). */
const MODULE_SERIES = [...GRU_OUTPUT_SERIES, 'survival'] as const;

/** Builds the kernel over an instantiated module; runs are synchronous and use one instance. */
export function wasmGruKernelFromExports(ex: GruWasmExports): GruKernel {
  /**
   * The forward pass shared by `run` and `trace` (see wasm-lstm.ts): memory for the run (and
   * the projection of `features` inputs when > 0), R and b_h in, then chunk by chunk.
   */
  function runForward<T extends object>(
    input: Omit<GruKernelInput, 'projected'>,
    features: number,
    names: readonly (keyof T & string)[],
    out: T,
    load: (heap: Float32Array, t0: number, steps: number) => void,
  ): T {
    const { batch: B, time: T, units: U } = input;
    const G = 3 * U;
    const chunk = Math.min(STEPS_PER_CHECK, T);
    if (!ex.gruPrepare(B, U, chunk, features)) {
      const up = Math.ceil(U / 8) * 8;
      const mb = Math.ceil((4 * (U * G + 3 * U * up + chunk * B * (G + 3 * up) + 3 * B * up + 4 * B * up + 6 * B * chunk * up + features * (2 * G + chunk * B))) / 2 ** 20);
      throw new Error(`wasm gru kernel: cannot grow wasm memory to about ${mb} MB for batch ${B}, units ${U}`);
    }
    // Memory only grows in gruPrepare, so this view stays valid for the whole run.
    const heap = new Float32Array(ex.memory.buffer);
    heap.set(input.recurrentKernel, ex.gruRecurrentPtr() >>> 2);
    if (input.recurrentBias) heap.set(input.recurrentBias, ex.gruBiasPtr() >>> 2);
    else heap.fill(0, ex.gruBiasPtr() >>> 2, (ex.gruBiasPtr() >>> 2) + G);
    ex.gruPackWeights();
    ex.gruResetState();
    const targets = names.map((key) => out[key] as Float32Array);
    const sources: number[] = [];
    // The module's series are z r h̃ h rec_h survival; `names` picks some of them, in that order.
    const index = names.map((name) => MODULE_SERIES.indexOf(name as (typeof MODULE_SERIES)[number]));
    for (let s = 0; s < names.length; s++) for (let b = 0; b < B; b++) sources.push(ex.gruOutputPtr(index[s], b) >>> 2);
    const activation = activationCode(input.recurrentActivation);
    const resetAfter = input.resetAfter ? 1 : 0;
    for (let t0 = 0; t0 < T; t0 += chunk) {
      if (input.shouldStop?.()) throw new CancelledError();
      const steps = Math.min(chunk, T - t0);
      load(heap, t0, steps);
      if (features > 0) ex.gruRunProjectedSteps(steps, activation, resetAfter);
      else ex.gruRunSteps(steps, activation, resetAfter);
      ex.gruCompactOutputs(steps);
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
      checkGruInput(input);
      const { batch: B, time: T, units: U } = input;
      const G = 3 * U;
      return runForward(input, 0, GRU_OUTPUT_SERIES, allocateGruOutput(B, T, U), (heap, t0, steps) => {
        heap.set(input.projected.subarray(t0 * B * G, (t0 + steps) * B * G), ex.gruInputPtr() >>> 2);
      });
    },
    trace(input, into) {
      checkGruTrace(input, into);
      const { batch: B, time: T, units: U, inputs } = input;
      const F = inputs.features;
      const out: GruTraceOutput = into ?? {
        ...(Object.fromEntries(GRU_TRACE_SERIES.map((name) => [name, new Float32Array(B * T * U)])) as Omit<GruTraceOutput, 'keepTotals'>),
        keepTotals: new Float64Array(B * KEEP_TOTALS * U),
      };
      runForward(input, F, GRU_TRACE_SERIES, out, (heap, t0, steps) => {
        if (t0 === 0) {
          heap.set(inputs.kernel, ex.inputKernelPtr() >>> 2);
          heap.set(inputs.bias, ex.inputBiasPtr() >>> 2);
          ex.packInputWeights();
        }
        copyInputChunk(heap, ex.rawInputPtr() >>> 2, inputs.data, B, T, F, t0, steps);
      });
      readKeepTotals(ex, ex.gruKeepTotalsPtr, B, U, out.keepTotals);
      return out;
    },
    backward(input, forward, dHidden, options) {
      checkGruBackward(input, forward, dHidden);
      const { batch: B, time: T, units: U } = input;
      const G = 3 * U;
      const chunk = Math.min(STEPS_PER_CHECK, T);
      if (!ex.gruBackPrepare(B, U, chunk)) {
        const up = Math.ceil(U / 8) * 8;
        const mb = Math.ceil((4 * (U * G + 3 * up * up + 12 * B * (chunk + 1) * up + 3 * chunk * B * G + 2 * U * chunk * B + U * 3 * up)) / 2 ** 20);
        throw new Error(`wasm gru kernel: cannot grow wasm memory to about ${mb} MB for the backward pass of batch ${B}, units ${U}`);
      }
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.recurrentKernel, ex.gruBackRecurrentPtr() >>> 2);
      ex.gruBackStart();
      // Input series in the module's order; h also needs the step before the chunk.
      const series = [forward.updateGate, forward.resetGate, forward.candidate, forward.hidden, forward.recurrentCandidate, dHidden];
      const H = 3;
      const targets: number[] = [];
      for (let s = 0; s < series.length; s++) for (let b = 0; b < B; b++) targets.push(ex.gruBackInputPtr(s, b) >>> 2);
      const activation = activationCode(input.recurrentActivation);
      const weights = options?.weights ?? true;
      const dProjected = new Float32Array(T * B * G);
      for (let tEnd = T; tEnd > 0; tEnd -= chunk) {
        if (input.shouldStop?.()) throw new CancelledError();
        const t0 = Math.max(0, tEnd - chunk);
        for (let s = 0; s < series.length; s++) {
          for (let b = 0; b < B; b++) {
            const row0 = targets[s * B + b];
            if (s === H && t0 > 0) {
              heap.set(series[s].subarray((b * T + t0 - 1) * U, (b * T + tEnd) * U), row0);
            } else {
              if (s === H) heap.fill(0, row0, row0 + U); // h₋₁ = 0
              heap.set(series[s].subarray((b * T + t0) * U, (b * T + tEnd) * U), row0 + U);
            }
          }
        }
        ex.gruBackRunSteps(tEnd - t0, activation, input.resetAfter ? 1 : 0, weights ? 1 : 0);
        const from = ex.gruBackProjectedPtr() >>> 2;
        dProjected.set(heap.subarray(from, from + (tEnd - t0) * B * G), t0 * B * G);
      }
      ex.gruBackFinish();
      const dR = ex.gruBackRecurrentGradPtr() >>> 2;
      const db = ex.gruBackBiasGradPtr() >>> 2;
      return { projected: dProjected, recurrentKernel: heap.slice(dR, dR + U * G), recurrentBias: heap.slice(db, db + G) };
    },
  };
}

/**
 * The WebAssembly SIMD GRU kernel from the bytes of `fglab-kernels.wasm`, its traces' products
 * on the native accelerator when given (see `instantiateKernels`).
 */
export function createWasmGruKernel(wasmBytes: Uint8Array, native?: NativeProducts): GruKernel {
  return wasmGruKernelFromExports(instantiateGruWasm(wasmBytes, native));
}

/** The same, compiling the module asynchronously. */
export async function createWasmGruKernelAsync(wasmBytes: Uint8Array, native?: NativeProducts): Promise<GruKernel> {
  return wasmGruKernelFromExports(await instantiateGruWasmAsync(wasmBytes, native));
}
