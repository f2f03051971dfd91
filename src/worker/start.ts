/**
 * Entry of the kernel worker (`dist/worker.js`): compiles the worker's bundle
 * (`dist/worker-main.js`, main.ts) through a V8 code cache and starts it. Kept to Node's
 * built-ins and code-cache.ts, so that it compiles in no time itself.
 */
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from '../shared/protocol';
import { codeCacheFolder, compileCached } from './code-cache';

/** The worker's bundle, beside this one. */
export const WORKER_BUNDLE = 'worker-main.js';

// process.hrtime, not performance.now: the global `performance` loads nine built-in modules.
const startedAt = process.hrtime.bigint();
const sinceStart = (): number => Number(process.hrtime.bigint() - startedAt) / 1e6;
const { codeCacheDir } = workerData as WorkerInit;
const bundle = compileCached(join(__dirname, WORKER_BUNDLE), codeCacheFolder(codeCacheDir), (m) => console.warn(m));
const { startWorker } = bundle.run() as typeof import('./main');
startWorker({ sinceStart, codeCache: bundle.status, beforeFirstResult: () => bundle.save() });
