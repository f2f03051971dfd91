/**
 * The orthogonal initialiser's QR step in WebAssembly (src/kernels/assembly/orthogonal.ts):
 * the same bits as `gramSchmidtQ` in init.ts, without waiting for the JIT (a new worker's
 * first trace generates its weights cold).
 */
import { gramSchmidtQ, type GramSchmidt } from '../init';
import { instantiateKernels, instantiateKernelsAsync, type KernelsWasmMemory } from './wasm-module';

/** The orthogonal exports of `fglab-kernels.wasm`; pointers are byte offsets. */
export interface OrthogonalWasmExports extends KernelsWasmMemory {
  /** Lays out an m × n f64 matrix; its address, 0 if memory cannot grow. */
  orthoPrepare(m: number, n: number): number;
  /** Orthonormalises its columns in place; −1, or the first column whose norm was 0. */
  orthoRun(m: number, n: number): number;
}

/** Largest matrix (elements) done in WebAssembly: 32 MB of f64, 1024 units' [U, 4U] and more. */
export const MAX_WASM_ELEMENTS = 2 ** 22;

const ORTHOGONAL_FUNCTIONS = ['reserve', 'orthoPrepare', 'orthoRun'] as const;

/** `gramSchmidtQ` over an instantiated module. */
export function wasmGramSchmidtFromExports(ex: OrthogonalWasmExports): GramSchmidt {
  return (a, m, n) => {
    // Larger matrices stay in JavaScript: the module's memory never shrinks, and by then the JIT has warmed up anyway.
    if (m * n > MAX_WASM_ELEMENTS) return gramSchmidtQ(a, m, n);
    const at = ex.orthoPrepare(m, n);
    if (!at) throw new Error(`orthogonal: cannot grow wasm memory to ${Math.ceil((8 * m * n) / 2 ** 20)} MB for a ${m} × ${n} matrix`);
    const heap = new Float64Array(ex.memory.buffer, at, m * n);
    heap.set(a);
    if (ex.orthoRun(m, n) >= 0) throw new Error('orthogonal: the random matrix is rank-deficient');
    a.set(heap);
    return a;
  };
}

/** The same from the bytes of `fglab-kernels.wasm`. */
export function createWasmGramSchmidt(wasmBytes: Uint8Array): GramSchmidt {
  return wasmGramSchmidtFromExports(instantiateKernels<OrthogonalWasmExports>(wasmBytes, ORTHOGONAL_FUNCTIONS));
}

/** The same, compiling the module asynchronously. */
export async function createWasmGramSchmidtAsync(wasmBytes: Uint8Array): Promise<GramSchmidt> {
  return wasmGramSchmidtFromExports(await instantiateKernelsAsync<OrthogonalWasmExports>(wasmBytes, ORTHOGONAL_FUNCTIONS));
}
