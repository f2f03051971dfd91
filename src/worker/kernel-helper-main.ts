/**
 * Entry of the batch helper thread (dist/kernel-helper.js, started by kernel-helper.ts): runs
 * each `KernelJob` it is sent on its own instances of the WebAssembly kernels, recording the
 * outcome in the job's shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runKernelJob, type KernelJob } from '../lab/kernels/batch-split';
import { createWasmGruKernel } from '../lab/kernels/wasm-gru';
import { createWasmLstmKernel } from '../lab/kernels/wasm-lstm';
import type { KernelHelperInit } from './kernel-helper';
import { loadNativeProducts, readKernelWasm } from './kernel-wasm';

const init = workerData as KernelHelperInit;
// The same build as the thread that posts the jobs picks (a job names its kernel; a helper
// running another one fails the job, which that thread then runs itself).
const bytes = readKernelWasm(init.wasmDir, (m) => console.warn(m));
if (!bytes) throw new Error(`the batch helper found no kernels in ${init.wasmDir}`);
const native = loadNativeProducts(init.wasmDir, (m) => console.warn(m));
const kernels = { lstm: createWasmLstmKernel(bytes, native), gru: createWasmGruKernel(bytes, native) };
parentPort?.on('message', (job: KernelJob) => runKernelJob(job, kernels));
