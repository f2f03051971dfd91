/**
 * Finds the fused recurrent kernels beside the bundles and picks the build this runtime runs
 * best: `fglab-kernels-relaxed.wasm` (relaxed SIMD: one fused multiply–add per lane in the
 * matrix products, about 1.4× faster here) where the runtime validates it, else
 * `fglab-kernels.wasm` (128-bit SIMD, which every supported runtime runs). VS Code's Electron
 * and Node ≥ 22 run relaxed SIMD as shipped; V8 11.3 (Node 20) has it finished but behind
 * `--experimental-wasm-relaxed-simd`, which is turned on here when the first check fails.
 * `FGLAB_KERNEL=simd` in the environment keeps the SIMD build (to compare the two).
 * Every thread that traces (the worker, its batch helper, the CLI) picks with this function, so
 * both threads of a split batch run the same build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeProducts } from '../lab/kernels/wasm-module';

export const KERNEL_WASM_FILE = 'fglab-kernels.wasm';
export const KERNEL_RELAXED_WASM_FILE = 'fglab-kernels-relaxed.wasm';
/** The native product accelerator (src/native/product.c), built for Linux x64 only. */
export const NATIVE_PRODUCTS_FILE = 'fglab-native-linux-x64.node';

// Node's types declare WebAssembly's types only; its one function used here, declared locally.
const { validate } = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** Whether this runtime compiles the relaxed-SIMD build `bytes`, turning V8's flag on if it has one. */
export function runsRelaxedSimd(bytes: Uint8Array): boolean {
  if (validate(bytes)) return true;
  // Loaded only here: where relaxed SIMD ships (VS Code, Node ≥ 22) a new worker never loads it.
  const { setFlagsFromString } = require('node:v8') as typeof import('node:v8');
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return validate(bytes);
}

/**
 * The kernels' bytes (the relaxed-SIMD build where it runs, see above), or undefined (with the
 * reason) when neither file can be read.
 */
export function readKernelWasm(dir: string, warn: (message: string) => void): Uint8Array | undefined {
  if (process.env.FGLAB_KERNEL !== 'simd') {
    try {
      const relaxed = readFileSync(join(dir, KERNEL_RELAXED_WASM_FILE));
      if (runsRelaxedSimd(relaxed)) return relaxed;
    } catch (e) {
      warn(`Forget Gate Lab: ${KERNEL_RELAXED_WASM_FILE} not loaded (${(e as Error).message}); using ${KERNEL_WASM_FILE}`);
    }
  }
  try {
    return readFileSync(join(dir, KERNEL_WASM_FILE));
  } catch (e) {
    warn(`Forget Gate Lab: ${KERNEL_WASM_FILE} not loaded (${(e as Error).message}); using the slower TypeScript kernel`);
    return undefined;
  }
}

/**
 * The native product accelerator beside the bundles, for the relaxed-SIMD kernels' traces
 * (`NativeProducts` in src/lab/kernels/wasm-module.ts; the same bits, 256-bit vectors), or
 * undefined: on another platform than Linux x64 (it is built for that one only), on a CPU
 * without AVX2 and FMA, with `FGLAB_KERNEL=simd` or `FGLAB_NATIVE=0` in the environment (to
 * compare), or when it cannot be loaded (said through `warn`). Every thread that traces loads
 * it with this function, so both threads of a split batch run the same kernels.
 */
export function loadNativeProducts(dir: string, warn: (message: string) => void): NativeProducts | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  if (process.env.FGLAB_KERNEL === 'simd' || process.env.FGLAB_NATIVE === '0') return undefined;
  const path = join(dir, NATIVE_PRODUCTS_FILE);
  if (!existsSync(path)) {
    warn(`Forget Gate Lab: ${NATIVE_PRODUCTS_FILE} is missing; traces run in WebAssembly alone`);
    return undefined;
  }
  const addon = { exports: {} as { available?: boolean; productFused?: NativeProducts['productFused'] } };
  try {
    process.dlopen(addon, path);
  } catch (e) {
    warn(`Forget Gate Lab: ${NATIVE_PRODUCTS_FILE} not loaded (${(e as Error).message}); traces run in WebAssembly alone`);
    return undefined;
  }
  const { available, productFused } = addon.exports;
  return available && productFused ? { productFused } : undefined; // no AVX2 and FMA on this CPU
}
