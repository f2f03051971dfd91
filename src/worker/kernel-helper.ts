/**
 * The helper thread that traces groups of rows of large batches beside the thread that runs
 * the spec (see src/lab/kernels/batch-split.ts): one per kernel worker (or CLI process),
 * started on its first job, running only the WebAssembly kernels (no TensorFlow.js).
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setKernelHelper, type KernelHelper, type KernelJob } from '../lab/kernels/batch-split';

/** The helper's bundle, beside the other bundles and `fglab-kernels.wasm`. */
export const KERNEL_HELPER_FILE = 'kernel-helper.js';

/** What the helper thread is started with. */
export interface KernelHelperInit {
  /** Folder holding `fglab-kernels.wasm`. */
  wasmDir: string;
}

/**
 * A helper whose thread starts on the first job. Unreferenced, so it never keeps a process
 * alive; a thread that fails or exits is started again on the next job (meanwhile its jobs
 * are taken back by the thread that posted them).
 */
export function lazyKernelHelper(dir: string, warn: (message: string) => void): KernelHelper & { dispose(): void } {
  let worker: Worker | undefined;
  return {
    start(job: KernelJob) {
      if (!worker) {
        const started = new Worker(resolve(dir, KERNEL_HELPER_FILE), { workerData: { wasmDir: resolve(dir) } satisfies KernelHelperInit });
        started.unref();
        started.on('error', (e) => {
          warn(`Forget Gate Lab: the batch helper thread failed (${e.message}); large batches run on one thread`);
          if (worker === started) worker = undefined;
        });
        started.on('exit', () => {
          if (worker === started) worker = undefined;
        });
        worker = started;
      }
      worker.postMessage(job);
    },
    dispose() {
      void worker?.terminate();
      worker = undefined;
    },
  };
}

/** Splits large batches of this thread's traces with a helper thread from `dir` from now on. */
export function useKernelHelper(dir: string, warn: (message: string) => void): void {
  setKernelHelper(lazyKernelHelper(dir, warn));
}
