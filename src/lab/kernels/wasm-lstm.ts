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
  jsLstmKernel,
  STEPS_PER_CHECK,
  type LstmKernel,
  type LstmKernelOutput,
} from './lstm-kernel';
import { instantiateKernels, instantiateKernelsAsync, type KernelsWasmMemory } from './wasm-module';

/** The exports of `fglab-kernels.wasm` (src/kernels/assembly/index.ts); pointers are byte offsets. */
export interface LstmWasmExports extends KernelsWasmMemory {
  /** Lays out memory for `batch` rows, `units` units, chunks of `chunkSteps`; 0 if it cannot grow. */
  prepare(batch: number, units: number, chunkSteps: number): number;
  /** Where R `[U][4U]` goes before `packRecurrent`. */
  recurrentPtr(): number;
  /** Where a chunk's projected inputs `[steps][B][4U]` go before `runSteps`. */
  inputPtr(): number;
  /** A chunk's rows `[steps][U]` of one series (0–5: i f g o c h) and batch row, after `compactOutputs`. */
  outputPtr(series: number, batchRow: number): number;
  packRecurrent(): void;
  /** Sets h = c = 0. */
  resetState(): void;
  /** Runs `steps` steps (≤ chunkSteps); `activation` is the code of i, f, o's (see `activationCode`). */
  runSteps(steps: number, activation: number): void;
  compactOutputs(steps: number): void;
  /** In place on `n` floats at `ptr` (n a multiple of 4): 0 exp, 1 sigmoid, 2 hard sigmoid, 3 tanh, 4 Keras 3 hard sigmoid. */
  applyActivation(kind: number, ptr: number, n: number): void;
}

const EXPORTED_FUNCTIONS = [
  'reserve', 'prepare', 'recurrentPtr', 'inputPtr', 'outputPtr', 'packRecurrent',
  'resetState', 'runSteps', 'compactOutputs', 'applyActivation',
] as const;

/** Instantiates `fglab-kernels.wasm` synchronously (fine in a worker; the module is small). */
export function instantiateLstmWasm(wasmBytes: Uint8Array): LstmWasmExports {
  return instantiateKernels<LstmWasmExports>(wasmBytes, EXPORTED_FUNCTIONS);
}

/** Instantiates `fglab-kernels.wasm` without blocking (for a thread where sync compile is refused). */
export async function instantiateLstmWasmAsync(wasmBytes: Uint8Array): Promise<LstmWasmExports> {
  return instantiateKernelsAsync<LstmWasmExports>(wasmBytes, EXPORTED_FUNCTIONS);
}

/** Output series in the order the wasm module stores them. */
const SERIES = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden'] as const;

/** Builds the kernel over an instantiated module; runs are synchronous and use one instance. */
export function wasmLstmKernelFromExports(ex: LstmWasmExports): LstmKernel {
  return {
    name: 'wasm-simd',
    run(input) {
      checkKernelInput(input);
      const { batch: B, time: T, units: U } = input;
      const G = 4 * U;
      // One call into wasm per STEPS_PER_CHECK steps: the same cancellation points as the reference.
      const chunk = Math.min(STEPS_PER_CHECK, T);
      if (!ex.prepare(B, U, chunk)) {
        const mb = Math.ceil((4 * (2 * U * G + chunk * B * 2 * G + 8 * B * U + 6 * B * chunk * U)) / 2 ** 20);
        throw new Error(`wasm lstm kernel: cannot grow wasm memory to about ${mb} MB for batch ${B}, units ${U}`);
      }
      // Memory only grows in prepare, so this view stays valid for the whole run.
      const heap = new Float32Array(ex.memory.buffer);
      heap.set(input.recurrentKernel, ex.recurrentPtr() >>> 2);
      ex.packRecurrent();
      ex.resetState();
      const out: LstmKernelOutput = allocateOutput(B, T, U);
      const targets = SERIES.map((key) => out[key]);
      const sources: number[] = [];
      for (let s = 0; s < SERIES.length; s++) for (let b = 0; b < B; b++) sources.push(ex.outputPtr(s, b) >>> 2);
      const inputAt = ex.inputPtr() >>> 2;
      const activation = activationCode(input.recurrentActivation);
      for (let t0 = 0; t0 < T; t0 += chunk) {
        if (input.shouldStop?.()) throw new CancelledError();
        const steps = Math.min(chunk, T - t0);
        heap.set(input.projected.subarray(t0 * B * G, (t0 + steps) * B * G), inputAt);
        ex.runSteps(steps, activation);
        ex.compactOutputs(steps);
        for (let s = 0; s < SERIES.length; s++) {
          for (let b = 0; b < B; b++) {
            const from = sources[s * B + b];
            targets[s].set(heap.subarray(from, from + steps * U), (b * T + t0) * U);
          }
        }
      }
      return out;
    },
    backward(input, forward, upstream, options) {
      return jsLstmKernel.backward(input, forward, upstream, options);
    },
  };
}

/** The WebAssembly SIMD kernel from the bytes of `fglab-kernels.wasm`. */
export function createWasmLstmKernel(wasmBytes: Uint8Array): LstmKernel {
  return wasmLstmKernelFromExports(instantiateLstmWasm(wasmBytes));
}

/** The same, compiling the module asynchronously. */
export async function createWasmLstmKernelAsync(wasmBytes: Uint8Array): Promise<LstmKernel> {
  return wasmLstmKernelFromExports(await instantiateLstmWasmAsync(wasmBytes));
}
