/**
 * Instantiating `fglab-kernels.wasm` (compiled from src/kernels/assembly at build time and
 * shipped beside the bundles) and checking its exports. Each kernel gets its own instance,
 * so its memory layout is its own.
 */

import { KEEP_TOTALS } from '../metrics';

// The core's lib is plain ES2022, which has no WebAssembly types: the few members used here,
// declared module-locally so that they never clash with DOM's or Node's declarations.
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, never>) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, never>): Promise<WasmInstance>;
};

/** What every kernel's exports have: the module's memory, `reserve` and which build it is. */
export interface KernelsWasmMemory {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Makes `bytes` bytes usable from the heap start; returns that start, or 0 if memory cannot grow. */
  reserve(bytes: number): number;
  /** 1 in the relaxed-SIMD build (fused multiply–adds), 0 in the SIMD build. */
  fusedMultiplyAdd(): number;
}

/** A kernel's name in reports by its build: `wasm-relaxed-simd` (fused multiply–adds) or `wasm-simd`. */
export function wasmKernelName(ex: KernelsWasmMemory): string {
  return ex.fusedMultiplyAdd() ? 'wasm-relaxed-simd' : 'wasm-simd';
}

/** The exports `functions` (and `memory`) of an instance, or an error naming the missing ones. */
function checkExports<T>(instance: WasmInstance, functions: readonly string[]): T {
  const ex = instance.exports;
  const missing: string[] = [...functions, 'fusedMultiplyAdd'].filter((name) => typeof ex[name] !== 'function');
  const memory = ex['memory'] as { buffer?: unknown } | undefined;
  if (!memory || !(memory.buffer instanceof ArrayBuffer)) missing.push('memory');
  if (missing.length > 0) throw new Error(`fglab-kernels.wasm: expected the exports ${[...functions, 'fusedMultiplyAdd', 'memory'].join(', ')}; missing ${missing.join(', ')}`);
  return ex as unknown as T;
}

/** Instantiates `fglab-kernels.wasm` synchronously (fine in a worker; the module is small). */
export function instantiateKernels<T>(wasmBytes: Uint8Array, functions: readonly string[]): T {
  return checkExports<T>(new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}), functions);
}

/** Instantiates `fglab-kernels.wasm` without blocking (for a thread where sync compile is refused). */
export async function instantiateKernelsAsync<T>(wasmBytes: Uint8Array, functions: readonly string[]): Promise<T> {
  return checkExports<T>(await WebAssembly.instantiate(await WebAssembly.compile(wasmBytes), {}), functions);
}

/**
 * Copies a recurrent kernel's keep-gate totals (`keepTotalsPtr(kind, row)`: `units` float64 of
 * one kind for one batch row) into `into`, laid out `[batch][KEEP_TOTALS][units]` as
 * `keepRowTotals` (metrics.ts) lays them out.
 */
export function readKeepTotals(ex: KernelsWasmMemory, ptr: (kind: number, row: number) => number, batch: number, units: number, into: Float64Array): void {
  const heap = new Float64Array(ex.memory.buffer);
  for (let b = 0; b < batch; b++) {
    for (let kind = 0; kind < KEEP_TOTALS; kind++) {
      const from = ptr(kind, b) >>> 3;
      into.set(heap.subarray(from, from + units), (b * KEEP_TOTALS + kind) * units);
    }
  }
}
