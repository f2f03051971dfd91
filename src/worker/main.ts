/**
 * The kernel worker (`worker_threads`): one per open notebook, started on its first run.
 * All numeric work happens here; the host only sends cell sources and wraps the output bytes
 * it gets back (transferred, not copied). Bundled as `dist/worker-main.js`, which the worker's
 * entry (`dist/worker.js`, start.ts) compiles through a code cache and starts with `startWorker`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, describeModelFile, initLab, SpecError, traceOutputItems } from '../lab';
import { tf } from '../lab/tf';
import type { TrainingProgress } from '../shared/trace';
import {
  assertNever,
  PROTOCOL_VERSION,
  type DescribeModelRequest,
  type ErrorKind,
  type HostToWorker,
  type OutputItemBytes,
  type RunCodeRequest,
  type RunSpecRequest,
  type StatsRequest,
  type WorkerInit,
  type WorkerToHost,
} from '../shared/protocol';
import { readFileForSpec } from './files';
import { CodeCellError, CodeKernel, loadBundledCompiler } from './code-kernel';
import { useKernelHelper } from './kernel-helper';
import type { CodeCacheStatus } from './code-cache';
import type { NativeProducts } from '../lab/kernels/wasm-module';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('the lab worker must run in a worker thread');
const cancel = new Int32Array(init.cancelFlag);

function post(message: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** An ArrayBuffer holding exactly `bytes`, safe to transfer. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/** An allocation that failed for lack of memory (typed arrays, WebAssembly memory): the user asked for too much. */
function isOutOfMemory(e: unknown): boolean {
  return e instanceof RangeError && /allocation failed|out of memory|Maximum memory size|Invalid typed array length|Array buffer/i.test(e.message);
}

/** Least time between two progress messages of one run: a few updates a second. */
export const PROGRESS_INTERVAL_MS = 250;

/** Posts training progress of a request, at most once per `PROGRESS_INTERVAL_MS` (and always the last step of an epoch). */
function progressPoster(requestId: number): (progress: TrainingProgress) => void {
  let last = -Infinity;
  return (progress) => {
    const t = performance.now();
    if (t - last < PROGRESS_INTERVAL_MS && progress.step !== progress.stepsPerEpoch) return;
    last = t;
    post({ type: 'progress', requestId, progress });
  };
}

/** What the worker's entry gives `startWorker`. */
export interface WorkerHooks {
  /** Milliseconds since the worker's entry began, for the ready message's `startMs`. */
  sinceStart: () => number;
  /** The recurrent kernels' bytes, as `readKernelWasm` chose them (undefined: the TypeScript kernels). */
  kernelWasm: Uint8Array | undefined;
  /** The native product accelerator, as `loadNativeProducts` found it (undefined: none). */
  nativeProducts?: NativeProducts;
  /** How the bundle was compiled (start.ts), for the ready message. */
  codeCache?: CodeCacheStatus;
  /** Called once, before the first result is posted: writes the code cache if it was not used. */
  beforeFirstResult?: () => void;
}

let hooks: WorkerHooks = { sinceStart: () => 0, kernelWasm: undefined };

/** Posts output items, their bytes transferred. */
function postOutputs(type: 'result' | 'display', requestId: number, items: OutputItemBytes[]): void {
  if (type === 'result' && hooks.beforeFirstResult) {
    // Before the post, so that a worker stopped right after its first result still leaves its cache.
    const first = hooks.beforeFirstResult;
    hooks = { ...hooks, beforeFirstResult: undefined };
    first();
  }
  const outputs = items.map((o) => ({ mime: o.mime, data: new Uint8Array(ownBuffer(o.data)) }));
  post({ type, requestId, outputs }, outputs.map((o) => o.data.buffer as ArrayBuffer));
}

/** Code cells and what spec cells share with them: one kernel state per worker (per notebook). */
const code = new CodeKernel(loadBundledCompiler);

async function runSpec(request: RunSpecRequest): Promise<void> {
  try {
    const output = await code.runSpec(request.source, {
      baseDir: request.baseDir,
      cellName: request.cellName,
      ...(request.readRoots ? { readRoots: request.readRoots } : {}),
      onTrainingProgress: progressPoster(request.requestId),
      ...(request.defaultSeed !== undefined ? { defaultSeed: request.defaultSeed } : {}),
      shouldStop: () => Atomics.load(cancel, 0) === request.requestId,
    });
    postOutputs('result', request.requestId, traceOutputItems(output, request.outputPrecision));
  } catch (e) {
    postError(request.requestId, e);
  }
}

