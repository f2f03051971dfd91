/**
 * Instantiating `fglab-kernels.wasm` (compiled from src/kernels/assembly at build time and
 * shipped beside the bundles) and checking its exports. Each kernel gets its own instance,
 * so its memory layout is its own. Given the native product accelerator, instances of the
 * relaxed-SIMD build hand the traces' matrix products to it: the same bits with 256-bit
 * vectors (src/native/product.c).
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
type WasmImports = Record<string, Record<string, (...args: number[]) => void>>;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
};

/**
 * The native accelerator's functions (src/native/product.c, loaded by src/worker/kernel-wasm.ts):
 * `productFused` takes a module's memory, then the arguments of the module's own `productFused`.
 */
export interface NativeProducts {
  productFused(memory: ArrayBuffer, x: number, xStride: number, k: number, m: number, mRow: number, mPanel: number, panels: number, init: number, initStride: number, dst: number, dstStride: number, rows: number): void;
}


/** What every kernel's exports have: the module's memory, `reserve` and which build it is. */
export interface KernelsWasmMemory {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Makes `bytes` bytes usable from the heap start; returns that start, or 0 if memory cannot grow. */
  reserve(bytes: number): number;
  /** 1 in the relaxed-SIMD build (fused multiply–adds), 0 in the SIMD build. */
  fusedMultiplyAdd(): number;
  /** 1: the traces' products run natively (see `NativeProducts`); 0: in the module. */
  useNativeProduct(on: number): void;
}

/** The kernels' name with the native accelerator. */
export const NATIVE_KERNEL_NAME = 'wasm-relaxed-simd+avx2';

/** Instances whose products run natively. */
const natives = new WeakSet<object>();

/**
 * A kernel's name in reports by its build: `wasm-relaxed-simd` (fused multiply–adds),
 * `wasm-simd`, or `wasm-relaxed-simd+avx2` with the native accelerator.
 */
export function wasmKernelName(ex: KernelsWasmMemory): string {
  if (natives.has(ex)) return NATIVE_KERNEL_NAME;
  return ex.fusedMultiplyAdd() ? 'wasm-relaxed-simd' : 'wasm-simd';
}

/** The exports `functions` (and `memory`) of an instance, or an error naming the missing ones. */
function checkExports<T>(instance: WasmInstance, functions: readonly string[]): T {
  const ex = instance.exports;
  const all = [...functions, 'fusedMultiplyAdd', 'useNativeProduct'];
  const missing: string[] = all.filter((name) => typeof ex[name] !== 'function');
  const memory = ex['memory'] as { buffer?: unknown } | undefined;
  if (!memory || !(memory.buffer instanceof ArrayBuffer)) missing.push('memory');
  if (missing.length > 0) throw new Error(`fglab-kernels.wasm: expected the exports ${[...all, 'memory'].join(', ')}; missing ${missing.join(', ')}`);
  return ex as unknown as T;
}

/**
 * The module's imports: `env.productFused`, the accelerator's product on the instance's memory
 * (`memory()`: known once instantiated), or without one a function that throws: the module
 * calls it only after `useNativeProduct(1)`, which `connect` calls only with an accelerator.
 */
function importsFor(memory: () => ArrayBuffer, products: NativeProducts | undefined): WasmImports {
  return {
    env: {
      productFused: products
        ? (x, xs, k, m, mRow, mPanel, panels, init, is, dst, ds, rows) => products.productFused(memory(), x, xs, k, m, mRow, mPanel, panels, init, is, dst, ds, rows)
        : () => {
          throw new Error('fglab-kernels.wasm: no native accelerator');
        },
    },
  };
}

/** Checks the exports and switches the products to the accelerator where there is one and the build is fused like it. */
function connect<T>(instance: WasmInstance, functions: readonly string[], products: NativeProducts | undefined): T {
  const ex = checkExports<T & KernelsWasmMemory>(instance, functions);
  if (products && ex.fusedMultiplyAdd()) {
    ex.useNativeProduct(1);
    natives.add(ex);
  }
  return ex;
}

/**
 * Instantiates `fglab-kernels.wasm` synchronously (fine in a worker; the module is small), its
 * traces' products on the native accelerator `products` when given and the build is fused.
 */
export function instantiateKernels<T>(wasmBytes: Uint8Array, functions: readonly string[], products?: NativeProducts): T {
  let ex: KernelsWasmMemory | undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), importsFor(() => ex!.memory.buffer, products));
  ex = connect<KernelsWasmMemory>(instance, functions, products);
  return ex as unknown as T;
}

/** The same without blocking (for a thread where sync compile is refused). */
export async function instantiateKernelsAsync<T>(wasmBytes: Uint8Array, functions: readonly string[], products?: NativeProducts): Promise<T> {
  let ex: KernelsWasmMemory | undefined;
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasmBytes), importsFor(() => ex!.memory.buffer, products));
  ex = connect<KernelsWasmMemory>(instance, functions, products);
  return ex as unknown as T;
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
