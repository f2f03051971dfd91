/**
 * The host side of one notebook's kernel: a worker thread started on the first run, typed
 * messages, a shared cancellation flag, and a restart when the worker dies or is interrupted
 * for too long. Does no numeric work.
 */
import { Worker } from 'node:worker_threads';
import {
  assertNever,
  PROTOCOL_VERSION,
  type ComputeBackend,
  type ErrorKind,
  type HostToWorker,
  type RunCodeRequest,
  type OutputItemBytes,
  type StatsMessage,
  type WorkerInit,
  type WorkerToHost,
} from '../shared/protocol';
import type { OutputPrecision, TrainingProgress } from '../shared/trace';

/** How long an interrupted run may take to stop by itself before the worker is terminated. */
export const INTERRUPT_GRACE_MS = 2000;
/**
 * The same for a code cell: a busy loop in user code never reads the interrupt flag (only
 * `lab.trace` does), so the worker is restarted sooner, within two seconds of the interrupt.
 */
export const CODE_INTERRUPT_GRACE_MS = 1000;
/** How long a new worker may take to load TensorFlow.js before the run fails. */
export const START_TIMEOUT_MS = 60_000;
/** How long a stats request may wait (a running trace holds the worker's thread). */
export const STATS_TIMEOUT_MS = 2000;
/** The setting that bounds a worker's JavaScript heap (named in out-of-memory errors). */
export const MEMORY_LIMIT_SETTING = 'fglab.workerMemoryLimitMB';

/** A run failed; `kind` says whether the user's input, an interrupt or a bug is to blame. */
export class KernelError extends Error {
  override name = 'KernelError';
  constructor(
    message: string,
    readonly kind: ErrorKind | 'crashed',
    readonly detail?: string,
    /** For an error thrown by a code cell: its own name (`TypeError`); `detail` is then its stack at the cell's lines. */
    readonly errorName?: string,
  ) {
    super(message);
  }
}

/** Where a running code cell's console text and shown outputs go, as they come. */
export interface CodeOutputSink {
  stream(stream: 'stdout' | 'stderr', text: string): void;
  display(outputs: OutputItemBytes[]): void;
}

interface Pending {
  /** Output items of a run, or the spec source of a described model file. */
  resolve(answer: OutputItemBytes[] | string): void;
  reject(error: KernelError): void;
  /** Whether the request has reached the worker (else an interrupt just drops it). */
  sent: boolean;
  /** A code cell's streams and shown outputs. */
  sink?: CodeOutputSink;
  /** How long an interrupt waits for the run to stop before restarting the worker. */
  graceMs: number;
  /** Training progress of the run, as the worker streams it. */
  onProgress?: (progress: TrainingProgress) => void;
}

/** What a worker is started with; read again at every start, so settings apply to the next worker. */
export interface KernelSettings {
  /** TensorFlow.js backend. Default `wasm`. */
  backend: ComputeBackend;
  /** `resourceLimits.maxOldGenerationSizeMb` of the worker; undefined: Node's default. */
  memoryLimitMb?: number;
}

export interface KernelOptions {
  /** Path of `dist/worker.js`. */
  workerPath: string;
  /** Folder of the TensorFlow.js `.wasm` files. */
  wasmDir: string;
  log(message: string): void;
  /** Settings of the next worker start (default: wasm, no memory limit). */
  settings?: () => KernelSettings;
  /** Folder for the worker bundle's V8 code cache; undefined: a per-user folder in the OS temporary folder. */
  codeCacheDir?: string;
}

/** Extra conditions of one run. */
export interface RunOptions {
  /** Folders files may be read from (Restricted Mode); undefined: anywhere. */
  readRoots?: string[];
  /** How series are stored in the output; undefined: the core's default. */
  outputPrecision?: OutputPrecision;
  /** Seed of the seeded keys a spec leaves out; undefined: 0. */
  defaultSeed?: number;
  /** Called with the training progress of a spec with `train:` (a few times a second). */
  onProgress?: (progress: TrainingProgress) => void;
}

/** `stopped`: no worker; `starting`: loading TensorFlow.js; `idle` / `busy`: running and waiting / running a cell. */
export type KernelState = 'stopped' | 'starting' | 'idle' | 'busy';

