/**
 * Entry of the kernel worker (`dist/worker.js`): compiles the worker's bundle
 * (`dist/worker-main.js`, main.ts) through a V8 code cache and starts it. Kept to Node's
 * built-ins, code-cache.ts and kernel-wasm.ts, so that it compiles in no time itself.
 */
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from '../shared/protocol';
import { codeCacheFolder, compileCached } from './code-cache';
import { loadNativeProducts, readKernelWasm } from './kernel-wasm';

/** The worker's bundle, beside this one. */
export const WORKER_BUNDLE = 'worker-main.js';

// process.hrtime, not performance.now: the global `performance` loads nine built-in modules.
const startedAt = process.hrtime.bigint();
const sinceStart = (): number => Number(process.hrtime.bigint() - startedAt) / 1e6;
const { codeCacheDir, wasmDir } = workerData as WorkerInit;
const warn = (message: string): void => console.warn(message);
// The kernels first: choosing their build may turn a V8 flag on (relaxed SIMD on Node 20), and V8
// refuses a code cache made under other flags, so the bundle is compiled, and its cache written,
// with the flags final.
const kernelWasm = readKernelWasm(wasmDir, warn);
const nativeProducts = kernelWasm ? loadNativeProducts(wasmDir, warn) : undefined;
const bundle = compileCached(join(__dirname, WORKER_BUNDLE), codeCacheFolder(codeCacheDir), warn);
const { startWorker } = bundle.run() as typeof import('./main');
startWorker({ sinceStart, kernelWasm, nativeProducts, codeCache: bundle.status, beforeFirstResult: () => bundle.save() });
