/**
 * Entry of the batch helper thread (dist/kernel-helper.js, started by kernel-helper.ts): runs
 * each `KernelJob` it is sent on its own instances of the WebAssembly kernels, recording the
 * outcome in the job's shared memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { runKernelJob, type KernelJob } from '../lab/kernels/batch-split';
import { createWasmGruKernel } from '../lab/kernels/wasm-gru';
import { createWasmLstmKernel } from '../lab/kernels/wasm-lstm';
import type { KernelHelperInit } from './kernel-helper';
import { KERNEL_WASM_FILE } from './kernel-wasm';

const init = workerData as KernelHelperInit;
const bytes = readFileSync(join(init.wasmDir, KERNEL_WASM_FILE));
const kernels = { lstm: createWasmLstmKernel(bytes), gru: createWasmGruKernel(bytes) };
parentPort?.on('message', (job: KernelJob) => runKernelJob(job, kernels));
