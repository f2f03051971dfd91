/**
 * The host side of one notebook's kernel: a worker thread started on the first run, typed
 * messages, a shared cancellation flag, and a restart when the worker dies or is interrupted
 * for too long. Does no numeric work.
 */
import { Worker } from 'node:worker_threads';
import {
  assertNever,
  PROTOCOL_VERSION,
  type ErrorKind,
  type HostToWorker,
  type OutputItemBytes,
  type WorkerInit,
  type WorkerToHost,
} from '../shared/protocol';

/** How long an interrupted run may take to stop by itself before the worker is terminated. */
export const INTERRUPT_GRACE_MS = 2000;
/** How long a new worker may take to load TensorFlow.js before the run fails. */
export const START_TIMEOUT_MS = 60_000;

/** A run failed; `kind` says whether the user's input, an interrupt or a bug is to blame. */
export class KernelError extends Error {
  override name = 'KernelError';
  constructor(
    message: string,
    readonly kind: ErrorKind | 'crashed',
    readonly detail?: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(outputs: OutputItemBytes[]): void;
  reject(error: KernelError): void;
  /** Whether the request has reached the worker (else an interrupt just drops it). */
  sent: boolean;
}

export interface KernelOptions {
  /** Path of `dist/worker.js`. */
  workerPath: string;
  /** Folder of the TensorFlow.js `.wasm` files. */
  wasmDir: string;
  log(message: string): void;
}

export class LabKernel {
  private worker: Worker | undefined;
  private started: Promise<Worker> | undefined;
  /** Fails a start still waiting for `ready` when the kernel is stopped meanwhile. */
  private abortStart: ((reason: KernelError) => void) | undefined;
  private readonly cancelFlag = new SharedArrayBuffer(4);
  private readonly cancel = new Int32Array(this.cancelFlag);
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private interruptTimer: ReturnType<typeof setTimeout> | undefined;
  /** Backend reported by the running worker, for the status line. */
  backend: string | undefined;

  constructor(
    readonly name: string,
    private readonly options: KernelOptions,
  ) {}

  /** Runs a spec cell; resolves to its output items or rejects with a `KernelError`. */
  async runSpec(source: string, baseDir: string, cellName: string): Promise<OutputItemBytes[]> {
    const requestId = this.nextRequestId++;
    const result = new Promise<OutputItemBytes[]>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, sent: false });
    });
    result.catch(() => {}); // may reject while the worker starts, before the caller awaits it
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (e) {
      this.pending.delete(requestId);
      throw e;
    }
    const pending = this.pending.get(requestId);
    if (pending) {
      // Not interrupted or stopped while the worker was starting.
      Atomics.store(this.cancel, 0, 0);
      pending.sent = true;
      this.send(worker, { type: 'runSpec', requestId, source, baseDir, cellName });
    }
    return result;
  }

  /**
   * Asks the running cell to stop at its next check of the shared flag; if it has not
   * stopped after `INTERRUPT_GRACE_MS`, terminates the worker (kernel state is lost).
   * A cell still waiting for the worker to start is cancelled at once.
   */
  interrupt(): void {
    const [first] = this.pending.entries();
    if (!first) return;
    const [requestId, pending] = first;
    if (!pending.sent) {
      this.pending.delete(requestId);
      pending.reject(new KernelError('The run was interrupted before it started', 'cancelled'));
      return;
    }
    Atomics.store(this.cancel, 0, requestId);
    clearTimeout(this.interruptTimer);
    this.interruptTimer = setTimeout(() => {
      if (this.pending.has(requestId)) {
        this.options.log(`[${this.name}] the cell did not stop within ${INTERRUPT_GRACE_MS} ms: restarting the kernel`);
        this.stop(new KernelError('Interrupted: the kernel was restarted because the cell did not stop in time', 'cancelled'));
      }
    }, INTERRUPT_GRACE_MS);
  }

  /** Terminates the worker; running and queued requests fail. The next run starts a fresh worker. */
  restart(): void {
    this.stop(new KernelError('The kernel was restarted', 'cancelled'));
  }

  dispose(): void {
    this.stop(new KernelError('The notebook was closed', 'cancelled'));
  }

  private send(worker: Worker, message: HostToWorker): void {
    worker.postMessage(message);
  }

  private start(): Promise<Worker> {
    this.started ??= new Promise<Worker>((resolve, reject) => {
      this.abortStart = reject;
      const init: WorkerInit = { protocol: PROTOCOL_VERSION, cancelFlag: this.cancelFlag, wasmDir: this.options.wasmDir };
      const worker = new Worker(this.options.workerPath, { workerData: init, stdout: false, stderr: false });
      this.worker = worker;
      const timer = setTimeout(() => {
        reject(new KernelError(`The kernel did not start within ${START_TIMEOUT_MS / 1000} s`, 'crashed'));
        this.stop(new KernelError('The kernel did not start', 'crashed'));
      }, START_TIMEOUT_MS);
      worker.on('message', (message: WorkerToHost) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          if (message.protocol !== PROTOCOL_VERSION) {
            reject(new KernelError(`The kernel speaks protocol ${message.protocol}, this extension ${PROTOCOL_VERSION}: reinstall the extension`, 'crashed'));
            this.stop(new KernelError('protocol mismatch', 'crashed'));
            return;
          }
          this.abortStart = undefined;
          this.backend = message.backend;
          this.options.log(`[${this.name}] kernel ready in ${message.startMs.toFixed(0)} ms (TensorFlow.js backend: ${message.backend}, recurrent kernel: ${message.kernel})`);
          resolve(worker);
          return;
        }
        this.onMessage(message);
      });
      worker.on('error', (error) => {
        clearTimeout(timer);
        this.options.log(`[${this.name}] kernel error: ${error.stack ?? error.message}`);
        const failure = new KernelError(`The kernel crashed: ${error.message}`, 'crashed', error.stack);
        reject(failure);
        this.stop(failure);
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (this.worker !== worker) return;
        const failure = new KernelError(`The kernel exited unexpectedly (code ${code})`, 'crashed');
        reject(failure);
        this.stop(failure);
      });
    });
    return this.started;
  }

  private onMessage(message: WorkerToHost): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'result': {
        const pending = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        pending?.resolve(message.outputs);
        return;
      }
      case 'error': {
        const pending = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        pending?.reject(new KernelError(message.message, message.kind, message.stack));
        return;
      }
      default:
        assertNever(message);
    }
  }

  /** Drops the worker and fails everything pending with `reason`. */
  private stop(reason: KernelError): void {
    clearTimeout(this.interruptTimer);
    this.abortStart?.(reason);
    this.abortStart = undefined;
    const worker = this.worker;
    this.worker = undefined;
    this.started = undefined;
    this.backend = undefined;
    void worker?.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(reason);
  }
}