/** Memory figures of a running worker. */
export type KernelStats = Omit<StatsMessage, 'type' | 'requestId'>;

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
  private ready = false;
  private restartWhenIdleRequested = false;
  private readonly statsPending = new Map<number, (stats: KernelStats | undefined) => void>();
  private readonly listeners = new Set<() => void>();
  /** Settings the running worker was started with. */
  private startedWith: KernelSettings | undefined;

  constructor(
    readonly name: string,
    private readonly options: KernelOptions,
  ) {}

  /** Where the kernel is: no worker, starting, idle or running a cell. */
  get state(): KernelState {
    if (this.pending.size > 0) return this.ready ? 'busy' : 'starting';
    if (!this.started) return 'stopped';
    return this.ready ? 'idle' : 'starting';
  }

  /** Settings of the running worker (undefined when none runs). */
  get settings(): KernelSettings | undefined {
    return this.startedWith;
  }

  /** Calls `listener` whenever `state` or `backend` may have changed; returns the unsubscribe function. */
  onDidChangeState(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (e) {
        this.options.log(`[${this.name}] state listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Runs a spec cell; resolves to its output items or rejects with a `KernelError`. */
  runSpec(source: string, baseDir: string, cellName: string, run: RunOptions = {}): Promise<OutputItemBytes[]> {
    return this.request({ graceMs: INTERRUPT_GRACE_MS, onProgress: run.onProgress }, (requestId) => ({
      type: 'runSpec',
      requestId,
      source,
      baseDir,
      cellName,
      ...(run.readRoots ? { readRoots: run.readRoots } : {}),
      ...(run.outputPrecision ? { outputPrecision: run.outputPrecision } : {}),
      ...(run.defaultSeed !== undefined ? { defaultSeed: run.defaultSeed } : {}),
    })) as Promise<OutputItemBytes[]>;
  }

  /**
   * Runs a JavaScript or TypeScript cell in the worker's global scope. Console text and
   * `lab.show` outputs go to `sink` as they come; resolves to the output of the last expression's
   * value (empty for `undefined`) or rejects with a `KernelError` (kind `user` for an error the
   * cell threw, with `errorName` and the stack at the cell's lines in `detail`).
   */
  runCode(source: string, language: RunCodeRequest['language'], baseDir: string, cellName: string, sink: CodeOutputSink, run: RunOptions = {}): Promise<OutputItemBytes[]> {
    return this.request({ graceMs: CODE_INTERRUPT_GRACE_MS, sink }, (requestId) => ({
      type: 'runCode',
      requestId,
      source,
      language,
      baseDir,
      cellName,
      ...(run.outputPrecision ? { outputPrecision: run.outputPrecision } : {}),
      ...(run.defaultSeed !== undefined ? { defaultSeed: run.defaultSeed } : {}),
    })) as Promise<OutputItemBytes[]>;
  }

  /**
   * Reads the trained model file at `path` in the worker (TensorFlow.js, Keras, PyTorch) and
   * resolves to a spec cell that traces it, naming the file as `specPath`; rejects with a
   * `KernelError` (kind `user`) when it is not a model file the lab reads.
   */
  describeModel(path: string, specPath: string): Promise<string> {
    return this.request({ graceMs: INTERRUPT_GRACE_MS }, (requestId) => ({ type: 'describeModel', requestId, path, specPath })) as Promise<string>;
  }

  /** Queues a request for the worker (started when needed); one at a time, interruptible like runs. */
  private async request(options: Pick<Pending, 'graceMs' | 'sink' | 'onProgress'>, message: (requestId: number) => HostToWorker): Promise<OutputItemBytes[] | string> {
    const requestId = this.nextRequestId++;
    const result = new Promise<OutputItemBytes[] | string>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, sent: false, ...options });
    });
    result.catch(() => {}); // may reject while the worker starts, before the caller awaits it
    this.changed();
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
      this.send(worker, message(requestId));
    }
    return result;
  }

  /**
   * Memory figures of the running worker; undefined when no worker is ready or it does not
   * answer within `STATS_TIMEOUT_MS` (a trace is running). Never starts a worker. `collect`
   * asks the worker to collect garbage first, where the process exposes `gc` (leak tests).
   */
  stats(options: { collect?: boolean } = {}): Promise<KernelStats | undefined> {
    const worker = this.worker;
    if (!worker || !this.ready) return Promise.resolve(undefined);
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.statsPending.delete(requestId);
        resolve(undefined);
      }, STATS_TIMEOUT_MS);
      this.statsPending.set(requestId, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.send(worker, { type: 'stats', requestId, ...(options.collect ? { collect: true } : {}) });
    });
  }

  /**
   * Stops the worker now if it is idle, else once the queued runs are done, so that the next
   * run starts a worker with the current settings. Nothing happens when no worker runs.
   */
  restartWhenIdle(): void {
    if (!this.started) return;
    if (this.pending.size === 0) this.restart();
    else this.restartWhenIdleRequested = true;
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
        this.options.log(`[${this.name}] the cell did not stop within ${pending.graceMs} ms: restarting the kernel`);
        this.stop(new KernelError('Interrupted: the cell did not stop, so the kernel was restarted and its state was lost (variables and functions of earlier cells); run those cells again', 'cancelled'));
      }
    }, pending.graceMs);
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
      const settings = this.options.settings?.() ?? { backend: 'wasm' };
      this.startedWith = settings;
      const init: WorkerInit = { protocol: PROTOCOL_VERSION, cancelFlag: this.cancelFlag, wasmDir: this.options.wasmDir, backend: settings.backend, ...(this.options.codeCacheDir ? { codeCacheDir: this.options.codeCacheDir } : {}) };
      const worker = new Worker(this.options.workerPath, {
        workerData: init,
        stdout: false,
        stderr: false,
        ...(settings.memoryLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: settings.memoryLimitMb } } : {}),
      });
      this.worker = worker;
      this.changed();
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
          this.ready = true;
          this.changed();
          this.options.log(`[${this.name}] kernel ready in ${message.startMs.toFixed(0)} ms (TensorFlow.js backend: ${message.backend}, recurrent kernel: ${message.kernel}${message.codeCache ? `, code cache: ${message.codeCache}` : ''})`);
          resolve(worker);
          return;
        }
        this.onMessage(message);
      });
      worker.on('error', (error) => {
        clearTimeout(timer);
        this.options.log(`[${this.name}] kernel error: ${error.stack ?? error.message}`);
        const failure = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new KernelError(outOfMemoryMessage(settings.memoryLimitMb), 'crashed', error.stack)
          : new KernelError(`The kernel crashed: ${error.message}`, 'crashed', error.stack);
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
      case 'result':
        return this.answer(message.requestId, (p) => p.resolve(message.outputs));
      case 'described':
        return this.answer(message.requestId, (p) => p.resolve(message.source));
      case 'error':
        return this.answer(message.requestId, (p) => p.reject(new KernelError(message.message, message.kind, message.stack, message.name)));
      case 'stream':
        this.pending.get(message.requestId)?.sink?.stream(message.stream, message.text);
        return;
      case 'display':
        this.pending.get(message.requestId)?.sink?.display(message.outputs);
        return;
      case 'progress':
        this.pending.get(message.requestId)?.onProgress?.(message.progress);
        return;
      case 'stats': {
        const { type: _type, requestId, ...stats } = message;
        this.statsPending.get(requestId)?.(stats);
        this.statsPending.delete(requestId);
        return;
      }
      default:
        assertNever(message);
    }
  }

  /** Settles the pending request `requestId` with `settle`. */
  private answer(requestId: number, settle: (pending: Pending) => void): void {
    const pending = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (pending) settle(pending);
    this.settled();
  }

  /** A run ended: restart if a settings change asked for it, and tell the listeners. */
  private settled(): void {
    if (this.restartWhenIdleRequested && this.pending.size === 0) this.restart();
    this.changed();
  }

  /** Drops the worker and fails everything pending with `reason`. */
  private stop(reason: KernelError): void {
    clearTimeout(this.interruptTimer);
    this.restartWhenIdleRequested = false;
    this.ready = false;
    this.startedWith = undefined;
    for (const answer of this.statsPending.values()) answer(undefined);
    this.statsPending.clear();
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
    this.changed();
  }
}

/** The error of a worker that ran out of JavaScript heap, naming the setting that bounds it. */
export function outOfMemoryMessage(limitMb: number | undefined): string {
  const limit = limitMb ? `the ${limitMb} MB` : 'the default';
  return `The kernel ran out of memory: its JavaScript heap reached ${limit} limit set by ${MEMORY_LIMIT_SETTING}. Raise the setting or ask for fewer steps, units or batch rows; the kernel was restarted.`;
}