/** The error of a request: one line for the user's mistakes, a stack for the lab's own. */
function postError(requestId: number, e: unknown): void {
  const error = e as Error;
  if (isOutOfMemory(e)) {
    post({ type: 'error', requestId, kind: 'user', message: `out of memory (${error.message}): ask for fewer steps, units or batch rows` });
    return;
  }
  const kind: ErrorKind = e instanceof SpecError ? 'user' : e instanceof CancelledError ? 'cancelled' : 'internal';
  post({ type: 'error', requestId, kind, message: error.message ?? String(e), stack: kind === 'internal' ? error.stack : undefined });
}

async function describeModel(request: DescribeModelRequest): Promise<void> {
  try {
    let bytes: Uint8Array;
    try {
      bytes = readFileForSpec(request.path);
    } catch (e) {
      throw new SpecError(`weights.file: cannot read "${request.specPath}": ${(e as Error).message}`, 'weights.file');
    }
    const description = await describeModelFile(bytes, request.specPath);
    post({ type: 'described', requestId: request.requestId, source: description.suggestedSpec });
  } catch (e) {
    postError(request.requestId, e);
  }
}

async function runCode(request: RunCodeRequest): Promise<void> {
  const { requestId } = request;
  try {
    const items = await code.run({
      source: request.source,
      language: request.language,
      baseDir: request.baseDir,
      cellName: request.cellName,
      ...(request.outputPrecision ? { outputPrecision: request.outputPrecision } : {}),
      ...(request.defaultSeed !== undefined ? { defaultSeed: request.defaultSeed } : {}),
      shouldStop: () => Atomics.load(cancel, 0) === requestId,
    }, {
      stream: (stream, text) => post({ type: 'stream', requestId, stream, text }),
      display: (items) => postOutputs('display', requestId, items),
    });
    postOutputs('result', requestId, items);
  } catch (e) {
    if (e instanceof CodeCellError) {
      post({ type: 'error', requestId, kind: e.cancelled ? 'cancelled' : 'user', name: e.errorName, message: e.message, stack: e.cellStack || undefined });
      return;
    }
    postError(requestId, e);
  }
}

function stats(request: StatsRequest): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (request.collect && gc) gc();
  // Loaded on the first stats request, not by every new worker.
  const heap = (require('node:v8') as typeof import('node:v8')).getHeapStatistics();
  post({
    type: 'stats',
    requestId: request.requestId,
    backend: tf.getBackend(),
    heapUsedBytes: heap.used_heap_size,
    heapLimitBytes: heap.heap_size_limit,
    externalBytes: (heap as { external_memory?: number }).external_memory ?? 0,
    tensorBytes: tf.memory().numBytes,
    tensorCount: tf.memory().numTensors,
  });
}

/** Starts TensorFlow.js on the WASM backend, then switches to `cpu` when the host asks for it. */
async function start(): Promise<{ backend: string; kernel: string }> {
  const { kernelWasm, nativeProducts } = hooks;
  const lab = await initLab({ tfjsWasmDir: init.wasmDir, kernelWasm, nativeProducts });
  if (kernelWasm) useKernelHelper(init.wasmDir, (m) => console.warn(m));
  if (init.backend !== 'cpu') return lab;
  // Loaded only when chosen: the plain-JavaScript backend registers itself on import.
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: the cpu backend did not start');
  await tf.ready();
  return { ...lab, backend: tf.getBackend() };
}

/**
 * Starts the lab and answers the host's requests. Runs go one at a time, in order; the step
 * loops stay synchronous so that the shared cancellation flag is the only way in while a trace
 * runs. Stats are answered at once (between runs).
 */
export function startWorker(workerHooks: WorkerHooks): void {
  hooks = workerHooks;
  let queue: Promise<void> = start().then(({ backend, kernel }) => {
    post({ type: 'ready', protocol: PROTOCOL_VERSION, backend, kernel, startMs: hooks.sinceStart(), ...(hooks.codeCache ? { codeCache: hooks.codeCache } : {}) });
  });
  port!.on('message', (message: HostToWorker) => {
    switch (message.type) {
      case 'runSpec':
        queue = queue.then(() => runSpec(message));
        return;
      case 'runCode':
        queue = queue.then(() => runCode(message));
        return;
      case 'describeModel':
        queue = queue.then(() => describeModel(message));
        return;
      case 'stats':
        stats(message);
        return;
      default:
        assertNever(message);
    }
  });
}
