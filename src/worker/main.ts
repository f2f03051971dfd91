/**
 * The kernel worker (`worker_threads`): one per open notebook, started on its first run.
 * All numeric work happens here; the host only sends cell sources and wraps the output bytes
 * it gets back (transferred, not copied).
 */
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, initLab, runSpecCell, SpecError } from '../lab';
import {
  assertNever,
  PROTOCOL_VERSION,
  type ErrorKind,
  type HostToWorker,
  type RunSpecRequest,
  type WorkerInit,
  type WorkerToHost,
} from '../shared/protocol';
import { readFileForSpec } from './files';
import { readKernelWasm } from './kernel-wasm';

const startedAt = performance.now();
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

async function runSpec(request: RunSpecRequest): Promise<void> {
  try {
    const items = await runSpecCell(request.source, {
      readFile: (path) => readFileForSpec(resolve(request.baseDir, path)),
      shouldStop: () => Atomics.load(cancel, 0) === request.requestId,
    });
    const outputs = items.map((o) => ({ mime: o.mime, data: new Uint8Array(ownBuffer(o.data)) }));
    post({ type: 'result', requestId: request.requestId, outputs }, outputs.map((o) => o.data.buffer as ArrayBuffer));
  } catch (e) {
    const error = e as Error;
    const kind: ErrorKind = e instanceof SpecError ? 'user' : e instanceof CancelledError ? 'cancelled' : 'internal';
    post({ type: 'error', requestId: request.requestId, kind, message: error.message ?? String(e), stack: kind === 'internal' ? error.stack : undefined });
  }
}

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'runSpec':
      return runSpec(message);
    default:
      assertNever(message.type);
  }
}

// Requests run one at a time, in order; the step loops stay synchronous so that the shared
// cancellation flag is the only way in while a trace runs.
const kernelWasm = readKernelWasm(init.wasmDir, (m) => console.warn(m));
let queue: Promise<void> = initLab({ tfjsWasmDir: init.wasmDir, kernelWasm }).then(({ backend, kernel }) => {
  post({ type: 'ready', protocol: PROTOCOL_VERSION, backend, kernel, startMs: performance.now() - startedAt });
});
port.on('message', (message: HostToWorker) => {
  queue = queue.then(() => handle(message));
});
